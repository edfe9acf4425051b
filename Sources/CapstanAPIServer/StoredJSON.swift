/// Serving stored objects without parsing them: a list of 10,000 objects would otherwise parse
/// and re-encode every one (most of a big list's time).
///
/// Stored bytes are compact JSON that `ObjectCodec.encode` wrote (our own encoder, no
/// `metadata.resourceVersion`). Decoding them, setting `resourceVersion` (which goes last in
/// `metadata`) and encoding again gives the same bytes as copying them with
/// `,"resourceVersion":"N"` spliced in before `metadata`'s closing brace, which is what
/// `appendWithRevision` does. Whenever the bytes are not of the expected shape (another
/// `apiVersion` is requested, an unexpected layout, a `resourceVersion` already present) it
/// returns false and the caller takes the decoding path.
enum StoredJSON {
    /// Appends `stored` with `metadata.resourceVersion` set to `revision` to `out`, when the
    /// object already says `apiVersion` (first key) and `kind` (second key). Returns false,
    /// leaving `out` untouched, when the caller must decode instead.
    static func appendWithRevision(_ stored: [UInt8], revision: Int64, apiVersion: String, into out: inout [UInt8]) -> Bool {
        stored.withUnsafeBufferPointer { bytes in
            guard let metadataEnd = metadataEnd(bytes, apiVersion: apiVersion) else { return false }
            // metadataEnd is the index of metadata's closing brace.
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<metadataEnd]))
            if bytes[metadataEnd - 1] != UInt8(ascii: "{") { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #""resourceVersion":""#.utf8)
            out.append(contentsOf: String(revision).utf8)
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[metadataEnd...]))
            return true
        }
    }

    /// The index of the closing brace of the top-level `metadata` object, when the object
    /// starts with `{"apiVersion":"<apiVersion>","kind":"` and metadata has no resourceVersion.
    /// Metadata (which holds the big last-applied annotation) is walked once, member by member;
    /// the members before it are skipped whole.
    private static func metadataEnd(_ bytes: UnsafeBufferPointer<UInt8>, apiVersion: String) -> Int? {
        guard startsWithHead(bytes, apiVersion: apiVersion) else { return nil }
        var i = 1
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\""), let keyEnd = skipString(bytes, i),
                  keyEnd + 1 < bytes.count, bytes[keyEnd] == UInt8(ascii: ":") else { return nil }
            let valueStart = keyEnd + 1
            if bytes[(i + 1)..<(keyEnd - 1)].elementsEqual("metadata".utf8), bytes[valueStart] == UInt8(ascii: "{") {
                var hasRevision = false
                guard let end = members(bytes, objectAt: valueStart, { key, _, _ in
                    hasRevision = key.elementsEqual("resourceVersion".utf8)
                    return !hasRevision
                }), !hasRevision else { return nil }
                return end - 1
            }
            guard let valueEnd = skipValue(bytes, valueStart), valueEnd < bytes.count,
                  bytes[valueEnd] == UInt8(ascii: ",") else { return nil }
            i = valueEnd + 1
        }
        return nil
    }

    /// Whether `bytes` starts with `{"apiVersion":"<apiVersion>","kind":"`, compared in place.
    private static func startsWithHead(_ bytes: UnsafeBufferPointer<UInt8>, apiVersion: String) -> Bool {
        let before = #"{"apiVersion":""#.utf8, after = #"","kind":""#.utf8
        let total = before.count + apiVersion.utf8.count + after.count
        guard bytes.count > total else { return false }
        var i = 0
        for part in [before, apiVersion.utf8, after] {
            for b in part {
                guard bytes[i] == b else { return false }
                i += 1
            }
        }
        return true
    }

    /// Walks the members of the object whose `{` is at `start`, calling `visit(rawKey,
    /// valueStart, valueEnd)` (raw key bytes without quotes; value end exclusive) until it
    /// returns false. Returns the index after the object's `}` (or after the last visited
    /// value when stopped), nil on anything but compact JSON.
    private static func members(_ bytes: UnsafeBufferPointer<UInt8>, objectAt start: Int,
                                _ visit: (UnsafeBufferPointer<UInt8>.SubSequence, Int, Int) -> Bool) -> Int?
    {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { return nil }
        var i = start + 1
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return i + 1 }
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "\""), let keyEnd = skipString(bytes, i) else { return nil }
            let key = bytes[(i + 1)..<(keyEnd - 1)]
            guard keyEnd < bytes.count, bytes[keyEnd] == UInt8(ascii: ":"), let valueEnd = skipValue(bytes, keyEnd + 1) else { return nil }
            if !visit(key, keyEnd + 1, valueEnd) { return valueEnd }
            guard valueEnd < bytes.count else { return nil }
            if bytes[valueEnd] == UInt8(ascii: "}") { return valueEnd + 1 }
            guard bytes[valueEnd] == UInt8(ascii: ",") else { return nil }
            i = valueEnd + 1
        }
        return nil
    }

    /// The index after the string whose opening quote is at `start`.
    private static func skipString(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// The index after the value starting at `start` (compact JSON: no whitespace).
    private static func skipValue(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return skipString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = skipString(bytes, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            // A number, true, false or null: up to the next delimiter.
            var i = start
            while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "}"), bytes[i] != UInt8(ascii: "]") {
                i += 1
            }
            return i > start ? i : nil
        }
    }
}
