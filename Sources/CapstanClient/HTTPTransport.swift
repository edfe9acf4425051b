import CapstanTLS
import NIOCore
import NIOPosix
import Synchronization

/// HTTP/1.1 to one API server over swift-nio, with a bounded pool of keep-alive connections.
///
/// - **Pooling**: up to `maxConnections` connections; a request takes an idle one or opens a new
///   one while under the bound, else waits its turn (FIFO). Nothing else throttles requests.
///   A connection goes back to the pool after a complete response unless the server said
///   `Connection: close`. A request that fails on a *reused* connection before any response
///   byte arrived (the server closed an idle connection) is retried once on a fresh one — if it
///   was not fully written, or is a GET/HEAD; writes the server may have applied are not repeated.
///   Connections hold the transport until they close: call `shutdown()` when done with it.
/// - **Streaming**: `stream` returns at the response head; chunked bodies are delivered chunk by
///   chunk (watches, followed logs). The connection is busy until the body ends; stopping early
///   closes it (HTTP/1.1 cannot abandon a response otherwise).
/// - **Timeouts**: `TransportRequest.timeout` (else `defaultTimeout`) bounds a whole `send`, and
///   the wait for the head of a `stream`; expiry closes the connection and throws.
/// - **TLS**: with a client `TLSContext` every connection is HTTPS (CapstanTLS on the system
///   OpenSSL); `serverName` (else `host`) is sent as SNI and checked against the certificate.
///   A connection counts as open once its handshake is done, within `connectTimeout`.
///
/// Each connection runs its exchanges in a channel handler on its event loop (`HTTPConnection`);
/// the pool's bookkeeping is behind a `Mutex`. Safe to share across tasks.
public final class HTTPTransport: Transport {
    public let host: String
    public let port: Int
    public let maxConnections: Int
    public let defaultTimeout: Duration
    public let connectTimeout: Duration
    public let tls: TLSContext?
    public let serverName: String?

    private struct Pool {
        var idle: [HTTPConnection] = []
        var total = 0
        /// Waiting requests: resumed with an idle connection, or nil meaning "a slot is free, open one".
        var waiters: [CheckedContinuation<HTTPConnection?, Never>] = []
        var nextID = 0
        var shutDown = false
    }

    private let pool = Mutex(Pool())
    /// `host` as a socket address when it is an IP literal: connections then skip the name
    /// resolver and Happy Eyeballs, which cost as much CPU as the rest of opening a connection.
    private let literalAddress: SocketAddress?

    public init(host: String, port: Int, maxConnections: Int = 16, defaultTimeout: Duration = .seconds(60),
                connectTimeout: Duration = .seconds(10), tls: TLSContext? = nil, serverName: String? = nil)
    {
        self.tls = tls
        self.serverName = serverName
        self.host = host
        self.port = port
        self.maxConnections = max(1, maxConnections)
        self.defaultTimeout = defaultTimeout
        self.connectTimeout = connectTimeout
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.literalAddress = try? SocketAddress(ipAddress: bare, port: port)
    }

    deinit {
        for c in pool.withLock({ $0.idle }) { c.close() }
    }

    /// Connections currently open (idle or busy); for tests and diagnostics.
    public var openConnections: Int { pool.withLock { $0.total } }

    /// Closes idle connections and refuses new requests.
    public func shutdown() {
        let (idle, waiters) = pool.withLock { p -> ([HTTPConnection], [CheckedContinuation<HTTPConnection?, Never>]) in
            p.shutDown = true
            defer { p.idle.removeAll(); p.waiters.removeAll() }
            return (p.idle, p.waiters)
        }
        for c in idle { c.close() }
        for w in waiters { w.resume(returning: nil) }
    }

    // MARK: - Transport

    public func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse {
        try await exchange(request) { connection, timeout in try await connection.fetch(request, timeout: timeout) }
    }

    public func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse {
        try await exchange(request) { connection, timeout in
            try await connection.run(request, timeout: timeout, wholeResponseTimeout: false)
        }
    }

    private func exchange<R>(_ request: TransportRequest,
                             _ body: (HTTPConnection, Duration) async throws -> R) async throws(APIError) -> R
    {
        var attempt = 0
        while true {
            attempt += 1
            let (connection, reused) = try await acquire(request)
            do {
                return try await body(connection, request.timeout ?? defaultTimeout)
            } catch let failure as HTTPConnection.Failure {
                // A stale keep-alive connection: retry once on a fresh one.
                if failure.retryable && reused && attempt == 1 { continue }
                throw APIError.local(.transport, failure.message, request: request.summary)
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError.local(.transport, "\(error)", request: request.summary)
            }
        }
    }

    /// Opens connections in the background until `connections` (at most `maxConnections`) are
    /// open, and parks them idle. `capstan apply` calls this once its files are read (with the
    /// number of objects), so connections open while the objects are checked and the first
    /// tier's requests do not pay for connection set-up.
    public func prewarm(connections: Int) {
        let ids = pool.withLock { p -> [Int] in
            guard !p.shutDown else { return [] }
            let missing = max(0, min(connections, maxConnections) - p.total)
            p.total += missing
            defer { p.nextID += missing }
            return Array(p.nextID + 1 ..< p.nextID + 1 + missing)
        }
        let request = TransportRequest(method: "GET", path: "/")
        for id in ids {
            // A failed open frees its slot (in `open`); the next real request reports the problem.
            Task { if let connection = try? await self.open(id: id, request: request) { self.release(connection) } }
        }
    }

    // MARK: - Pool

    private enum Decision { case use(HTTPConnection), open(Int), wait, refuse }

    private func acquire(_ request: TransportRequest) async throws(APIError) -> (HTTPConnection, reused: Bool) {
        while true {
            let decision: Decision = pool.withLock { p in
                if p.shutDown { return .refuse }
                while let c = p.idle.popLast() {
                    if c.isActive { return .use(c) }
                    // Closed while idle: its task frees the slot as it ends.
                    c.close()
                }
                if p.total < maxConnections {
                    p.total += 1
                    p.nextID += 1
                    return .open(p.nextID)
                }
                return .wait
            }
            switch decision {
            case .refuse:
                throw .local(.transport, "transport is shut down", request: request.summary)
            case .use(let c):
                return (c, true)
            case .open(let id):
                return (try await open(id: id, request: request), false)
            case .wait:
                let handed = await withCheckedContinuation { (c: CheckedContinuation<HTTPConnection?, Never>) in
                    let now: HTTPConnection?? = pool.withLock { p in
                        if p.shutDown { return .some(nil) }
                        if let idle = p.idle.popLast() { return .some(idle) }
                        if p.total < maxConnections { return .some(nil) }
                        p.waiters.append(c)
                        return nil
                    }
                    if let now { c.resume(returning: now) }
                }
                if let handed, handed.isActive { return (handed, true) }
                // A slot is free (or the handed connection died, and its task frees its slot): decide again.
                handed?.close()
            }
        }
    }

    private func open(id: Int, request: TransportRequest) async throws(APIError) -> HTTPConnection {
        do {
            let timeout = TimeAmount.nanoseconds(Int64(connectTimeout.components.seconds) * 1_000_000_000
                                                 + connectTimeout.components.attoseconds / 1_000_000_000)
            let (tls, serverName) = (self.tls, self.serverName ?? host)
            let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            let initialize: @Sendable (Channel) -> EventLoopFuture<(Channel, NIOLoopBound<ExchangeHandler>, EventLoopFuture<TLSSessionInfo>?)> = { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = try tls.map { try TLSHandler.install(on: channel, context: $0, serverName: serverName) }
                    let handler = ExchangeHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop), handshake)
                }
            }
            let (channel, handler, handshake) = if let literalAddress {
                try await bootstrap.connect(to: literalAddress, channelInitializer: initialize)
            } else {
                try await bootstrap.connect(host: host, port: port, channelInitializer: initialize)
            }
            if let handshake {
                // The handshake shares the connect budget; closing the channel fails it.
                let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
                defer { timer.cancel() }
                do { _ = try await handshake.get() } catch {
                    try? await channel.close()
                    throw error
                }
            }
            return HTTPConnection(id: id, channel: channel, handler: handler, hostHeader: "\(host):\(port)", transport: self)
        } catch {
            connectionClosed(nil)
            throw .local(.transport, "cannot connect to \(host):\(port): \(error)", request: request.summary)
        }
    }

    /// A connection finished a response and may serve another.
    func release(_ connection: HTTPConnection) {
        let waiter: CheckedContinuation<HTTPConnection?, Never>? = pool.withLock { p in
            if p.shutDown { return nil }
            if !p.waiters.isEmpty { return p.waiters.removeFirst() }
            p.idle.append(connection)
            return nil
        }
        if let waiter { waiter.resume(returning: connection) } else if pool.withLock({ $0.shutDown }) { connection.close() }
    }

    /// A connection closed (called once by its task), or never opened: free its slot and let a
    /// waiter open a new one.
    func connectionClosed(_ connection: HTTPConnection?) {
        let waiter: CheckedContinuation<HTTPConnection?, Never>? = pool.withLock { p in
            if let connection { p.idle.removeAll { $0 === connection } }
            p.total -= 1
            return p.waiters.isEmpty ? nil : p.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }
}
