import CapstanAPI
import CapstanModel
import CapstanStore

extension APIServer {
    func handleSubresource(_ req: ResourceRequest, _ sub: String, _ verb: Verb) async throws -> HTTPResponse {
        guard let name = req.path.name, req.info.subresource(sub) != nil else { throw StatusError.pathNotFound() }
        switch (sub, verb) {
        case ("status", .get):
            return try await get(req)
        case ("status", .update):
            let body = try parseBody(req)
            let (object, warnings) = try await guaranteedUpdate(req, name: name, statusSubresource: true) { current in
                try Self.checkResourceVersion(body, current, req, name)
                return body
            }
            return objectResponse(req, object, warnings: warnings)
        case ("status", .patch):
            let patchBody = try parsePatch(req)
            let type = try patchType(req)
            let (object, warnings) = try await guaranteedUpdate(req, name: name, statusSubresource: true) { current in
                let patched = try self.applyPatch(type, patchBody, to: current, req: req)
                try Self.checkResourceVersion(patched, current, req, name)
                return patched
            }
            return objectResponse(req, object, warnings: warnings)
        case ("scale", .get):
            let (_, object) = try await current(req, name)
            return .json(.ok, Self.scale(of: object, req).jsonBytes())
        case ("scale", .update), ("scale", .patch):
            let type = verb == .patch ? try patchType(req) : nil
            let body = verb == .patch ? try parsePatch(req) : try parseBody(req)
            let (object, _) = try await guaranteedUpdate(req, name: name) { current in
                let scale = Self.scale(of: current, req)
                let wanted = try type.map { try self.applyPatch($0, body, to: scale, req: req) } ?? body
                try Self.checkResourceVersion(wanted, current, req, name)
                guard let replicas = wanted[path: ["spec", "replicas"]].intValue else {
                    throw StatusError.invalid(kind: GroupKind(group: "autoscaling", kind: "Scale"), name: name,
                                              field: "spec.replicas", message: "Required value", reason: "FieldValueRequired")
                }
                if replicas < 0 {
                    throw StatusError.invalid(kind: GroupKind(group: "autoscaling", kind: "Scale"), name: name, field: "spec.replicas",
                                              message: "Invalid value: \(replicas): must be greater than or equal to 0")
                }
                var next = current
                next[path: ["spec", "replicas"]] = .int(replicas)
                return next
            }
            return .json(.ok, Self.scale(of: object, req).jsonBytes())
        case ("log", .get):
            return try await podLog(req, name: name)
        case ("binding", .create):
            return try await bindPod(req, podName: name)
        case ("finalize", .update):
            let body = try parseBody(req)
            let (object, _) = try await guaranteedUpdate(req, name: name) { current in
                var next = current
                next[path: ["spec", "finalizers"]] = body[path: ["spec", "finalizers"]]
                if body[path: ["spec", "finalizers"]] == .null { next["spec"].removeValue(forKey: "finalizers") }
                return next
            }
            return objectResponse(req, object)
        case ("eviction", .create):
            let options = try DeleteOptions(req)
            _ = try await deleteOne(req, name: name, options: options)
            let status: Value = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "code": 201]
            return .json(.created, status.jsonBytes())
        default:
            throw StatusError(code: 400, reason: "BadRequest", message: "the \(sub) subresource is not supported by this server for \(verb.rawValue)")
        }
    }

    /// The autoscaling/v1 Scale view of a workload.
    static func scale(of object: Value, _ req: ResourceRequest) -> Value {
        var meta: Value = .object([:])
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] where object["metadata"].has(key) {
            meta[key] = object[path: ["metadata", key]]
        }
        let selector = object[path: ["spec", "selector"]]
        let selectorText: String
        if selector.isObject { selectorText = (try? LabelSelector(structured: selector))?.description ?? "" }
        else { selectorText = selector.stringValue ?? "" }
        return ["kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
                "spec": ["replicas": .int(object[path: ["spec", "replicas"]].intValue ?? 0)],
                "status": ["replicas": .int(object[path: ["status", "replicas"]].intValue ?? 0), "selector": .string(selectorText)]]
    }

    /// `pods/NAME/binding` (or `bindings`): assigns a pod to a node, once.
    func bindPod(_ req: ResourceRequest, podName: String?) async throws -> HTTPResponse {
        let body = try parseBody(req)
        guard let name = podName ?? body.name else {
            throw StatusError.badRequest("binding has no pod name")
        }
        guard let node = body[path: ["target", "name"]].stringValue, !node.isEmpty else {
            throw StatusError.invalid(kind: GroupKind(group: "", kind: "Binding"), name: name, field: "target.name",
                                      message: "Required value", reason: "FieldValueRequired")
        }
        var podReq = req
        podReq = ResourceRequest(http: req.http, path: ResourcePath(gv: req.path.gv, resource: "pods", namespace: req.path.namespace, name: name),
                                 info: req.info, served: req.served, dryRun: req.dryRun, fieldValidation: "Ignore", wantsTable: false)
        _ = try await guaranteedUpdate(podReq, name: name) { current in
            if let assigned = current[path: ["spec", "nodeName"]].stringValue, !assigned.isEmpty {
                throw StatusError.conflict(group: "", resource: "pods", name: name, "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            if current[path: ["metadata", "deletionTimestamp"]] != .null {
                throw StatusError.conflict(group: "", resource: "pods", name: name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            var next = current
            next[path: ["spec", "nodeName"]] = .string(node)
            return next
        }
        // The PodScheduled condition is status: written through the status path.
        _ = try await guaranteedUpdate(podReq, name: name, statusSubresource: true) { current in
            var next = current
            var conditions = (current[path: ["status", "conditions"]].arrayValue ?? []).filter { $0["type"] != "PodScheduled" }
            conditions.append(["type": "PodScheduled", "status": "True", "lastTransitionTime": .string(WallClock.now())])
            next[path: ["status", "conditions"]] = .array(conditions)
            return next
        }
        let status: Value = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "code": 201]
        return .json(.created, status.jsonBytes())
    }
}
