import CapstanTLS
import NIOCore
import NIOHTTP1

/// The end of a connection's pipeline: takes whole requests from `HTTPRequestAssembler` and
/// answers them one at a time, in arrival order (pipelined requests too), each in a task that
/// runs on the channel's event loop (`EventLoopTaskExecutor`) and writes its response straight
/// to the channel.
///
/// Why not an `NIOAsyncChannel` with a serving task: its inbound sequence and outbound writer
/// are generic state machines that NIO runs unspecialised, with a yield, a resume and runtime
/// metadata lookups for every request and response — about a tenth of the server's CPU for a
/// create. A task per request costs one task start instead.
///
/// Backpressure: while `maxQueued` requests wait, the handler stops asking the socket for
/// more; a slow client only ever fills the kernel's buffers. Confined to the channel's event
/// loop, as every channel handler is; the answering task reaches it through `NIOLoopBound`,
/// which is sound because that task runs on the same loop.
final class HTTPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPInbound
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Requests read ahead of the one being answered, at most.
    static let maxQueued = 16

    private let server: HTTPServer
    private let handshake: EventLoopFuture<TLSSessionInfo>?
    private var context: ChannelHandlerContext?
    private var queue: [HTTPInbound] = []
    private var queueStart = 0
    private var answering = false
    private var readHeld = false
    private var inactive = false

    init(server: HTTPServer, handshake: EventLoopFuture<TLSSessionInfo>?) {
        self.server = server
        self.handshake = handshake
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !inactive else { return }
        queue.append(unwrapInboundIn(data))
        if !answering { answerNext() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        queue.removeAll()
        queueStart = 0
        context.fireChannelInactive()
    }

    /// The socket read NIO wants to issue next; held while enough requests wait.
    func read(context: ChannelHandlerContext) {
        if queue.count - queueStart >= Self.maxQueued {
            readHeld = true
        } else {
            context.read()
        }
    }

    private func answerNext() {
        guard let context, !inactive, queueStart < queue.count else {
            answering = false
            return
        }
        let message = queue[queueStart]
        queueStart += 1
        if queueStart == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueStart = 0
        }
        if readHeld && queue.count - queueStart < Self.maxQueued {
            readHeld = false
            context.read()
        }
        answering = true
        let (server, handshake, channel) = (server, handshake, context.channel)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        Task(executorPreference: EventLoopTaskExecutor(context.eventLoop)) {
            let reusable = await server.answer(message, channel: channel, handshake: handshake)
            let next: @Sendable () -> Void = {
                let handler = bound.value
                if reusable {
                    handler.answerNext()
                } else {
                    handler.answering = false
                    handler.context?.close(promise: nil)
                }
            }
            // The task runs on the loop (its preferred executor), so this is normally direct.
            if channel.eventLoop.inEventLoop { next() } else { channel.eventLoop.execute(next) }
        }
    }
}

extension HTTPServer {
    /// Answers one message of a connection and writes the answer; returns whether the
    /// connection may carry another request.
    func answer(_ message: HTTPInbound, channel: any Channel, handshake: EventLoopFuture<TLSSessionInfo>?) async -> Bool {
        let id = ObjectIdentifier(channel)
        let head: HTTPRequestHead
        let response: HTTPResponse
        switch message {
        case .continueExpected(let h):
            // As Go's server does: go ahead unless the announced body is already too large,
            // which gets its 413 now (the client sends nothing more).
            let announced = h.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
            if announced > Self.maxBodyBytes {
                _ = await write(StatusError.requestEntityTooLarge().response, for: h, keepAlive: false, channel: channel)
                return false
            }
            return await send(ByteBuffer(staticString: HTTPResponseFraming.continueHead), on: channel)
        case .malformed:
            let bad = StatusError.badRequest("the request is not valid HTTP/1.1").response
            _ = await write(bad, for: nil, keepAlive: false, channel: channel)
            return false
        case .tooLarge(let h):
            head = h
            state.withLock { _ = $0.busy.insert(id) }
            response = StatusError.requestEntityTooLarge().response
        case .request(let h, let body):
            head = h
            state.withLock { _ = $0.busy.insert(id) }
            var request = HTTPRequest(method: h.method, uri: h.uri, headers: h.headers, body: body)
            if let authenticator, !Authenticator.isPublic(path: request.path) {
                // Requests only arrive after the handshake, so this is settled by now.
                let session = try? await handshake?.get()
                request.user = authenticator.authenticate(authorization: h.headers.first(name: "Authorization"),
                                                          peer: session?.peer)
                response = request.user == nil ? StatusError.unauthorized().response : await handler(request)
            } else {
                response = await handler(request)
            }
        }
        // A body too large was read to its end, but a client that sent one may not expect the
        // connection to stay usable; close it, as Go's server does.
        var keepAlive = head.isKeepAlive && !state.withLock { $0.shuttingDown }
        if case .tooLarge = message { keepAlive = false }
        let reusable = await write(response, for: head, keepAlive: keepAlive, channel: channel)
        state.withLock { _ = $0.busy.remove(id) }
        return reusable
    }

    /// Writes `response` to the request `head` (nil when the request could not be read).
    /// A complete response is one buffer; a stream is its head, then each chunk as the producer
    /// writes it, then the end. The answer to HEAD carries the headers only. Returns whether
    /// the connection may carry another request.
    private func write(_ response: HTTPResponse, for head: HTTPRequestHead?, keepAlive: Bool, channel: any Channel) async -> Bool {
        let version = head?.version ?? .http1_1
        let headOnly = head?.method == .HEAD
        switch response.body {
        case .bytes(let bytes):
            var buffer = channel.allocator.buffer(capacity: 160 + (headOnly ? 0 : bytes.count))
            HTTPResponseFraming.head(status: response.status, headers: response.headers, version: version,
                                     length: .fixed(bytes.count), keepAlive: keepAlive, into: &buffer)
            if !headOnly { buffer.writeBytes(bytes) }
            return await send(buffer, on: channel) && keepAlive
        case .stream(let produce):
            // HTTP/1.0 has no chunked coding: its stream ends with the connection.
            let chunked = version.isHTTP11OrLater
            var buffer = channel.allocator.buffer(capacity: 160)
            HTTPResponseFraming.head(status: response.status, headers: response.headers, version: version,
                                     length: chunked ? .chunked : .untilClose, keepAlive: keepAlive && chunked, into: &buffer)
            guard await send(buffer, on: channel) else { return false }
            if headOnly { return keepAlive && chunked }
            let writer = ResponseStreamWriter(channel: channel, chunked: chunked)
            let task = Task { _ = try? await produce(writer) }
            let streamID = state.withLock { s -> Int in
                s.nextStream += 1
                s.streams[s.nextStream] = task
                return s.nextStream
            }
            if state.withLock({ $0.shuttingDown }) { task.cancel() }
            channel.closeFuture.whenComplete { _ in task.cancel() }
            await task.value
            _ = state.withLock { $0.streams.removeValue(forKey: streamID) }
            guard chunked, await send(ByteBuffer(staticString: HTTPResponseFraming.lastChunk), on: channel) else { return false }
            return keepAlive
        }
    }

    /// Writes and flushes `buffer`; waits for the socket only when the channel's buffers are
    /// full (a slow reader), so a fast client costs no extra hop per response. False when the
    /// connection is gone.
    private func send(_ buffer: ByteBuffer, on channel: any Channel) async -> Bool {
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(buffer, promise: written)
        if channel.isWritable { return channel.isActive }
        do { try await written.futureResult.get() } catch { return false }
        return true
    }
}
