import NIOCore
import NIOHTTP1
import Synchronization

/// One keep-alive HTTP/1.1 connection of an `HTTPTransport`.
///
/// A single task owns the `NIOAsyncChannel` and serves one request at a time, taken from an
/// `AsyncStream` of jobs (the pool hands a connection to one request at a time). It holds the
/// transport strongly until it closes; `HTTPTransport.shutdown()` closes idle connections.
/// Immutable after creation apart from the channel's own state; safe to share.
final class HTTPConnection: Sendable {
    /// Why a request failed on this connection; `beforeResponse` when no response byte arrived
    /// (safe to retry on a fresh connection).
    struct Failure: Error, Sendable {
        var message: String
        var beforeResponse: Bool
    }

    struct Job: Sendable {
        var request: TransportRequest
        var timeout: Duration
        var wholeResponseTimeout: Bool
        var head: CheckedContinuation<StreamingResponse, any Error>
    }

    private final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }

    let id: Int
    let channel: any Channel
    private let jobs: AsyncStream<Job>.Continuation
    let transport: HTTPTransport

    init(id: Int, channel asyncChannel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, hostHeader: String,
         transport: HTTPTransport)
    {
        self.id = id
        self.channel = asyncChannel.channel
        self.transport = transport
        let (stream, continuation) = AsyncStream<Job>.makeStream()
        self.jobs = continuation
        asyncChannel.channel.closeFuture.whenComplete { _ in continuation.finish() }
        Task { [self] in
            await serve(asyncChannel, jobs: stream, hostHeader: hostHeader)
            transport.connectionClosed(self)
        }
    }

    var isActive: Bool { channel.isActive }

    func close() {
        jobs.finish()
        channel.close(promise: nil)
    }

    /// Sends `request` and returns at the response head.
    func run(_ request: TransportRequest, timeout: Duration, wholeResponseTimeout: Bool) async throws -> StreamingResponse {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<StreamingResponse, any Error>) in
            let job = Job(request: request, timeout: timeout, wholeResponseTimeout: wholeResponseTimeout, head: c)
            if case .terminated = jobs.yield(job) {
                c.resume(throwing: Failure(message: "connection closed", beforeResponse: true))
            }
        }
    }

    private func serve(_ asyncChannel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>,
                       jobs: AsyncStream<Job>, hostHeader: String) async
    {
        do {
            try await asyncChannel.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                for await job in jobs {
                    let keepAlive = try await exchange(job, parts: &parts, outbound: outbound, hostHeader: hostHeader)
                    if !keepAlive { return }
                    transport.release(self)
                }
            }
        } catch {
            // The failing job has been told; the connection is closed by executeThenClose.
        }
    }

    /// One request/response; returns whether the connection may be reused.
    private func exchange(_ job: Job, parts: inout NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
                          outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, hostHeader: String) async throws -> Bool
    {
        let channel = self.channel
        let timedOut = Flag()
        let nanos = Int64(job.timeout.components.seconds) * 1_000_000_000 + job.timeout.components.attoseconds / 1_000_000_000
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(max(1, nanos))) {
            timedOut.set()
            channel.close(promise: nil)
        }
        var headDelivered = false
        var body: AsyncThrowingStream<[UInt8], any Error>.Continuation?
        do {
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: job.request.method), uri: job.request.path)
            head.headers.add(name: "Host", value: hostHeader)
            for field in job.request.headers { head.headers.add(name: field.name, value: field.value) }
            if !job.request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(job.request.method) {
                head.headers.replaceOrAdd(name: "Content-Length", value: String(job.request.body.count))
            }
            try await outbound.write(.head(head))
            if !job.request.body.isEmpty {
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: job.request.body))))
            }
            try await outbound.write(.end(nil))
            var keepAlive = true
            while true {
                guard let part = try await parts.next() else {
                    throw Failure(message: "connection closed by the server", beforeResponse: !headDelivered)
                }
                switch part {
                case .head(let h):
                    if h.status.code < 200 { continue }
                    keepAlive = h.isKeepAlive
                    var headers = HeaderFields()
                    for (name, value) in h.headers { headers.add(name, value) }
                    let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
                    continuation.onTermination = { reason in
                        // The consumer stopped before the end: abandon the response by closing.
                        if case .cancelled = reason { channel.close(promise: nil) }
                    }
                    body = continuation
                    if !job.wholeResponseTimeout { timer.cancel() }
                    headDelivered = true
                    job.head.resume(returning: StreamingResponse(
                        status: Int(h.status.code), headers: headers, body: stream,
                        cancel: { channel.close(promise: nil) }))
                case .body(let buffer):
                    body?.yield(Array(buffer.readableBytesView))
                case .end:
                    timer.cancel()
                    body?.finish()
                    return keepAlive
                }
            }
        } catch {
            timer.cancel()
            let message: String
            if timedOut.isSet {
                message = "request timed out after \(job.timeout)"
            } else if let failure = error as? Failure {
                message = failure.message
            } else {
                message = "\(error)"
            }
            if headDelivered {
                body?.finish(throwing: APIError.local(.transport, message, request: job.request.summary))
            } else {
                job.head.resume(throwing: Failure(message: message, beforeResponse: !timedOut.isSet))
            }
            throw error
        }
    }
}
