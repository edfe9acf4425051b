import CapstanClient
import CapstanModel

/// One control loop. `setUp` asks the shared `InformerFactory` for the informers it reads and
/// registers handlers that enqueue keys; `reconcile` is called by the manager's workers with
/// one key at a time (never concurrently for the same key).
///
/// Implementations are immutable `Sendable` classes/structs whose mutable state (expectations)
/// is behind its own lock.
public protocol Controller: Sendable {
    /// A short name for logs (`replicaset`).
    var name: String { get }
    /// How many workers process this controller's queue at once.
    var workers: Int { get }
    /// Called once before informers start.
    func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws
    /// Brings the object named by `key` to its desired state. Throw to retry with back-off,
    /// `TerminalError` to give up on this key until it is queued again.
    func reconcile(_ key: String, queue: WorkQueue<String>) async throws
}

extension Controller {
    public var workers: Int { 2 }
}

/// Splits `namespace/name` (or `name`).
func splitKey(_ key: String) -> (namespace: String?, name: String) {
    if let slash = key.firstIndex(of: "/") {
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
    return (nil, key)
}
