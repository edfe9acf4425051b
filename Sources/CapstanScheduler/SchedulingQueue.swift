import Synchronization

/// Pods waiting for a node: an active heap ordered by priority (high first), then age (old
/// first); an unschedulable set parked until the cluster changes; and a back-off set for pods
/// whose binding failed. Keys are "namespace/name".
///
/// Thread-safety: all state sits behind one `Mutex`; `pop()` suspends on a continuation.
public final class SchedulingQueue: Sendable {
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var priority: Int64
        /// Creation time in nanoseconds since the epoch (smaller is older).
        public var created: Int64
        public init(key: String, priority: Int64, created: Int64) {
            self.key = key
            self.priority = priority
            self.created = created
        }
        /// Heap order: higher priority first, then older, then key for determinism.
        static func before(_ a: Entry, _ b: Entry) -> Bool {
            if a.priority != b.priority { return a.priority > b.priority }
            if a.created != b.created { return a.created < b.created }
            return a.key < b.key
        }
    }

    private struct State {
        var heap: [Entry] = []
        var inHeap: [String: Entry] = [:]
        var unschedulable: [String: Entry] = [:]
        var waiters: [CheckedContinuation<Entry?, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Adds (or re-prioritises) a pod in the active heap; lifts it out of the unschedulable set.
    public func add(_ entry: Entry) {
        let waiter = state.withLock { s -> CheckedContinuation<Entry?, Never>? in
            guard !s.closed else { return nil }
            s.unschedulable.removeValue(forKey: entry.key)
            if s.inHeap[entry.key] != nil { return nil }
            if !s.waiters.isEmpty { return s.waiters.removeFirst() }
            s.inHeap[entry.key] = entry
            Self.push(&s.heap, entry)
            return nil
        }
        waiter?.resume(returning: entry)
    }

    /// Parks a pod that fitted nowhere until `moveAllToActive()`.
    public func addUnschedulable(_ entry: Entry) {
        state.withLock { s in
            guard !s.closed, s.inHeap[entry.key] == nil else { return }
            s.unschedulable[entry.key] = entry
        }
    }

    /// Forgets a pod (deleted, or bound by someone else).
    public func remove(_ key: String) {
        state.withLock { s in
            s.unschedulable.removeValue(forKey: key)
            if s.inHeap.removeValue(forKey: key) != nil { s.heap.removeAll { $0.key == key }; Self.heapify(&s.heap) }
        }
    }

    /// A node or pod changed: every parked pod gets another try.
    public func moveAllToActive() {
        let parked = state.withLock { s -> [Entry] in
            let list = Array(s.unschedulable.values)
            s.unschedulable.removeAll()
            return list
        }
        for e in parked { add(e) }
    }

    /// The next pod to schedule; nil once closed.
    public func pop() async -> Entry? {
        await withCheckedContinuation { (c: CheckedContinuation<Entry?, Never>) in
            let ready = state.withLock { s -> (Bool, Entry?) in
                if s.closed { return (true, nil) }
                if let e = Self.popMin(&s.heap) {
                    s.inHeap.removeValue(forKey: e.key)
                    return (true, e)
                }
                s.waiters.append(c)
                return (false, nil)
            }
            if ready.0 { c.resume(returning: ready.1) }
        }
    }

    /// Pops without waiting (nil when empty).
    public func tryPop() -> Entry? {
        state.withLock { s in
            guard let e = Self.popMin(&s.heap) else { return nil }
            s.inHeap.removeValue(forKey: e.key)
            return e
        }
    }

    public var activeCount: Int { state.withLock { $0.heap.count } }
    public var unschedulableCount: Int { state.withLock { $0.unschedulable.count } }
    public func isUnschedulable(_ key: String) -> Bool { state.withLock { $0.unschedulable[key] != nil } }

    public func close() {
        let waiters = state.withLock { s -> [CheckedContinuation<Entry?, Never>] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume(returning: nil) }
    }

    // MARK: - Binary heap

    private static func push(_ h: inout [Entry], _ e: Entry) {
        h.append(e)
        var i = h.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            if Entry.before(h[i], h[p]) { h.swapAt(i, p); i = p } else { break }
        }
    }

    private static func popMin(_ h: inout [Entry]) -> Entry? {
        guard !h.isEmpty else { return nil }
        h.swapAt(0, h.count - 1)
        let top = h.removeLast()
        siftDown(&h, 0)
        return top
    }

    private static func siftDown(_ h: inout [Entry], _ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < h.count && Entry.before(h[l], h[m]) { m = l }
            if r < h.count && Entry.before(h[r], h[m]) { m = r }
            if m == i { return }
            h.swapAt(i, m)
            i = m
        }
    }

    private static func heapify(_ h: inout [Entry]) {
        var i = h.count / 2
        while i >= 0 { siftDown(&h, i); i -= 1 }
    }
}
