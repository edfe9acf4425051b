/// Header fields in order, looked up case-insensitively. A plain value.
public struct HeaderFields: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var fields: [Field]

    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(_ fields: [(String, String)] = []) { self.fields = fields.map { Field(name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// No fields yet, with room for `capacity` (a response head's few, added one by one).
    public init(capacity: Int) {
        fields = []
        fields.reserveCapacity(capacity)
    }

    /// The first value of `name` (any case).
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Replaces every value of `name`.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll { Self.sameName($0.name, name) }
        fields.append(Field(name: name, value: value))
    }

    /// Header names compared as HTTP does (ASCII case-insensitively), without building
    /// lowercased copies: every request and response looks up a few names.
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        var (a, b) = (a, b)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                for i in 0..<x.count where x[i] != y[i] {
                    let (p, q) = (x[i], y[i])
                    if (p >= 65 && p <= 90 ? p | 0x20 : p) != (q >= 65 && q <= 90 ? q | 0x20 : q) { return false }
                }
                return true
            }
        }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
}

/// One HTTP-shaped request. `path` is already encoded and includes the query (`/api/v1/pods?limit=5`).
public struct TransportRequest: Sendable, Hashable {
    public var method: String
    public var path: String
    public var headers: HeaderFields
    public var body: [UInt8]
    /// Give up after this long (whole response for `send`, headers for `stream`); nil: the transport's default.
    public var timeout: Duration?

    public init(method: String, path: String, headers: HeaderFields = [:], body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// `GET /api/v1/pods`, for error messages.
    public var summary: String { "\(method) \(path)" }
}

/// A complete response.
public struct TransportResponse: Sendable, Hashable {
    public var status: Int
    public var headers: HeaderFields
    public var body: [UInt8]

    public init(status: Int, headers: HeaderFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A response whose body arrives over time (watches, followed logs). The body ends when the
/// server ends it; `cancel()` closes it early (and is called when the consumer stops iterating).
public struct StreamingResponse: Sendable {
    public var status: Int
    public var headers: HeaderFields
    /// Body bytes in arrival order, in whatever chunks the transport produced.
    public var body: AsyncThrowingStream<[UInt8], any Error>
    public var cancel: @Sendable () -> Void

    public init(status: Int, headers: HeaderFields = [:], body: AsyncThrowingStream<[UInt8], any Error>,
                cancel: @escaping @Sendable () -> Void = {})
    {
        self.status = status
        self.headers = headers
        self.body = body
        self.cancel = cancel
    }

    /// A complete response presented as a stream (for in-process handlers and fakes).
    public init(_ response: TransportResponse) {
        let bytes = response.body
        self.init(status: response.status, headers: response.headers, body: AsyncThrowingStream { c in
            if !bytes.isEmpty { c.yield(bytes) }
            c.finish()
        })
    }

    /// Reads the whole body (error responses are short).
    public func collect(limit: Int = 1 << 20) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in body {
            out += chunk
            if out.count >= limit { cancel(); break }
        }
        return out
    }
}

/// Moves one request to an API server and its response back. Implementations: `HTTPTransport`
/// (HTTP/1.1 over swift-nio) and `ClosureTransport` (in-process: the bundled cluster plugs the
/// API server's handler in here). Failures to reach the server throw `APIError` with
/// `origin == .transport`; HTTP error statuses are *responses*, not throws.
///
/// Implementations must be safe to call from many tasks at once.
public protocol Transport: Sendable {
    func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse
    /// Returns once the status and headers are in; the body streams after.
    func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse
    /// Starts opening up to `connections` connections in the background, so a burst of requests
    /// that follows finds them ready; a hint only (failures are left for real requests to see).
    func prewarm(connections: Int)
}

extension Transport {
    /// Transports without connections have nothing to prepare.
    public func prewarm(connections: Int) {}
}

/// A transport made of closures: the in-process seam. `stream` defaults to `send` wrapped as a
/// one-chunk stream, so a handler that never streams needs only `send`.
///
/// The bundled cluster wires the API server's request handler in here, so controllers run the
/// very same `RESTClient` code as over HTTP, minus sockets:
///
///     let client = RESTClient(transport: ClosureTransport(streaming: { request in
///         await server.handleInProcess(request)   // -> StreamingResponse (watch bodies stream)
///     }))
///
/// The handler receives the request exactly as it would arrive over HTTP (method, encoded path
/// with query, headers, body) and answers status, headers and body chunks; a watch body is a
/// stream that ends when the server ends it, and `StreamingResponse.cancel` is called when the
/// client stops reading early.
public struct ClosureTransport: Transport {
    let sendHandler: @Sendable (TransportRequest) async throws(APIError) -> TransportResponse
    let streamHandler: (@Sendable (TransportRequest) async throws(APIError) -> StreamingResponse)?

    public init(send: @escaping @Sendable (TransportRequest) async throws(APIError) -> TransportResponse,
                stream: (@Sendable (TransportRequest) async throws(APIError) -> StreamingResponse)? = nil)
    {
        self.sendHandler = send
        self.streamHandler = stream
    }

    /// A transport from one streaming handler: `send` collects the streamed body.
    public init(streaming handler: @escaping @Sendable (TransportRequest) async throws(APIError) -> StreamingResponse) {
        self.streamHandler = handler
        self.sendHandler = { (request) async throws(APIError) -> TransportResponse in
            let response = try await handler(request)
            do {
                let body = try await response.collect(limit: Int.max)
                return TransportResponse(status: response.status, headers: response.headers, body: body)
            } catch let error as APIError {
                throw error
            } catch {
                throw APIError.local(.transport, "\(error)", request: request.summary)
            }
        }
    }

    public func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse {
        try await sendHandler(request)
    }

    public func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse {
        if let streamHandler { return try await streamHandler(request) }
        return StreamingResponse(try await sendHandler(request))
    }
}
