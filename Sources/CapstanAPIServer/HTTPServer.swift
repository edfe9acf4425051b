import CapstanTLS
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// HTTP/1.1 on swift-nio: keep-alive connections, bodies read whole (capped), complete or
/// chunked-streamed responses. NIO's `HTTPRequestDecoder` parses the bytes;
/// `HTTPRequestAssembler` hands over each request whole and `HTTPResponseFraming` writes each
/// complete response as one buffer.
///
/// Concurrency: each connection is served by one task, which answers its requests one after
/// another (pipelined ones in order), on the connection's event loop (`EventLoopTaskExecutor`),
/// so handlers must never block. Streams run in their own task so that the peer closing the
/// socket, a timeout or `shutdown()` can cancel them. Open channels and stream tasks are
/// tracked in a `Mutex` so shutdown can end them.
///
/// Security: with a `TLSContext`, each connection starts with a `TLSHandler` (HTTPS); with an
/// `Authenticator`, every request but health checks must prove a user (bearer token or verified
/// client certificate) or gets 401 before the handler sees it.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse
    typealias Connection = NIOAsyncChannel<HTTPInbound, ByteBuffer>

    /// An accepted connection and, on HTTPS, the outcome of its handshake (the client's identity).
    struct Accepted: Sendable {
        var connection: Connection
        var handshake: EventLoopFuture<TLSSessionInfo>?
    }

    /// Kubernetes refuses request bodies over 3 MiB with 413.
    static let maxBodyBytes = 3 * 1024 * 1024

    private let group: MultiThreadedEventLoopGroup
    private let handler: Handler
    private let tls: TLSContext?
    private let authenticator: Authenticator?
    private let state = Mutex(State())

    private struct State {
        var listener: Channel?
        var connections: [ObjectIdentifier: Channel] = [:]
        /// Connections in the middle of a request (their response is not fully written).
        var busy: Set<ObjectIdentifier> = []
        var streams: [Int: Task<Void, Never>] = [:]
        var nextStream = 0
        var shuttingDown = false
        /// `serve` has returned (every connection task ended); `shutdown` waits for it before
        /// stopping the event loops, so that no close is scheduled on a stopped loop.
        var served = false
        var servedWaiters: [CheckedContinuation<Void, Never>] = []
        /// The one shutdown; later `shutdown()` calls await it.
        var shutdownTask: Task<Void, Never>?
    }

    init(threads: Int = 2, tls: TLSContext? = nil, authenticator: Authenticator? = nil, handler: @escaping Handler) {
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        self.handler = handler
        self.tls = tls
        self.authenticator = authenticator
    }

    /// Binds and returns the bound port; `serve()` then accepts connections.
    func bind(host: String, port: Int) async throws -> (NIOAsyncChannel<Accepted, Never>, Int) {
        let tls = self.tls
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = try tls.map { try TLSHandler.install(on: channel, context: $0) }
                    // NIO parses the bytes; requests are assembled whole and responses framed by
                    // us (HTTPRequestAssembler, HTTPResponseFraming).
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestAssembler(maxBodyBytes: Self.maxBodyBytes))
                    return Accepted(connection: try Connection(wrappingChannelSynchronously: channel), handshake: handshake)
                }
            }
        state.withLock { $0.listener = channel.channel }
        return (channel, channel.channel.localAddress?.port ?? port)
    }

    /// Accepts connections until `shutdown()`; returns when every connection has ended.
    func serve(_ listener: NIOAsyncChannel<Accepted, Never>) async throws {
        defer { markServed() }
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await accepted in inbound {
                    let connection = accepted.connection
                    let id = ObjectIdentifier(connection.channel)
                    let refused = state.withLock { s -> Bool in
                        if s.shuttingDown { return true }
                        s.connections[id] = connection.channel
                        return false
                    }
                    if refused {
                        connection.channel.close(promise: nil)
                        continue
                    }
                    // The connection's task runs on its channel's event loop (EventLoopTaskExecutor).
                    group.addTask(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
                        await self.serveConnection(connection, handshake: accepted.handshake)
                        _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
                    }
                }
            }
        }
    }

    private func markServed() {
        let waiters = state.withLock { s in
            s.served = true
            defer { s.servedWaiters.removeAll() }
            return s.servedWaiters
        }
        for w in waiters { w.resume() }
    }

    /// Stops accepting, cancels streams (they end their chunked bodies cleanly), then closes
    /// idle connections. Safe to call more than once: later calls wait for the first to finish
    /// (a second pass would wait forever on event loops that have already stopped).
    func shutdown() async {
        let task = state.withLock { s -> Task<Void, Never> in
            if let running = s.shutdownTask { return running }
            let task = Task { await self.stopEverything() }
            s.shutdownTask = task
            return task
        }
        await task.value
    }

    private func stopEverything() async {
        let (listener, streams) = state.withLock { s -> (Channel?, [Task<Void, Never>]) in
            s.shuttingDown = true
            return (s.listener, Array(s.streams.values))
        }
        try? await listener?.close()
        for task in streams { task.cancel() }
        for task in streams { await task.value }
        // Idle keep-alive connections close now; busy ones first finish their response (a
        // cancelled watch still writes its last chunk), for at most five seconds.
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let (idle, busyCount) = state.withLock { s in
                (s.connections.filter { !s.busy.contains($0.key) }.map(\.value), s.busy.count)
            }
            for channel in idle { try? await channel.close() }
            if busyCount == 0 || ContinuousClock.now > deadline { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let rest = state.withLock { Array($0.connections.values) }
        for channel in rest { try? await channel.close() }
        // The loops stop last: a connection ending on its own while the others were being
        // closed must not leave a close scheduled on a stopped loop (it would never complete).
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.served { return true }
                s.servedWaiters.append(c)
                return false
            }
            if done { c.resume() }
        }
        try? await group.shutdownGracefully()
    }

    // MARK: - One connection

    private func serveConnection(_ connection: Connection, handshake: EventLoopFuture<TLSSessionInfo>?) async {
        let channel = connection.channel
        // Requests only arrive after the handshake, so this is settled by the first one.
        var session: TLSSessionInfo?
        var sessionRead = handshake == nil
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await message in inbound {
                    let h: HTTPRequestHead
                    let response: HTTPResponse
                    switch message {
                    case .continueExpected(let head):
                        // As Go's server does: go ahead unless the announced body is already
                        // too large, which gets its 413 now (the client sends nothing more).
                        let announced = head.headers.first(name: "Content-Length").flatMap { Int($0) } ?? 0
                        if announced > Self.maxBodyBytes {
                            _ = try await write(StatusError.requestEntityTooLarge().response, for: head, keepAlive: false,
                                                outbound: outbound, channel: channel)
                            return
                        }
                        try await outbound.write(ByteBuffer(staticString: HTTPResponseFraming.continueHead))
                        continue
                    case .malformed:
                        let bad = StatusError.badRequest("the request is not valid HTTP/1.1").response
                        _ = try await write(bad, for: nil, keepAlive: false, outbound: outbound, channel: channel)
                        return
                    case .tooLarge(let head):
                        h = head
                        _ = state.withLock { $0.busy.insert(ObjectIdentifier(channel)) }
                        response = StatusError.requestEntityTooLarge().response
                    case .request(let head, let body):
                        h = head
                        _ = state.withLock { $0.busy.insert(ObjectIdentifier(channel)) }
                        if !sessionRead, let handshake {
                            session = try await handshake.get()
                            sessionRead = true
                        }
                        var request = HTTPRequest(method: h.method, uri: h.uri, headers: h.headers, body: body)
                        if let authenticator, !Authenticator.isPublic(path: request.path) {
                            request.user = authenticator.authenticate(authorization: h.headers.first(name: "Authorization"),
                                                                      peer: session?.peer)
                            response = request.user == nil ? StatusError.unauthorized().response : await handler(request)
                        } else {
                            response = await handler(request)
                        }
                    }
                    // A body too large was read to its end, but a client that sent one may not
                    // expect the connection to stay usable; close it, as Go's server does.
                    var keepAlive = h.isKeepAlive && !state.withLock { $0.shuttingDown }
                    if case .tooLarge = message { keepAlive = false }
                    let reusable = try await write(response, for: h, keepAlive: keepAlive, outbound: outbound, channel: channel)
                    _ = state.withLock { $0.busy.remove(ObjectIdentifier(channel)) }
                    if !reusable { return }
                }
            }
        } catch {
            // The peer went away or the connection broke; nothing to report to anyone.
        }
        _ = state.withLock { $0.busy.remove(ObjectIdentifier(channel)) }
    }

    /// Writes `response` to the request `head` (nil when the request could not be read).
    /// A complete response is one buffer; a stream is its head, then each chunk as the producer
    /// writes it, then the end. The answer to HEAD carries the headers only. Returns whether
    /// the connection may carry another request.
    private func write(_ response: HTTPResponse, for head: HTTPRequestHead?, keepAlive: Bool,
                       outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, channel: Channel) async throws -> Bool
    {
        let version = head?.version ?? .http1_1
        let headOnly = head?.method == .HEAD
        switch response.body {
        case .bytes(let bytes):
            var buffer = channel.allocator.buffer(capacity: 160 + (headOnly ? 0 : bytes.count))
            HTTPResponseFraming.head(status: response.status, headers: response.headers, version: version,
                                     length: .fixed(bytes.count), keepAlive: keepAlive, into: &buffer)
            if !headOnly { buffer.writeBytes(bytes) }
            try await outbound.write(buffer)
            return keepAlive
        case .stream(let produce):
            // HTTP/1.0 has no chunked coding: its stream ends with the connection.
            let chunked = version.isHTTP11OrLater
            var buffer = channel.allocator.buffer(capacity: 160)
            HTTPResponseFraming.head(status: response.status, headers: response.headers, version: version,
                                     length: chunked ? .chunked : .untilClose, keepAlive: keepAlive && chunked, into: &buffer)
            try await outbound.write(buffer)
            if headOnly { return keepAlive && chunked }
            let writer = ResponseStreamWriter(outbound: outbound, eventLoop: channel.eventLoop, chunked: chunked)
            let task = Task { _ = try? await produce(writer) }
            let id = state.withLock { s -> Int in
                s.nextStream += 1
                s.streams[s.nextStream] = task
                return s.nextStream
            }
            if state.withLock({ $0.shuttingDown }) { task.cancel() }
            channel.closeFuture.whenComplete { _ in task.cancel() }
            await task.value
            _ = state.withLock { $0.streams.removeValue(forKey: id) }
            if chunked { try await outbound.write(ByteBuffer(staticString: HTTPResponseFraming.lastChunk)) }
            return keepAlive && chunked
        }
    }
}
