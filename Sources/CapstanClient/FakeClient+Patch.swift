import CapstanModel

/// The small patch engine of `FakeClient` (the real ones live in CapstanPatch, which this
/// module must not depend on): RFC 7386 merge patch and the common RFC 6902 operations.
extension FakeClient {
    /// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
    static func mergePatch(_ target: Value, _ patch: Value, depth: Int = 0) -> Value {
        guard case .object(let p) = patch, depth < 512 else { return patch }
        var result: ValueObject = target.objectValue ?? [:]
        for (key, value) in p {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = mergePatch(result[key] ?? .null, value, depth: depth + 1)
            }
        }
        return .object(result)
    }

    /// RFC 6902 `add`, `replace`, `remove` and `test` (`move`/`copy` are not needed by tests).
    static func jsonPatch(_ target: Value, _ patch: Value) throws(APIError) -> Value {
        guard let ops = patch.arrayValue else { throw .server(400, "BadRequest", "json patch must be an array") }
        var doc = target
        for op in ops {
            guard let kind = op["op"].stringValue, let path = op["path"].stringValue else {
                throw .server(400, "BadRequest", "json patch operation needs op and path")
            }
            let tokens = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                String($0.replacing("~1", with: "/").replacing("~0", with: "~"))
            }
            switch kind {
            case "add", "replace":
                doc = try set(doc, tokens[...], op["value"], insert: kind == "add")
            case "remove":
                doc = try set(doc, tokens[...], nil, insert: false)
            case "test":
                if get(doc, tokens[...]) != op["value"] {
                    throw .server(422, "Invalid", "the server rejected our request due to an error in our request: test failed at \(path)")
                }
            default:
                throw .server(400, "BadRequest", "json patch operation \(kind) is not supported by FakeClient")
            }
        }
        return doc
    }

    private static func get(_ doc: Value, _ tokens: ArraySlice<String>) -> Value {
        var current = doc
        for t in tokens {
            if let a = current.arrayValue, let i = Int(t), a.indices.contains(i) { current = a[i] } else { current = current[t] }
        }
        return current
    }

    private static func set(_ doc: Value, _ tokens: ArraySlice<String>, _ value: Value?, insert: Bool) throws(APIError) -> Value {
        guard let first = tokens.first else { return value ?? .null }
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                if let value { o[first] = value } else if o.removeValue(forKey: first) == nil {
                    throw .server(422, "Invalid", "unable to remove nonexistent key: \(first)")
                }
            } else {
                guard let child = o[first] else { throw .server(422, "Invalid", "doc is missing path: \(first)") }
                o[first] = try set(child, rest, value, insert: insert)
            }
            return .object(o)
        case .array(var a):
            let index = first == "-" ? a.count : Int(first) ?? -1
            guard index >= 0, index <= a.count else { throw .server(422, "Invalid", "array index out of range: \(first)") }
            if rest.isEmpty {
                if let value {
                    if insert { a.insert(value, at: index) } else if index < a.count { a[index] = value } else {
                        throw .server(422, "Invalid", "array index out of range: \(first)")
                    }
                } else {
                    guard index < a.count else { throw .server(422, "Invalid", "array index out of range: \(first)") }
                    a.remove(at: index)
                }
            } else {
                guard index < a.count else { throw .server(422, "Invalid", "array index out of range: \(first)") }
                a[index] = try set(a[index], rest, value, insert: insert)
            }
            return .array(a)
        default:
            throw .server(422, "Invalid", "doc is missing path: \(first)")
        }
    }
}
