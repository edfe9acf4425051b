import Synchronization

/// An in-memory `Store` with the same semantics as `SQLiteStore`, for tests and throwaway
/// clusters. Nothing survives the process.
///
/// Concurrency: all state sits in one `Mutex`; every operation is a short critical section,
/// and events are published to the watch hub inside it, so watchers see revision order.
public final class MemoryStore: Store {
    private struct State {
        var current: [String: KeyValue] = [:]
        /// Every event after `compacted`, in revision order.
        var history: [WatchEvent] = []
        var revision: Int64 = 1
        var compacted: Int64 = 0
        var scheduler: CompactionScheduler
        var closed = false
    }

    private let state: Mutex<State>
    private let hub: WatchHub

    /// - Parameters:
    ///   - compaction: when history is compacted automatically.
    ///   - watchBufferLimit: live events a watcher may lag behind before it is ended.
    public init(compaction: CompactionPolicy = .kubernetesDefault, watchBufferLimit: Int = 10_000) {
        self.state = Mutex(State(scheduler: CompactionScheduler(policy: compaction)))
        self.hub = WatchHub(revision: 1, bufferLimit: watchBufferLimit)
    }

    public var currentRevision: Int64 { state.withLock { $0.revision } }
    public var compactedRevision: Int64 { state.withLock { $0.compacted } }
    /// Number of registered watchers.
    public var watcherCount: Int { hub.watcherCount }

    public func get(_ key: String) async throws(StoreError) -> KeyValue? {
        let result: Result<KeyValue?, StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            return .success(state.current[key])
        }
        return try result.get()
    }

    public func list(prefix: String, atRevision: Int64?, limit: Int?, continueAfterKey: String?)
        async throws(StoreError) -> ListResult
    {
        if let limit, limit < 0 { throw .invalidArgument("limit \(limit) is negative") }
        if let atRevision, atRevision < 0 { throw .invalidArgument("atRevision \(atRevision) is negative") }
        let result: Result<ListResult, StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            let revision = atRevision ?? state.revision
            if revision > state.revision {
                return .failure(.futureRevision(requested: revision, currentRevision: state.revision))
            }
            if revision < state.compacted {
                return .failure(.compacted(requested: revision, compactedRevision: state.compacted))
            }
            var matching: [String: KeyValue] = [:]
            for (key, kv) in state.current where key.utf8.starts(with: prefix.utf8) {
                matching[key] = kv
            }
            // Undo the changes after `revision`, newest first.
            var index = state.history.count - 1
            while index >= 0, state.history[index].revision > revision {
                let event = state.history[index]
                if event.key.utf8.starts(with: prefix.utf8) {
                    matching[event.key] = event.previous
                }
                index -= 1
            }
            var items = matching.values.filter { kv in
                continueAfterKey.map { $0.storeKeyPrecedes(kv.key) } ?? true
            }
            items.sort { $0.key.storeKeyPrecedes($1.key) }
            var more = false
            if let limit, items.count > limit {
                items.removeLast(items.count - limit)
                more = true
            }
            return .success(ListResult(items: items, revision: revision, more: more))
        }
        return try result.get()
    }

    public func create(_ key: String, value: [UInt8]) async throws(StoreError) -> KeyValue {
        try KeyCheck.validate(key)
        return try write { state throws(StoreError) in
            if state.current[key] != nil { throw .alreadyExists(key: key) }
            let revision = state.revision + 1
            let kv = KeyValue(key: key, value: value, createRevision: revision, modRevision: revision, version: 1)
            return (kv, .added(kv))
        }
    }

    public func update(_ key: String, value: [UInt8], expectedModRevision: Int64?) async throws(StoreError) -> KeyValue {
        try KeyCheck.validate(key)
        return try write { state throws(StoreError) in
            guard let old = state.current[key] else { throw .notFound(key: key) }
            if let expected = expectedModRevision, expected != old.modRevision {
                throw .conflict(expected: expected, current: old)
            }
            let revision = state.revision + 1
            let kv = KeyValue(key: key, value: value, createRevision: old.createRevision,
                              modRevision: revision, version: old.version + 1)
            return (kv, .modified(kv, previous: old))
        }
    }

    public func delete(_ key: String, expectedModRevision: Int64?) async throws(StoreError) -> DeleteResult {
        try KeyCheck.validate(key)
        return try write { state throws(StoreError) in
            guard let old = state.current[key] else { throw .notFound(key: key) }
            if let expected = expectedModRevision, expected != old.modRevision {
                throw .conflict(expected: expected, current: old)
            }
            let revision = state.revision + 1
            return (DeleteResult(deleted: old, revision: revision), .deleted(old, at: revision))
        }
    }

    public func watch(prefix: String, fromRevision: Int64) async throws(StoreError) -> WatchStream {
        if fromRevision < 0 { throw .invalidArgument("fromRevision \(fromRevision) is negative") }
        // Check and register under the store lock, so no compaction slips in between.
        let registered: Result<(WatcherCore, Int64), StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            if fromRevision < state.compacted {
                return .failure(.compacted(requested: fromRevision, compactedRevision: state.compacted))
            }
            do throws(StoreError) {
                let registration = try hub.register(prefix: prefix, fromRevision: fromRevision)
                return .success((registration.0, registration.replayUpTo))
            } catch {
                return .failure(error)
            }
        }
        let (core, upTo) = try registered.get()
        let handle = WatchHandle(core: core, replayUpTo: upTo) { [weak self] prefix, after, upTo, limit throws(StoreError) in
            guard let self else { throw StoreError.closed }
            return try self.history(prefix: prefix, after: after, upTo: upTo, limit: limit)
        }
        return WatchStream(handle: handle)
    }

    public func requestProgress() async {
        // Under the store lock, like `publish`, so the bookmark's revision is final.
        state.withLock { _ in hub.publishProgress() }
    }

    public func compact(keepingRevisionsAfter revision: Int64) async throws(StoreError) {
        let result: Result<Void, StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            if revision > state.revision {
                return .failure(.futureRevision(requested: revision, currentRevision: state.revision))
            }
            Self.compact(&state, to: revision)
            return .success(())
        }
        try result.get()
    }

    public func close() async {
        state.withLock { $0.closed = true }
        hub.close()
    }

    deinit {
        hub.close()
    }

    // MARK: - Internals

    private func history(prefix: String, after: Int64, upTo: Int64, limit: Int) throws(StoreError) -> [WatchEvent] {
        let result: Result<[WatchEvent], StoreError> = state.withLock { state in
            if after < state.compacted {
                return .failure(.compacted(requested: after, compactedRevision: state.compacted))
            }
            // Binary search for the first event after `after`.
            var low = 0
            var high = state.history.count
            while low < high {
                let mid = (low + high) / 2
                if state.history[mid].revision <= after { low = mid + 1 } else { high = mid }
            }
            var events: [WatchEvent] = []
            var index = low
            while index < state.history.count, events.count < limit {
                let event = state.history[index]
                if event.revision > upTo { break }
                if event.key.utf8.starts(with: prefix.utf8) { events.append(event) }
                index += 1
            }
            return .success(events)
        }
        return try result.get()
    }

    /// Runs one write under the lock: `body` checks preconditions and returns the result and
    /// the event for revision `state.revision + 1`, which is then applied and published.
    private func write<R: Sendable>(_ body: (inout State) throws(StoreError) -> (R, WatchEvent)) throws(StoreError) -> R {
        let result: Result<R, StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            do throws(StoreError) {
                let (value, event) = try body(&state)
                state.revision = event.revision
                state.current[event.key] = event.current
                state.history.append(event)
                hub.publish([event])
                if let target = state.scheduler.afterCommit(
                    now: .now, currentRevision: state.revision, compactedRevision: state.compacted)
                {
                    Self.compact(&state, to: target)
                }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func compact(_ state: inout State, to revision: Int64) {
        guard revision > state.compacted else { return }
        let keepFrom = state.history.firstIndex { $0.revision > revision } ?? state.history.count
        state.history.removeFirst(keepFrom)
        state.compacted = revision
    }
}
