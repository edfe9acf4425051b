import CapstanModel
import Synchronization

/// Creations and deletions a controller has asked for but not yet seen in its informer cache,
/// per controller key (client-go's ControllerExpectations). While some are outstanding the
/// controller does not resize again, so a slow watch cannot make it double-create. Entries
/// expire after `timeout` so a lost event cannot wedge a controller forever.
///
/// Thread-safety: one `Mutex` over the table.
public final class Expectations: Sendable {
    private struct Entry { var adds: Int; var deletes: Int; var setAt: ContinuousClock.Instant }
    private let table = Mutex<[String: Entry]>([:])
    public let timeout: Duration

    public init(timeout: Duration = .seconds(300)) { self.timeout = timeout }

    /// True when nothing is outstanding for `key` (or the expectation expired).
    public func satisfied(_ key: String) -> Bool {
        table.withLock { t in
            guard let e = t[key] else { return true }
            if e.adds <= 0 && e.deletes <= 0 { return true }
            return ContinuousClock.now - e.setAt > timeout
        }
    }
    public func expect(_ key: String, adds: Int = 0, deletes: Int = 0) {
        table.withLock { $0[key] = Entry(adds: adds, deletes: deletes, setAt: .now) }
    }
    public func creationObserved(_ key: String) { table.withLock { $0[key]?.adds -= 1 } }
    public func deletionObserved(_ key: String) { table.withLock { $0[key]?.deletes -= 1 } }
    public func forget(_ key: String) { _ = table.withLock { $0.removeValue(forKey: key) } }
}
