import CapstanModel

/// Removes the fields an object's schema does not declare, as the Kubernetes API server does
/// when it decodes a built-in object (unknown JSON keys vanish) or prunes a custom resource
/// with a structural schema. Used for `fieldValidation=Ignore` and `Warn` (the removed paths
/// are the warnings); `Strict` rejects instead (see `SchemaValidator`).
///
/// Fields under `x-kubernetes-preserve-unknown-fields`, free-form objects (RawExtension,
/// FieldsV1) and map values are kept; `apiVersion`/`kind`/`metadata` of embedded resources are
/// kept. Stateless; safe to share.
public struct SchemaPruner: Sendable {
    public let catalogue: APICatalogue
    public var maxDepth: Int = 100

    public init(catalogue: APICatalogue = .builtin) {
        self.catalogue = catalogue
    }

    /// Prunes `object` in place against the schema of its kind; returns the removed paths in
    /// document order. Objects without a schema are left alone.
    @discardableResult
    public func prune(_ object: inout Value) -> [FieldPath] {
        guard let gvk = object.gvk, let schema = catalogue.schema(for: gvk) else { return [] }
        return prune(&object, against: schema)
    }

    @discardableResult
    public func prune(_ value: inout Value, against schema: Schema, at path: FieldPath = FieldPath()) -> [FieldPath] {
        var removed: [FieldPath] = []
        walk(&value, schema, path, depth: 0, removed: &removed)
        return removed
    }

    private func walk(_ value: inout Value, _ schema: Schema, _ path: FieldPath, depth: Int, removed: inout [FieldPath]) {
        guard depth <= maxDepth, !schema.isIntOrString else { return }
        switch value {
        case .object(var object):
            let node = schema.node
            let properties = node["properties"].objectValue
            let additional = node["additionalProperties"]
            let embedded = node["x-kubernetes-embedded-resource"].boolValue == true
            let keepUnknown = schema.preservesUnknownFields || additional.boolValue == true
                || (properties == nil && !additional.isObject)
            let valueSchema = additional.isObject ? schema.additionalProperties : nil
            value = .null  // keep `object` uniquely referenced while it is edited
            for key in Array(object.keys) {
                if properties?[key] != nil {
                    if let child = schema.property(key), var v = object[key] {
                        object[key] = .null
                        walk(&v, child, path.child(key), depth: depth + 1, removed: &removed)
                        object[key] = v
                    }
                } else if let valueSchema, var v = object[key] {
                    object[key] = .null
                    walk(&v, valueSchema, path.key(key), depth: depth + 1, removed: &removed)
                    object[key] = v
                } else if embedded && (key == "apiVersion" || key == "kind" || key == "metadata") {
                    continue
                } else if !keepUnknown {
                    object.removeValue(forKey: key)
                    removed.append(path.child(key))
                }
            }
            value = .object(object)
        case .array(var items):
            guard let itemSchema = schema.items else { return }
            value = .null
            for i in items.indices {
                walk(&items[i], itemSchema, path.index(i), depth: depth + 1, removed: &removed)
            }
            value = .array(items)
        default:
            return
        }
    }
}
