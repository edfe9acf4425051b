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
        // Lines end with CRLF (a bare LF is tolerated); the first is the status line.
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for i in head.indices where head[i] == 10 {
            lines.append(head[start..<(i > start && head[i - 1] == 13 ? i - 1 : i)])
            start = i + 1
        }
        lines.append(head[start...])
        let statusLine = lines[0]
        // HTTP/1.x SP 3DIGIT [SP reason]
        let s = statusLine.startIndex
        guard statusLine.count >= 12, statusLine.starts(with: Self.versionPrefix), statusLine[s + 8] == 32,
              statusLine[(s + 9)..<(s + 12)].allSatisfy({ $0 >= 48 && $0 <= 57 }),
              statusLine.count == 12 || statusLine[s + 12] == 32
        else {
            throw Failure(description: "malformed status line \"\(String(decoding: statusLine.prefix(64), as: UTF8.self))\"")
        }
        let status = statusLine[(s + 9)..<(s + 12)].reduce(0) { $0 * 10 + Int($1 - 48) }

        var headers = HeaderFields()
        var contentLength: Int?
        var chunked = false
        var transferEncoded = false
        var keepAlive = statusLine[s + 7] != 48  // HTTP/1.0 closes unless it says keep-alive
        for line in lines.dropFirst() {
            if let first = line.first, first == 32 || first == 9 {
                throw Failure(description: "folded header lines are not supported")
            }
            guard let colon = line.firstIndex(of: 58), colon > line.startIndex else {
                throw Failure(description: "malformed header line \"\(String(decoding: line.prefix(64), as: UTF8.self))\"")
            }
            let name = String(decoding: line[..<colon], as: UTF8.self)
            let value = String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
            headers.add(name, value)
            if HeaderFields.sameName(name, "content-length") {
                guard let n = Int(value), n >= 0, contentLength == nil || contentLength == n else {
                    throw Failure(description: "invalid Content-Length \"\(value)\"")
                }
                contentLength = n
            } else if HeaderFields.sameName(name, "transfer-encoding") {
                transferEncoded = true
                let last = value.split(separator: ",").last.map { String($0).goTrimmedSpace.lowercased() }
                chunked = last == "chunked"
            } else if HeaderFields.sameName(name, "connection") {
                for token in value.split(separator: ",") {
                    switch String(token).goTrimmedSpace.lowercased() {
                    case "close": keepAlive = false
                    case "keep-alive": keepAlive = true
                    default: break
                    }
                }
            }
        }
        if status >= 100 && status < 200 {
            guard status != 101 else { throw Failure(description: "unexpected protocol switch (101)") }
            state = .head  // an interim response; the real one follows
            return
        }
        let body: State?
        if noBody || status == 204 || status == 304 {
            body = nil
        } else if transferEncoded {
            // Chunked is the only coding servers send us; any other runs to the end of the connection.
            body = chunked ? .chunkSize : .untilClose
        } else if let contentLength {
            body = contentLength == 0 ? nil : .fixed(remaining: contentLength)
        } else {
            body = .untilClose
        }
        var reusable = keepAlive
        if case .untilClose? = body { reusable = false }  // only the close ends this body
        let length: Int? = if case .fixed(let n)? = body { n } else { nil }
        emit(.head(status: status, headers: headers, keepAlive: reusable, length: length))
        if let body { state = body } else { finish(emit) }
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

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = bytes
        while let f = s.first, f == 32 || f == 9 { s.removeFirst() }
        while let l = s.last, l == 32 || l == 9 { s.removeLast() }
        return s
    }
}
