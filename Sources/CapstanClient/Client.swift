import CapstanAPI
import CapstanModel

/// The Kubernetes API as controllers, the scheduler, node runtimes and the apply engine see it.
///
/// Every call is addressed by resource (`GroupVersionResource`), namespace (nil for
/// cluster-scoped resources, or to list/watch across all namespaces) and name. Objects are
/// `Value` trees exactly as the server sends them. Every failure is an `APIError`; server
/// failures carry the server's `Status`.
///
/// The requirements are the complete verb set; the extensions below add the conveniences
/// (GVK addressing through the REST mapper, `updateStatus`, `scale`, `bind`, `evict`, `apply`).
/// Implementations: `RESTClient` (over any `Transport`: HTTP or in-process) and `FakeClient`
/// (in memory, for unit tests). Implementations must be safe to call from many tasks at once.
public protocol Client: Sendable {
    /// GET one object, or one of its subresources (`status`, `scale`).
    func get(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String?,
             options: GetOptions) async throws(APIError) -> Value

    /// One page of a list; page with `limit` / `continueToken`.
    func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) async throws(APIError) -> ObjectList

    /// A watch stream. Failures opening it throw; failures later arrive as `.error` events or end
    /// the stream with a thrown `APIError`.
    func watch(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) async throws(APIError) -> WatchStream

    /// POST a new object; its name may be `metadata.generateName`-based.
    func create(_ resource: GroupVersionResource, namespace: String?, _ object: Value,
                options: WriteOptions) async throws(APIError) -> Value

    /// `create` for a caller that only needs to know it succeeded, with the object already
    /// encoded as JSON: an implementation may send `body` as it is and skip decoding what the
    /// server returned (the default decodes both).
    func createIgnoringResponse(_ resource: GroupVersionResource, namespace: String?, json body: [UInt8],
                                options: WriteOptions) async throws(APIError)

    /// POST to a subresource of an existing object: `binding` and `eviction` of pods.
    func createSubresource(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String,
                           _ body: Value, options: WriteOptions) async throws(APIError) -> Value

    /// PUT the whole object (or a subresource: `status`, `scale`). Guarded by the object's
    /// `metadata.resourceVersion` when it has one (409 Conflict when stale).
    func update(_ resource: GroupVersionResource, namespace: String?, _ object: Value, subresource: String?,
                options: WriteOptions) async throws(APIError) -> Value

    /// PATCH with the given body (JSON bytes; YAML or JSON for `.apply`).
    func patch(_ resource: GroupVersionResource, namespace: String?, name: String, type: PatchType, _ body: [UInt8],
               subresource: String?, options: PatchOptions) async throws(APIError) -> Value

    /// DELETE one object. Returns what the server returned: the object (still present while
    /// finalizers run, or as it was) or a `Status` of success.
    func delete(_ resource: GroupVersionResource, namespace: String?, name: String,
                options: DeleteOptions) async throws(APIError) -> Value

    /// DELETE every object matching the selectors.
    func deleteCollection(_ resource: GroupVersionResource, namespace: String?, listOptions: ListOptions,
                          options: DeleteOptions) async throws(APIError) -> Value

    /// The pod `log` subresource as a byte stream (follows when `options.follow`).
    func logs(namespace: String, pod: String, options: LogOptions) async throws(APIError) -> ByteStream

    /// Discovery: everything the server serves. Cached by implementations; `refresh` forces a
    /// new read (after a miss, or when CRDs changed).
    func discover(refresh: Bool) async throws(APIError) -> RESTMapper
}

// MARK: - Default arguments

extension Client {
    public func createIgnoringResponse(_ resource: GroupVersionResource, namespace: String?, json body: [UInt8],
                                       options: WriteOptions) async throws(APIError)
    {
        let object: Value
        do { object = try Value.parseJSON(body) } catch { throw .local(.request, "create: the body is not JSON: \(error)") }
        _ = try await create(resource, namespace: namespace, object, options: options)
    }

    public func createIgnoringResponse(_ resource: GroupVersionResource, namespace: String?, _ object: Value,
                                       options: WriteOptions) async throws(APIError)
    {
        try await createIgnoringResponse(resource, namespace: namespace, json: object.jsonBytes(), options: options)
    }

    public func get(_ resource: GroupVersionResource, namespace: String?, name: String) async throws(APIError) -> Value {
        try await get(resource, namespace: namespace, name: name, subresource: nil, options: GetOptions())
    }

    public func list(_ resource: GroupVersionResource, namespace: String?) async throws(APIError) -> ObjectList {
        try await list(resource, namespace: namespace, options: ListOptions())
    }

    /// Every page of a list, concatenated; the result carries the last page's resourceVersion.
    public func listAll(_ resource: GroupVersionResource, namespace: String?, options: ListOptions = ListOptions())
        async throws(APIError) -> ObjectList
    {
        var page = try await list(resource, namespace: namespace, options: options)
        var items = page.items
        var pages = 1
        while let token = page.continueToken {
            pages += 1
            if pages > 100_000 { throw .local(.decoding, "list of \(resource) did not end after 100000 pages") }
            var next = options
            next.continueToken = token
            next.resourceVersion = nil
            page = try await list(resource, namespace: namespace, options: next)
            items += page.items
        }
        page.items = items
        page.continueToken = nil
        return page
    }

    public func create(_ resource: GroupVersionResource, namespace: String?, _ object: Value) async throws(APIError) -> Value {
        try await create(resource, namespace: namespace, object, options: WriteOptions())
    }

    public func update(_ resource: GroupVersionResource, namespace: String?, _ object: Value) async throws(APIError) -> Value {
        try await update(resource, namespace: namespace, object, subresource: nil, options: WriteOptions())
    }

    /// PUT the `status` subresource: only `status` changes; spec edits are ignored by the server.
    public func updateStatus(_ resource: GroupVersionResource, namespace: String?, _ object: Value,
                             options: WriteOptions = WriteOptions()) async throws(APIError) -> Value
    {
        try await update(resource, namespace: namespace, object, subresource: "status", options: options)
    }

    /// PATCH with a `Value` body (encoded as JSON).
    public func patch(_ resource: GroupVersionResource, namespace: String?, name: String, type: PatchType, _ body: Value,
                      subresource: String? = nil, options: PatchOptions = PatchOptions()) async throws(APIError) -> Value
    {
        try await patch(resource, namespace: namespace, name: name, type: type, body.jsonBytes(),
                        subresource: subresource, options: options)
    }

    public func delete(_ resource: GroupVersionResource, namespace: String?, name: String) async throws(APIError) -> Value {
        try await delete(resource, namespace: namespace, name: name, options: DeleteOptions())
    }

    /// The whole log as text (not following).
    public func logText(namespace: String, pod: String, options: LogOptions = LogOptions()) async throws(APIError) -> String {
        let stream = try await logs(namespace: namespace, pod: pod, options: options)
        do {
            return String(decoding: try await stream.collect(), as: UTF8.self)
        } catch let error as APIError {
            throw error
        } catch {
            throw .local(.transport, "\(error)")
        }
    }

    public func discover() async throws(APIError) -> RESTMapper { try await discover(refresh: false) }
}

// MARK: - REST mapping and GVK addressing

extension Client {
    /// The resource serving `gvk`; rereads discovery once on a miss (a CRD may be new).
    /// Unknown kinds throw a NotFound-like `APIError` with kubectl's wording.
    public func mapping(for gvk: GroupVersionKind) async throws(APIError) -> ResourceInfo {
        if let hit = try await discover(refresh: false).mapping(for: gvk) { return hit }
        if let hit = try await discover(refresh: true).mapping(for: gvk) { return hit }
        throw APIError(origin: .request, status: Status(
            code: 404, reason: "NotFound",
            message: "no matches for kind \"\(gvk.kind)\" in version \"\(gvk.apiVersion)\""))
    }

    /// The resources a type name resolves to (`deploy`, `deployments.apps`); rereads discovery
    /// once on a miss, as kubectl does.
    public func resolve(_ name: String) async throws(APIError) -> ResourceInfo {
        if let hit = try await discover(refresh: false).resolve(name).first { return hit }
        if let hit = try await discover(refresh: true).resolve(name).first { return hit }
        throw APIError(origin: .request, status: Status(
            code: 404, reason: "NotFound", message: "the server doesn't have a resource type \"\(name)\""))
    }

    /// The namespace to address `object` in: its own, else `defaultNamespace`, nil when cluster-scoped.
    func namespace(of object: Value, info: ResourceInfo, defaultNamespace: String?) -> String? {
        guard info.namespaced else { return nil }
        if let ns = object.namespace, !ns.isEmpty { return ns }
        return defaultNamespace ?? "default"
    }

    /// GET by kind.
    public func get(kind gvk: GroupVersionKind, namespace: String?, name: String) async throws(APIError) -> Value {
        let info = try await mapping(for: gvk)
        return try await get(info.gvr, namespace: info.namespaced ? namespace : nil, name: name,
                             subresource: nil, options: GetOptions())
    }

    /// Creates a self-describing object (its `apiVersion`/`kind` pick the resource).
    public func create(_ object: Value, namespace: String? = nil, options: WriteOptions = WriteOptions())
        async throws(APIError) -> Value
    {
        let (info, ns) = try await address(object, namespace: namespace)
        return try await create(info.gvr, namespace: ns, object, options: options)
    }

    /// Replaces a self-describing object.
    public func update(_ object: Value, namespace: String? = nil, options: WriteOptions = WriteOptions())
        async throws(APIError) -> Value
    {
        let (info, ns) = try await address(object, namespace: namespace)
        return try await update(info.gvr, namespace: ns, object, subresource: nil, options: options)
    }

    /// Deletes the object a manifest names.
    public func delete(_ object: Value, namespace: String? = nil, options: DeleteOptions = DeleteOptions())
        async throws(APIError) -> Value
    {
        let (info, ns) = try await address(object, namespace: namespace)
        guard let name = object.name, !name.isEmpty else { throw .local(.request, "object has no metadata.name") }
        return try await delete(info.gvr, namespace: ns, name: name, options: options)
    }

    /// Server-side apply of a self-describing object.
    public func apply(_ object: Value, namespace: String? = nil, fieldManager: String, force: Bool = false,
                      dryRun: Bool = false) async throws(APIError) -> Value
    {
        let (info, ns) = try await address(object, namespace: namespace)
        guard let name = object.name, !name.isEmpty else { throw .local(.request, "object has no metadata.name") }
        return try await patch(info.gvr, namespace: ns, name: name, type: .apply, object.jsonBytes(), subresource: nil,
                               options: PatchOptions(dryRun: dryRun, fieldManager: fieldManager, force: force))
    }

    private func address(_ object: Value, namespace: String?) async throws(APIError) -> (ResourceInfo, String?) {
        guard let gvk = object.gvk else { throw .local(.request, "object has no apiVersion/kind") }
        let info = try await mapping(for: gvk)
        return (info, self.namespace(of: object, info: info, defaultNamespace: namespace))
    }
}

// MARK: - Subresources

extension Client {
    /// The `autoscaling/v1 Scale` of a scalable resource.
    public func getScale(_ resource: GroupVersionResource, namespace: String?, name: String) async throws(APIError) -> Value {
        try await get(resource, namespace: namespace, name: name, subresource: "scale", options: GetOptions())
    }

    /// Sets `spec.replicas` through the `scale` subresource (a merge patch, as `kubectl scale`).
    public func scale(_ resource: GroupVersionResource, namespace: String?, name: String, replicas: Int)
        async throws(APIError) -> Value
    {
        try await patch(resource, namespace: namespace, name: name, type: .merge,
                        ["spec": ["replicas": .int(Int64(replicas))]], subresource: "scale")
    }

    /// Binds a pod to a node (what a scheduler does): POST `pods/NAME/binding`.
    public func bind(namespace: String, pod: String, node: String, podUID: String? = nil) async throws(APIError) -> Value {
        var metadata: Value = ["name": .string(pod), "namespace": .string(namespace)]
        if let podUID { metadata["uid"] = .string(podUID) }
        let binding: Value = ["kind": "Binding", "apiVersion": "v1", "metadata": metadata,
                              "target": ["kind": "Node", "apiVersion": "v1", "name": .string(node)]]
        return try await createSubresource(.pods, namespace: namespace, name: pod, subresource: "binding", binding,
                                           options: WriteOptions())
    }

    /// Evicts a pod, honouring disruption budgets: POST `pods/NAME/eviction`.
    public func evict(namespace: String, pod: String, deleteOptions: DeleteOptions? = nil) async throws(APIError) -> Value {
        var eviction: Value = ["kind": "Eviction", "apiVersion": "policy/v1",
                               "metadata": ["name": .string(pod), "namespace": .string(namespace)]]
        if let deleteOptions { eviction["deleteOptions"] = deleteOptions.value }
        return try await createSubresource(.pods, namespace: namespace, name: pod, subresource: "eviction", eviction,
                                           options: WriteOptions())
    }
}

extension GroupVersionResource {
    public static let pods = GroupVersionResource(group: "", version: "v1", resource: "pods")
    public static let nodes = GroupVersionResource(group: "", version: "v1", resource: "nodes")
    public static let namespaces = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
    public static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    public static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    public static let secrets = GroupVersionResource(group: "", version: "v1", resource: "secrets")
    public static let events = GroupVersionResource(group: "", version: "v1", resource: "events")
    public static let endpoints = GroupVersionResource(group: "", version: "v1", resource: "endpoints")
    public static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")
    public static let replicaSets = GroupVersionResource(group: "apps", version: "v1", resource: "replicasets")
    public static let statefulSets = GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets")
    public static let daemonSets = GroupVersionResource(group: "apps", version: "v1", resource: "daemonsets")
    public static let jobs = GroupVersionResource(group: "batch", version: "v1", resource: "jobs")
    public static let leases = GroupVersionResource(group: "coordination.k8s.io", version: "v1", resource: "leases")
}
