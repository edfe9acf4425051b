import Synchronization

/// The objects of one tier as the workers take and finish them. Results are reported in input
/// order (like kubectl's lines) as soon as every earlier object is done, so the output is the
/// same from run to run whatever order the requests finish in.
///
/// Thread-safety: all state sits behind one `Mutex`; `progress` is called under it, which
/// keeps the reported lines in order.
final class TierBoard: Sendable {
    private struct State {
        var next = 0
        var results: [ObjectResult?]
        var reported = 0
    }
    private let state: Mutex<State>
    private let count: Int
    private let progress: (@Sendable (ObjectResult) -> Void)?

    init(count: Int, progress: (@Sendable (ObjectResult) -> Void)?) {
        self.count = count
        self.progress = progress
        state = Mutex(State(results: Array(repeating: nil, count: count)))
    }

    /// The next object to apply, or nil when every one is taken.
    func claim() -> Int? {
        state.withLock { s in
            guard s.next < count else { return nil }
            defer { s.next += 1 }
            return s.next
        }
    }

    func record(_ result: ObjectResult, at index: Int) {
        state.withLock { s in
            s.results[index] = result
            while s.reported < count, let done = s.results[s.reported] {
                progress?(done)
                s.reported += 1
            }
        }
    }

    var results: [ObjectResult] { state.withLock { $0.results.compactMap { $0 } } }
}
