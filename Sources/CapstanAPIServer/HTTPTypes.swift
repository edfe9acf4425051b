import NIOCore
import NIOHTTP1

/// One HTTP request, fully read (bodies are capped at `HTTPServer.maxBodyBytes`).
/// A plain value; safe to pass between tasks.
struct HTTPRequest: Sendable {
    var method: HTTPMethod
    /// The percent-decoded path, without the query.
    var path: String
    /// Query parameters in order; `+` and percent escapes decoded like Go's `url.ParseQuery`.
    var query: [(String, String)]
    var headers: HTTPHeaders
    var body: [UInt8]
    /// Who sent it, on a server with authentication (nil otherwise, and for health checks).
    var user: UserInfo?

    init(method: HTTPMethod, uri: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.headers = headers
        self.body = body
        if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = URLCoding.percentDecode(String(uri[..<mark]), plusIsSpace: false)
            self.query = URLCoding.parseQuery(String(uri[uri.utf8.index(after: mark)...]))
        } else {
            self.path = URLCoding.percentDecode(uri, plusIsSpace: false)
            self.query = []
        }
    }

    /// The first value of query parameter `name`.
    func query(_ name: String) -> String? {
        query.first { $0.0 == name }?.1
    }

    func queryBool(_ name: String) -> Bool {
        guard let v = query(name)?.lowercased() else { return false }
        return v == "true" || v == "1"
    }

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A response: a complete body, or a stream written chunk by chunk (watches).
struct HTTPResponse: Sendable {
    enum Body: Sendable {
        case bytes([UInt8])
        /// Produces the body; each `write` is sent as one chunk and flushed. Cancellation
        /// (client gone, timeout, shutdown) ends the stream.
        case stream(@Sendable (ResponseStreamWriter) async throws -> Void)
    }

    var status: HTTPResponseStatus
    var headers: [(String, String)]
    var body: Body

    init(status: HTTPResponseStatus = .ok, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: HTTPResponseStatus = .ok, _ bytes: [UInt8], contentType: String = "application/json",
                     headers: [(String, String)] = []) -> HTTPResponse
    {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)] + headers, body: .bytes(bytes))
    }
}

/// Writes chunks of a streamed response: to a socket (HTTP) or to an in-process consumer.
struct ResponseStreamWriter: Sendable {
    let sink: @Sendable ([UInt8]) async throws -> Void

    init(sink: @escaping @Sendable ([UInt8]) async throws -> Void) { self.sink = sink }

    /// Each write is flushed and awaited before the next, so chunks reach the socket in order
    /// and before the response's end, whatever thread the producer runs on, and a slow reader
    /// holds the producer back. `chunked` frames each write as one chunk (HTTP/1.1); otherwise
    /// the bytes go as they are.
    init(channel: any Channel, chunked: Bool) {
        sink = { bytes in
            guard !bytes.isEmpty else { return }
            var buffer = channel.allocator.buffer(capacity: bytes.count + (chunked ? 12 : 0))
            if chunked {
                HTTPResponseFraming.chunk(bytes, into: &buffer)
            } else {
                buffer.writeBytes(bytes)
            }
            try await channel.writeAndFlush(buffer)
        }
    }

    func write(_ bytes: [UInt8]) async throws { try await sink(bytes) }
}

/// Percent-decoding of paths and query strings.
enum URLCoding {
    static func parseQuery(_ text: String) -> [(String, String)] {
        // Split by bytes, as Go's url.ParseQuery does (a split by Character would also cost
        // grapheme breaking on every request).
        var out: [(String, String)] = []
        var text = text
        text.withUTF8 { bytes in
            for pair in segments(bytes, separator: UInt8(ascii: "&")) {
                if let eq = pair.firstIndex(of: UInt8(ascii: "=")) {
                    out.append((decode(UnsafeBufferPointer(rebasing: pair[..<eq]), plusIsSpace: true),
                                decode(UnsafeBufferPointer(rebasing: pair[(eq + 1)...]), plusIsSpace: true)))
                } else {
                    out.append((decode(pair, plusIsSpace: true), ""))
                }
            }
        }
        return out
    }

    /// The non-empty runs of `bytes` between `separator` bytes.
    static func segments(_ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8) -> [UnsafeBufferPointer<UInt8>] {
        var out: [UnsafeBufferPointer<UInt8>] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == separator {
            if i > start { out.append(UnsafeBufferPointer(rebasing: bytes[start..<i])) }
            start = i + 1
        }
        return out
    }

    /// The non-empty pieces of `text` between `separator` bytes.
    static func segments(_ text: String, separator: UInt8) -> [String] {
        var text = text
        return text.withUTF8 { bytes in segments(bytes, separator: separator).map { String(decoding: $0, as: UTF8.self) } }
    }

    static func percentDecode(_ text: String, plusIsSpace: Bool) -> String {
        var text = text
        return text.withUTF8 { decode($0, plusIsSpace: plusIsSpace) }
    }

    private static func decode(_ text: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        guard text.contains(where: { $0 == UInt8(ascii: "%") || (plusIsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(decoding: text, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var i = 0
        while i < text.count {
            let b = text[i]
            if b == UInt8(ascii: "%"), i + 2 < text.count, let hi = hex(text[i + 1]), let lo = hex(text[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
                continue
            }
            bytes.append(plusIsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count < 2 ? "0" + h : h)
            }
        }
        return out
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

extension String {
    /// Whether `needle` occurs in this string, compared byte by byte (UTF-8, case-sensitive).
    /// Header checks use it on every request: with Foundation imported, `contains` goes through
    /// NSString and costs far more than these few bytes need.
    func containsBytes(_ needle: String) -> Bool {
        let hay = Array(utf8), pin = Array(needle.utf8)
        if pin.isEmpty { return true }
        guard hay.count >= pin.count else { return false }
        for start in 0...(hay.count - pin.count) where hay[start] == pin[0] {
            var i = 1
            while i < pin.count && hay[start + i] == pin[i] { i += 1 }
            if i == pin.count { return true }
        }
        return false
    }
}
