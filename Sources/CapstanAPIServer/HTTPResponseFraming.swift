import NIOCore
import NIOHTTP1

/// The bytes of a response on the wire: status line and headers, then the body whole
/// (`Content-Length`) or in chunks. A complete response leaves in one buffer, one write and one
/// flush, instead of three parts through three outbound handlers.
enum HTTPResponseFraming {
    enum Length {
        case fixed(Int)
        /// HTTP/1.1 streams: chunked transfer coding.
        case chunked
        /// HTTP/1.0 streams: the body ends when the connection closes.
        case untilClose
    }

    /// Status line and headers, with `Content-Length` or `Transfer-Encoding` and `Connection`
    /// set here (any the handler gave are replaced). Header values come partly from requests
    /// (names in warnings, paths in messages), so a CR, LF or NUL in one becomes a space: it
    /// must never end the header early and start one the peer would believe.
    static func head(status: HTTPResponseStatus, headers: [(String, String)], version: HTTPVersion,
                     length: Length, keepAlive: Bool, into buffer: inout ByteBuffer)
    {
        buffer.writeString(version.isHTTP11OrLater ? "HTTP/1.1 " : "HTTP/1.0 ")
        buffer.writeString(String(status.code))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
        for (name, value) in headers where !isFraming(name) {
            writeField(name, into: &buffer)
            buffer.writeStaticString(": ")
            writeField(value, into: &buffer)
            buffer.writeStaticString("\r\n")
        }
        switch length {
        case .fixed(let count):
            buffer.writeStaticString("Content-Length: ")
            buffer.writeString(String(count))
            buffer.writeStaticString("\r\n")
        case .chunked:
            buffer.writeStaticString("Transfer-Encoding: chunked\r\n")
        case .untilClose:
            break
        }
        buffer.writeStaticString(keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n")
    }

    /// One chunk of a chunked body. Empty input writes nothing: an empty chunk ends the body.
    static func chunk(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        guard !bytes.isEmpty else { return }
        buffer.writeString(String(bytes.count, radix: 16))
        buffer.writeStaticString("\r\n")
        buffer.writeBytes(bytes)
        buffer.writeStaticString("\r\n")
    }

    static let lastChunk: StaticString = "0\r\n\r\n"

    /// The interim answer to `Expect: 100-continue`.
    static let continueHead: StaticString = "HTTP/1.1 100 Continue\r\n\r\n"

    /// Headers the framing owns; a handler's copy would contradict the one written here.
    private static func isFraming(_ name: String) -> Bool {
        // Most names have none of the three lengths and skip the lowercasing.
        let n = name.utf8.count
        guard n == 10 || n == 14 || n == 17 else { return false }
        let lower = name.lowercased()
        return lower == "connection" || lower == "content-length" || lower == "transfer-encoding"
    }

    private static func writeField(_ text: String, into buffer: inout ByteBuffer) {
        if !text.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) {
            buffer.writeString(text)
            return
        }
        buffer.writeBytes(text.utf8.map { $0 == 13 || $0 == 10 || $0 == 0 ? UInt8(ascii: " ") : $0 })
    }
}

extension HTTPVersion {
    /// HTTP/1.1 or later: chunked coding, `Expect: 100-continue` and an HTTP/1.1 status line.
    var isHTTP11OrLater: Bool { major > 1 || (major == 1 && minor >= 1) }
}
