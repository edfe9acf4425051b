import NIOCore
import NIOHTTP1
import NIOPosix

/// The API server's side of talking to a node's kubelet: one plain-HTTP GET per request on a
/// connection of its own, whose body is streamed back (a followed log can last long).
enum KubeletClient {
    struct Response: Sendable {
        var status: Int
        var body: AsyncThrowingStream<[UInt8], any Error>
        /// Closes the connection (the kubelet then stops following).
        var close: @Sendable () -> Void

        func collect(limit: Int) async -> [UInt8] {
            var out: [UInt8] = []
            do {
                for try await chunk in body {
                    out += chunk
                    if out.count >= limit { break }
                }
            } catch {}
            close()
            return out
        }
    }

    static func get(host: String, port: Int, uri: String, connectTimeout: TimeAmount = .seconds(5)) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(connectTimeout)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        let (head, headContinuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let raw = channel.channel
        let task = Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    var headers = HTTPHeaders([("Host", "\(host):\(port)"), ("Accept", "*/*")])
                    headers.add(name: "Connection", value: "close")
                    try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)))
                    try await outbound.write(.end(nil))
                    for try await part in inbound {
                        switch part {
                        case .head(let h): headContinuation.yield(Int(h.status.code)); headContinuation.finish()
                        case .body(var buffer): bodyContinuation.yield(buffer.readBytes(length: buffer.readableBytes) ?? [])
                        case .end: return
                        }
                    }
                }
                headContinuation.finish(throwing: KubeletError.noResponse)
                bodyContinuation.finish()
            } catch {
                headContinuation.finish(throwing: error)
                bodyContinuation.finish(throwing: error)
            }
        }
        let close: @Sendable () -> Void = {
            task.cancel()
            raw.close(promise: nil)
        }
        bodyContinuation.onTermination = { _ in close() }
        var statuses = head.makeAsyncIterator()
        guard let status = try await statuses.next() else { throw KubeletError.noResponse }
        return Response(status: status, body: body, close: close)
    }

    struct KubeletError: Error, CustomStringConvertible {
        var description: String
        static let noResponse = KubeletError(description: "the kubelet closed the connection without a response")
    }
}
