import CapstanModel

/// Splits a watch body into JSON documents as bytes arrive, whatever the chunking: documents
/// may be split across chunks, several may share one, and newlines between them are optional
/// (the scanner tracks brace depth outside strings, as a streaming JSON decoder does).
///
/// A plain value, used by one task.
struct JSONStreamSplitter {
    private var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Index in `buffer` where scanning resumes.
    private var scanned = 0
    /// Start of the current document, when inside one.
    private var start: Int?
    /// Refuse documents larger than this (a broken stream must not eat memory).
    let maxDocument: Int

    init(maxDocument: Int = 64 << 20) { self.maxDocument = maxDocument }

    /// Feeds bytes and returns the documents completed by them.
    mutating func feed(_ bytes: [UInt8]) throws(APIError) -> [[UInt8]] {
        buffer += bytes
        var out: [[UInt8]] = []
        var i = scanned
        while i < buffer.count {
            let b = buffer[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                if depth == 0 { start = i }
                depth += 1
            } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0, let s = start {
                    out.append(Array(buffer[s...i]))
                    start = nil
                } else if depth < 0 {
                    throw .local(.decoding, "unbalanced JSON in watch stream")
                }
            } else if depth == 0, !(b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09) {
                throw .local(.decoding, "unexpected byte \(b) between watch events")
            }
            i += 1
        }
        // Drop consumed bytes.
        let keepFrom = start ?? buffer.count
        if keepFrom > 0 {
            buffer.removeFirst(keepFrom)
            if start != nil { start = 0 }
        }
        scanned = buffer.count
        if buffer.count > maxDocument { throw .local(.decoding, "watch event larger than \(maxDocument) bytes") }
        return out
    }

    /// True when the stream ended between documents.
    var isAtBoundary: Bool { start == nil }
}
