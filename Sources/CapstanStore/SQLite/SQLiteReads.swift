import Dispatch
import Synchronization

/// Read connections for `SQLiteStore`. Each read checks a connection out, runs in its own
/// read transaction (one WAL snapshot), and returns it.
///
/// Concurrency: the idle list is guarded by a `Mutex`; a checked-out connection belongs to
/// the one task using it, so connections are never used by two threads at once.
final class ReadConnectionPool: Sendable {
    private let path: String
    private let maxIdle: Int
    private let idle = Mutex<[SQLiteConnection]>([])
    private let closed = Atomic<Bool>(false)

    init(path: String, maxIdle: Int = 8) {
        self.path = path
        self.maxIdle = maxIdle
    }

    func withConnection<T>(_ body: (SQLiteConnection) throws(StoreError) -> T) throws(StoreError) -> T {
        if closed.load(ordering: .acquiring) { throw .closed }
        let connection: SQLiteConnection
        if let reused = idle.withLock({ $0.popLast() }) {
            connection = reused
        } else {
            connection = try SQLiteConnection(path: path, create: false)
            try connection.execute("PRAGMA cache_size = -16000")
        }
        defer {
            idle.withLock { idle in
                if idle.count < maxIdle, !closed.load(ordering: .acquiring) { idle.append(connection) }
            }
        }
        return try body(connection)
    }

    /// Runs a potentially long read (a big list, a replay page) on a dispatch queue, so it
    /// does not hold one of the few threads of Swift's cooperative pool for its duration.
    func withConnectionOffPool<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws(StoreError) -> T)
        async throws(StoreError) -> T
    {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, StoreError>, Never>) in
            Self.queue.async {
                do throws(StoreError) {
                    continuation.resume(returning: .success(try self.withConnection(body)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    private static let queue = DispatchQueue(label: "capstan.store.read", qos: .userInitiated, attributes: .concurrent)

    func close() {
        closed.store(true, ordering: .releasing)
        idle.withLock { $0.removeAll() }
    }
}

/// The read queries, run on a connection inside a read transaction.
enum SQLiteReads {
    static func meta(_ connection: SQLiteConnection, _ name: String) throws(StoreError) -> Int64 {
        let statement = try connection.statement(SQLiteSchema.readMeta)
        defer { statement.reset() }
        statement.bind(1, name)
        guard try statement.step() else {
            throw .storage(operation: "read meta \(name)", code: 0, message: "missing meta row")
        }
        return statement.int64(0)
    }

    static func get(_ connection: SQLiteConnection, key: String) throws(StoreError) -> KeyValue? {
        let statement = try connection.statement(SQLiteSchema.getLive)
        defer { statement.reset() }
        statement.bind(1, key)
        guard try statement.step() else { return nil }
        return KeyValue(key: key, value: statement.blob(0), createRevision: statement.int64(1),
                        modRevision: statement.int64(2), version: statement.int64(3))
    }

    /// The newest committed revision (see `SQLiteSchema`: meta holds only a floor).
    static func revision(_ connection: SQLiteConnection) throws(StoreError) -> Int64 {
        let statement = try connection.statement(SQLiteSchema.readRevision)
        defer { statement.reset() }
        guard try statement.step() else {
            throw .storage(operation: "read revision", code: 0, message: "no result")
        }
        return statement.int64(0)
    }

    static func list(_ connection: SQLiteConnection, prefix: String, atRevision: Int64?, limit: Int?,
                     continueAfterKey: String?) throws(StoreError) -> ListResult
    {
        try connection.readTransaction { () throws(StoreError) -> ListResult in
            let current = try revision(connection)
            let compacted = try meta(connection, "compacted")
            let revision = atRevision ?? current
            if revision > current { throw .futureRevision(requested: revision, currentRevision: current) }
            if revision < compacted { throw .compacted(requested: revision, compactedRevision: compacted) }
            let upper = KeyRange.upperBound(ofPrefix: prefix)
            let after = continueAfterKey ?? ""

            // Keys changed after `revision`, with their value as of `revision` (if any).
            var changed = Set<String>()
            var asOfRevision: [KeyValue] = []
            if revision < current {
                let changes = try connection.statement(SQLiteSchema.changesSince(bounded: upper != nil))
                defer { changes.reset() }
                changes.bind(1, prefix)
                if let upper { changes.bind(2, text: upper) }
                changes.bind(3, revision)
                var replaced: [Int64] = []
                while try changes.step() {
                    // The first change after `revision` replaced the key's row as of `revision`.
                    guard changed.insert(changes.text(0)).inserted else { continue }
                    if !changes.isNull(1) { replaced.append(changes.int64(1)) }
                }
                let row = try connection.statement(SQLiteSchema.historyRow)
                for rev in replaced {
                    row.bind(1, rev)
                    if try row.step(), !row.isNull(1) {
                        let kv = KeyValue(key: row.text(0), value: row.blob(1), createRevision: row.int64(2),
                                          modRevision: row.int64(3), version: row.int64(4))
                        if after.storeKeyPrecedes(kv.key) { asOfRevision.append(kv) }
                    }
                    row.reset()
                }
                asOfRevision.sort { $0.key.storeKeyPrecedes($1.key) }
            }

            // Unchanged keys come from `live`; fetch enough to fill the page after skipping
            // the changed ones.
            let statement = try connection.statement(SQLiteSchema.listLatest(bounded: upper != nil))
            defer { statement.reset() }
            statement.bind(1, prefix)
            if let upper { statement.bind(2, text: upper) }
            statement.bind(3, after)
            statement.bind(4, limit.map { Int64($0 + changed.count + 1) } ?? -1)
            var unchanged: [KeyValue] = []
            while try statement.step() {
                let key = statement.text(0)
                if changed.contains(key) { continue }
                unchanged.append(KeyValue(key: key, value: statement.blob(1), createRevision: statement.int64(2),
                                          modRevision: statement.int64(3), version: statement.int64(4)))
            }

            var items = merge(unchanged, asOfRevision)
            var more = false
            if let limit, items.count > limit {
                items.removeLast(items.count - limit)
                more = true
            }
            return ListResult(items: items, revision: revision, more: more)
        }
    }

    /// Merges two lists sorted by key (their keys are disjoint).
    private static func merge(_ a: [KeyValue], _ b: [KeyValue]) -> [KeyValue] {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        var merged: [KeyValue] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count, j < b.count {
            if a[i].key.storeKeyPrecedes(b[j].key) {
                merged.append(a[i])
                i += 1
            } else {
                merged.append(b[j])
                j += 1
            }
        }
        merged.append(contentsOf: a[i...])
        merged.append(contentsOf: b[j...])
        return merged
    }

    static func replay(_ connection: SQLiteConnection, prefix: String, after: Int64, upTo: Int64,
                       limit: Int) throws(StoreError) -> [WatchEvent]
    {
        try connection.readTransaction { () throws(StoreError) -> [WatchEvent] in
            let compacted = try meta(connection, "compacted")
            if after < compacted { throw .compacted(requested: after, compactedRevision: compacted) }
            let upper = KeyRange.upperBound(ofPrefix: prefix)
            let statement = try connection.statement(SQLiteSchema.replay(bounded: upper != nil))
            defer { statement.reset() }
            statement.bind(1, prefix)
            if let upper { statement.bind(2, text: upper) }
            statement.bind(3, after)
            statement.bind(4, upTo)
            statement.bind(5, Int64(limit))
            var events: [WatchEvent] = []
            while try statement.step() {
                let revision = statement.int64(0)
                let key = statement.text(1)
                let previous: KeyValue? = statement.isNull(5) ? nil : KeyValue(
                    key: key, value: statement.blob(6), createRevision: statement.int64(7),
                    modRevision: statement.int64(5), version: statement.int64(8))
                if statement.isNull(2) {
                    let last = previous ?? KeyValue(key: key, value: [], createRevision: statement.int64(3),
                                                    modRevision: revision, version: statement.int64(4))
                    events.append(.deleted(last, at: revision))
                } else {
                    let kv = KeyValue(key: key, value: statement.blob(2), createRevision: statement.int64(3),
                                      modRevision: revision, version: statement.int64(4))
                    events.append(previous.map { .modified(kv, previous: $0) } ?? .added(kv))
                }
            }
            return events
        }
    }
}
