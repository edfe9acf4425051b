import NIOCore
import NIOHTTP1

/// What `HTTPConnectionHandler` receives: one whole request, or why there is none to serve.
enum HTTPInbound: Sendable {
    /// The client sent `Expect: 100-continue` and waits for a go-ahead before its body. It comes
    /// in line with the other messages, so the interim answer never overtakes the answer to an
    /// earlier pipelined request.
    case continueExpected(HTTPRequestHead)
    case request(HTTPRequestHead, body: [UInt8])
    /// The body went over `HTTPServer.maxBodyBytes`; it was read and dropped (413).
    case tooLarge(HTTPRequestHead)
    /// The bytes are not HTTP/1.1 (400, then the connection closes: framing is lost).
    case malformed
}

/// Joins NIO's request parts (head, body pieces, end) into one `HTTPInbound` per request.
///
/// Why not the parts themselves: the answer needs the whole request, and joining the parts
/// here keeps `HTTPConnectionHandler` to one message per request. The bytes are still parsed
/// by NIO's `HTTPRequestDecoder` (llhttp), whose framing rules (Content-Length against chunked,
/// header limits) the server relies on against request smuggling.
///
/// Requests reach `HTTPConnectionHandler` in the order they arrived, and it answers each before
/// it starts the next, so pipelined requests are answered in order without NIO's pipelining helper.
/// Confined to its channel's event loop, as every channel handler is.
final class HTTPRequestAssembler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPInbound

    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false
    private var failed = false

    init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
            if h.version.isHTTP11OrLater, let expect = h.headers.first(name: "Expect"), expect.lowercased() == "100-continue" {
                context.fireChannelRead(wrapInboundOut(.continueExpected(h)))
            }
        case .body(let buffer):
            if tooLarge { return }
            if body.count + buffer.readableBytes > maxBodyBytes {
                tooLarge = true
                body = []
            } else if body.isEmpty {
                // Usually the whole body arrives as one piece: one copy, sized exactly.
                body = Array(buffer.readableBytesView)
            } else {
                buffer.withUnsafeReadableBytes { body.append(contentsOf: $0) }
            }
        case .end:
            guard let h = head else { return }
            head = nil
            let message: HTTPInbound = tooLarge ? .tooLarge(h) : .request(h, body: body)
            body = []
            context.fireChannelRead(wrapInboundOut(message))
        }
    }

    /// A parse error ends the connection after a 400, as Go's server answers garbage; errors
    /// that are not about the bytes (the socket failing) go on to close the channel.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if failed { return }
        failed = true
        context.fireChannelRead(wrapInboundOut(.malformed))
        context.fireChannelReadComplete()
    }
}
