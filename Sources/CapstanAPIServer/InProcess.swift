import NIOCore
import NIOHTTP1
import Synchronization

/// A request handed to the server without a socket (the bundled cluster's own components).
/// `uri` is the encoded path with its query, exactly as it would appear on an HTTP request line.
public struct InProcessRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}

/// The server's answer to an in-process request. A watch (or followed log) body keeps
/// streaming until the server ends it; `cancel()` ends it early, like a client closing its
/// connection, and is what a consumer that stops reading must call.
public struct InProcessResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: AsyncThrowingStream<[UInt8], any Error>
    public var cancel: @Sendable () -> Void
}

extension APIServer {
    /// Handles one request in-process: the same routing and handlers as the HTTP path (both
    /// go through `handle(_:)`), minus sockets and HTTP framing. Streams run in a task of their
    /// own, ended by `cancel()`, by the consumer dropping the stream, or by `shutdown()`.
    public func respond(to request: InProcessRequest) async -> InProcessResponse {
        var headers = HTTPHeaders()
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        let response: HTTPResponse
        if request.body.count > HTTPServer.maxBodyBytes {
            response = StatusError.requestEntityTooLarge().response
        } else {
            response = await handle(HTTPRequest(method: HTTPMethod(rawValue: request.method), uri: request.uri,
                                                headers: headers, body: request.body))
        }
        let status = Int(response.status.code)
        switch response.body {
        case .bytes(let bytes):
            let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            if !bytes.isEmpty { continuation.yield(bytes) }
            continuation.finish()
            return InProcessResponse(status: status, headers: response.headers, body: stream, cancel: {})
        case .stream(let produce):
            let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            let writer = ResponseStreamWriter { bytes in
                // A consumer that went away ends the producer like a closed socket would.
                if case .terminated = continuation.yield(bytes) { throw CancellationError() }
            }
            let task = inProcessStreams.run {
                _ = try? await produce(writer)
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
            return InProcessResponse(status: status, headers: response.headers, body: stream, cancel: { task.cancel() })
        }
    }
}

/// The streams served in-process, so that `shutdown()` can end them as it ends HTTP watches.
/// Protected by a `Mutex`.
final class InProcessStreams: Sendable {
    private struct State {
        var tasks: [Int: Task<Void, Never>] = [:]
        var next = 0
        var closed = false
    }
    private let state = Mutex(State())

    /// Runs `body` in a tracked task (cancelled at once after `cancelAll()`).
    func run(_ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let (task, _) = state.withLock { s -> (Task<Void, Never>, Int) in
            s.next += 1
            let id = s.next
            let task = Task { [self] in
                await body()
                _ = state.withLock { $0.tasks.removeValue(forKey: id) }
            }
            s.tasks[id] = task
            if s.closed { task.cancel() }
            return (task, id)
        }
        return task
    }

    /// Cancels every stream and waits for them to end.
    func cancelAll() async {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.closed = true
            return Array(s.tasks.values)
        }
        for t in tasks { t.cancel() }
        for t in tasks { await t.value }
    }
}
