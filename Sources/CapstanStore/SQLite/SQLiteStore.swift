import CSQLite
import Synchronization

/// The embedded default `Store`: one SQLite database file in WAL mode.
///
/// Durability: the writer connection runs with `synchronous=FULL`, and a write returns only
/// after the transaction holding it committed, so a `kill -9` (or power loss, as far as the
/// disk honours fsync) loses no acknowledged write. Concurrent writes are group-committed:
/// see `SQLiteWriter`. Reopening the file resumes the revision counter, data and history.
///
/// Concurrency: the store itself is immutable after `init` and `Sendable`. The writer
/// connection is confined to the writer's serial dispatch queue; reads check a connection out
/// of `ReadConnectionPool` for their exclusive use and read one WAL snapshot; watchers are fed
/// by `WatchHub` under its lock. No SQLite handle is ever used by two threads at once.
///
/// `get` runs on the calling task's thread (one indexed lookup); `list` and watch replay pages
/// run on a concurrent dispatch queue so a big read does not hold a cooperative-pool thread.
public final class SQLiteStore: Store {
    public let path: String
    private let writer: SQLiteWriter
    private let readers: ReadConnectionPool
    private let hub: WatchHub
    /// Held until the writer connection is closed (set to nil in `close`).
    private let fileLock: Mutex<StoreFileLock?>

    /// Write statistics, to observe group commit.
    public struct Statistics: Sendable, Hashable {
        /// Transactions committed (including automatic compactions and batches whose writes all failed their preconditions).
        public var transactions: Int
        /// Successful writes committed.
        public var writes: Int
    }

    /// Opens (creating when missing) the store in the file at `path`.
    /// - Parameters:
    ///   - compaction: when history is compacted automatically.
    ///   - watchBufferLimit: live events a watcher may lag behind before it is ended.
    ///   - maxBatch: most writes per transaction.
    ///   - backgroundCheckpoints: copy the WAL into the database on a separate connection and
    ///     queue instead of inside commits (see `SQLiteCheckpointer`).
    ///   - walPreallocation: bytes of WAL to zero-fill at open (at most `walSizeLimit`), so
    ///     commits overwrite instead of append and their sync is cheaper (`WALPreallocation`).
    ///     0 (the default, cheap for short-lived stores) leaves the WAL to grow as it goes; a
    ///     long-running server passes `walSizeLimit`.
    public init(path: String, compaction: CompactionPolicy = .kubernetesDefault, watchBufferLimit: Int = 10_000,
                maxBatch: Int = 4096, backgroundCheckpoints: Bool = true, walPreallocation: Int = 0) throws(StoreError)
    {
        let lock = try StoreFileLock(databasePath: path)
        let connection = try SQLiteConnection(path: path, create: true)
        try connection.execute("PRAGMA journal_mode = WAL")
        try connection.execute("PRAGMA journal_size_limit = \(Self.walSizeLimit)")
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute("PRAGMA cache_size = -32000")
        // Checkpoints normally run in the background (`SQLiteCheckpointer`); this larger
        // automatic one on the writer is only a backstop that bounds the WAL (~80 MB).
        // With a zero-filled WAL it also keeps the log inside the zeros: SQLite rewinds the
        // log only after a checkpoint that caught up completely, which the background one
        // rarely does under steady writes (commits land while it copies). On the writer, after
        // a commit, nothing lands in between, and most pages are copied already, so this
        // checkpoint at half the preallocation is short and the next commit rewinds.
        let preallocated = min(walPreallocation, Self.walSizeLimit)
        let autoCheckpointPages = preallocated > 0 ? max(1_000, preallocated / 2 / 4_096) : (backgroundCheckpoints ? 20_000 : 1_000)
        try connection.execute("PRAGMA wal_autocheckpoint = \(autoCheckpointPages)")
        try connection.execute("BEGIN IMMEDIATE; \(SQLiteSchema.create) COMMIT;")
        let schema = try SQLiteReads.meta(connection, "schema")
        if schema != SQLiteSchema.version {
            throw .storage(operation: "open \(path)", code: 0, message: "unsupported schema version \(schema)")
        }
        // No writer exists yet, so nothing else writes the WAL while it is extended.
        WALPreallocation.extend(path + "-wal", to: preallocated)
        let revision = try SQLiteReads.revision(connection)
        let compacted = try SQLiteReads.meta(connection, "compacted")
        self.path = path
        self.fileLock = Mutex(lock)
        self.hub = WatchHub(revision: revision, bufferLimit: watchBufferLimit)
        self.readers = ReadConnectionPool(path: path)
        self.writer = SQLiteWriter(connection: connection, revision: revision, compacted: compacted,
                                   policy: compaction, hub: hub, maxBatch: maxBatch,
                                   checkpointer: backgroundCheckpoints ? SQLiteCheckpointer(path: path) : nil)
    }

    /// The size SQLite truncates the WAL back to when it rewinds it (`journal_size_limit`).
    public static let walSizeLimit = 64 << 20

    public var currentRevision: Int64 { hub.lastRevision }
    public var compactedRevision: Int64 { writer.compactedRevision.load(ordering: .acquiring) }
    /// Number of registered watchers.
    public var watcherCount: Int { hub.watcherCount }

    public var statistics: Statistics {
        Statistics(transactions: writer.transactions.load(ordering: .relaxed),
                   writes: writer.writes.load(ordering: .relaxed))
    }

    public func get(_ key: String) async throws(StoreError) -> KeyValue? {
        try readers.withConnection { connection throws(StoreError) in
            try SQLiteReads.get(connection, key: key)
        }
    }

    public func list(prefix: String, atRevision: Int64?, limit: Int?, continueAfterKey: String?)
        async throws(StoreError) -> ListResult
    {
        if let limit, limit < 0 { throw .invalidArgument("limit \(limit) is negative") }
        if let atRevision, atRevision < 0 { throw .invalidArgument("atRevision \(atRevision) is negative") }
        return try await readers.withConnectionOffPool { connection throws(StoreError) in
            try SQLiteReads.list(connection, prefix: prefix, atRevision: atRevision, limit: limit,
                                 continueAfterKey: continueAfterKey)
        }
    }

    public func create(_ key: String, value: [UInt8]) async throws(StoreError) -> KeyValue {
        try KeyCheck.validate(key)
        return try await stored(.create(key: key, value: value))
    }

    public func update(_ key: String, value: [UInt8], expectedModRevision: Int64?) async throws(StoreError) -> KeyValue {
        try KeyCheck.validate(key)
        return try await stored(.update(key: key, value: value, expectedModRevision: expectedModRevision))
    }

    public func delete(_ key: String, expectedModRevision: Int64?) async throws(StoreError) -> DeleteResult {
        try KeyCheck.validate(key)
        switch await writer.submit(.delete(key: key, expectedModRevision: expectedModRevision)) {
        case .success(.deleted(let result)): return result
        case .success: throw .storage(operation: "delete \(key)", code: 0, message: "unexpected writer outcome")
        case .failure(let error): throw error
        }
    }

    public func watch(prefix: String, fromRevision: Int64) async throws(StoreError) -> WatchStream {
        if fromRevision < 0 { throw .invalidArgument("fromRevision \(fromRevision) is negative") }
        let compacted = compactedRevision
        if fromRevision < compacted { throw .compacted(requested: fromRevision, compactedRevision: compacted) }
        // A compaction racing past `fromRevision` after this check is caught by the replay,
        // which re-checks inside its snapshot.
        let (core, upTo) = try hub.register(prefix: prefix, fromRevision: fromRevision)
        let readers = self.readers
        let handle = WatchHandle(core: core, replayUpTo: upTo) { prefix, after, upTo, limit throws(StoreError) in
            try await readers.withConnectionOffPool { connection throws(StoreError) in
                try SQLiteReads.replay(connection, prefix: prefix, after: after, upTo: upTo, limit: limit)
            }
        }
        return WatchStream(handle: handle)
    }

    public func requestProgress() async {
        // The writer publishes under the hub lock too, so this is ordered with every batch.
        hub.publishProgress()
    }

    public func compact(keepingRevisionsAfter revision: Int64) async throws(StoreError) {
        switch await writer.submit(.compact(revision: revision)) {
        case .success: return
        case .failure(let error): throw error
        }
    }

    public func close() async {
        await writer.close()
        hub.close()
        readers.close()
        fileLock.withLock { $0 = nil }
    }

    deinit {
        // Without `close`, still end the watches; the writer closes its connection when the
        // last queued batch releases it, and the file lock goes with this object.
        hub.close()
        readers.close()
    }

    private func stored(_ operation: WriteOperation) async throws(StoreError) -> KeyValue {
        switch await writer.submit(operation) {
        case .success(.stored(let kv)): return kv
        case .success: throw .storage(operation: "write", code: 0, message: "unexpected writer outcome")
        case .failure(let error): throw error
        }
    }
}
