import Synchronization

/// Reads history for a watcher's replay: events under `prefix` with a revision in
/// `(after, upTo]`, oldest first, at most `limit`. Must throw `.compacted` when `after` is
/// below the compacted revision of the snapshot it reads.
typealias ReplaySource = @Sendable (_ prefix: String, _ after: Int64, _ upTo: Int64, _ limit: Int)
    async throws(StoreError) -> [WatchEvent]

/// Fans committed events out to watchers.
///
/// Concurrency: all state sits in one `Mutex`. Stores call `publish` serially, in revision
/// order, after the events' transaction committed (the SQLite writer queue, or under the
/// `MemoryStore` lock). Registration takes the same lock and records the last published
/// revision `L`: the watcher then gets every later event live, and replays `(from, L]` from
/// history itself — so between replay and live there is neither a gap nor a duplicate.
/// Lock order: hub lock, then a watcher's lock; a watcher never takes the hub lock while
/// holding its own. No consumer is resumed under the hub lock: resuming a task's continuation
/// takes that task's status lock, and a task being cancelled holds its status lock while its
/// cancellation handler takes the hub lock to leave (a deadlock seen in CI: a bookmark
/// published while a watch request was cancelled).
final class WatchHub: Sendable {
    private struct State {
        var lastRevision: Int64
        var watchers: [UInt64: WatcherCore] = [:]
        var nextID: UInt64 = 0
        var closed = false
    }

    private let state: Mutex<State>
    /// Live events a watcher may have waiting before it is ended as too slow.
    let bufferLimit: Int

    init(revision: Int64, bufferLimit: Int) {
        self.state = Mutex(State(lastRevision: revision))
        self.bufferLimit = max(bufferLimit, 1)
    }

    var lastRevision: Int64 { state.withLock { $0.lastRevision } }
    var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Hands committed events (in revision order) to every matching watcher.
    func publish(_ events: [WatchEvent]) {
        guard !events.isEmpty else { return }
        let woken = state.withLock { state in
            defer { if let last = events.last { state.lastRevision = last.revision } }
            return Self.enqueue(events, in: &state) { event, watcher in event.key.utf8.starts(with: watcher.prefix.utf8) }
        }
        for waiter in woken { waiter.resume() }
    }

    /// Queues a bookmark at the last published revision to every watcher. Under the hub lock,
    /// so it is ordered after every event published before it.
    func publishProgress() {
        let woken = state.withLock { state in
            Self.enqueue([.bookmark(at: state.lastRevision)], in: &state) { _, _ in true }
        }
        for waiter in woken { waiter.resume() }
    }

    /// Queues on each watcher the events `matches` gives it, drops the watchers that ended, and
    /// returns the parked consumers, to be resumed once the hub lock is released.
    private static func enqueue(_ events: [WatchEvent], in state: inout State,
                                matches: (WatchEvent, WatcherCore) -> Bool) -> [CheckedContinuation<Void, Never>]
    {
        var ended: [UInt64] = []
        var woken: [CheckedContinuation<Void, Never>] = []
        for (id, watcher) in state.watchers {
            for event in events where matches(event, watcher) {
                let queued = watcher.enqueue(event)
                if let waiter = queued.waiter { woken.append(waiter) }
                if !queued.alive {
                    ended.append(id)
                    break
                }
            }
        }
        for id in ended { state.watchers[id] = nil }
        return woken
    }

    /// Registers a watcher for events after `fromRevision`; returns it with the revision up to
    /// which the caller must replay from history.
    func register(prefix: String, fromRevision: Int64) throws(StoreError) -> (WatcherCore, replayUpTo: Int64) {
        let result: Result<(WatcherCore, Int64), StoreError> = state.withLock { state in
            if state.closed { return .failure(.closed) }
            state.nextID += 1
            let id = state.nextID
            let watcher = WatcherCore(
                id: id, prefix: prefix, fromRevision: fromRevision, bufferLimit: bufferLimit,
                remove: { [weak self] id in self?.remove(id) })
            state.watchers[id] = watcher
            return .success((watcher, state.lastRevision))
        }
        return try result.get()
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.watchers.removeValue(forKey: id) }
    }

    /// Ends every watcher with `.closed` and refuses new ones.
    func close() {
        let watchers: [WatcherCore] = state.withLock { state in
            state.closed = true
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.end(.closed) }
    }
}

/// One watcher's queue of live events.
///
/// Concurrency: a `Mutex` guards the queue, the parked consumer continuation and the ending.
/// The hub delivers under its lock; the single consumer pops from its own task.
final class WatcherCore: Sendable {
    let id: UInt64
    let prefix: String
    let fromRevision: Int64
    let bufferLimit: Int
    private let removeFromHub: @Sendable (UInt64) -> Void

    private enum Ending {
        case finished
        case failed(StoreError)
    }

    private struct State {
        var queue: [WatchEvent] = []
        var head = 0
        var waiter: CheckedContinuation<Void, Never>?
        var ending: Ending?
        var pending: Int { queue.count - head }
    }

    private let state = Mutex(State())

    init(id: UInt64, prefix: String, fromRevision: Int64, bufferLimit: Int, remove: @escaping @Sendable (UInt64) -> Void) {
        self.id = id
        self.prefix = prefix
        self.fromRevision = fromRevision
        self.bufferLimit = bufferLimit
        self.removeFromHub = remove
    }

    /// Queues a live event: `alive` is false when the watcher has ended (the hub drops it);
    /// `waiter` is the parked consumer, for the caller to resume once it holds no lock.
    func enqueue(_ event: WatchEvent) -> (alive: Bool, waiter: CheckedContinuation<Void, Never>?) {
        guard event.revision > fromRevision else { return (true, nil) }
        let (alive, waiter): (Bool, CheckedContinuation<Void, Never>?) = state.withLock { state in
            if state.ending != nil { return (false, nil) }
            if state.pending >= bufferLimit {
                // Too far behind: drop what is queued (the client must relist anyway) and end.
                state.ending = .failed(.watcherTooSlow(prefix: prefix, bufferedEvents: state.pending))
                state.queue = []
                state.head = 0
            } else {
                state.queue.append(event)
            }
            let waiter = state.waiter
            state.waiter = nil
            return (state.ending == nil, waiter)
        }
        return (alive, waiter)
    }

    /// Ends the watcher: nil finishes normally, an error is thrown to the consumer after it
    /// drained what is queued (except for `.watcherTooSlow`, which drops the queue).
    func end(_ error: StoreError?) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            if state.ending == nil { state.ending = error.map { .failed($0) } ?? .finished }
            let waiter = state.waiter
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Ends normally and leaves the hub (consumer cancelled or dropped the stream).
    func cancel() {
        end(nil)
        removeFromHub(id)
    }

    private enum Step {
        case event(WatchEvent)
        case finished
        case failed(StoreError)
        case wait
    }

    private func step() -> Step {
        state.withLock { state in
            if state.head < state.queue.count {
                let event = state.queue[state.head]
                state.head += 1
                if state.head == state.queue.count {
                    state.queue.removeAll(keepingCapacity: true)
                    state.head = 0
                } else if state.head >= 1024, state.head * 2 >= state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return .event(event)
            }
            switch state.ending {
            case .finished?: return .finished
            case .failed(let error)?: return .failed(error)
            case nil: return .wait
            }
        }
    }

    /// The next live event; nil once ended normally or when the consuming task is cancelled.
    func next(isolation actor: isolated (any Actor)? = #isolation) async throws(StoreError) -> WatchEvent? {
        while true {
            if Task.isCancelled {
                cancel()
                return nil
            }
            switch step() {
            case .event(let event): return event
            case .finished: return nil
            case .failed(let error): throw error
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation(isolation: actor) { (continuation: CheckedContinuation<Void, Never>) in
                        let ready = state.withLock { state -> Bool in
                            if state.head < state.queue.count || state.ending != nil { return true }
                            state.waiter = continuation
                            return false
                        }
                        if ready { continuation.resume() }
                    }
                } onCancel: {
                    self.cancel()
                }
            }
        }
    }
}
