import CapstanAPI
import CapstanModel
import CapstanStore

/// How API objects sit in the `Store`: one key per object, JSON bytes as the value, and the
/// store's `modRevision` as `metadata.resourceVersion` (never stored in the bytes, so it
/// can't go stale).
///
/// Keys: `/registry/GROUP/RESOURCE/NAMESPACE/NAME` for namespaced objects and
/// `/registry/GROUP/RESOURCE/NAME` for cluster-scoped ones (`core` stands for the empty
/// group). Versions of one resource share keys: objects are served at the requested version
/// by rewriting `apiVersion` (no schema conversion).
enum StorageKey {
    static func groupSegment(_ group: String) -> String { group.isEmpty ? "core" : group }

    /// The prefix every object of `resource` shares (all namespaces).
    static func resourcePrefix(group: String, resource: String) -> String {
        compose(group: group, resource: resource, namespace: nil, name: "")
    }

    /// The prefix for a list: one namespace, or all when `namespace` is nil.
    static func listPrefix(group: String, resource: String, namespace: String?) -> String {
        compose(group: group, resource: resource, namespace: namespace, name: "")
    }

    static func objectKey(group: String, resource: String, namespace: String?, name: String) -> String {
        compose(group: group, resource: resource, namespace: namespace, name: name)
    }

    /// The one place the key layout is written; prefixes are keys with an empty name. Built in
    /// one buffer: every request makes a key, and the interpolation and appends this replaced
    /// cost about 4,000 instructions.
    private static func compose(group: String, resource: String, namespace: String?, name: String) -> String {
        let group = groupSegment(group)
        let length = 12 + group.utf8.count + resource.utf8.count + (namespace.map { $0.utf8.count + 1 } ?? 0) + name.utf8.count
        return String(unsafeUninitializedCapacity: length) { buffer in
            var n = 0
            func put(_ text: String) {
                for byte in text.utf8 {
                    buffer[n] = byte
                    n += 1
                }
            }
            put("/registry/")
            put(group)
            put("/")
            put(resource)
            put("/")
            if let namespace {
                put(namespace)
                put("/")
            }
            put(name)
            return n
        }
    }
}

/// Encoding and decoding of stored objects.
enum ObjectCodec {
    /// The bytes stored for `object`: compact JSON without `metadata.resourceVersion`.
    static func encode(_ object: Value) -> [UInt8] {
        // Nothing to remove (every create): encode as is, without copying the object.
        guard object["metadata"].has("resourceVersion") else { return object.jsonBytes() }
        var copy = object
        copy[path: ["metadata"]].removeValue(forKey: "resourceVersion")
        return copy.jsonBytes()
    }

    /// What `decode` of the just-written `kv` would give, without parsing the bytes again:
    /// `object` (the value `encode` turned into `kv.value`) with `kv`'s revision.
    static func stored(_ object: Value, _ kv: KeyValue, apiVersion: String? = nil) -> Value {
        var copy = object
        if let apiVersion { copy["apiVersion"] = .string(apiVersion) }
        // Where decode puts it: last in metadata (the stored bytes have none).
        copy[path: ["metadata"]].removeValue(forKey: "resourceVersion")
        copy[path: ["metadata", "resourceVersion"]] = .string(String(kv.modRevision))
        return copy
    }

    /// The object a stored version holds, with `resourceVersion` set from its revision.
    static func decode(_ kv: KeyValue, apiVersion: String? = nil) throws(StatusError) -> Value {
        try decode(kv.value, revision: kv.modRevision, apiVersion: apiVersion)
    }

    static func decode(_ bytes: [UInt8], revision: Int64, apiVersion: String? = nil) throws(StatusError) -> Value {
        var object: Value
        do { object = try Value.parseJSON(bytes) } catch {
            throw StatusError.internalError("stored object is not valid JSON: \(error)")
        }
        if let apiVersion { object["apiVersion"] = .string(apiVersion) }
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        return object
    }
}

extension StoreError {
    /// The Status a store failure becomes, about the object of `resource`.
    func status(group: String, resource: String, name: String) -> StatusError {
        switch self {
        case .notFound: return .notFound(group: group, resource: resource, name: name)
        case .alreadyExists: return .alreadyExists(group: group, resource: resource, name: name)
        case .conflict: return .conflict(group: group, resource: resource, name: name)
        case .compacted(let requested, let compacted):
            return .expired("too old resource version: \(requested) (\(compacted))")
        case .futureRevision(let requested, let current):
            return StatusError(code: 504, reason: "Timeout",
                               message: "Too large resource version: \(requested), current: \(current)")
        case .closed: return .serviceUnavailable("the server is shutting down")
        default: return .internalError(description)
        }
    }
}
