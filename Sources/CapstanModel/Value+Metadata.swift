/// Accessors for the fields every Kubernetes object has (`apiVersion`, `kind`, `metadata.*`).
extension Value {
    public var apiVersion: String? { topString("apiVersion") }
    public var kind: String? { topString("kind") }

    public var gvk: GroupVersionKind? {
        guard let apiVersion, let kind else { return nil }
        return GroupVersionKind(apiVersion: apiVersion, kind: kind)
    }

    public var metadata: Value {
        get { self["metadata"] }
        set { self["metadata"] = newValue }
    }

    public var name: String? { metadataString("name") }
    public var generateName: String? { metadataString("generateName") }
    public var uid: String? { metadataString("uid") }
    public var resourceVersion: String? { metadataString("resourceVersion") }

    public var namespace: String? {
        get { metadataString("namespace") }
        set { self[path: ["metadata", "namespace"]] = newValue.map(Value.string) ?? .null }
    }

    /// These are read for every object many times over (ordering, keys, output lines). Matching
    /// the cases in place copies only the string found; going through `self[key]` copied each
    /// level on the way, six reference counts up and six down per read.
    private func topString(_ key: String) -> String? {
        guard case .object(let object) = self, case .string(let s)? = object.member(key) else { return nil }
        return s
    }

    private func metadataString(_ key: String) -> String? {
        guard case .object(let object) = self, case .object(let metadata)? = object.member("metadata"),
              case .string(let s)? = metadata.member(key) else { return nil }
        return s
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
