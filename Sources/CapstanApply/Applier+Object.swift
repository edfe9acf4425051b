import CapstanAPI
import CapstanClient
import CapstanManifest
import CapstanModel
import CapstanPatch

extension Applier {
    /// One object: GET live; create when absent, else patch when the three-way patch is not
    /// empty. A 409 on PATCH (the live object moved) re-reads and recomputes, up to
    /// `options.conflictRetries` times; a 409 AlreadyExists on create (someone else created it
    /// meanwhile) goes round again as a patch.
    func applyObject(_ item: ResolvedManifest, options: ApplyOptions, prefetched: Prefetched? = nil) async -> ObjectResult {
        let info = item.resource
        let namespace = info.namespaced ? item.object.namespace : nil
        let name = item.object.name ?? ""
        var result = ObjectResult(typedName: item.typedName, namespace: namespace, source: item.source, action: .failed,
                                  dryRunSuffix: options.suffix)
        if options.serverSide { return await serverSideApply(item, options: options) }
        let file = item.source.file
        var attempt = 0
        while true {
            attempt += 1
            var live: Value?
            do {
                switch (attempt, prefetched) {
                case (1, .absent?): live = nil
                case (1, .present(let object)?): live = object
                default: live = try await client.get(info.gvr, namespace: namespace, name: name)
                }
            } catch let error where error.isNotFound {
                live = nil
            } catch {
                result.error = Failure.describe(error, verb: "retrieving current configuration of", file: file, item: item)
                return result
            }
            guard let live else {
                // The object with its last-applied annotation; only creates need it (an
                // unchanged object is decided by the patch alone).
                if options.dryRun == .client {
                    result.action = .created
                    result.object = LastApplied.modified(item.object)
                    return result
                }
                do {
                    let write = WriteOptions(dryRun: options.dryRun == .server, fieldManager: options.clientSideManager,
                                             fieldValidation: "Strict")
                    if options.keepsObjects || info.gvk.kind == "Namespace" || info.gvk.kind == "CustomResourceDefinition" {
                        result.object = try await client.create(info.gvr, namespace: namespace, LastApplied.modified(item.object),
                                                                options: write)
                    } else {
                        try await client.createIgnoringResponse(info.gvr, namespace: namespace,
                                                                json: LastApplied.modifiedJSON(item.object), options: write)
                    }
                    result.action = .created
                    return result
                } catch let error where error.isAlreadyExists && attempt <= options.conflictRetries {
                    continue
                } catch {
                    result.error = Failure.describe(error, verb: "creating", file: file, item: item)
                    return result
                }
            }
            let patch: Value
            let type: CapstanClient.PatchType
            do {
                (patch, type) = try Self.threeWayPatch(manifest: item.object, live: live, gvk: info.gvk)
            } catch {
                result.error = "error: \(item.typedName) (\(file)): computing the patch: \(error)"
                return result
            }
            if Self.isEmpty(patch) {
                result.action = .unchanged
                result.object = live
                return result
            }
            if options.dryRun == .client {
                result.action = .configured
                result.object = (try? Self.applyLocally(patch, type: type, to: live, gvk: info.gvk)) ?? LastApplied.modified(item.object)
                return result
            }
            do {
                result.object = try await client.patch(
                    info.gvr, namespace: namespace, name: name, type: type, patch.jsonBytes(), subresource: nil,
                    options: PatchOptions(dryRun: options.dryRun == .server, fieldManager: options.clientSideManager,
                                          fieldValidation: "Strict"))
                result.action = .configured
                return result
            } catch let error where error.isConflict && attempt <= options.conflictRetries {
                continue
            } catch {
                result.error = Failure.describe(error, verb: "patching", file: file, item: item)
                return result
            }
        }
    }

    /// `--server-side`: one apply PATCH to the item URL; the server creates or updates.
    func serverSideApply(_ item: ResolvedManifest, options: ApplyOptions) async -> ObjectResult {
        let info = item.resource
        let namespace = info.namespaced ? item.object.namespace : nil
        var result = ObjectResult(typedName: item.typedName, namespace: namespace, source: item.source, action: .failed,
                                  dryRunSuffix: options.suffix)
        if options.dryRun == .client {
            result.action = .serverSideApplied
            result.object = item.object
            return result
        }
        do {
            result.object = try await client.patch(
                info.gvr, namespace: namespace, name: item.object.name ?? "", type: .apply, item.object.jsonBytes(),
                subresource: nil,
                options: PatchOptions(dryRun: options.dryRun == .server, fieldManager: options.serverSideManager,
                                      force: options.forceConflicts, fieldValidation: "Strict"))
            result.action = .serverSideApplied
        } catch let error where error.code == 415 {
            result.error = "error: \(item.typedName): the server does not support server-side apply (415 \(error.reason)): \(error.message); apply without --server-side"
        } catch {
            result.error = Failure.describe(error, verb: "applying", file: item.source.file, item: item)
        }
        return result
    }

    /// The patch `kubectl apply` sends: strategic merge for kinds with built-in patch metadata,
    /// JSON merge patch (lists replaced whole) for everything else.
    static func threeWayPatch(manifest: Value, live: Value, gvk: GroupVersionKind)
        throws(PatchError) -> (Value, CapstanClient.PatchType)
    {
        let made = try LastApplied.patch(manifest: manifest, live: live, meta: PatchMeta.builtin(gvk))
        return (made.patch, made.type == .strategic ? .strategicMerge : .merge)
    }

    static func applyLocally(_ patch: Value, type: CapstanClient.PatchType, to live: Value, gvk: GroupVersionKind)
        throws(PatchError) -> Value
    {
        if type == .strategicMerge { return try StrategicMerge.apply(patch: patch, to: live, meta: PatchMeta.builtin(gvk) ?? .none) }
        return try MergePatch.apply(patch: patch, to: live)
    }

    static func isEmpty(_ patch: Value) -> Bool {
        if case .object(let o) = patch { return o.isEmpty }
        return patch == .null
    }
}
