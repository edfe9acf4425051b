// Gap fill: wip/client has no HTTP transport yet (its `HTTPTransport` on swift-nio is planned).
// This small Foundation-based one lets `capstan controllers` reach a server over plain HTTP(S);
// replace it with CapstanClient's transport when that lands.
import CapstanClient
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A `Transport` over `URLSession`: ordinary requests with `data(for:)`, streams through a
/// delegate that yields each received chunk. Thread-safety: open streams sit in a `Mutex`ed
/// table keyed by task id; URLSession itself is thread-safe.
public final class URLSessionTransport: NSObject, Transport, URLSessionDataDelegate, @unchecked Sendable {
    // @unchecked: every stored property is immutable or a Mutex; NSObject is not Sendable by itself.
    public let baseURL: String
    private let plain: URLSession
    private var streaming: URLSession!
    private struct Open {
        var head: CheckedContinuation<(Int, HeaderFields), Never>?
        var body: AsyncThrowingStream<[UInt8], any Error>.Continuation
    }
    private let open = Mutex<[Int: Open]>([:])

    public init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let config = URLSessionConfiguration.default
        config.httpMaximumConnectionsPerHost = 16
        config.timeoutIntervalForRequest = 120
        self.plain = URLSession(configuration: config)
        super.init()
        let streamConfig = URLSessionConfiguration.default
        streamConfig.timeoutIntervalForRequest = 3600
        streamConfig.timeoutIntervalForResource = 3600
        streamConfig.httpMaximumConnectionsPerHost = 256
        self.streaming = URLSession(configuration: streamConfig, delegate: self, delegateQueue: nil)
    }

    private func urlRequest(_ request: TransportRequest) throws(APIError) -> URLRequest {
        guard let url = URL(string: baseURL + request.path) else {
            throw APIError.local(.request, "bad URL \(baseURL + request.path)", request: request.summary)
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        for field in request.headers { r.addValue(field.value, forHTTPHeaderField: field.name) }
        if !request.body.isEmpty { r.httpBody = Data(request.body) }
        if let t = request.timeout { r.timeoutInterval = Double(t.components.seconds) + 1 }
        return r
    }

    private static func headers(_ response: HTTPURLResponse) -> HeaderFields {
        var h = HeaderFields()
        for (k, v) in response.allHeaderFields { h.add("\(k)", "\(v)") }
        return h
    }

    public func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse {
        let r = try urlRequest(request)
        do {
            let (data, response) = try await plain.data(for: r)
            guard let http = response as? HTTPURLResponse else {
                throw APIError.local(.transport, "not an HTTP response", request: request.summary)
            }
            return TransportResponse(status: http.statusCode, headers: Self.headers(http), body: [UInt8](data))
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.local(.transport, "\(error.localizedDescription)", request: request.summary)
        }
    }

    public func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse {
        let r = try urlRequest(request)
        let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let task = streaming.dataTask(with: r)
        let id = task.taskIdentifier
        let (status, headers) = await withCheckedContinuation { (head: CheckedContinuation<(Int, HeaderFields), Never>) in
            open.withLock { $0[id] = Open(head: head, body: continuation) }
            task.resume()
        }
        if status == 0 {
            throw APIError.local(.transport, "connection failed", request: request.summary)
        }
        continuation.onTermination = { _ in task.cancel() }
        return StreamingResponse(status: status, headers: headers, body: body, cancel: { task.cancel() })
    }

    // MARK: URLSessionDataDelegate

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                           completionHandler: @escaping (URLSession.ResponseDisposition) -> Void)
    {
        let head = open.withLock { t -> CheckedContinuation<(Int, HeaderFields), Never>? in
            let h = t[dataTask.taskIdentifier]?.head
            t[dataTask.taskIdentifier]?.head = nil
            return h
        }
        if let http = response as? HTTPURLResponse {
            head?.resume(returning: (http.statusCode, Self.headers(http)))
        } else {
            head?.resume(returning: (0, HeaderFields()))
        }
        completionHandler(.allow)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let c = open.withLock { $0[dataTask.taskIdentifier]?.body }
        c?.yield([UInt8](data))
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = open.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        entry.head?.resume(returning: (0, HeaderFields()))
        if let error, (error as NSError).code != NSURLErrorCancelled {
            entry.body.finish(throwing: APIError.local(.transport, error.localizedDescription))
        } else {
            entry.body.finish()
        }
    }
}
