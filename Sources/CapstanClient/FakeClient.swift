import CapstanAPI
import CapstanModel

/// An in-memory `Client` for unit tests of code written against the protocol (controllers,
/// the apply engine, informers).
///
/// It keeps objects per resource with one cluster-wide resource version counter, and honours
/// what such code depends on: `generateName`, `uid`, `creationTimestamp`, `generation` (bumped
/// when `spec` changes), optimistic concurrency (409 on a stale `resourceVersion`),
/// AlreadyExists/NotFound, the status subresource (spec and status updated separately),
/// finalizers (delete sets `deletionTimestamp`; the object goes when its finalizers are
/// removed), delete preconditions, label/field selectors, paging, and watches resumed from a
/// resource version with 410 `Expired` once `compact()` has dropped that history.
///
/// Not a server: no defaulting, validation or admission. Strategic merge and apply patches are
/// applied as JSON merge patches (no merge keys: lists are replaced); JSON Patch supports
/// `add`, `replace`, `remove` and `test` on object paths and array indices.
///
/// Tests can inject failures (`failNext`) and read the calls made (`actions`).
/// An actor: all state is isolated to it.
public actor FakeClient: Client {
    /// One recorded call: verb (`get`, `list`, `watch`, `create`, `update`, `patch`, `delete`,
    /// `deletecollection`, `logs`), resource, namespace, name and subresource.
    public struct Action: Sendable, Hashable, CustomStringConvertible {
        public var verb: String
        public var resource: GroupVersionResource
        public var namespace: String?
        public var name: String?
        public var subresource: String?

        public var description: String {
            var s = "\(verb) \(resource.groupResource)"
            if let namespace { s += " \(namespace)/" } else { s += " " }
            s += name ?? ""
            if let subresource { s += "/\(subresource)" }
            return s
        }
    }

    struct Watcher {
        var resource: GroupVersionResource
        var namespace: String?
        var options: WatchOptions
        var continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    }

    struct HistoryEntry {
        var revision: Int64
        var resource: GroupVersionResource
        var type: WatchEventType
        var object: Value
        var previous: Value?
    }

    public private(set) var mapper: RESTMapper
    /// Objects by resource, then `namespace/name` (or `name`); read in key order (`inKeyOrder`).
    var objects: [GroupVersionResource: [String: Value]] = [:]
    var revision: Int64 = 0
    /// Events after `compactedRevision`, for watches resumed from a version.
    var history: [HistoryEntry] = []
    var compactedRevision: Int64 = 0
    var watchers: [Int: Watcher] = [:]
    var nextWatcher = 0
    var uidCounter = 0
    var injected: [(verb: String, resource: GroupVersionResource?, error: APIError)] = []
    var logsByPod: [String: String] = [:]
    var deliveryPaused = false
    /// Every call made, in order.
    public internal(set) var actions: [Action] = []

    public init(mapper: RESTMapper = .builtin) {
        self.mapper = mapper
    }

    /// Stores self-describing objects as `create` would (without recording actions); returns them as stored.
    @discardableResult
    public func seed(_ objects: [Value]) throws(APIError) -> [Value] {
        var stored: [Value] = []
        for object in objects {
            guard let gvk = object.gvk, let info = mapper.mapping(for: gvk) else {
                throw .local(.request, "no resource serves \(object.gvk?.description ?? "an object without apiVersion/kind")")
            }
            stored.append(try storeNew(info, namespace: object.namespace, object))
        }
        return stored
    }

    // MARK: - Test controls

    /// The next call of `verb` (on `resource`, when given) fails with `error`.
    public func failNext(_ verb: String, resource: GroupVersionResource? = nil, with error: APIError) {
        injected.append((verb, resource, error))
    }

    /// Drops watch history up to now: watches from an older version get 410 Expired.
    public func compact() {
        compactedRevision = revision
        history.removeAll()
    }

    /// Stops (or resumes) delivering events to open watches: a lagging watch. Events still
    /// enter the history, so a watch resumed from an older version replays them.
    public func setWatchDelivery(paused: Bool) { deliveryPaused = paused }

    /// Compacts, then ends every open watch with an in-band 410 `Expired` ERROR event: what a
    /// server does when a watcher fell too far behind.
    public func expireWatches() {
        compact()
        for w in watchers.values {
            w.continuation.yield(WatchEvent(type: .error, object: Status(
                code: 410, reason: "Expired", message: "too old resource version").value))
            w.continuation.finish()
        }
        watchers.removeAll()
    }

    /// Ends every open watch (as a server timeout would).
    public func closeWatches() {
        for w in watchers.values { w.continuation.finish() }
        watchers.removeAll()
    }

    /// Sends a bookmark at the current revision to watches that allow bookmarks.
    public func sendBookmarks() {
        for w in watchers.values where w.options.allowWatchBookmarks {
            let kind = mapper.kind(for: w.resource)
            w.continuation.yield(WatchEvent(type: .bookmark, object: [
                "kind": .string(kind?.kind ?? ""), "apiVersion": .string(kind?.apiVersion ?? ""),
                "metadata": ["resourceVersion": .string(String(revision))],
            ]))
        }
    }

    public func setLogs(namespace: String, pod: String, _ text: String) { logsByPod["\(namespace)/\(pod)"] = text }

    /// Adds resources (a CRD's) to what discovery reports.
    public func addResources(_ infos: [ResourceInfo]) {
        var groups = mapper.groups
        for info in infos where !groups.contains(where: { $0.name == info.gvk.group }) {
            groups.append(APIGroupInfo(name: info.gvk.group, versions: [info.gvk.version]))
        }
        mapper = RESTMapper(groups: groups, resources: mapper.resources + infos)
    }

    public func clearActions() { actions.removeAll() }

    /// Number of open watches.
    public var watchCount: Int { watchers.count }

    /// The stored objects of a resource (any namespace), in key order.
    public func stored(_ resource: GroupVersionResource) -> [Value] { inKeyOrder(resource) }

    /// Objects of `resource` sorted by `namespace/name`, as etcd lists them: a stable order that
    /// makes `continue` offsets meaningful between pages.
    func inKeyOrder(_ resource: GroupVersionResource) -> [Value] {
        (objects[resource] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
    }

    public var currentResourceVersion: String { String(revision) }

    // MARK: - Client

    public func get(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String?,
                    options: GetOptions) throws(APIError) -> Value
    {
        try begin("get", resource, namespace, name, subresource)
        let info = try info(resource)
        guard let object = objects[resource]?[key(info, namespace, name)] else { throw notFound(resource, name) }
        if subresource == "scale" { return scaleObject(object, info: info) }
        return object
    }

    public func list(_ resource: GroupVersionResource, namespace: String?, options: ListOptions) throws(APIError) -> ObjectList {
        try begin("list", resource, namespace, nil, nil)
        let info = try info(resource)
        var items = inKeyOrder(resource).filter { matches($0, info: info, namespace: namespace,
                                                                      label: options.labelSelector, field: options.fieldSelector) }
        var token: String?
        let start = options.continueToken.flatMap { Int($0) } ?? 0
        if start > 0 { items = Array(items.dropFirst(start)) }
        if let limit = options.limit, limit > 0, items.count > limit {
            items = Array(items.prefix(limit))
            token = String(start + limit)
        }
        return ObjectList(kind: info.gvk.kind + "List", apiVersion: info.gvk.apiVersion, items: items,
                          resourceVersion: String(revision), continueToken: token)
    }

    public func watch(_ resource: GroupVersionResource, namespace: String?, options: WatchOptions) throws(APIError) -> WatchStream {
        try begin("watch", resource, namespace, nil, nil)
        let info = try info(resource)
        let id = nextWatcher
        nextWatcher += 1
        let (stream, continuation) = WatchStream.makeStream(onStop: { [weak self] in
            Task { await self?.removeWatcher(id) }
        })
        let rv = options.resourceVersion.flatMap { Int64($0) } ?? 0
        let filter = { (o: Value) in
            self.matches(o, info: info, namespace: namespace, label: options.labelSelector, field: options.fieldSelector)
        }
        if rv == 0 {
            for object in inKeyOrder(resource) where filter(object) {
                continuation.yield(WatchEvent(type: .added, object: object))
            }
            if options.sendInitialEvents == true {
                continuation.yield(WatchEvent(type: .bookmark, object: [
                    "kind": .string(info.gvk.kind), "apiVersion": .string(info.gvk.apiVersion),
                    "metadata": ["resourceVersion": .string(String(revision)),
                                 "annotations": ["k8s.io/initial-events-end": "true"]],
                ]))
            }
        } else if rv < compactedRevision {
            continuation.yield(WatchEvent(type: .error, object: Status(
                code: 410, reason: "Expired",
                message: "too old resource version: \(rv) (\(compactedRevision))").value))
            continuation.finish()
            return stream
        } else {
            for entry in history where entry.revision > rv && entry.resource == resource {
                if let event = Self.event(for: entry.type, object: entry.object, previous: entry.previous, filter: filter) {
                    continuation.yield(event)
                }
            }
        }
        watchers[id] = Watcher(resource: resource, namespace: namespace, options: options, continuation: continuation)
        return stream
    }

    public func create(_ resource: GroupVersionResource, namespace: String?, _ object: Value,
                       options: WriteOptions) throws(APIError) -> Value
    {
        try begin("create", resource, namespace, object.name, nil)
        let info = try info(resource)
        if options.dryRun { return object }
        return try storeNew(info, namespace: namespace, object)
    }

    public func createSubresource(_ resource: GroupVersionResource, namespace: String?, name: String, subresource: String,
                                  _ body: Value, options: WriteOptions) throws(APIError) -> Value
    {
        try begin("create", resource, namespace, name, subresource)
        let info = try info(resource)
        let k = key(info, namespace, name)
        guard var object = objects[resource]?[k] else { throw notFound(resource, name) }
        switch (resource, subresource) {
        case (.pods, "binding"):
            if let node = object["spec"]["nodeName"].stringValue, !node.isEmpty {
                throw .server(409, "Conflict", "pod \(name) is already assigned to node \"\(node)\"")
            }
            object[path: ["spec", "nodeName"]] = body["target"]["name"]
            if !options.dryRun { _ = commit(info, k, object, type: .modified, previous: objects[resource]?[k]) }
            return Status(code: 201, reason: "", message: "").value.settingSuccess()
        case (.pods, "eviction"):
            if !options.dryRun { _ = try delete(resource, namespace: namespace, name: name, options: DeleteOptions()) }
            return Status(code: 201, reason: "", message: "").value.settingSuccess()
        default:
            throw .server(404, "NotFound", "the server could not find the requested resource")
        }
    }

    public func update(_ resource: GroupVersionResource, namespace: String?, _ object: Value, subresource: String?,
                       options: WriteOptions) throws(APIError) -> Value
    {
        try begin("update", resource, namespace, object.name, subresource)
        let info = try info(resource)
        guard let name = object.name else { throw APIError.server(422, "Invalid", "metadata.name: Required value") }
        let k = key(info, namespace, name)
        guard let old = objects[resource]?[k] else { throw notFound(resource, name) }
        if let rv = object.resourceVersion, !rv.isEmpty, rv != old.resourceVersion {
            throw conflict(resource, name)
        }
        let new = merged(old: old, new: object, info: info, subresource: subresource)
        if options.dryRun { return new }
        return commit(info, k, new, type: .modified, previous: old)
    }

    public func patch(_ resource: GroupVersionResource, namespace: String?, name: String, type: PatchType, _ body: [UInt8],
                      subresource: String?, options: PatchOptions) throws(APIError) -> Value
    {
        try begin("patch", resource, namespace, name, subresource)
        let info = try info(resource)
        let k = key(info, namespace, name)
        let patch: Value
        do { patch = try Value.parseJSON(body) } catch {
            throw .server(400, "BadRequest", "invalid patch body: \(error)")
        }
        guard let old = objects[resource]?[k] else {
            if type == .apply {
                var object = patch
                object.namespace = info.namespaced ? namespace : nil
                return try create(resource, namespace: namespace, object, options: WriteOptions(dryRun: options.dryRun))
            }
            throw notFound(resource, name)
        }
        var patched: Value
        switch type {
        case .merge, .strategicMerge, .apply:
            patched = FakeClient.mergePatch(old, patch)
        case .json:
            patched = try FakeClient.jsonPatch(old, patch)
        }
        if let rv = patch["metadata"]["resourceVersion"].stringValue, rv != old.resourceVersion {
            throw conflict(resource, name)
        }
        patched[path: ["metadata", "resourceVersion"]] = old["metadata"]["resourceVersion"]
        if subresource == "scale" {
            var scaled = old
            scaled[path: ["spec", "replicas"]] = patched["spec"]["replicas"]
            patched = scaled
        }
        let new = merged(old: old, new: patched, info: info, subresource: subresource == "scale" ? nil : subresource)
        if options.dryRun { return new }
        let stored = commit(info, k, new, type: .modified, previous: old)
        return subresource == "scale" ? scaleObject(stored, info: info) : stored
    }

    public func delete(_ resource: GroupVersionResource, namespace: String?, name: String,
                       options: DeleteOptions) throws(APIError) -> Value
    {
        try begin("delete", resource, namespace, name, nil)
        let info = try info(resource)
        let k = key(info, namespace, name)
        guard var object = objects[resource]?[k] else { throw notFound(resource, name) }
        if let p = options.preconditions {
            if let uid = p.uid, uid != object.uid {
                throw .server(409, "Conflict", "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.uid ?? "")")
            }
            if let rv = p.resourceVersion, rv != object.resourceVersion {
                throw .server(409, "Conflict", "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(object.resourceVersion ?? "")")
            }
        }
        if options.dryRun { return object }
        var finalizers = object["metadata"]["finalizers"].arrayValue ?? []
        if options.propagationPolicy == .foreground, !finalizers.contains("foregroundDeletion") {
            finalizers.append("foregroundDeletion")
            object[path: ["metadata", "finalizers"]] = .array(finalizers)
        }
        if !finalizers.isEmpty {
            if object["metadata"]["deletionTimestamp"].isNull {
                object[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.now().rfc3339)
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
                return commit(info, k, object, type: .modified, previous: objects[resource]?[k])
            }
            return object
        }
        return remove(info, k)
    }

    public func deleteCollection(_ resource: GroupVersionResource, namespace: String?, listOptions: ListOptions,
                                 options: DeleteOptions) throws(APIError) -> Value
    {
        let page = try list(resource, namespace: namespace, options: listOptions)
        try begin("deletecollection", resource, namespace, nil, nil)
        var deleted: [Value] = []
        for item in page.items {
            guard let name = item.name else { continue }
            deleted.append(try delete(resource, namespace: item.namespace, name: name, options: options))
        }
        var result = page
        result.items = deleted
        return result.value
    }

    public func logs(namespace: String, pod: String, options: LogOptions) throws(APIError) -> ByteStream {
        try begin("logs", .pods, namespace, pod, "log")
        guard objects[.pods]?["\(namespace)/\(pod)"] != nil else { throw notFound(.pods, pod) }
        var text = logsByPod["\(namespace)/\(pod)"] ?? ""
        if let tail = options.tailLines {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let body = lines.last == "" ? lines.dropLast() : lines[...]
            text = body.suffix(max(0, tail)).map { $0 + "\n" }.joined()
        }
        let bytes = Array(text.utf8)
        let chunks = AsyncThrowingStream<[UInt8], any Error> { c in
            c.yield(bytes)
            c.finish()
        }
        return ByteStream(chunks: chunks)
    }

    public func discover(refresh: Bool) throws(APIError) -> RESTMapper {
        mapper
    }
}

extension Value {
    /// A success `Status` (`status: Success`).
    func settingSuccess() -> Value {
        var v = self
        v["status"] = "Success"
        return v
    }
}
