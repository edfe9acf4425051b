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

    private struct Watcher {
        var resource: GroupVersionResource
        var namespace: String?
        var options: WatchOptions
        var continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    }

    private struct HistoryEntry {
        var revision: Int64
        var resource: GroupVersionResource
        var type: WatchEventType
        var object: Value
        var previous: Value?
    }

    public private(set) var mapper: RESTMapper
    /// Objects by resource, then `namespace/name` (or `name`), in creation order.
    private var objects: [GroupVersionResource: [String: Value]] = [:]
    private var revision: Int64 = 0
    /// Events after `compactedRevision`, for watches resumed from a version.
    private var history: [HistoryEntry] = []
    private var compactedRevision: Int64 = 0
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcher = 0
    private var uidCounter = 0
    private var injected: [(verb: String, resource: GroupVersionResource?, error: APIError)] = []
    private var logsByPod: [String: String] = [:]
    private var deliveryPaused = false
    /// Every call made, in order.
    public private(set) var actions: [Action] = []

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

    /// The stored objects of a resource (any namespace), in creation order.
    public func stored(_ resource: GroupVersionResource) -> [Value] { Array((objects[resource] ?? [:]).values) }

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
        var items = (objects[resource] ?? [:]).values.filter { matches($0, info: info, namespace: namespace,
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
            for object in (objects[resource] ?? [:]).values where filter(object) {
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

    // MARK: - Internals

    private func begin(_ verb: String, _ resource: GroupVersionResource, _ namespace: String?, _ name: String?,
                       _ subresource: String?) throws(APIError)
    {
        actions.append(Action(verb: verb, resource: resource, namespace: namespace, name: name, subresource: subresource))
        if let i = injected.firstIndex(where: { $0.verb == verb && ($0.resource == nil || $0.resource == resource) }) {
            let error = injected.remove(at: i).error
            throw error
        }
    }

    private func info(_ resource: GroupVersionResource) throws(APIError) -> ResourceInfo {
        guard let info = mapper.resource(for: resource) else {
            throw .server(404, "NotFound", "the server could not find the requested resource")
        }
        return info
    }

    private func key(_ info: ResourceInfo, _ namespace: String?, _ name: String) -> String {
        info.namespaced ? "\(namespace ?? "")/\(name)" : name
    }

    private func notFound(_ resource: GroupVersionResource, _ name: String) -> APIError {
        .server(404, "NotFound", "\(resource.groupResource) \"\(name)\" not found",
                details: StatusDetails(name: name, group: resource.group, kind: resource.resource))
    }

    private func conflict(_ resource: GroupVersionResource, _ name: String) -> APIError {
        .server(409, "Conflict",
                "Operation cannot be fulfilled on \(resource.groupResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                details: StatusDetails(name: name, group: resource.group, kind: resource.resource))
    }

    private nonisolated func matches(_ object: Value, info: ResourceInfo, namespace: String?, label: LabelSelector?,
                                     field: FieldSelector?) -> Bool
    {
        if info.namespaced, let namespace, !namespace.isEmpty, object.namespace != namespace { return false }
        if let label, !label.matches(object: object) { return false }
        if let field, !field.matches(object: object, kind: info.gvk.groupKind) { return false }
        return true
    }

    private func storeNew(_ info: ResourceInfo, namespace: String?, _ input: Value) throws(APIError) -> Value {
        var object = input
        if object.apiVersion == nil { object["apiVersion"] = .string(info.gvk.apiVersion) }
        if object.kind == nil { object["kind"] = .string(info.gvk.kind) }
        if info.namespaced {
            let ns = namespace ?? object.namespace ?? "default"
            if let own = object.namespace, !own.isEmpty, own != ns {
                throw .server(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
            }
            object.namespace = ns
        } else {
            object.namespace = nil
        }
        uidCounter += 1
        if object.name == nil || object.name == "" {
            guard let prefix = object.generateName, !prefix.isEmpty else {
                throw .server(422, "Invalid", "metadata.name: Required value: name or generateName is required")
            }
            object[path: ["metadata", "name"]] = .string(prefix + FakeClient.suffix(uidCounter))
        }
        let name = object.name ?? ""
        let k = key(info, object.namespace, name)
        if objects[info.gvr]?[k] != nil {
            throw .server(409, "AlreadyExists", "\(info.gvr.groupResource) \"\(name)\" already exists",
                          details: StatusDetails(name: name, group: info.gvk.group, kind: info.gvr.resource))
        }
        object[path: ["metadata", "uid"]] = .string(FakeClient.uid(uidCounter))
        object[path: ["metadata", "creationTimestamp"]] = .string(Timestamp.now().rfc3339)
        if !object["spec"].isNull { object[path: ["metadata", "generation"]] = 1 }
        object[path: ["metadata", "resourceVersion"]] = .null
        return commit(info, k, object, type: .added, previous: nil)
    }

    /// The object an update stores: spec side or status side per the subresource.
    private func merged(old: Value, new: Value, info: ResourceInfo, subresource: String?) -> Value {
        let hasStatus = info.subresource("status") != nil
        var result: Value
        if subresource == "status" {
            result = old
            result["status"] = new["status"]
        } else {
            result = new
            if hasStatus { result["status"] = old["status"] }
            if result["status"].isNull { _ = result.removeValue(forKey: "status") }
            for field in ["uid", "creationTimestamp", "namespace", "deletionTimestamp"] {
                result[path: ["metadata", field]] = old["metadata"][field]
            }
            if old["spec"] != result["spec"] {
                result[path: ["metadata", "generation"]] = .int((old["metadata"]["generation"].intValue ?? 0) + 1)
            } else {
                result[path: ["metadata", "generation"]] = old["metadata"]["generation"]
            }
        }
        if result.kind == nil { result["kind"] = .string(info.gvk.kind) }
        if result.apiVersion == nil { result["apiVersion"] = .string(info.gvk.apiVersion) }
        // Finalizers all removed while deleting: the object goes.
        return result
    }

    @discardableResult
    private func commit(_ info: ResourceInfo, _ k: String, _ input: Value, type: WatchEventType, previous: Value?) -> Value {
        var object = input
        if type == .modified, !object["metadata"]["deletionTimestamp"].isNull,
           (object["metadata"]["finalizers"].arrayValue ?? []).isEmpty
        {
            objects[info.gvr]?[k] = object
            return remove(info, k)
        }
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        objects[info.gvr, default: [:]][k] = object
        record(info.gvr, type, object, previous: previous)
        return object
    }

    private func remove(_ info: ResourceInfo, _ k: String) -> Value {
        guard var object = objects[info.gvr]?.removeValue(forKey: k) else { return .null }
        revision += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
        record(info.gvr, .deleted, object, previous: object)
        return object
    }

    private func record(_ resource: GroupVersionResource, _ type: WatchEventType, _ object: Value, previous: Value?) {
        history.append(HistoryEntry(revision: revision, resource: resource, type: type, object: object, previous: previous))
        guard !deliveryPaused, let info = mapper.resource(for: resource) else { return }
        for w in watchers.values where w.resource == resource {
            let filter = { (o: Value) in
                self.matches(o, info: info, namespace: w.namespace, label: w.options.labelSelector, field: w.options.fieldSelector)
            }
            if let event = Self.event(for: type, object: object, previous: previous, filter: filter) {
                w.continuation.yield(event)
            }
        }
    }

    /// The event a filtered watch sees: an object entering the filter is ADDED, leaving it DELETED.
    private static func event(for type: WatchEventType, object: Value, previous: Value?,
                              filter: (Value) -> Bool) -> WatchEvent?
    {
        let now = filter(object)
        let before = previous.map(filter) ?? false
        switch type {
        case .added: return now ? WatchEvent(type: .added, object: object) : nil
        case .deleted: return before || now ? WatchEvent(type: .deleted, object: object) : nil
        case .modified:
            if now && before { return WatchEvent(type: .modified, object: object) }
            if now { return WatchEvent(type: .added, object: object) }
            if before { return WatchEvent(type: .deleted, object: object) }
            return nil
        default: return WatchEvent(type: type, object: object)
        }
    }

    private func removeWatcher(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    private func scaleObject(_ object: Value, info: ResourceInfo) -> Value {
        [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": object["metadata"]["name"], "namespace": object["metadata"]["namespace"],
                         "resourceVersion": object["metadata"]["resourceVersion"], "uid": object["metadata"]["uid"]],
            "spec": ["replicas": object["spec"]["replicas"].isNull ? 1 : object["spec"]["replicas"]],
            "status": ["replicas": object["status"]["replicas"].isNull ? 0 : object["status"]["replicas"]],
        ]
    }

    static func uid(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "00000000-0000-4000-8000-\(padded)"
    }

    static func suffix(_ n: Int) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var x = n &* 2_654_435_761 & 0x7fff_ffff
        var out = ""
        for _ in 0..<5 {
            out.append(alphabet[x % alphabet.count])
            x /= alphabet.count
        }
        return out
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
