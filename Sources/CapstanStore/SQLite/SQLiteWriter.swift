import Dispatch
import Synchronization

/// A write waiting for the writer queue.
enum WriteOperation: Sendable {
    case create(key: String, value: [UInt8])
    case update(key: String, value: [UInt8], expectedModRevision: Int64?)
    case delete(key: String, expectedModRevision: Int64?)
    case compact(revision: Int64)
}

enum WriteOutcome: Sendable {
    case stored(KeyValue)
    case deleted(DeleteResult)
    case compacted
}

/// Group commit: callers enqueue writes; one serial dispatch queue drains everything pending
/// into one `BEGIN IMMEDIATE … COMMIT` (so one WAL fsync covers the whole batch), then
/// publishes the batch's events and resumes every caller. While a batch commits, new writes
/// pile up and form the next batch, so batches grow with concurrency by themselves.
/// A write whose precondition fails (exists, not found, conflict) writes nothing and fails
/// alone; a database error rolls the whole batch back and fails all of it.
///
/// Concurrency: `@unchecked Sendable` because the mutable fields below (`connection`,
/// `revision`, `compacted`, `scheduler`) are touched only by code running on `queue`, a
/// serial queue. The inbox is guarded by its `Mutex`; counters are atomics.
final class SQLiteWriter: @unchecked Sendable {
    private struct Pending {
        var operation: WriteOperation
        var continuation: CheckedContinuation<Result<WriteOutcome, StoreError>, Never>
    }

    private struct Inbox {
        var pending: [Pending] = []
        var draining = false
        var closed = false
    }

    private let queue = DispatchQueue(label: "capstan.store.writer", qos: .userInitiated)
    private let inbox = Mutex(Inbox())
    private let hub: WatchHub
    private let checkpointer: SQLiteCheckpointer?
    /// Upper bound of writes per transaction, to bound a batch's latency and memory.
    private let maxBatch: Int

    // Queue-confined state.
    private var connection: SQLiteConnection?
    private var revision: Int64
    private var compacted: Int64
    private var scheduler: CompactionScheduler

    // Published counters (read from any thread).
    let transactions = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
    let compactedRevision: Atomic<Int64>

    init(connection: SQLiteConnection, revision: Int64, compacted: Int64, policy: CompactionPolicy,
         hub: WatchHub, maxBatch: Int, checkpointer: SQLiteCheckpointer?)
    {
        self.checkpointer = checkpointer
        self.connection = connection
        self.revision = revision
        self.compacted = compacted
        self.compactedRevision = Atomic(compacted)
        self.scheduler = CompactionScheduler(policy: policy)
        self.hub = hub
        self.maxBatch = max(maxBatch, 1)
    }

    /// Enqueues a write and waits until its transaction committed (or failed).
    func submit(_ operation: WriteOperation) async -> Result<WriteOutcome, StoreError> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<WriteOutcome, StoreError>, Never>) in
            let start: Bool? = inbox.withLock { inbox in
                if inbox.closed { return nil }
                inbox.pending.append(Pending(operation: operation, continuation: continuation))
                if inbox.draining { return false }
                inbox.draining = true
                return true
            }
            switch start {
            case nil: continuation.resume(returning: .failure(.closed))
            case true?: queue.async { self.drain() }
            case false?: break
            }
        }
    }

    /// Refuses new writes, lets queued ones finish, then closes the connection.
    func close() async {
        inbox.withLock { $0.closed = true }
        await checkpointer?.close()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }

    // MARK: - On the queue

    private func drain() {
        while true {
            let batch: [Pending] = inbox.withLock { inbox in
                if inbox.pending.isEmpty {
                    inbox.draining = false
                    return []
                }
                if inbox.pending.count <= maxBatch {
                    defer { inbox.pending = [] }
                    return inbox.pending
                }
                let head = Array(inbox.pending.prefix(maxBatch))
                inbox.pending.removeFirst(maxBatch)
                return head
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [Pending]) {
        guard let connection else {
            for pending in batch { pending.continuation.resume(returning: .failure(.closed)) }
            return
        }
        var results: [Result<WriteOutcome, StoreError>] = []
        results.reserveCapacity(batch.count)
        var events: [WatchEvent] = []
        events.reserveCapacity(batch.count)
        var newRevision = revision
        var newCompacted = compacted
        do throws(StoreError) {
            try connection.statement("BEGIN IMMEDIATE").run()
            do throws(StoreError) {
                for pending in batch {
                    do throws(StoreError) {
                        let outcome = try apply(pending.operation, connection, &newRevision, &newCompacted, &events)
                        results.append(.success(outcome))
                    } catch {
                        if case .storage = error { throw error }
                        results.append(.failure(error))
                    }
                }
                if newCompacted != compacted {
                    // Compaction may delete the newest history row; record the revision.
                    try writeMeta(connection, "revision", newRevision)
                    try writeMeta(connection, "compacted", newCompacted)
                }
                try connection.statement("COMMIT").run()
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
        } catch {
            // A failed statement or COMMIT: believe the database, not our counters. When the
            // revision on record is the batch's, the batch committed after all.
            let recorded = try? SQLiteReads.revision(connection)
            if newRevision == revision || recorded != newRevision {
                results = Array(repeating: .failure(error), count: batch.count)
                events = []
                newRevision = recorded ?? revision
                newCompacted = (try? SQLiteReads.meta(connection, "compacted")) ?? compacted
            }
        }
        revision = newRevision
        if newCompacted != compacted {
            compacted = newCompacted
            compactedRevision.store(newCompacted, ordering: .releasing)
        }
        transactions.add(1, ordering: .relaxed)
        writes.add(events.count, ordering: .relaxed)
        // Publish before resuming callers: a caller that got its revision back and then
        // watches from it must find the hub at least that far.
        hub.publish(events)
        for (pending, result) in zip(batch, results) {
            pending.continuation.resume(returning: result)
        }
        let now = ContinuousClock.now
        if !events.isEmpty { checkpointer?.request(now: now) }
        autoCompact(connection, now: now)
    }

    private func autoCompact(_ connection: SQLiteConnection, now: ContinuousClock.Instant) {
        guard let target = scheduler.afterCommit(now: now, currentRevision: revision, compactedRevision: compacted)
        else { return }
        do throws(StoreError) {
            try connection.statement("BEGIN IMMEDIATE").run()
            do throws(StoreError) {
                try compactRange(connection, from: compacted, to: target)
                try writeMeta(connection, "revision", revision)
                try writeMeta(connection, "compacted", target)
                try connection.statement("COMMIT").run()
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw error
            }
            compacted = target
            compactedRevision.store(target, ordering: .releasing)
            transactions.add(1, ordering: .relaxed)
        } catch {
            // Compaction is housekeeping: a failure leaves history longer, and the next
            // check retries.
            if let recorded = try? SQLiteReads.meta(connection, "compacted"), recorded != compacted {
                compacted = recorded
                compactedRevision.store(recorded, ordering: .releasing)
            }
        }
    }

    private func writeMeta(_ connection: SQLiteConnection, _ name: String, _ value: Int64) throws(StoreError) {
        let statement = try connection.statement(SQLiteSchema.writeMeta)
        statement.bind(1, name)
        statement.bind(2, value)
        try statement.run()
    }

    private func compactRange(_ connection: SQLiteConnection, from old: Int64, to target: Int64) throws(StoreError) {
        for sql in [SQLiteSchema.compactSuperseded, SQLiteSchema.compactTombstones] {
            let statement = try connection.statement(sql)
            statement.bind(1, old)
            statement.bind(2, target)
            try statement.run()
        }
    }

    /// Applies one operation inside the open transaction. Preconditions are checked before
    /// anything is written, so a failed precondition leaves the transaction untouched.
    private func apply(_ operation: WriteOperation, _ connection: SQLiteConnection, _ revision: inout Int64,
                       _ compacted: inout Int64, _ events: inout [WatchEvent]) throws(StoreError) -> WriteOutcome
    {
        switch operation {
        case .create(let key, let value):
            // The live row first: when the key exists it is ignored and nothing was written.
            let next = revision + 1
            let live = try connection.statement(SQLiteSchema.insertLiveIfAbsent)
            live.bind(1, key)
            live.bind(2, next)
            try live.run()
            if connection.changes == 0 { throw .alreadyExists(key: key) }
            try insertHistory(connection, rev: next, key: key, value: value, createRev: next, version: 1, prevRev: nil)
            revision = next
            let kv = KeyValue(key: key, value: value, createRevision: next, modRevision: next, version: 1)
            events.append(.added(kv))
            return .stored(kv)

        case .update(let key, let value, let expected):
            guard let old = try SQLiteReads.get(connection, key: key) else { throw .notFound(key: key) }
            if let expected, expected != old.modRevision { throw .conflict(expected: expected, current: old) }
            let next = revision + 1
            try insertHistory(connection, rev: next, key: key, value: value, createRev: old.createRevision,
                              version: old.version + 1, prevRev: old.modRevision)
            let live = try connection.statement(SQLiteSchema.updateLive)
            live.bind(1, key)
            live.bind(2, next)
            try live.run()
            revision = next
            let kv = KeyValue(key: key, value: value, createRevision: old.createRevision, modRevision: next,
                              version: old.version + 1)
            events.append(.modified(kv, previous: old))
            return .stored(kv)

        case .delete(let key, let expected):
            guard let old = try SQLiteReads.get(connection, key: key) else { throw .notFound(key: key) }
            if let expected, expected != old.modRevision { throw .conflict(expected: expected, current: old) }
            let next = revision + 1
            try insertHistory(connection, rev: next, key: key, value: nil, createRev: old.createRevision,
                              version: old.version, prevRev: old.modRevision)
            let live = try connection.statement(SQLiteSchema.deleteLive)
            live.bind(1, key)
            try live.run()
            revision = next
            events.append(.deleted(old, at: next))
            return .deleted(DeleteResult(deleted: old, revision: next))

        case .compact(let target):
            if target > revision { throw .futureRevision(requested: target, currentRevision: revision) }
            if target > compacted {
                try compactRange(connection, from: compacted, to: target)
                compacted = target
            }
            return .compacted
        }
    }

    private func insertHistory(_ connection: SQLiteConnection, rev: Int64, key: String, value: [UInt8]?,
                               createRev: Int64, version: Int64, prevRev: Int64?) throws(StoreError)
    {
        let statement = try connection.statement(SQLiteSchema.insertHistory)
        statement.bind(1, rev)
        statement.bind(2, key)
        if let value { statement.bind(3, blob: value) } else { statement.bindNull(3) }
        statement.bind(4, createRev)
        statement.bind(5, version)
        if let prevRev { statement.bind(6, prevRev) } else { statement.bindNull(6) }
        try statement.run()
    }
}
