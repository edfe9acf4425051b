/// Accessors for the fields every Kubernetes object has (`apiVersion`, `kind`, `metadata.*`).
extension Value {
    public var apiVersion: String? { self["apiVersion"].stringValue }
    public var kind: String? { self["kind"].stringValue }

    public var gvk: GroupVersionKind? {
        guard let apiVersion, let kind else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    public var metadata: Value {
        get { self["metadata"] }
        set { self["metadata"] = newValue }
    }

    public var name: String? { self["metadata"]["name"].stringValue }
    public var generateName: String? { self["metadata"]["generateName"].stringValue }
    public var uid: String? { self["metadata"]["uid"].stringValue }
    public var resourceVersion: String? { self["metadata"]["resourceVersion"].stringValue }

    public var namespace: String? {
        get { self["metadata"]["namespace"].stringValue }
        set { self[path: ["metadata", "namespace"]] = newValue.map(Value.string) ?? .null }
    }

    /// Labels as a plain dictionary; non-string values are skipped.
    public var labels: [String: String] { stringMap(at: ["metadata", "labels"]) }
    public var annotations: [String: String] { stringMap(at: ["metadata", "annotations"]) }

    public func stringMap(at path: [String]) -> [String: String] {
        guard let object = self[path: path].objectValue else { return [:] }
        var result: [String: String] = [:]
        result.reserveCapacity(object.count)
        for (key, value) in object {
            if let s = value.stringValue { result[key] = s }
        }
        return result
    }

    /// The object's identity: group, kind, namespace (empty if unset) and name.
    public var objectKey: ObjectKey? {
        guard let gvk, let name else { return nil }
        return ObjectKey(group: gvk.group, kind: gvk.kind, namespace: namespace ?? "", name: name)
    }
}
