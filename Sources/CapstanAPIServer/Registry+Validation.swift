import CapstanAPI
import CapstanModel

extension APIServer {
    /// Defaults, then validates `object` (with `old` for updates): unknown fields fail the
    /// request under `fieldValidation=Strict` (400 BadRequest, as Kubernetes' strict decoding
    /// does), become `Warning` headers under Warn, and are dropped in every non-failing case;
    /// everything else invalid is 422 Invalid with one cause per field.
    /// Returns the warnings to send.
    func admit(_ object: inout Value, _ req: ResourceRequest, old: Value?) throws -> [String] {
        defaulter.apply(to: &object)
        if req.group.isEmpty && req.plural == "secrets" { Self.foldStringData(&object) }
        let validator = ObjectValidator(catalogue: req.catalogue)
        let errors = validator.validate(object)
        var warnings: [String] = []
        let unknown = errors.unknownFields
        if !unknown.isEmpty {
            switch req.fieldValidation {
            case "Strict":
                let gvk = object.gvk ?? req.info.gvk
                let text = unknown.strictDecodingMessage ?? "strict decoding error"
                throw StatusError.badRequest("\(gvk.kind) in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind): \(text)")
            case "Warn":
                warnings = unknown.map(\.message)
            default:
                break
            }
            for e in unknown.sorted(by: { $0.path.elements.count > $1.path.elements.count }) {
                Self.remove(e.path.elements[...], from: &object, depth: 0)
            }
        }
        var invalid = errors.invalid
        if let old { invalid += RegistryRules.immutableFieldErrors(old: old, new: object, req: req) }
        if let old, old[path: ["metadata", "deletionTimestamp"]] != .null {
            let before = Set((old[path: ["metadata", "finalizers"]].arrayValue ?? []).compactMap(\.stringValue))
            let after = (object[path: ["metadata", "finalizers"]].arrayValue ?? []).compactMap(\.stringValue)
            if after.contains(where: { !before.contains($0) }) {
                invalid.append(.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted"))
            }
        }
        if !invalid.isEmpty {
            let gvk = object.gvk ?? req.info.gvk
            throw StatusError.invalid(kind: gvk.groupKind, name: object.name ?? "", errors: invalid)
        }
        return warnings
    }

    /// Removes the field at `path` (object keys, list indices, map keys).
    static func remove(_ path: ArraySlice<FieldPathElement>, from value: inout Value, depth: Int) {
        guard depth < 200, let first = path.first else { return }
        let rest = path.dropFirst()
        switch first {
        case .key(let k), .mapKey(let k):
            if rest.isEmpty {
                value.removeValue(forKey: k)
            } else if value.has(k) {
                var child = value[k]
                remove(rest, from: &child, depth: depth + 1)
                value[k] = child
            }
        case .index(let i):
            guard case .array(var a) = value, a.indices.contains(i) else { return }
            if rest.isEmpty { return }  // list elements themselves are never "unknown"
            value = .null
            remove(rest, from: &a[i], depth: depth + 1)
            value = .array(a)
        }
    }

    /// Secrets: `stringData` is write-only; its entries land base64-encoded in `data`.
    static func foldStringData(_ object: inout Value) {
        guard let extra = object["stringData"].objectValue else { return }
        var data = object["data"].isObject ? object["data"] : .object([:])
        for (k, v) in extra { data[k] = .string(Base64.encode(Array((v.stringValue ?? "").utf8))) }
        object["data"] = data
        object.removeValue(forKey: "stringData")
    }
}

