/// CapstanAPIServer — the Kubernetes API over HTTP, backed by a `Store`.
///
/// Owns: the HTTP/1.1 server (keep-alive, chunked watch streams, a 3 MiB request limit; HTTPS
/// through CapstanTLS, authentication by bearer token or client certificate, and the refusal
/// to listen beyond loopback without both — `ServerSecurity`),
/// routing of Kubernetes paths, discovery (aggregated v2 and legacy), OpenAPI v3, the verbs
/// (get, list, watch, create, update, patch, delete, deletecollection) with their query
/// parameters, the registry rules of Kubernetes (defaulting and validation through
/// CapstanAPI, generation, status and scale subresources, finalizers, immutable fields,
/// namespace existence), CRD serving, server-side Table printing, `Status` errors, and Service
/// cluster IPs and node ports (`ServiceAllocator`: one store key per reserved value, repaired
/// at start) with the `kubernetes` Service that points at this server.
///
/// Must not: keep cluster state anywhere but the `Store` (caches are derived and rebuildable:
/// the catalogue of CRDs is reloaded from the store at start), run controllers (garbage
/// collection, namespace cleanup, deployments … live in CapstanControllers and talk to this
/// server through the API), or know how the store persists bytes.
///
/// Why swift-nio directly and not Hummingbird: the server needs little routing sugar (paths
/// are parsed the Kubernetes way in `Route.parse`), but full control over chunked streaming
/// and its cancellation (client gone, `timeoutSeconds`, SIGTERM with open watches), and a lean
/// build: NIOCore/NIOPosix/NIOHTTP1 is a subset of what Hummingbird builds anyway
/// (swift-notes.md §3), without service-lifecycle and its extra packages.
///
/// The one flow to know: a request is parsed into a `Route`; resource routes become a
/// `ResourceRequest` (resource info from the current catalogue snapshot, dryRun,
/// fieldValidation); writes read the current object, compute the new one
/// (patch/defaults/validation/generation), and write it guarded by the revision read, retrying
/// on a store conflict only when the client gave no resourceVersion precondition.
import CapstanAPI
import CapstanModel
import CapstanStore
import NIOCore
import NIOHTTP1
import Synchronization

/// A running API server. Immutable configuration plus the `HTTPServer`; state lives in the
/// store, the CRD catalogue in an `APIRegistry` (lock-protected), so the type is `Sendable`.
public final class APIServer: Sendable {
    let store: any Store
    let registry: APIRegistry
    let openAPI = OpenAPIv3()
    let defaulter = Defaulter()
    /// How long core/v1 Events live before the server deletes them.
    let eventTTLSeconds: Int64
    /// How often a watch with `allowWatchBookmarks=true` gets a progress BOOKMARK.
    let bookmarkInterval: Duration
    /// Streams served through `respond(to:)` (InProcess.swift), ended by `shutdown()`.
    let inProcessStreams = InProcessStreams()
    /// Decoded objects and encoded lines of recent events, shared by all watches.
    let watchCache = WatchEventCache()
    /// Cluster IPs and node ports of Services (reservations live in the store).
    let serviceAllocator: ServiceAllocator
    private let runtime = Mutex<Runtime>(Runtime())
    /// What the current catalogue serves, rebuilt only when the catalogue changes (CRDs).
    private let servedCache = Mutex<ServedAPI?>(nil)
    /// Which namespaces are open for new objects (kept current by the store's write-through).
    let namespaceStates: NamespaceStates

    private struct Runtime {
        var http: HTTPServer?
        var serveTask: Task<Void, Never>?
        var sweeper: Task<Void, Never>?
        var port = 0
    }

    public init(store: any Store, catalogue: APICatalogue = .builtin, eventTTLSeconds: Int64 = 3600,
                bookmarkInterval: Duration = .seconds(60), services: ServiceAddressing = .standard) {
        let namespaces = NamespaceStates()
        let store = NamespaceTrackingStore(base: store, namespaces: namespaces)
        self.namespaceStates = namespaces
        self.store = store
        self.serviceAllocator = ServiceAllocator(store: store, addressing: services)
        self.bookmarkInterval = bookmarkInterval
        self.registry = APIRegistry(catalogue)
        self.eventTTLSeconds = eventTTLSeconds
    }

    /// The port bound by `start` (0 before).
    public var port: Int { runtime.withLock { $0.port } }

    /// Loads CRDs from the store, creates the default namespaces, binds, and starts serving in
    /// the background. Returns the bound port (pass 0 for an ephemeral one). Refuses to listen
    /// beyond loopback unless `security` has both TLS and authentication.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int, security: ServerSecurity = .none) async throws -> Int {
        try security.check(host: host)
        try await bootstrap()
        let http = HTTPServer(tls: security.tls, authenticator: security.authenticator) { [self] request in
            await self.handle(request)
        }
        let (listener, bound) = try await http.bind(host: host, port: port)
        let task = Task { _ = try? await http.serve(listener) }
        let sweeper = Task { [self] in
            // Housekeeping: event expiry, and store progress notifications that become watch bookmarks.
            async let events: Void = self.sweepEvents()
            async let progress: Void = self.tickProgress()
            _ = await (events, progress)
        }
        runtime.withLock {
            $0.http = http
            $0.serveTask = task
            $0.sweeper = sweeper
            $0.port = bound
        }
        do { try await ensureKubernetesService(host: host, port: bound) } catch {
            await shutdown()
            throw error
        }
        return bound
    }

    /// Returns when the server has stopped (after `shutdown()`).
    public func wait() async {
        let task = runtime.withLock { $0.serveTask }
        await task?.value
    }

    /// Stops accepting, ends open watches cleanly, closes connections. Does not close the store.
    public func shutdown() async {
        let (http, task, sweeper) = runtime.withLock { ($0.http, $0.serveTask, $0.sweeper) }
        sweeper?.cancel()
        await inProcessStreams.cancelAll()
        await http?.shutdown()
        await task?.value
    }

    /// Asks the store for progress events every `bookmarkInterval`; watches that allow
    /// bookmarks forward them as BOOKMARK events.
    func tickProgress() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: bookmarkInterval) } catch { return }
            await store.requestProgress()
        }
    }

    /// The default namespaces, the CRDs already stored, and a repair of Service address
    /// reservations.
    func bootstrap() async throws {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let key = StorageKey.objectKey(group: "", resource: "namespaces", namespace: nil, name: ns)
            if try await store.get(key) == nil {
                var object: Value = ["apiVersion": "v1", "kind": "Namespace",
                                     "metadata": ["name": .string(ns), "uid": .string(Identifiers.uid()),
                                                  "creationTimestamp": .string(WallClock.now()),
                                                  "labels": ["kubernetes.io/metadata.name": .string(ns)]]]
                defaulter.apply(to: &object)
                object["status"] = ["phase": "Active"]
                _ = try? await store.create(key, value: ObjectCodec.encode(object))
            }
        }
        let crds = try await store.list(prefix: StorageKey.resourcePrefix(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"))
        for kv in crds.items {
            if let crd = try? ObjectCodec.decode(kv) { _ = try? registry.register(customResourceDefinition: crd) }
        }
        _ = try await serviceAllocator.repair()
    }

    // MARK: - Dispatch

    /// The `ServedAPI` of the registry's current catalogue; built once per catalogue (they are
    /// immutable, so identity says whether the cached one is still current).
    func servedAPI() -> ServedAPI {
        let catalogue = registry.current
        if let hit = servedCache.withLock({ $0 }), hit.catalogue === catalogue { return hit }
        let made = ServedAPI(catalogue)
        servedCache.withLock { $0 = made }
        return made
    }

    func handle(_ request: HTTPRequest) async -> HTTPResponse {
        do {
            return try await dispatch(request)
        } catch let error as StatusError {
            return error.response
        } catch let error as StoreError {
            return error.status(group: "", resource: "", name: "").response
        } catch {
            return StatusError.internalError(String(describing: error)).response
        }
    }

    func dispatch(_ request: HTTPRequest) async throws -> HTTPResponse {
        let served = servedAPI()
        let route = Route.parse(request.path)
        if case .resource = route {} else if request.method != .GET && request.method != .HEAD {
            throw StatusError.methodNotAllowed()
        }
        switch route {
        case .version:
            return .json(.ok, Discovery.version().jsonBytes())
        case .health:
            return HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array("ok".utf8)))
        case .coreVersions:
            if Discovery.wantsAggregated(request.header("Accept")) {
                return .json(.ok, Discovery.aggregated(served, core: true).jsonBytes(), contentType: Discovery.aggregatedContentType)
            }
            return .json(.ok, Discovery.apiVersions(serverAddress: "127.0.0.1:\(port)").jsonBytes())
        case .groups:
            if Discovery.wantsAggregated(request.header("Accept")) {
                return .json(.ok, Discovery.aggregated(served, core: false).jsonBytes(), contentType: Discovery.aggregatedContentType)
            }
            return .json(.ok, Discovery.groupList(served).jsonBytes())
        case .group(let name):
            guard let doc = Discovery.group(served, name: name) else { throw StatusError.pathNotFound() }
            return .json(.ok, doc.jsonBytes())
        case .resourceList(let gv):
            guard let doc = Discovery.resourceList(served, gv) else { throw StatusError.pathNotFound() }
            return .json(.ok, doc.jsonBytes())
        case .openAPIv3Root:
            let docs = openAPI.documents(for: served)
            let etag = "\"\(docs.rootHash)\""
            if request.header("If-None-Match") == etag {
                return HTTPResponse(status: .notModified, headers: [("Etag", etag)])
            }
            return .json(.ok, docs.root, headers: [("Etag", etag)])
        case .openAPIv3(let gv):
            let docs = openAPI.documents(for: served)
            guard let doc = docs.byPath[OpenAPIv3.pathKey(gv)] else { throw StatusError.pathNotFound() }
            let etag = "\"\(doc.hash)\""
            if request.header("If-None-Match") == etag {
                return HTTPResponse(status: .notModified, headers: [("Etag", etag)])
            }
            var headers = [("Etag", etag)]
            if request.query("hash") == doc.hash {
                headers += [("Cache-Control", "public, immutable"), ("Expires", OpenAPIv3.expiresHeader())]
            }
            return .json(.ok, doc.bytes, headers: headers)
        case .resource(let path):
            return try await handleResource(request, path, served)
        case .notFound:
            throw StatusError.pathNotFound()
        }
    }
}
