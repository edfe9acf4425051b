import CapstanModel
import CapstanStore
import Synchronization

/// Whether a namespace is open for new objects — the question of Kubernetes' NamespaceLifecycle
/// admission — answered from memory instead of a store read per create.
///
/// The table is written through: `NamespaceTrackingStore` reports every namespace write the
/// server makes as it completes, and a lookup that finds nothing reads the store once and
/// remembers the answer. Entries carry the revision they describe, and a delete leaves a
/// tombstone with its revision, so an answer read before a concurrent write can never replace
/// the write's newer one. That makes the table as current as a store read for writes made
/// through this server — which is every write: the embedded store is locked to one process.
/// (A store shared by several servers would have to feed the table from a watch instead.)
///
/// A create racing a namespace's deletion is decided as before: whichever the store orders
/// first. Concurrency: the table sits behind a `Mutex`, never held across an await; it is
/// emptied when it grows past `limit` entries, and a generation number keeps a lookup that
/// straddles the emptying from filling in what it read before.
final class NamespaceStates: Sendable {
    enum State: Equatable { case open, terminating, absent }

    private struct Entry {
        var revision: Int64
        /// nil: deleted at `revision`.
        var terminating: Bool?
    }
    private struct Table {
        var entries: [String: Entry] = [:]
        var generation = 0
    }
    private let table = Mutex(Table())
    let limit: Int

    init(limit: Int = 4096) { self.limit = limit }

    static let prefix = StorageKey.resourcePrefix(group: "", resource: "namespaces")

    /// The state of namespace `name`, from memory when known, else from `store`.
    func state(of name: String, in store: any Store) async throws(StatusError) -> State {
        let key = Self.prefix + name
        let (known, generation) = table.withLock { ($0.entries[key], $0.generation) }
        if let known {
            guard let terminating = known.terminating else { return .absent }
            return terminating ? .terminating : .open
        }
        let kv: KeyValue?
        do { kv = try await store.get(key) } catch { throw error.status(group: "", resource: "namespaces", name: name) }
        guard let kv else { return .absent }
        let terminating = Self.isTerminating(try ObjectCodec.decode(kv))
        remember(key, Entry(revision: kv.modRevision, terminating: terminating), ifGeneration: generation)
        return terminating ? .terminating : .open
    }

    /// A namespace write that completed: `kv` is what it stored.
    func written(_ kv: KeyValue) {
        guard let object = try? ObjectCodec.decode(kv) else {
            forget(kv.key)
            return
        }
        remember(kv.key, Entry(revision: kv.modRevision, terminating: Self.isTerminating(object)), ifGeneration: nil)
    }

    /// A namespace delete that completed at `revision`.
    func deleted(_ key: String, revision: Int64) {
        remember(key, Entry(revision: revision, terminating: nil), ifGeneration: nil)
    }

    /// Keeps `entry` unless the table already holds a newer revision of `key` (or, for a
    /// lookup's answer, was emptied since the lookup began).
    private func remember(_ key: String, _ entry: Entry, ifGeneration generation: Int?) {
        table.withLock { table in
            if let generation, generation != table.generation { return }
            if let existing = table.entries[key], existing.revision >= entry.revision { return }
            if table.entries.count >= limit {
                table.entries.removeAll(keepingCapacity: true)
                table.generation += 1
            }
            table.entries[key] = entry
        }
    }

    private func forget(_ key: String) {
        table.withLock { table in
            table.entries[key] = nil
            table.generation += 1
        }
    }

    static func isTerminating(_ namespace: Value) -> Bool {
        namespace[path: ["metadata", "deletionTimestamp"]] != .null || namespace[path: ["status", "phase"]] == "Terminating"
    }
}

/// The server's store: every call goes to `base`; namespace writes are also reported to
/// `NamespaceStates` once they complete, which keeps its table current.
struct NamespaceTrackingStore: Store {
    let base: any Store
    let namespaces: NamespaceStates

    var currentRevision: Int64 { get async { await base.currentRevision } }
    var compactedRevision: Int64 { get async { await base.compactedRevision } }

    func get(_ key: String) async throws(StoreError) -> KeyValue? { try await base.get(key) }

    func list(prefix: String, atRevision: Int64?, limit: Int?, continueAfterKey: String?) async throws(StoreError) -> ListResult {
        try await base.list(prefix: prefix, atRevision: atRevision, limit: limit, continueAfterKey: continueAfterKey)
    }

    func create(_ key: String, value: [UInt8]) async throws(StoreError) -> KeyValue {
        let kv = try await base.create(key, value: value)
        if key.hasPrefix(NamespaceStates.prefix) { namespaces.written(kv) }
        return kv
    }

    func update(_ key: String, value: [UInt8], expectedModRevision: Int64?) async throws(StoreError) -> KeyValue {
        let kv = try await base.update(key, value: value, expectedModRevision: expectedModRevision)
        if key.hasPrefix(NamespaceStates.prefix) { namespaces.written(kv) }
        return kv
    }

    func delete(_ key: String, expectedModRevision: Int64?) async throws(StoreError) -> DeleteResult {
        let result = try await base.delete(key, expectedModRevision: expectedModRevision)
        if key.hasPrefix(NamespaceStates.prefix) { namespaces.deleted(key, revision: result.revision) }
        return result
    }

    func watch(prefix: String, fromRevision: Int64) async throws(StoreError) -> WatchStream {
        try await base.watch(prefix: prefix, fromRevision: fromRevision)
    }

    func requestProgress() async { await base.requestProgress() }

    func compact(keepingRevisionsAfter revision: Int64) async throws(StoreError) {
        try await base.compact(keepingRevisionsAfter: revision)
    }

    func close() async { await base.close() }
}
