import CapstanModel

/// URL paths and query strings of the Kubernetes API.
enum APIPath {
    /// `/api/v1` or `/apis/GROUP/VERSION`.
    static func groupVersion(_ group: String, _ version: String) -> String {
        group.isEmpty ? "/api/\(escape(version))" : "/apis/\(escape(group))/\(escape(version))"
    }

    /// `/apis/apps/v1/namespaces/demo/deployments/web/scale`; the namespace segment only when
    /// `namespace` is non-empty (nil lists across namespaces, and cluster-scoped objects have none).
    static func resource(_ gvr: GroupVersionResource, namespace: String?, name: String? = nil,
                         subresource: String? = nil) -> String
    {
        var path = groupVersion(gvr.group, gvr.version)
        if let namespace, !namespace.isEmpty { path += "/namespaces/\(escape(namespace))" }
        path += "/\(escape(gvr.resource))"
        if let name { path += "/\(escape(name))" }
        if let subresource { path += "/\(escape(subresource))" }
        return path
    }

    /// Appends `?k=v&…` (nothing when empty), each key and value percent-encoded.
    static func withQuery(_ path: String, _ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return path }
        // Built in one buffer: interpolating, mapping and joining cost ~7,500 instructions per
        // request (every apply request carries fieldManager and fieldValidation).
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count + query.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 2 } + 16)
        out.append(contentsOf: path.utf8)
        for (i, (key, value)) in query.enumerated() {
            out.append(i == 0 ? UInt8(ascii: "?") : UInt8(ascii: "&"))
            appendEscaped(key, to: &out)
            out.append(UInt8(ascii: "="))
            appendEscaped(value, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes everything outside RFC 3986's unreserved set. Names, namespaces and
    /// query words are nearly always unreserved already: those come back as they are.
    static func escape(_ text: String) -> String {
        // Over the contiguous bytes: a generic walk of the UTF-8 view cost ~3,500 instructions per request.
        let plain = text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isUnreserved) } ?? text.utf8.allSatisfy(isUnreserved)
        if plain { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        appendEscaped(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            for b in bytes {
                if isUnreserved(b) {
                    out.append(b)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hexDigit(b >> 4))
                    out.append(hexDigit(b & 0xF))
                }
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}

extension ListOptions {
    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let s = labelSelector, !s.isEmpty { q.append(("labelSelector", s.description)) }
        if let s = fieldSelector, !s.isEmpty { q.append(("fieldSelector", s.description)) }
        if let limit, limit > 0 { q.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { q.append(("continue", continueToken)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        return q
    }
}

extension WatchOptions {
    var query: [(String, String)] {
        var q: [(String, String)] = []
        if allowWatchBookmarks { q.append(("allowWatchBookmarks", "true")) }
        if let s = fieldSelector, !s.isEmpty { q.append(("fieldSelector", s.description)) }
        if let s = labelSelector, !s.isEmpty { q.append(("labelSelector", s.description)) }
        if let resourceVersion { q.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { q.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let sendInitialEvents { q.append(("sendInitialEvents", sendInitialEvents ? "true" : "false")) }
        if let timeoutSeconds { q.append(("timeoutSeconds", String(timeoutSeconds))) }
        q.append(("watch", "true"))
        return q
    }
}

extension WriteOptions {
    var query: [(String, String)] {
        var q: [(String, String)] = []
        if dryRun { q.append(("dryRun", "All")) }
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if let fieldValidation { q.append(("fieldValidation", fieldValidation)) }
        return q
    }
}

extension PatchOptions {
    var query: [(String, String)] {
        var q: [(String, String)] = []
        if dryRun { q.append(("dryRun", "All")) }
        if let fieldManager { q.append(("fieldManager", fieldManager)) }
        if let force { q.append(("force", force ? "true" : "false")) }
        if let fieldValidation { q.append(("fieldValidation", fieldValidation)) }
        return q
    }
}

extension LogOptions {
    var query: [(String, String)] {
        var q: [(String, String)] = []
        if let container { q.append(("container", container)) }
        if follow { q.append(("follow", "true")) }
        if let limitBytes { q.append(("limitBytes", String(limitBytes))) }
        if previous { q.append(("previous", "true")) }
        if let sinceSeconds { q.append(("sinceSeconds", String(sinceSeconds))) }
        if let tailLines { q.append(("tailLines", String(tailLines))) }
        if timestamps { q.append(("timestamps", "true")) }
        return q
    }
}
