import CapstanAPI
import CapstanModel
import CapstanStore

/// DeleteOptions from the body or the query.
struct DeleteOptions: Sendable {
    var propagationPolicy: String?
    var gracePeriodSeconds: Int64?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false

    init(_ req: ResourceRequest) throws {
        var body: Value = .null
        if !req.http.body.isEmpty {
            do { body = try Value.parseJSON(req.http.body) } catch {
                throw StatusError.badRequest("the DeleteOptions body is not valid JSON: \(error)")
            }
        }
        propagationPolicy = body["propagationPolicy"].stringValue ?? req.http.query("propagationPolicy")
        if propagationPolicy == nil {
            if body["orphanDependents"].boolValue == true || req.http.query("orphanDependents") == "true" { propagationPolicy = "Orphan" }
        }
        if let p = propagationPolicy, !["Orphan", "Background", "Foreground"].contains(p) {
            throw StatusError.invalid(kind: GroupKind(group: "meta.k8s.io", kind: "DeleteOptions"), name: "",
                                      field: "propagationPolicy",
                                      message: "Unsupported value: \"\(p)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
                                      reason: "FieldValueNotSupported")
        }
        gracePeriodSeconds = body["gracePeriodSeconds"].intValue ?? req.http.query("gracePeriodSeconds").flatMap(Int64.init)
        preconditionUID = body[path: ["preconditions", "uid"]].stringValue
        preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]].stringValue
        dryRun = req.dryRun || (body["dryRun"].arrayValue ?? []).contains("All")
    }
}

extension APIServer {
    func delete(_ req: ResourceRequest) async throws -> HTTPResponse {
        guard let name = req.path.name else { throw StatusError.methodNotAllowed() }
        let options = try DeleteOptions(req)
        let outcome = try await deleteOne(req, name: name, options: options)
        if let kept = outcome.kept { return objectResponse(req, kept) }
        return .json(.ok, successStatus(name: name, group: req.group, resource: req.plural, uid: outcome.uid).jsonBytes())
    }

    /// Deletes one object, or marks it deleting when finalizers (or a graceful pod shutdown)
    /// keep it. `kept` is the object when it stays.
    func deleteOne(_ req: ResourceRequest, name: String, options: DeleteOptions) async throws -> (kept: Value?, uid: String?, last: Value?) {
        for _ in 0..<32 {
            let (kv, current) = try await self.current(req, name)
            if let uid = options.preconditionUID, uid != current.uid {
                throw StatusError.conflict(group: req.group, resource: req.plural, name: name,
                                           "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid ?? "")")
            }
            if let rv = options.preconditionResourceVersion, rv != current.resourceVersion {
                throw StatusError.conflict(group: req.group, resource: req.plural, name: name,
                                           "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion ?? "")")
            }
            var next = current
            next[path: ["metadata"]].removeValue(forKey: "resourceVersion")
            var finalizers = (current[path: ["metadata", "finalizers"]].arrayValue ?? []).compactMap(\.stringValue)
            let alreadyDeleting = current[path: ["metadata", "deletionTimestamp"]] != .null
            switch options.propagationPolicy {
            case "Foreground": if !finalizers.contains("foregroundDeletion") && !alreadyDeleting { finalizers.append("foregroundDeletion") }
            case "Orphan": if !finalizers.contains("orphan") && !alreadyDeleting { finalizers.append("orphan") }
            default: break
            }
            var keep = !finalizers.isEmpty
            let now = WallClock.nowSeconds()
            if req.group.isEmpty && req.plural == "namespaces" {
                if !(current[path: ["spec", "finalizers"]].arrayValue ?? []).isEmpty { keep = true }
                next[path: ["status", "phase"]] = "Terminating"
            }
            // Pods on a node shut down gracefully: the kubelet finishes the delete.
            var grace: Int64 = 0
            if req.group.isEmpty && req.plural == "pods", current[path: ["spec", "nodeName"]].stringValue?.isEmpty == false {
                grace = options.gracePeriodSeconds ?? current[path: ["spec", "terminationGracePeriodSeconds"]].intValue ?? 30
                let phase = current[path: ["status", "phase"]].stringValue
                if phase == "Succeeded" || phase == "Failed" { grace = 0 }
                if grace > 0 { keep = true }
            }
            if keep {
                if !alreadyDeleting {
                    next[path: ["metadata", "deletionTimestamp"]] = .string(WallClock.rfc3339(now + grace))
                    next[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
                } else if grace == 0, req.plural == "pods", req.group.isEmpty, !finalizers.isEmpty || options.gracePeriodSeconds == 0 {
                    next[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
                } else if grace > 0, let old = current[path: ["metadata", "deletionGracePeriodSeconds"]].intValue, grace < old {
                    next[path: ["metadata", "deletionTimestamp"]] = .string(WallClock.rfc3339(now + grace))
                    next[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
                }
                if !finalizers.isEmpty { next[path: ["metadata", "finalizers"]] = .array(finalizers.map(Value.string)) }
                if options.dryRun { return (current, current.uid, nil) }
                var unchanged = current
                unchanged[path: ["metadata"]].removeValue(forKey: "resourceVersion")
                if unchanged == next { return (current, current.uid, nil) }
                // A pod with grace 0 and no finalizers goes now even if it was deleting.
                if !(next[path: ["metadata", "finalizers"]].arrayValue ?? []).isEmpty || grace > 0 || req.plural == "namespaces" {
                    do {
                        let written = try await store.update(req.key(name), value: ObjectCodec.encode(next), expectedModRevision: kv.modRevision)
                        return (try ObjectCodec.decode(written, apiVersion: req.apiVersion), current.uid, nil)
                    } catch StoreError.conflict { continue }
                }
            }
            if options.dryRun { return (nil, current.uid, current) }
            do {
                let result = try await store.delete(req.key(name), expectedModRevision: kv.modRevision)
                let last = try ObjectCodec.decode(result.deleted.value, revision: result.revision, apiVersion: req.apiVersion)
                await afterWrite(req, last, deleted: true)
                await releaseServiceAddresses(req, last)
                return (nil, current.uid, last)
            } catch StoreError.conflict {
                continue
            } catch StoreError.notFound {
                throw req.notFound(name)
            }
        }
        throw StatusError.conflict(group: req.group, resource: req.plural, name: name)
    }

    func deleteCollection(_ req: ResourceRequest) async throws -> HTTPResponse {
        let selection = try Selection(req)
        let options = try DeleteOptions(req)
        let snapshot: ListResult
        do { snapshot = try await store.list(prefix: req.listPrefix) } catch {
            throw error.status(group: req.group, resource: req.plural, name: "")
        }
        var items: [Value] = []
        for kv in snapshot.items {
            let object = try ObjectCodec.decode(kv, apiVersion: req.apiVersion)
            guard selection.matches(object), let name = object.name else { continue }
            do {
                let outcome = try await deleteOne(req, name: name, options: options)
                if let item = outcome.kept ?? outcome.last { items.append(item) }
            } catch let e as StatusError where e.code == 404 {
                continue
            }
        }
        let list: Value = ["kind": .string(req.info.gvk.kind + "List"), "apiVersion": .string(req.apiVersion),
                           "metadata": ["resourceVersion": .string(String(await store.currentRevision))], "items": .array(items)]
        return .json(.ok, list.jsonBytes())
    }
}
