import Synchronization

/// Per-key exponential back-off: `base · 2^failures`, capped — client-go's default item limiter
/// (5 ms doubling up to 1000 s).
public struct ExponentialBackoff: Sendable, Hashable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        self.base = base
        self.cap = cap
    }

    /// The delay before retry number `failures + 1` (`failures` earlier failures).
    public func delay(afterFailures failures: Int) -> Duration {
        if failures >= 62 { return cap }
        let factor = Int64(1) << Int64(max(0, failures))
        let (nanos, overflow) = (base.components.seconds * 1_000_000_000 + base.components.attoseconds / 1_000_000_000)
            .multipliedReportingOverflow(by: factor)
        if overflow { return cap }
        let d = Duration.nanoseconds(nanos)
        return d > cap ? cap : d
    }
}

/// An error a reconcile returns when retrying cannot help: the key is forgotten, not re-queued.
public struct TerminalError: Error, Sendable, CustomStringConvertible {
    public var underlying: any Error
    public init(_ underlying: any Error) { self.underlying = underlying }
    public var description: String { "terminal error: \(underlying)" }
}

/// A controller work queue with client-go's guarantees:
/// - **de-duplication**: a key added several times before a worker takes it is processed once;
/// - **no concurrent processing of one key**: a key added while a worker holds it is parked and
///   queued again only when that worker calls `done`;
/// - **rate-limited retries**: `addRateLimited` waits the key's exponential back-off, which grows
///   with each failure until `forget`;
/// - `addAfter` for delayed re-checks; `shutDown` wakes every waiting worker with nil.
///
/// All state lives in one `Mutex`; waiting workers are continuations resumed outside the lock.
/// `add` is synchronous so informer event handlers can call it directly.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var queue: [Key] = []
        var head = 0
        var dirty: Set<Key> = []
        var processing: Set<Key> = []
        var failures: [Key: Int] = [:]
        var waiters: [CheckedContinuation<Key?, Never>] = []
        var shuttingDown = false
        var delayed: [Int: Task<Void, Never>] = [:]
        var nextDelayed = 0

        mutating func pop() -> Key? {
            guard head < queue.count else { return nil }
            let key = queue[head]
            head += 1
            if head > 1024, head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
            return key
        }

        var pending: Int { queue.count - head }
    }

    private let state = Mutex(State())
    public let backoff: ExponentialBackoff

    public init(backoff: ExponentialBackoff = ExponentialBackoff()) {
        self.backoff = backoff
    }

    /// Queues `key` unless it is already waiting; parks it if a worker holds it.
    public func add(_ key: Key) {
        let waiter: CheckedContinuation<Key?, Never>? = state.withLock { s in
            if s.shuttingDown || s.dirty.contains(key) { return nil }
            s.dirty.insert(key)
            if s.processing.contains(key) { return nil }
            if !s.waiters.isEmpty {
                // Hand the key straight to a waiting worker.
                s.dirty.remove(key)
                s.processing.insert(key)
                return s.waiters.removeFirst()
            }
            s.queue.append(key)
            return nil
        }
        waiter?.resume(returning: key)
    }

    /// The next key, marked as being processed; waits while the queue is empty; nil after
    /// `shutDown` once the queue has drained. Call `done(key)` when finished with it.
    public func get() async -> Key? {
        if let immediate = state.withLock({ s -> Key?? in
            if let key = s.pop() {
                s.dirty.remove(key)
                s.processing.insert(key)
                return .some(key)
            }
            return s.shuttingDown ? .some(nil) : nil
        }) {
            return immediate
        }
        return await withCheckedContinuation { (c: CheckedContinuation<Key?, Never>) in
            let resumeNow: Key?? = state.withLock { s in
                if let key = s.pop() {
                    s.dirty.remove(key)
                    s.processing.insert(key)
                    return .some(key)
                }
                if s.shuttingDown { return .some(nil) }
                s.waiters.append(c)
                return nil
            }
            if let resumeNow { c.resume(returning: resumeNow) }
        }
    }

    /// Ends processing of `key`; if it was added meanwhile, it is queued again now.
    public func done(_ key: Key) {
        let waiter: CheckedContinuation<Key?, Never>? = state.withLock { s in
            s.processing.remove(key)
            guard s.dirty.contains(key) else { return nil }
            if !s.waiters.isEmpty {
                s.dirty.remove(key)
                s.processing.insert(key)
                return s.waiters.removeFirst()
            }
            s.queue.append(key)
            return nil
        }
        waiter?.resume(returning: key)
    }

    /// Adds `key` after `delay` (at once when the delay is not positive).
    public func addAfter(_ key: Key, _ delay: Duration) {
        if delay <= .zero { return add(key) }
        state.withLock { s in
            guard !s.shuttingDown else { return }
            let id = s.nextDelayed
            s.nextDelayed += 1
            s.delayed[id] = Task { [weak self] in
                try? await Task.sleep(for: delay)
                guard let self else { return }
                let live = self.state.withLock { $0.delayed.removeValue(forKey: id) != nil && !$0.shuttingDown }
                if live { self.add(key) }
            }
        }
    }

    /// Adds `key` after its back-off, and counts one more failure for it.
    public func addRateLimited(_ key: Key) {
        let failures = state.withLock { s -> Int in
            let n = s.failures[key, default: 0]
            s.failures[key] = n + 1
            return n
        }
        addAfter(key, backoff.delay(afterFailures: failures))
    }

    /// Clears the failure count of `key` (after a success, or when giving up).
    public func forget(_ key: Key) {
        _ = state.withLock { $0.failures.removeValue(forKey: key) }
    }

    /// How many times `key` has been re-queued through `addRateLimited` since its last `forget`.
    public func numRequeues(_ key: Key) -> Int { state.withLock { $0.failures[key, default: 0] } }

    /// Keys waiting (not counting those being processed or delayed).
    public var count: Int { state.withLock { $0.pending } }

    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// Stops accepting keys, cancels delayed adds, and wakes idle workers with nil. Keys already
    /// queued are still handed out, so workers drain the queue before they see nil.
    public func shutDown() {
        let (waiters, delayed) = state.withLock { s -> ([CheckedContinuation<Key?, Never>], [Task<Void, Never>]) in
            s.shuttingDown = true
            let w = s.waiters
            s.waiters.removeAll()
            let d = Array(s.delayed.values)
            s.delayed.removeAll()
            return (w, d)
        }
        for task in delayed { task.cancel() }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Runs `workers` workers until shutdown: each takes a key, calls `process`, and then
    /// forgets the key on success or on a `TerminalError`, or re-queues it with back-off on any
    /// other error. Returns when every worker has stopped.
    public func run(workers: Int, _ process: @escaping @Sendable (Key) async throws -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while let key = await self.get() {
                        do {
                            try await process(key)
                            self.forget(key)
                        } catch is TerminalError {
                            self.forget(key)
                        } catch {
                            self.addRateLimited(key)
                        }
                        self.done(key)
                    }
                }
            }
        }
    }
}
