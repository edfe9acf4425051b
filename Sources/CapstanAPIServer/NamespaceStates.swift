import CapstanModel
import CapstanStore
import Synchronization

/// Whether a namespace is terminating, remembered per stored version so that a create in a
/// namespace does not parse the namespace's JSON every time.
///
/// The caller still reads the namespace from the store for every create (existence and the
/// current revision come from there); only the decoding is skipped when the revision read is
/// the one remembered. A namespace that changes gets a new revision, so the answer can never
/// be stale. Concurrency: the table sits behind a `Mutex`; it is emptied when it grows past
/// `limit` entries (a derived cache, rebuilt on demand).
final class NamespaceStates: Sendable {
    private struct Entry {
        var revision: Int64
        var terminating: Bool
    }
    private let entries = Mutex<[String: Entry]>([:])
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    /// Whether the stored namespace `kv` is being deleted (deletionTimestamp set or phase
    /// Terminating).
    func isTerminating(_ kv: KeyValue) throws(StatusError) -> Bool {
        if let hit = entries.withLock({ $0[kv.key] }), hit.revision == kv.modRevision { return hit.terminating }
        let terminating = Self.isTerminating(try ObjectCodec.decode(kv))
        entries.withLock { table in
            if table.count >= limit { table.removeAll(keepingCapacity: true) }
            table[kv.key] = Entry(revision: kv.modRevision, terminating: terminating)
        }
        return terminating
    }

    static func isTerminating(_ namespace: Value) -> Bool {
        namespace[path: ["metadata", "deletionTimestamp"]] != .null || namespace[path: ["status", "phase"]] == "Terminating"
    }
}
