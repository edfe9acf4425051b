import CapstanModel
import NIOCore

/// Reads HTTP/1.1 responses from the bytes of one connection, incrementally: the head, then the
/// body in whatever pieces arrive — sized by `Content-Length`, chunked (extensions and trailers
/// skipped), or up to the end of the connection. Informational (1xx) heads are skipped; HEAD
/// requests and 204/304 answers have no body.
///
/// Why our own and not NIOHTTP1's decoder: the client asks one thing at a time of an API server
/// and needs status, headers and body bytes only; the general decoder (llhttp, per-part head
/// and header objects, two extra pipeline handlers) was about a tenth of `capstan apply`'s CPU.
/// The server side keeps NIOHTTP1.
///
/// A value type; one per connection, confined to its event loop.
struct HTTPResponseParser {
    enum Event {
        /// `length`: the body's size when the response declared it.
        case head(status: Int, headers: HeaderFields, keepAlive: Bool, length: Int?)
        case body(ByteBuffer)
        case end
    }

    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// Larger heads are refused (API servers send a few hundred bytes).
    static let maxHeadBytes = 64 * 1024
    /// Chunk-size lines and trailer lines longer than this are refused.
    static let maxLineBytes = 4096

    private enum State {
        case idle
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
    }

    private var state = State.idle
    private var noBody = false
    /// Bytes of an unfinished head or line, carried to the next read.
    private var pending: [UInt8] = []

    /// Expect a response to a request with this method (HEAD responses have no body).
    mutating func expectResponse(method: String) {
        state = .head
        noBody = method == "HEAD"
        pending.removeAll(keepingCapacity: true)
    }

    /// Whether a response is under way (expected and not yet ended).
    var isExpecting: Bool {
        if case .idle = state { return false }
        return true
    }

    /// Consumes `buffer`, reporting what it completes. Bytes after the end of the response
    /// (nothing was asked for them) are dropped.
    mutating func feed(_ buffer: inout ByteBuffer, _ emit: (Event) -> Void) throws(Failure) {
        while buffer.readableBytes > 0 {
            switch state {
            case .idle:
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            case .head:
                guard let head = try takeHead(&buffer) else { return }
                try parseHead(head, emit)
            case .fixed(let remaining):
                let n = min(remaining, buffer.readableBytes)
                if let part = buffer.readSlice(length: n) { emit(.body(part)) }
                if n == remaining { finish(emit) } else { state = .fixed(remaining: remaining - n) }
            case .chunkSize:
                guard let line = try takeLine(&buffer) else { return }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let n = min(remaining, buffer.readableBytes)
                if let part = buffer.readSlice(length: n) { emit(.body(part)) }
                state = n == remaining ? .chunkEnd : .chunkData(remaining: remaining - n)
            case .chunkEnd:
                guard let line = try takeLine(&buffer) else { return }
                guard line.isEmpty else { throw Failure(description: "malformed chunked body: data longer than its chunk size") }
                state = .chunkSize
            case .trailers:
                guard let line = try takeLine(&buffer) else { return }
                if line.isEmpty { finish(emit) }
            case .untilClose:
                if let part = buffer.readSlice(length: buffer.readableBytes) { emit(.body(part)) }
            }
        }
    }

    /// The connection ended: completes a body that runs to the end of the connection; anything
    /// else unfinished is an error (a truncated response).
    mutating func endOfInput(_ emit: (Event) -> Void) throws(Failure) {
        switch state {
        case .idle: return
        case .untilClose: finish(emit)
        case .head where pending.isEmpty: return  // nothing arrived: the caller reports the closed connection
        default: throw Failure(description: "connection closed in the middle of a response")
        }
    }

    private mutating func finish(_ emit: (Event) -> Void) {
        state = .idle
        pending.removeAll(keepingCapacity: true)
        emit(.end)
    }

    // MARK: - Head

    /// The whole head (without the blank line that ends it) once it is complete.
    private mutating func takeHead(_ buffer: inout ByteBuffer) throws(Failure) -> [UInt8]? {
        // Search from where the previous read stopped, backing up over a split terminator.
        let searchFrom = max(0, pending.count - 3)
        pending.append(contentsOf: buffer.readableBytesView)
        let available = buffer.readableBytes
        guard let end = Self.headEnd(pending, from: searchFrom) else {
            buffer.moveReaderIndex(forwardBy: available)
            if pending.count > Self.maxHeadBytes { throw Failure(description: "response head larger than \(Self.maxHeadBytes) bytes") }
            return nil
        }
        // Give back what follows the head: it is body (or the next head after a 1xx).
        let extra = pending.count - (end + 4)
        buffer.moveReaderIndex(forwardBy: available - extra)
        let head = Array(pending[..<end])
        pending.removeAll(keepingCapacity: true)
        return head
    }

    /// Where `\r\n\r\n` starts, searching from `start`.
    private static func headEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var i = start
        while i + 3 < bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private mutating func parseHead(_ head: [UInt8], _ emit: (Event) -> Void) throws(Failure) {
        // One pass over the bytes, no per-line arrays: responses come by the thousand in an
        // apply, and the special headers are recognised by their bytes before any String is made.
        let parsed: ParsedHead = try head.withUnsafeBufferPointer { bytes throws(Failure) in try Self.parse(bytes) }
        let status = parsed.status
        if status >= 100 && status < 200 {
            guard status != 101 else { throw Failure(description: "unexpected protocol switch (101)") }
            state = .head  // an interim response; the real one follows
            return
        }
        let body: State?
        if noBody || status == 204 || status == 304 {
            body = nil
        } else if parsed.transferEncoded {
            // Chunked is the only coding servers send us; any other runs to the end of the connection.
            body = parsed.chunked ? .chunkSize : .untilClose
        } else if let contentLength = parsed.contentLength {
            body = contentLength == 0 ? nil : .fixed(remaining: contentLength)
        } else {
            body = .untilClose
        }
        var reusable = parsed.keepAlive
        if case .untilClose? = body { reusable = false }  // only the close ends this body
        let length: Int? = if case .fixed(let n)? = body { n } else { nil }
        emit(.head(status: status, headers: parsed.headers, keepAlive: reusable, length: length))
        if let body { state = body } else { finish(emit) }
    }

    private struct ParsedHead {
        var status = 0
        var headers = HeaderFields(capacity: 8)
        var contentLength: Int?
        var chunked = false
        var transferEncoded = false
        var keepAlive = true
    }

    /// Status line and header fields. Lines end with CRLF (a bare LF is tolerated).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> ParsedHead {
        var head = ParsedHead()
        var lineStart = 0
        var first = true
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            let next = lineEnd + 1
            if lineEnd > lineStart && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
            let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd])
            if first {
                try statusLine(line, into: &head)
                first = false
            } else {
                try field(line, into: &head)
            }
            lineStart = next
        }
        return head
    }

    /// `HTTP/1.x SP 3DIGIT [SP reason]`.
    private static func statusLine(_ line: UnsafeBufferPointer<UInt8>, into head: inout ParsedHead) throws(Failure) {
        guard line.count >= 12, line.starts(with: versionPrefix), line[8] == 32,
              line[9...11].allSatisfy({ $0 >= 48 && $0 <= 57 }), line.count == 12 || line[12] == 32
        else {
            throw Failure(description: "malformed status line \"\(String(decoding: line.prefix(64), as: UTF8.self))\"")
        }
        head.status = line[9...11].reduce(0) { $0 * 10 + Int($1 - 48) }
        head.keepAlive = line[7] != 48  // HTTP/1.0 closes unless it says keep-alive
    }

    private static func field(_ line: UnsafeBufferPointer<UInt8>, into head: inout ParsedHead) throws(Failure) {
        if let first = line.first, first == 32 || first == 9 {
            throw Failure(description: "folded header lines are not supported")
        }
        guard let colon = line.firstIndex(of: 58), colon > 0 else {
            throw Failure(description: "malformed header line \"\(String(decoding: line.prefix(64), as: UTF8.self))\"")
        }
        let name = UnsafeBufferPointer(rebasing: line[..<colon])
        var start = colon + 1
        var end = line.count
        while start < end && (line[start] == 32 || line[start] == 9) { start += 1 }
        while end > start && (line[end - 1] == 32 || line[end - 1] == 9) { end -= 1 }
        let value = UnsafeBufferPointer(rebasing: line[start..<end])
        head.headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        if equalsLowercase(name, "content-length") {
            var n = 0
            guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                throw Failure(description: "invalid Content-Length \"\(String(decoding: value, as: UTF8.self))\"")
            }
            for digit in value { n = n * 10 + Int(digit - 48) }
            guard head.contentLength == nil || head.contentLength == n else {
                throw Failure(description: "invalid Content-Length \"\(String(decoding: value, as: UTF8.self))\"")
            }
            head.contentLength = n
        } else if equalsLowercase(name, "transfer-encoding") {
            head.transferEncoded = true
            var last: UnsafeBufferPointer<UInt8>?
            forEachToken(value) { last = $0 }
            head.chunked = last.map { equalsLowercase($0, "chunked") } ?? false
        } else if equalsLowercase(name, "connection") {
            forEachToken(value) { token in
                if equalsLowercase(token, "close") { head.keepAlive = false }
                if equalsLowercase(token, "keep-alive") { head.keepAlive = true }
            }
        }
    }

    /// Each comma-separated token of a header value, without surrounding spaces and tabs (handed
    /// out in place: an array of them per response cost more than the rest of the head).
    private static func forEachToken(_ value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != 44 { end += 1 }
            var s = start
            var e = end
            while s < e && (value[s] == 32 || value[s] == 9) { s += 1 }
            while e > s && (value[e - 1] == 32 || value[e - 1] == 9) { e -= 1 }
            body(UnsafeBufferPointer(rebasing: value[s..<e]))
            start = end + 1
        }
    }

    /// Whether `bytes` spell `lowercase` in any ASCII case.
    static func equalsLowercase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<bytes.count {
            let b = bytes[i]
            if (b >= 65 && b <= 90 ? b | 0x20 : b) != expected[i] { return false }
        }
        return true
    }

    private static let versionPrefix = Array("HTTP/1.".utf8)

    // MARK: - Lines (chunk sizes, trailers)

    private mutating func takeLine(_ buffer: inout ByteBuffer) throws(Failure) -> [UInt8]? {
        let view = buffer.readableBytesView
        guard let lf = view.firstIndex(of: 10) else {
            pending.append(contentsOf: view)
            buffer.moveReaderIndex(forwardBy: view.count)
            if pending.count > Self.maxLineBytes { throw Failure(description: "chunked body line longer than \(Self.maxLineBytes) bytes") }
            return nil
        }
        pending.append(contentsOf: view[view.startIndex..<lf])
        buffer.moveReaderIndex(forwardBy: lf - view.startIndex + 1)
        var line = pending
        pending.removeAll(keepingCapacity: true)
        if line.last == 13 { line.removeLast() }
        return line
    }

    /// `1a2b[;extension]` in hex.
    private static func chunkSize(_ line: [UInt8]) throws(Failure) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            let v: Int
            switch byte {
            case 48...57: v = Int(byte - 48)
            case 97...102: v = Int(byte - 87)
            case 65...70: v = Int(byte - 55)
            case 59, 32, 9:  // extension or padding: the size ends here
                guard digits > 0 else { throw Failure(description: "malformed chunk size") }
                return size
            default: throw Failure(description: "malformed chunk size")
            }
            digits += 1
            guard digits <= 15 else { throw Failure(description: "chunk size too large") }
            size = size * 16 + v
        }
        guard digits > 0 else { throw Failure(description: "malformed chunk size") }
        return size
    }
}
