import CapstanAPI
import CapstanModel
import CapstanPatch
import CapstanStore

extension APIServer {
    /// Read-modify-write of one object, as Kubernetes' `GuaranteedUpdate`: `transform` turns the
    /// current object into the wanted one (and throws 409 when a client precondition fails);
    /// the result passes the update rules and is written guarded by the revision read. A store
    /// conflict (someone wrote in between) re-reads and re-runs `transform`, so a client
    /// precondition is always judged against the newest object and no write is lost.
    func guaranteedUpdate(_ req: ResourceRequest, name: String, statusSubresource: Bool = false,
                          transform: (Value) throws -> Value) async throws -> (object: Value, warnings: [String])
    {
        for _ in 0..<32 {
            let (kv, current) = try await self.current(req, name)
            var candidate = try transform(current)
            try RegistryRules.checkKind(&candidate, req)
            try RegistryRules.checkNamespace(&candidate, req)
            if let given = candidate.name, given != name {
                throw StatusError.badRequest("the name of the object (\(given)) does not match the name on the URL (\(name))")
            }
            var new = RegistryRules.mergeUpdate(old: current, new: candidate, req: req, statusSubresource: statusSubresource)
            let warnings = try admit(&new, req, old: current)
            RegistryRules.bumpGeneration(old: current, new: &new, req: req)
            let addresses = try await reserveServiceAddresses(req, &new, old: current)

            if Self.readyToGo(new, req) {
                // The last finalizer of a deleting object is gone: the object goes.
                await finishServiceAddresses(addresses, stored: false)
                if req.dryRun { return (new, warnings) }
                do {
                    let result = try await store.delete(req.key(name), expectedModRevision: kv.modRevision)
                    let gone = try ObjectCodec.decode(result.deleted.value, revision: result.revision, apiVersion: req.apiVersion)
                    await afterWrite(req, gone, deleted: true)
                    await releaseServiceAddresses(req, gone)
                    return (new, warnings)
                } catch StoreError.conflict { continue }
            }
            var unchangedCheck = current
            unchangedCheck[path: ["metadata"]].removeValue(forKey: "resourceVersion")
            if unchangedCheck == new {
                await finishServiceAddresses(addresses, stored: false)
                return (current, warnings)
            }
            if req.dryRun {
                new[path: ["metadata", "resourceVersion"]] = .string(String(kv.modRevision))
                return (new, warnings)
            }
            let written: KeyValue
            do {
                written = try await store.update(req.key(name), value: ObjectCodec.encode(new), expectedModRevision: kv.modRevision)
            } catch {
                await finishServiceAddresses(addresses, stored: false)
                if case .conflict = error { continue }
                if case .notFound = error { throw req.notFound(name) }
                throw error
            }
            await finishServiceAddresses(addresses, stored: true)
            let stored = ObjectCodec.stored(new, written, apiVersion: req.apiVersion)
            await afterWrite(req, stored, deleted: false)
            return (stored, warnings)
        }
        throw StatusError.conflict(group: req.group, resource: req.plural, name: name)
    }

    /// A deleting object with no finalizers left (namespaces: none in spec either).
    static func readyToGo(_ object: Value, _ req: ResourceRequest) -> Bool {
        guard object[path: ["metadata", "deletionTimestamp"]] != .null else { return false }
        if (object[path: ["metadata", "finalizers"]].arrayValue ?? []).isEmpty == false { return false }
        if req.group.isEmpty && req.plural == "namespaces" {
            return (object[path: ["spec", "finalizers"]].arrayValue ?? []).isEmpty
        }
        // Graceful pod deletion waits for the kubelet (it deletes with grace period 0).
        if req.group.isEmpty && req.plural == "pods", (object[path: ["metadata", "deletionGracePeriodSeconds"]].intValue ?? 0) > 0 {
            return false
        }
        return true
    }

    /// Throws 409 when `wanted` carries a resourceVersion other than the current one.
    static func checkResourceVersion(_ wanted: Value, _ current: Value, _ req: ResourceRequest, _ name: String) throws {
        if let rv = wanted[path: ["metadata", "resourceVersion"]].stringValue, !rv.isEmpty, rv != current.resourceVersion {
            throw StatusError.conflict(group: req.group, resource: req.plural, name: name)
        }
    }

    func update(_ req: ResourceRequest) async throws -> HTTPResponse {
        guard let name = req.path.name else { throw StatusError.methodNotAllowed() }
        let body = try parseBody(req)
        let (object, warnings) = try await guaranteedUpdate(req, name: name) { current in
            try Self.checkResourceVersion(body, current, req, name)
            return body
        }
        return objectResponse(req, object, warnings: warnings)
    }

    func patch(_ req: ResourceRequest) async throws -> HTTPResponse {
        guard let name = req.path.name else { throw StatusError.methodNotAllowed() }
        let patchBody = try parsePatch(req)
        let type = try patchType(req)
        let (object, warnings) = try await guaranteedUpdate(req, name: name) { current in
            let patched = try self.applyPatch(type, patchBody, to: current, req: req)
            try Self.checkResourceVersion(patched, current, req, name)
            return patched
        }
        return objectResponse(req, object, warnings: warnings)
    }

    func parsePatch(_ req: ResourceRequest) throws -> Value {
        if req.http.body.isEmpty { throw StatusError.badRequest("the patch body is empty") }
        do { return try Value.parseJSON(req.http.body) } catch {
            throw StatusError.badRequest("error decoding patch: \(error)")
        }
    }

    func patchType(_ req: ResourceRequest) throws -> PatchType {
        let raw = (req.http.header("Content-Type") ?? "").lowercased()
        let ct = raw.split(separator: ";").first.map { $0.trimmingSpaces() } ?? ""
        switch ct {
        case "application/json-patch+json": return .json
        case "application/merge-patch+json": return .merge
        case "application/strategic-merge-patch+json":
            if req.catalogue.isCustomResource(group: req.group, plural: req.plural) {
                throw StatusError.unsupportedMediaType(ct).withMessage(
                    "strategic merge patch is not supported for custom resources; use a JSON merge patch")
            }
            return .strategic
        case "application/apply-patch+yaml", "application/apply-patch+cbor":
            throw StatusError.unsupportedMediaType(ct).withMessage(
                "server-side apply (\(ct)) is not supported by this server yet; use client-side apply (kubectl apply without --server-side)")
        default:
            throw StatusError.unsupportedMediaType(ct)
        }
    }

    func applyPatch(_ type: PatchType, _ patch: Value, to current: Value, req: ResourceRequest) throws -> Value {
        let meta: PatchMeta = type == .strategic ? (PatchMeta.forKind(current.gvk ?? req.info.gvk, in: req.catalogue) ?? .none) : .none
        let outcome = Self.rawApply(type, patch, current, meta)
        switch outcome {
        case .success(let v): return v
        case .failure(let e):
            switch e.kind {
            case .invalidPatch, .invalidPointer, .typeMismatch, .missingMergeKey, .tooDeep:
                throw StatusError.badRequest("the patch could not be applied: \(e)")
            default:
                throw StatusError(code: 422, reason: "Invalid", message: "the patch could not be applied: \(e)",
                                  details: StatusError.details(name: current.name, group: req.group, kind: req.info.gvk.kind))
            }
        }
    }

    static func rawApply(_ type: PatchType, _ patch: Value, _ current: Value, _ meta: PatchMeta) -> Result<Value, PatchError> {
        do throws(PatchError) {
            switch type {
            case .json: return .success(try JSONPatch.apply(patch: patch, to: current))
            case .merge: return .success(try MergePatch.apply(patch: patch, to: current))
            case .strategic: return .success(try StrategicMerge.apply(patch: patch, to: current, meta: meta))
            }
        } catch {
            return .failure(error)
        }
    }
}
