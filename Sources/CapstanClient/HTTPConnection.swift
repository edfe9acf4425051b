import NIOCore

/// One keep-alive HTTP/1.1 connection of an `HTTPTransport`.
///
/// The pool hands a connection to one request at a time. Each exchange runs on the channel's
/// event loop inside an `ExchangeHandler`: the request is encoded into one buffer and written
/// in one hop, and `HTTPResponseParser` turns the bytes that come back into head, body and end,
/// which complete the caller's continuation directly — a whole response (`fetch`) is gathered
/// in one buffer, a streaming one (`run`) feeds an `AsyncThrowingStream` from the head on.
/// (An `NIOAsyncChannel` with a serving task cost a task hop and a stream hand-off per part:
/// about a fifth of `capstan apply`'s CPU; NIOHTTP1's encoder, validator and decoder another
/// tenth.)
///
/// The connection tells the transport once when its channel closes (through `closeFuture`),
/// which keeps the transport alive until then. Immutable; the handler's state is confined to
/// the event loop (`NIOLoopBound`). Safe to share.
final class HTTPConnection: Sendable {
    /// Why a request failed on this connection; `retryable` when a fresh connection may safely
    /// try again: nothing of the response arrived, and either the request was never fully
    /// written or it is a GET/HEAD (a POST the server may have acted on is never repeated).
    struct Failure: Error, Sendable {
        var message: String
        var retryable: Bool
    }

    let id: Int
    let channel: any Channel
    let transport: HTTPTransport
    private let handler: NIOLoopBound<ExchangeHandler>
    private let hostHeader: String

    /// `handler` must already be in `channel`'s pipeline (after TLS, if any).
    init(id: Int, channel: any Channel, handler: NIOLoopBound<ExchangeHandler>, hostHeader: String, transport: HTTPTransport) {
        self.id = id
        self.channel = channel
        self.handler = handler
        self.hostHeader = hostHeader
        self.transport = transport
        channel.closeFuture.whenComplete { [self] _ in transport.connectionClosed(self) }
    }

    var isActive: Bool { channel.isActive }

    func close() {
        channel.close(promise: nil)
    }

    /// Sends `request` and returns the whole response; `timeout` bounds all of it.
    func fetch(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<TransportResponse, any Error>) in
            start(ExchangeHandler.Exchange(request: request, timeout: timeout, wholeResponseTimeout: true,
                                           reply: .whole(c), connection: self))
        }
    }

    /// Sends `request` and returns at the response head; `timeout` bounds the wait for the head
    /// (and the whole body when `wholeResponseTimeout`).
    func run(_ request: TransportRequest, timeout: Duration, wholeResponseTimeout: Bool) async throws -> StreamingResponse {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<StreamingResponse, any Error>) in
            start(ExchangeHandler.Exchange(request: request, timeout: timeout, wholeResponseTimeout: wholeResponseTimeout,
                                           reply: .streaming(c), connection: self))
        }
    }

    private func start(_ exchange: ExchangeHandler.Exchange) {
        let (handler, hostHeader) = (self.handler, self.hostHeader)
        channel.eventLoop.execute { handler.value.start(exchange, hostHeader: hostHeader) }
    }
}

/// Runs one exchange at a time on its channel's event loop. Only ever touched on that loop.
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Reply: Sendable {
        case whole(CheckedContinuation<TransportResponse, any Error>)
        case streaming(CheckedContinuation<StreamingResponse, any Error>)
    }

    struct Exchange: Sendable {
        var request: TransportRequest
        var timeout: Duration
        var wholeResponseTimeout: Bool
        var reply: Reply
        /// Released back to the pool when a keep-alive response ends.
        var connection: HTTPConnection
    }

    /// The exchange in progress and what has happened to it so far. A class: the handler
    /// updates it field by field as the response arrives, without copying it each time.
    private final class Current {
        let exchange: Exchange
        /// When the exchange times out (pushed out to `.distantFuture` once a stream's head
        /// arrives, when only the head was bounded).
        var deadline: NIODeadline
        var timedOut = false
        var written = false
        var headDelivered = false
        var keepAlive = true
        var status = 0
        var headers = HeaderFields()
        var body: [UInt8]?
        var stream: AsyncThrowingStream<[UInt8], any Error>.Continuation?

        init(exchange: Exchange, deadline: NIODeadline) {
            self.exchange = exchange
            self.deadline = deadline
        }
    }

    private var context: ChannelHandlerContext?
    private var current: Current?
    /// One timer per connection, not one per exchange: scheduling and cancelling a timer for
    /// every request cost more than the rest of the exchange's bookkeeping. It fires at the
    /// earliest deadline it was set for; an exchange not yet due then sets it again.
    private var watchdog: Scheduled<Void>?
    private var watchdogAt = NIODeadline.distantFuture
    private var parser = HTTPResponseParser()
    private var closed = false
    /// The error that made this handler close the channel, for the failing exchange's message.
    private var closingError: (any Error)?

    init() {}

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        closed = true
        failCurrent()
        watchdog?.cancel()
        watchdog = nil
        self.context = nil
    }

    func start(_ exchange: Exchange, hostHeader: String) {
        guard let context, !closed, context.channel.isActive, current == nil else {
            Self.fail(exchange.reply, Failure(message: "connection closed", retryable: true))
            return
        }
        let timeout = exchange.timeout
        let nanos = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let state = Current(exchange: exchange, deadline: .now() + .nanoseconds(max(1, nanos)))
        current = state
        arm(for: state.deadline, context: context)

        let request = exchange.request
        var buffer = context.channel.allocator.buffer(capacity: 256 + request.path.utf8.count + request.body.count)
        do {
            try Self.encode(request, host: hostHeader, into: &buffer)
        } catch {
            current = nil
            Self.fail(exchange.reply, APIError.local(.transport, error.description, request: request.summary))
            return
        }
        parser.expectResponse(method: request.method)
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success:
                state.written = true
            case .failure(let error):
                self.closeWith(error)
            }
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: written)
    }

    /// Makes sure the watchdog fires no later than `deadline`.
    private func arm(for deadline: NIODeadline, context: ChannelHandlerContext) {
        guard watchdog == nil || deadline < watchdogAt else { return }
        watchdog?.cancel()
        watchdogAt = deadline
        watchdog = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            self.watchdog = nil
            self.watchdogAt = .distantFuture
            guard let current = self.current, let context = self.context else { return }
            if current.deadline <= .now() {
                current.timedOut = true
                context.close(promise: nil)
            } else if current.deadline != .distantFuture {
                self.arm(for: current.deadline, context: context)
            }
        }
    }

    /// Request line, `Host`, the request's own headers, `Content-Length` when there is a body
    /// (or the method carries one), then the body. Refuses anything that would break the framing
    /// (line breaks in the path or a header), which would otherwise let a value smuggle a header.
    ///
    /// The head is put together in one byte array and written with the body: NIO's
    /// `writeString` costs a few hundred instructions a call, and a head took twenty of them.
    static func encode(_ request: TransportRequest, host: String, into buffer: inout ByteBuffer) throws(HTTPResponseParser.Failure) {
        var head: [UInt8] = []
        head.reserveCapacity(160 + request.path.utf8.count)
        func append(_ literal: StaticString) {
            literal.withUTF8Buffer { head.append(contentsOf: $0) }
        }
        func append(_ text: String, checking what: @autoclosure () -> String, allowSpace: Bool) throws(HTTPResponseParser.Failure) {
            let start = head.count
            head.append(contentsOf: text.utf8)
            let clean = head[start...].allSatisfy { byte in
                (byte >= 32 && byte != 127 && (allowSpace || byte != 32)) || (allowSpace && byte == 9)
            }
            if !clean { throw HTTPResponseParser.Failure(description: "invalid character in \(what()) of the request") }
        }
        try append(request.method, checking: "the method", allowSpace: false)
        head.append(UInt8(ascii: " "))
        try append(request.path, checking: "the path", allowSpace: false)
        append(" HTTP/1.1\r\nHost: ")
        head.append(contentsOf: host.utf8)
        append("\r\n")
        var hasLength = false
        for field in request.headers {
            if HeaderFields.sameName(field.name, "Content-Length") {
                hasLength = true
                continue
            }
            try append(field.name, checking: "a header name", allowSpace: false)
            append(": ")
            try append(field.value, checking: "the \(field.name) header", allowSpace: true)
            append("\r\n")
        }
        if hasLength || !request.body.isEmpty || request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            append("Content-Length: ")
            head.append(contentsOf: String(request.body.count).utf8)
            append("\r\n")
        }
        append("\r\n")
        buffer.writeBytes(head)
        buffer.writeBytes(request.body)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard current != nil, parser.isExpecting else { return }  // nothing asked for it; ignore
        do {
            try parser.feed(&bytes) { event in handle(event, context: context) }
        } catch {
            closeWith(error)
        }
    }

    private func handle(_ event: HTTPResponseParser.Event, context: ChannelHandlerContext) {
        guard let current else { return }
        switch event {
        case .head(let status, let headers, let keepAlive, let length):
            current.keepAlive = keepAlive
            current.headDelivered = true
            switch current.exchange.reply {
            case .whole:
                current.status = status
                current.headers = headers
                var body: [UInt8] = []
                if let length, length <= 1 << 26 { body.reserveCapacity(length) }
                current.body = body
            case .streaming(let c):
                if !current.exchange.wholeResponseTimeout { current.deadline = .distantFuture }
                let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
                let channel = context.channel
                continuation.onTermination = { reason in
                    // The consumer stopped before the end: abandon the response by closing.
                    if case .cancelled = reason { channel.close(promise: nil) }
                }
                current.stream = continuation
                c.resume(returning: StreamingResponse(status: status, headers: headers, body: stream,
                                                      cancel: { channel.close(promise: nil) }))
            }
        case .body(let buffer):
            if current.body != nil {
                current.body!.append(contentsOf: buffer.readableBytesView)
            } else {
                current.stream?.yield(Array(buffer.readableBytesView))
            }
        case .end:
            self.current = nil
            // Back to the pool before the caller sees the end, so its next request finds this
            // connection idle instead of opening another.
            if current.keepAlive { current.exchange.connection.transport.release(current.exchange.connection) }
            switch current.exchange.reply {
            case .whole(let c):
                c.resume(returning: TransportResponse(status: current.status, headers: current.headers, body: current.body ?? []))
            case .streaming:
                current.stream?.finish()
            }
            if !current.keepAlive { context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeWith(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A body that runs to the end of the connection ends here.
        if current != nil, parser.isExpecting {
            do {
                try parser.endOfInput { event in handle(event, context: context) }
            } catch {
                if closingError == nil { closingError = error }
            }
        }
        closed = true
        failCurrent()
        context.fireChannelInactive()
    }

    private func closeWith(_ error: any Error) {
        if closingError == nil { closingError = error }
        context?.close(promise: nil)
    }

    /// The channel is gone: the exchange in progress fails, retryable only when nothing of the
    /// response arrived and repeating it cannot apply a write twice.
    private func failCurrent() {
        guard let failed = current else { return }
        current = nil
        let message: String
        if failed.timedOut {
            message = "request timed out after \(failed.exchange.timeout)"
        } else if let closingError {
            message = "\(closingError)"
        } else {
            message = "connection closed by the server"
        }
        let request = failed.exchange.request
        if failed.headDelivered {
            let error = APIError.local(.transport, message, request: request.summary)
            switch failed.exchange.reply {
            case .whole(let c): c.resume(throwing: error)
            case .streaming: failed.stream?.finish(throwing: error)
            }
        } else {
            let idempotent = request.method == "GET" || request.method == "HEAD"
            Self.fail(failed.exchange.reply,
                      Failure(message: message, retryable: !failed.timedOut && (!failed.written || idempotent)))
        }
    }

    private typealias Failure = HTTPConnection.Failure

    private static func fail(_ reply: Reply, _ error: any Error) {
        switch reply {
        case .whole(let c): c.resume(throwing: error)
        case .streaming(let c): c.resume(throwing: error)
        }
    }
}
