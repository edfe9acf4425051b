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

    static func list(_ connection: SQLiteConnection, prefix: String, atRevision: Int64?, limit: Int?,
                     continueAfterKey: String?) throws(StoreError) -> ListResult
    {
        try connection.readTransaction { () throws(StoreError) -> ListResult in
            let current = try meta(connection, "revision")
            let compacted = try meta(connection, "compacted")
            let revision = atRevision ?? current
            if revision > current { throw .futureRevision(requested: revision, currentRevision: current) }
            if revision < compacted { throw .compacted(requested: revision, compactedRevision: compacted) }
            let upper = KeyRange.upperBound(ofPrefix: prefix)
            let sql = revision == current
                ? SQLiteSchema.listLatest(bounded: upper != nil)
                : SQLiteSchema.listAtRevision(bounded: upper != nil)
            let statement = try connection.statement(sql)
            defer { statement.reset() }
            statement.bind(1, prefix)
            if let upper { statement.bind(2, text: upper) }
            statement.bind(3, continueAfterKey ?? "")
            statement.bind(4, limit.map { Int64($0) + 1 } ?? -1)
            statement.bind(5, revision)
            var items: [KeyValue] = []
            while try statement.step() {
                items.append(KeyValue(key: statement.text(0), value: statement.blob(1),
                                      createRevision: statement.int64(2), modRevision: statement.int64(3),
                                      version: statement.int64(4)))
            }
            var more = false
            if let limit, items.count > limit {
                items.removeLast(items.count - limit)
                more = true
            }
            return ListResult(items: items, revision: revision, more: more)
        }
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
