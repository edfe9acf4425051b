import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The node's own HTTP endpoint, as a kubelet serves one: the API server reaches it to proxy
/// `pods/NAME/log` (`GET /containerLogs/NS/POD/CONTAINER?follow=…`). Loopback only, plain
/// HTTP, one request per connection (the API server opens one per log request).
///
/// Thread-safety: the listener and the open connections are tracked behind a `Mutex` so that
/// `stop()` can close them; each connection is served by its own task.
final class KubeletServer: Sendable {
    /// What to answer: a status, and a body written chunk by chunk (a followed log keeps
    /// writing until it ends or the peer goes away, which cancels the writing task).
    struct Reply: Sendable {
        var status: HTTPResponseStatus
        var contentType: String
        var body: @Sendable (_ write: @Sendable ([UInt8]) async throws -> Void) async throws -> Void
    }
    typealias Handler = @Sendable (_ path: [Substring], _ query: [(String, String)]) async -> Reply

    private let handler: Handler
    private struct State {
        var listener: Channel?
        var connections: [ObjectIdentifier: Channel] = [:]
    }
    private let state = Mutex(State())

    init(handler: @escaping Handler) { self.handler = handler }

    /// Binds `host:port` (0: any free port), serves in the background, returns the bound port.
    func start(host: String, port: Int) async throws -> Int {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        state.withLock { $0.listener = listener.channel }
        Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        let id = ObjectIdentifier(connection.channel)
                        self.state.withLock { $0.connections[id] = connection.channel }
                        group.addTask {
                            await self.serve(connection)
                            _ = self.state.withLock { $0.connections.removeValue(forKey: id) }
                        }
                    }
                }
            }
        }
        return listener.channel.localAddress?.port ?? port
    }

    /// Closes the listener and every open connection (followed logs end).
    func stop() {
        let channels = state.withLock { s in [s.listener].compactMap { $0 } + Array(s.connections.values) }
        for c in channels { c.close(promise: nil) }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        let channel = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                if case .head(let h) = part { head = h }
                guard case .end = part, let h = head else { continue }
                let parts = h.uri.split(separator: "?", maxSplits: 1)
                let path = (parts.first ?? "").split(separator: "/")
                let query: [(String, String)] = parts.count > 1 ? parts[1].split(separator: "&").map { pair in
                    let kv = pair.split(separator: "=", maxSplits: 1)
                    return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
                } : []
                let reply = h.method == .GET ? await handler(path, query)
                    : Reply(status: .methodNotAllowed, contentType: "text/plain", body: { _ in })
                var headers = HTTPHeaders([("Content-Type", reply.contentType), ("Connection", "close"),
                                           ("Transfer-Encoding", "chunked")])
                headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
                try await outbound.write(.head(HTTPResponseHead(version: h.version, status: reply.status, headers: headers)))
                let writer = Task {
                    try? await reply.body { bytes in
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
                    }
                }
                channel.closeFuture.whenComplete { _ in writer.cancel() }
                await writer.value
                try await outbound.write(.end(nil))
                return
            }
        }
    }
}
