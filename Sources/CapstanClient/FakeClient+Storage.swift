import CapstanAPI
import CapstanModel

/// `FakeClient`'s storage: keys, the revision counter, watch fan-out with selector transitions,
/// the spec/status split of updates, and the `scale` view. Actor-isolated like the rest.
extension FakeClient {

    func begin(_ verb: String, _ resource: GroupVersionResource, _ namespace: String?, _ name: String?,
                       _ subresource: String?) throws(APIError)
    {
        actions.append(Action(verb: verb, resource: resource, namespace: namespace, name: name, subresource: subresource))
        if let i = injected.firstIndex(where: { $0.verb == verb && ($0.resource == nil || $0.resource == resource) }) {
            let error = injected.remove(at: i).error
            throw error
        }
    }

    func info(_ resource: GroupVersionResource) throws(APIError) -> ResourceInfo {
        guard let info = mapper.resource(for: resource) else {
            throw .server(404, "NotFound", "the server could not find the requested resource")
        }
        return info
    }

    func key(_ info: ResourceInfo, _ namespace: String?, _ name: String) -> String {
        info.namespaced ? "\(namespace ?? "")/\(name)" : name
    }

    func notFound(_ resource: GroupVersionResource, _ name: String) -> APIError {
        .server(404, "NotFound", "\(resource.groupResource) \"\(name)\" not found",
                details: StatusDetails(name: name, group: resource.group, kind: resource.resource))
    }

    func conflict(_ resource: GroupVersionResource, _ name: String) -> APIError {
        .server(409, "Conflict",
                "Operation cannot be fulfilled on \(resource.groupResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                details: StatusDetails(name: name, group: resource.group, kind: resource.resource))
    }

    nonisolated func matches(_ object: Value, info: ResourceInfo, namespace: String?, label: LabelSelector?,
                                     field: FieldSelector?) -> Bool
    {
        if info.namespaced, let namespace, !namespace.isEmpty, object.namespace != namespace { return false }
        if let label, !label.matches(object: object) { return false }
        if let field, !field.matches(object: object, kind: info.gvk.groupKind) { return false }
        return true
    }

    func storeNew(_ info: ResourceInfo, namespace: String?, _ input: Value) throws(APIError) -> Value {
        var object = input
        if object.apiVersion == nil { object["apiVersion"] = .string(info.gvk.apiVersion) }
        if object.kind == nil { object["kind"] = .string(info.gvk.kind) }
        if info.namespaced {
            let ns = namespace ?? object.namespace ?? "default"
            if let own = object.namespace, !own.isEmpty, own != ns {
                throw .server(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
            }
            object.namespace = ns
        } else {
            object.namespace = nil
        }
        uidCounter += 1
        if object.name == nil || object.name == "" {
            guard let prefix = object.generateName, !prefix.isEmpty else {
                throw .server(422, "Invalid", "metadata.name: Required value: name or generateName is required")
            }
            object[path: ["metadata", "name"]] = .string(prefix + FakeClient.suffix(uidCounter))
        }
        let name = object.name ?? ""
        let k = key(info, object.namespace, name)
        if objects[info.gvr]?[k] != nil {
            throw .server(409, "AlreadyExists", "\(info.gvr.groupResource) \"\(name)\" already exists",
                          details: StatusDetails(name: name, group: info.gvk.group, kind: info.gvr.resource))
        }
        object[path: ["metadata", "uid"]] = .string(FakeClient.uid(uidCounter))
        object[path: ["metadata", "creationTimestamp"]] = .string(Timestamp.now().rfc3339)
        if !object["spec"].isNull { object[path: ["metadata", "generation"]] = 1 }
        object[path: ["metadata", "resourceVersion"]] = .null
        return commit(info, k, object, type: .added, previous: nil)
    }

    /// The object an update stores: spec side or status side per the subresource.
    func merged(old: Value, new: Value, info: ResourceInfo, subresource: String?) -> Value {
        let hasStatus = info.subresource("status") != nil
        var result: Value
        if subresource == "status" {
            result = old
            result["status"] = new["status"]
        } else {
            result = new
            if hasStatus { result["status"] = old["status"] }
            if result["status"].isNull { _ = result.removeValue(forKey: "status") }
            for field in ["uid", "creationTimestamp", "namespace", "deletionTimestamp"] {
                result[path: ["metadata", field]] = old["metadata"][field]
            }
            if old["spec"] != result["spec"] {
                result[path: ["metadata", "generation"]] = .int((old["metadata"]["generation"].intValue ?? 0) + 1)
            } else {
                result[path: ["metadata", "generation"]] = old["metadata"]["generation"]
            }
        }
        if result.kind == nil { result["kind"] = .string(info.gvk.kind) }
        if result.apiVersion == nil { result["apiVersion"] = .string(info.gvk.apiVersion) }
        // Finalizers all removed while deleting: the object goes.
        return result
    }

    @discardableResult
    func commit(_ info: ResourceInfo, _ k: String, _ input: Value, type: WatchEventType, previous: Value?) -> Value {
        var object = input
        if type == .modified, !object["metadata"]["deletionTimestamp"].isNull,
           (object["metadata"]["finalizers"].arrayValue ?? []).isEmpty
        {
            objects[info.gvr]?[k] = object
            return remove(info, k)
        }
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        objects[info.gvr, default: [:]][k] = object
        record(info.gvr, type, object, previous: previous)
        return object
    }

    func remove(_ info: ResourceInfo, _ k: String) -> Value {
        guard var object = objects[info.gvr]?.removeValue(forKey: k) else { return .null }
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        record(info.gvr, .deleted, object, previous: object)
        return object
    }

    func record(_ resource: GroupVersionResource, _ type: WatchEventType, _ object: Value, previous: Value?) {
        history.append(HistoryEntry(revision: revision, resource: resource, type: type, object: object, previous: previous))
        guard !deliveryPaused, let info = mapper.resource(for: resource) else { return }
        for w in watchers.values where w.resource == resource {
            let filter = { (o: Value) in
                self.matches(o, info: info, namespace: w.namespace, label: w.options.labelSelector, field: w.options.fieldSelector)
            }
            if let event = Self.event(for: type, object: object, previous: previous, filter: filter) {
                w.continuation.yield(event)
            }
        }
    }

    /// The event a filtered watch sees: an object entering the filter is ADDED, leaving it DELETED.
    static func event(for type: WatchEventType, object: Value, previous: Value?,
                              filter: (Value) -> Bool) -> WatchEvent?
    {
        let now = filter(object)
        let before = previous.map(filter) ?? false
        switch type {
        case .added: return now ? WatchEvent(type: .added, object: object) : nil
        case .deleted: return before || now ? WatchEvent(type: .deleted, object: object) : nil
        case .modified:
            if now && before { return WatchEvent(type: .modified, object: object) }
            if now { return WatchEvent(type: .added, object: object) }
            if before { return WatchEvent(type: .deleted, object: object) }
            return nil
        default: return WatchEvent(type: type, object: object)
        }
    }

    func removeWatcher(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    func scaleObject(_ object: Value, info: ResourceInfo) -> Value {
        [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"],
                         "resourceVersion": object["metadata"]["resourceVersion"], "uid": object["metadata"]["uid"]],
            "spec": ["replicas": object["spec"]["replicas"].isNull ? 1 : object["spec"]["replicas"]],
            "status": ["replicas": object["status"]["replicas"].isNull ? 0 : object["status"]["replicas"]],
        ]
    }

    static func uid(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "00000000-0000-4000-8000-\(padded)"
    }

    static func suffix(_ n: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var x = n &* 2_654_435_761 & 0x7fff_ffff
        var out = ""
        for _ in 0..<5 {
            out.append(alphabet[x % alphabet.count])
            x /= alphabet.count
        }
        return out
    }
}
