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
/// Concurrency: `HTTPConnectionHandler` answers a connection's requests one after another
/// (pipelined ones in order), each in a task on the connection's event loop
/// (`EventLoopTaskExecutor`), so handlers must never block. Streams run in their own task so
/// that the peer closing the socket, a timeout or `shutdown()` can cancel them. Open channels
/// and stream tasks are tracked in a `Mutex` so shutdown can end them.
///
/// Security: with a `TLSContext`, each connection starts with a `TLSHandler` (HTTPS); with an
/// `Authenticator`, every request but health checks must prove a user (bearer token or verified
/// client certificate) or gets 401 before the handler sees it.
final class HTTPServer: Sendable {
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Kubernetes refuses request bodies over 3 MiB with 413.
    static let maxBodyBytes = 3 * 1024 * 1024

    private let group: MultiThreadedEventLoopGroup
    let handler: Handler
    private let tls: TLSContext?
    let authenticator: Authenticator?
    let state = Mutex(State())

    struct State {
        var listener: Channel?
        var connections: [ObjectIdentifier: Channel] = [:]
        /// Connections in the middle of a request (their response is not fully written).
        var busy: Set<ObjectIdentifier> = []
        var streams: [Int: Task<Void, Never>] = [:]
        var nextStream = 0
        var shuttingDown = false
        /// `serve` has returned (every connection has closed); `shutdown` waits for it before
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
    func bind(host: String, port: Int) async throws -> (NIOAsyncChannel<any Channel, Never>, Int) {
        let tls = self.tls
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = try tls.map { try TLSHandler.install(on: channel, context: $0) }
                    // NIO parses the bytes; requests are assembled whole and responses framed by
                    // us (HTTPRequestAssembler, HTTPResponseFraming), and answered in order.
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    try channel.pipeline.syncOperations.addHandler(HTTPRequestAssembler(maxBodyBytes: Self.maxBodyBytes))
                    try channel.pipeline.syncOperations.addHandler(HTTPConnectionHandler(server: self, handshake: handshake))
                    return channel
                }
            }
        state.withLock { $0.listener = channel.channel }
        return (channel, channel.channel.localAddress?.port ?? port)
    }

    /// Accepts connections until `shutdown()`; returns when every connection has ended.
    func serve(_ listener: NIOAsyncChannel<any Channel, Never>) async throws {
        defer { markServed() }
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await channel in inbound {
                    let id = ObjectIdentifier(channel)
                    let refused = state.withLock { s -> Bool in
                        if s.shuttingDown { return true }
                        s.connections[id] = channel
                        return false
                    }
                    if refused {
                        channel.close(promise: nil)
                        continue
                    }
                    // The handler serves the connection; this task only marks its end.
                    group.addTask {
                        try? await channel.closeFuture.get()
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
}
