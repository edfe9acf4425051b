import CapstanAPI
import CapstanModel
import Synchronization

/// The `Client` over a `Transport`: builds Kubernetes paths and query strings, sends JSON,
/// turns error responses into `APIError`s carrying the server's `Status`, frames watch streams
/// into events, and caches discovery (in memory, and on disk when given a `DiscoveryCache`).
///
/// Immutable configuration plus the in-memory discovery result behind a `Mutex`; safe to share
/// across tasks. The same code runs over HTTP (`HTTPTransport`) or in-process (`ClosureTransport`).
public final class RESTClient: Client {
    public let transport: any Transport
    /// Sent with every request (Authorization, User-Agent …).
    public let headers: HeaderFields
    /// Namespace for requests that need one and were given none (from the kubeconfig context).
    public let defaultNamespace: String
    let diskCache: DiscoveryCache?
    /// Sets `Authorization: Bearer …` per request from a token file (reread every minute).
    let tokenFile: TokenFileSource?
    /// Timeout of ordinary (non-streaming) requests.
    let requestTimeout: Duration
    private let discovered = Mutex<RESTMapper?>(nil)

    public init(transport: any Transport, headers: HeaderFields = [:], defaultNamespace: String = "default",
                discoveryCache: DiscoveryCache? = nil, requestTimeout: Duration = .seconds(60),
                tokenFile: TokenFileSource? = nil)
    {
        self.tokenFile = tokenFile
        self.transport = transport
        var h = headers
        if h["User-Agent"] == nil { h.set("User-Agent", "capstan/0.1") }
        self.headers = h
        self.defaultNamespace = defaultNamespace
        self.diskCache = discoveryCache
        self.requestTimeout = requestTimeout
    }

    /// The same client over `wrap(transport)` (request logging or counting around the real one).
    public func wrappingTransport(_ wrap: (any Transport) -> any Transport) -> RESTClient {
        RESTClient(transport: wrap(transport), headers: headers, defaultNamespace: defaultNamespace,
                   discoveryCache: diskCache, requestTimeout: requestTimeout, tokenFile: tokenFile)
    }

    // MARK: - Verbs

    public func get(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String?,
                    options: GetOptions) async throws(APIError) -> Value
    {
        var query: [(String, String)] = []
        if let rv = options.resourceVersion { query.append(("resourceVersion", rv)) }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace, name: try checked(name),
                                                      subresource: subresource), query)
        return try await object(request("GET", path))
    }

    public func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws(APIError) -> ObjectList {
        if options.labelSelector?.matchesNothing == true {
            // A selector that matches nothing has no wire form (it prints as ""): answer locally.
            return ObjectList(kind: "", apiVersion: resource.groupVersion.apiVersion, items: [], resourceVersion: "")
        }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace), options.query)
        return try ObjectList(value: await object(request("GET", path)))
    }

    public func watch(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws(APIError) -> WatchStream {
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace), options.query)
        var req = request("GET", path)
        req.timeout = requestTimeout
        let response = try await transport.stream(req)
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.collect()) ?? []
            throw APIError.fromHTTP(code: response.status, body: body, request: req.summary)
        }
        return Self.events(from: response, request: req.summary)
    }

    public func create(_ resource: GroupVersionResource, namespace: String?, _ object: Value,
                       options: WriteOptions) async throws(APIError) -> Value
    {
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace), options.query)
        return try await self.object(request("POST", path, json: object))
    }

    /// The POST without decoding the returned object; error responses still become `APIError`s.
    public func createIgnoringResponse(_ resource: GroupVersionResource, namespace: String?, json body: [UInt8],
                                       options: WriteOptions) async throws(APIError)
    {
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace), options.query)
        let req = request("POST", path, jsonBody: body)
        let response = try await transport.send(req)
        guard (200..<300).contains(response.status) else {
            throw APIError.fromHTTP(code: response.status, body: response.body, request: req.summary)
        }
    }

    public func createSubresource(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String,
                                  _ body: Value, options: WriteOptions) async throws(APIError) -> Value
    {
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace, name: try checked(name),
                                                      subresource: subresource), options.query)
        return try await object(request("POST", path, json: body))
    }

    public func update(_ resource: GroupVersionResource, namespace: String?, _ object: Value, subresource: String?,
                       options: WriteOptions) async throws(APIError) -> Value
    {
        guard let name = object.name, !name.isEmpty else { throw .local(.request, "update: object has no metadata.name") }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace, name: name, subresource: subresource),
                                     options.query)
        return try await self.object(request("PUT", path, json: object))
    }

    public func patch(_ resource: GroupVersionResource, namespace: String?, name: String, type: PatchType, _ body: [UInt8],
                      subresource: String?, options: PatchOptions) async throws(APIError) -> Value
    {
        if type == .apply, options.fieldManager?.isEmpty ?? true {
            throw .local(.request, "server-side apply needs a fieldManager")
        }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace, name: try checked(name),
                                                      subresource: subresource), options.query)
        var req = request("PATCH", path)
        req.headers.set("Content-Type", type.contentType)
        req.body = body
        return try await object(req)
    }

    public func delete(_ resource: GroupVersionResource, namespace: String?, name: String,
                       options: DeleteOptions) async throws(APIError) -> Value
    {
        var query: [(String, String)] = []
        if options.dryRun { query.append(("dryRun", "All")) }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace, name: try checked(name)), query)
        return try await object(request("DELETE", path, json: options.isDefault ? nil : options.value))
    }

    public func deleteCollection(_ resource: GroupVersionResource, namespace: String?, listOptions: ListOptions,
                                 options: DeleteOptions) async throws(APIError) -> Value
    {
        var query = listOptions.query
        if options.dryRun { query.append(("dryRun", "All")) }
        let path = APIPath.withQuery(APIPath.resource(resource, namespace: namespace), query)
        return try await object(request("DELETE", path, json: options.isDefault ? nil : options.value))
    }

    public func logs(namespace: String, pod: String, options: LogOptions) async throws(APIError) -> ByteStream {
        let path = APIPath.withQuery(APIPath.resource(.pods, namespace: namespace, name: try checked(pod), subresource: "log"),
                                     options.query)
        var req = request("GET", path)
        req.headers.set("Accept", "application/json, */*")
        req.timeout = requestTimeout
        let response = try await transport.stream(req)
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.collect()) ?? []
            throw APIError.fromHTTP(code: response.status, body: body, request: req.summary)
        }
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let body = response.body
        let task = Task {
            do {
                for try await chunk in body { continuation.yield(chunk) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        let cancel = response.cancel
        continuation.onTermination = { _ in
            task.cancel()
            cancel()
        }
        return ByteStream(chunks: chunks)
    }

    // MARK: - Discovery

    public func discover(refresh: Bool) async throws(APIError) -> RESTMapper {
        if !refresh {
            if let cached = discovered.withLock({ $0 }) { return cached }
            if let fromDisk = diskCache?.load() {
                discovered.withLock { $0 = fromDisk }
                return fromDisk
            }
        }
        let mapper = try await fetchDiscovery()
        discovered.withLock { $0 = mapper }
        diskCache?.store(mapper)
        return mapper
    }

    /// `/api` and `/apis`, aggregated when the server offers it, else legacy per group-version.
    func fetchDiscovery() async throws(APIError) -> RESTMapper {
        var groups: [APIGroupInfo] = []
        var resources: [ResourceInfo] = []
        for root in ["/api", "/apis"] {
            var req = request("GET", root)
            req.headers.set("Accept", Discovery.aggregatedAccept)
            let response = try await transport.send(req)
            guard (200..<300).contains(response.status) else {
                throw APIError.fromHTTP(code: response.status, body: response.body, request: req.summary)
            }
            let value = try decode(response.body, request: req.summary)
            if Discovery.isAggregated(contentType: response.headers["Content-Type"]) {
                let parsed = Discovery.parseAggregated(value)
                groups += parsed.groups
                resources += parsed.resources
                continue
            }
            for group in Discovery.parseLegacyIndex(value) {
                groups.append(group)
                for version in group.versions {
                    var gvReq = request("GET", APIPath.groupVersion(group.name, version))
                    gvReq.headers.set("Accept", "application/json, */*")
                    let list = try await object(gvReq)
                    resources += Discovery.parseLegacyResources(list, group: group.name, version: version)
                }
            }
        }
        return RESTMapper(groups: groups, resources: resources)
    }

    // MARK: - Plumbing

    func request(_ method: String, _ path: String, json: Value? = nil) -> TransportRequest {
        request(method, path, jsonBody: json?.jsonBytes())
    }

    /// A request carrying `jsonBody` as it is (already encoded), or no body.
    func request(_ method: String, _ path: String, jsonBody: [UInt8]?) -> TransportRequest {
        var req = TransportRequest(method: method, path: path, headers: headers, timeout: requestTimeout)
        // An unreadable token file leaves the request unauthenticated: the server's 401 says more
        // than a local failure would.
        if let tokenFile, let token = try? tokenFile.token() { req.headers.set("Authorization", "Bearer \(token)") }
        if req.headers["Accept"] == nil { req.headers.set("Accept", "application/json") }
        if let jsonBody {
            req.headers.set("Content-Type", "application/json")
            req.body = jsonBody
        }
        return req
    }

    /// Sends and decodes a JSON object response; non-2xx becomes an `APIError`.
    func object(_ req: TransportRequest) async throws(APIError) -> Value {
        let response = try await transport.send(req)
        guard (200..<300).contains(response.status) else {
            throw APIError.fromHTTP(code: response.status, body: response.body, request: req.summary)
        }
        return try decode(response.body, request: req.summary)
    }

    func decode(_ body: [UInt8], request: String) throws(APIError) -> Value {
        do {
            return try Value.parseJSON(body)
        } catch {
            throw .local(.decoding, "\(error)", request: request)
        }
    }

    private func checked(_ name: String) throws(APIError) -> String {
        if name.isEmpty { throw .local(.request, "resource name may not be empty") }
        return name
    }

    /// Frames a streamed watch body into events on a task of its own; the stream's consumer
    /// stopping cancels that task and the response.
    static func events(from response: StreamingResponse, request: String) -> WatchStream {
        let (events, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        let body = response.body
        let task = Task {
            var splitter = JSONStreamSplitter()
            do {
                for try await chunk in body {
                    for document in try splitter.feed(chunk) {
                        let value: Value
                        do { value = try Value.parseJSON(document) } catch {
                            throw APIError.local(.decoding, "watch event: \(error)", request: request)
                        }
                        guard let event = WatchEvent(value: value) else {
                            throw APIError.local(.decoding, "watch event without a known type", request: request)
                        }
                        continuation.yield(event)
                    }
                }
                if !splitter.isAtBoundary { throw APIError.local(.transport, "watch stream ended inside an event", request: request) }
                continuation.finish()
            } catch {
                // A stopped watch ends cleanly even if closing its connection broke the body.
                if Task.isCancelled { continuation.finish(); return }
                continuation.finish(throwing: error as? APIError ?? APIError.local(.transport, "\(error)", request: request))
            }
        }
        let cancel = response.cancel
        continuation.onTermination = { _ in
            task.cancel()
            cancel()
        }
        // Finish first: the connection's close can race ahead and fail the body on the event
        // loop, and that error must not reach a consumer that asked to stop.
        return WatchStream(events: events, onStop: {
            continuation.finish()
            task.cancel()
            cancel()
        })
    }
}
