/// Everything a store operation can fail with. Each case carries the key or revisions it is
/// about, so the API server can map it to a Kubernetes `Status` (404, 409, 410, 500, ...).
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key does not exist.
    case notFound(key: String)
    /// `create` of a key that exists.
    case alreadyExists(key: String)
    /// The key's `modRevision` is not the one the caller expected; `current` is what is there.
    case conflict(expected: Int64, current: KeyValue)
    /// The requested revision's history has been compacted away (HTTP 410 Gone upstream).
    case compacted(requested: Int64, compactedRevision: Int64)
    /// A revision newer than the store has reached.
    case futureRevision(requested: Int64, currentRevision: Int64)
    /// A watcher did not consume its events fast enough and was ended; relist and rewatch.
    case watcherTooSlow(prefix: String, bufferedEvents: Int)
    /// A malformed key or argument.
    case invalidArgument(String)
    /// The store was closed.
    case closed
    /// The underlying database failed (I/O error, full disk, corruption, ...). For a write the
    /// outcome is unknown, as after a timeout against etcd: read the key to find out.
    case storage(operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .notFound(let key):
            return "key \"\(key)\" not found"
        case .alreadyExists(let key):
            return "key \"\(key)\" already exists"
        case .conflict(let expected, let current):
            return "conflict on key \"\(current.key)\": expected modRevision \(expected), found \(current.modRevision)"
        case .compacted(let requested, let compactedRevision):
            return "revision \(requested) has been compacted (compacted revision is \(compactedRevision))"
        case .futureRevision(let requested, let currentRevision):
            return "revision \(requested) is newer than the current revision \(currentRevision)"
        case .watcherTooSlow(let prefix, let buffered):
            return "watch on \"\(prefix)\" ended: consumer fell \(buffered) events behind"
        case .invalidArgument(let message):
            return "invalid argument: \(message)"
        case .closed:
            return "store is closed"
        case .storage(let operation, let code, let message):
            return "storage error during \(operation): \(message) (code \(code))"
        }
    }
}

enum KeyCheck {
    static func validate(_ key: String) throws(StoreError) {
        if key.isEmpty { throw .invalidArgument("key must not be empty") }
        if key.utf8.contains(0) { throw .invalidArgument("key \"\(key)\" contains a NUL byte") }
    }
}
