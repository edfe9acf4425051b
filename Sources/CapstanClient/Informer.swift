import CapstanModel
import Synchronization

/// Callbacks of an informer. They run on the informer's task, one at a time and in event order,
/// so they must be quick: the usual body enqueues a key (`WorkQueue.add` is synchronous).
public struct EventHandler: Sendable {
    public var onAdd: @Sendable (Value) -> Void
    /// (old, new); a periodic resync delivers (cached, cached).
    public var onUpdate: @Sendable (Value, Value) -> Void
    /// The last known state of the deleted object.
    public var onDelete: @Sendable (Value) -> Void

    public init(onAdd: @escaping @Sendable (Value) -> Void = { _ in },
                onUpdate: @escaping @Sendable (Value, Value) -> Void = { _, _ in },
                onDelete: @escaping @Sendable (Value) -> Void = { _ in })
    {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }

    /// Enqueues the object's key on every event: what most controllers want.
    public static func enqueue(into queue: WorkQueue<String>) -> EventHandler {
        EventHandler(onAdd: { queue.add(Indexer.key(of: $0)) },
                     onUpdate: { _, new in queue.add(Indexer.key(of: new)) },
                     onDelete: { queue.add(Indexer.key(of: $0)) })
    }
}

/// A list-watch cache of one resource (optionally one namespace and selectors), shared by every
/// controller interested in it.
///
/// `run()` lists (all pages), replaces the cache, marks the informer synced, then watches from
/// the list's resourceVersion with bookmarks, applying each event to the cache before calling
/// handlers. A watch that ends normally is reopened from the last seen version; a 410
/// Gone/Expired (thrown or as an ERROR event) relists at once; other failures relist after a
/// back-off (capped at `maxRelistDelay`). Every `resyncPeriod` handlers get `onUpdate(o, o)` for
/// each cached object, so level-based controllers re-check everything.
///
/// Thread-safety: the cache is an `Indexer` (its own lock); handlers and run state sit behind a
/// `Mutex`. Handlers may be added before or after `run()` starts — a late handler first gets
/// `onAdd` for everything cached, as client-go does.
public final class SharedInformer: Sendable {
    public let client: any Client
    public let resource: GroupVersionResource
    public let namespace: String?
    public let labelSelector: LabelSelector?
    public let fieldSelector: FieldSelector?
    public let resyncPeriod: Duration?
    public let cache = Indexer()
    let maxRelistDelay: Duration
    let pageSize: Int

    private struct State {
        var handlers: [EventHandler] = []
        var synced = false
        var lastResourceVersion = ""
        var syncWaiters: [CheckedContinuation<Void, Never>] = []
        var task: Task<Void, Never>?
        var relists = 0
    }

    private let state = Mutex(State())

    public init(client: any Client, resource: GroupVersionResource, namespace: String? = nil,
                labelSelector: LabelSelector? = nil, fieldSelector: FieldSelector? = nil,
                resyncPeriod: Duration? = nil, maxRelistDelay: Duration = .seconds(30), pageSize: Int = 500)
    {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resyncPeriod = resyncPeriod
        self.maxRelistDelay = maxRelistDelay
        self.pageSize = pageSize
    }

    /// True once the first list has been loaded into the cache.
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// The resourceVersion of the last list, event or bookmark seen.
    public var lastResourceVersion: String { state.withLock { $0.lastResourceVersion } }

    /// How many times the informer has listed (1 after the first sync).
    public var listCount: Int { state.withLock { $0.relists } }

    public func addEventHandler(_ handler: EventHandler) {
        let replay = state.withLock { s -> Bool in
            s.handlers.append(handler)
            return s.synced
        }
        if replay { for object in cache.list() { handler.onAdd(object) } }
    }

    /// Starts `run()` on a task of its own (idempotent); `stop()` ends it.
    public func start() {
        state.withLock { s in
            guard s.task == nil else { return }
            s.task = Task { [self] in await self.run() }
        }
    }

    /// Cancels the running loop (open watches close); the cache keeps its contents.
    public func stop() {
        let task = state.withLock { s -> Task<Void, Never>? in
            let t = s.task
            s.task = nil
            return t
        }
        task?.cancel()
    }

    /// Returns once the cache has synced (immediately if it already has).
    public func waitForSync() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.synced { return true }
                s.syncWaiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }

    /// The list-watch loop; returns when the task is cancelled.
    public func run() async {
        let resync: Task<Void, Never>? = resyncPeriod.map { period in
            Task { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: period)
                    if Task.isCancelled { break }
                    if hasSynced { resyncAll() }
                }
            }
        }
        defer { resync?.cancel() }
        var failures = 0
        while !Task.isCancelled {
            do {
                try await listAndWatch()
                failures = 0
            } catch let error as APIError where error.isGone {
                failures = 0
                continue
            } catch {
                if Task.isCancelled { break }
                let delay = ExponentialBackoff(base: .milliseconds(100), cap: maxRelistDelay).delay(afterFailures: failures)
                failures += 1
                try? await Task.sleep(for: delay)
            }
        }
    }

    /// One list, then watches until a watch fails (throws) or the task is cancelled.
    func listAndWatch() async throws {
        let list = try await client.listAll(resource, namespace: namespace, options: ListOptions(
            labelSelector: labelSelector, fieldSelector: fieldSelector, limit: pageSize))
        let changes = cache.replace(list.items)
        let (handlers, waiters) = state.withLock { s -> ([EventHandler], [CheckedContinuation<Void, Never>]) in
            s.lastResourceVersion = list.resourceVersion
            s.relists += 1
            s.synced = true
            let w = s.syncWaiters
            s.syncWaiters.removeAll()
            return (s.handlers, w)
        }
        for h in handlers {
            for o in changes.added { h.onAdd(o) }
            for (old, new) in changes.updated where old != new { h.onUpdate(old, new) }
            for o in changes.removed { h.onDelete(o) }
        }
        for w in waiters { w.resume() }

        while !Task.isCancelled {
            let from = lastResourceVersion
            let stream = try await client.watch(resource, namespace: namespace, options: WatchOptions(
                labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: from,
                allowWatchBookmarks: true, timeoutSeconds: Int.random(in: 300...600)))
            defer { stream.stop() }
            for try await event in stream {
                try apply(event)
            }
        }
    }

    /// Applies one watch event to the cache and the handlers.
    func apply(_ event: WatchEvent) throws {
        if let error = event.error { throw error }
        let rv = event.resourceVersion
        switch event.type {
        case .added, .modified:
            let old = cache.upsert(event.object)
            let handlers = state.withLock { s -> [EventHandler] in
                if let rv { s.lastResourceVersion = rv }
                return s.handlers
            }
            for h in handlers {
                if let old { h.onUpdate(old, event.object) } else { h.onAdd(event.object) }
            }
        case .deleted:
            let old = cache.remove(event.object)
            let handlers = state.withLock { s -> [EventHandler] in
                if let rv { s.lastResourceVersion = rv }
                return s.handlers
            }
            for h in handlers { h.onDelete(old ?? event.object) }
        case .bookmark:
            state.withLock { s in if let rv { s.lastResourceVersion = rv } }
        case .error:
            break
        }
    }

    func resyncAll() {
        let handlers = state.withLock { $0.handlers }
        for object in cache.list() {
            for h in handlers { h.onUpdate(object, object) }
        }
    }
}

/// One `SharedInformer` per (resource, namespace): controllers that ask for the same resource get
/// the same informer, hence one list-watch and one cache. Protected by a `Mutex`.
public final class InformerFactory: Sendable {
    public let client: any Client
    public let defaultResync: Duration?
    private struct Key: Hashable { var resource: GroupVersionResource; var namespace: String? }
    private let informers = Mutex<[Key: SharedInformer]>([:])

    public init(client: any Client, defaultResync: Duration? = nil) {
        self.client = client
        self.defaultResync = defaultResync
    }

    public func informer(for resource: GroupVersionResource, namespace: String? = nil) -> SharedInformer {
        informers.withLock { map in
            let key = Key(resource: resource, namespace: namespace)
            if let existing = map[key] { return existing }
            let informer = SharedInformer(client: client, resource: resource, namespace: namespace, resyncPeriod: defaultResync)
            map[key] = informer
            return informer
        }
    }

    /// Starts every informer created so far.
    public func start() {
        for informer in informers.withLock({ Array($0.values) }) { informer.start() }
    }

    public func waitForCacheSync() async {
        for informer in informers.withLock({ Array($0.values) }) { await informer.waitForSync() }
    }

    public func shutdown() {
        for informer in informers.withLock({ Array($0.values) }) { informer.stop() }
    }
}
