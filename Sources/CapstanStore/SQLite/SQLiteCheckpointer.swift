import CSQLite
import Dispatch
import Synchronization

/// Copies the WAL back into the database file in the background.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the WAL size threshold,
/// on the writer: it reads every WAL frame, writes it to the database and fsyncs the file,
/// which stalls every write waiting in the next batch. Instead the writer asks this object
/// for a PASSIVE checkpoint after commits (at most every `interval`: a page rewritten often
/// is copied once per checkpoint, so fewer checkpoints copy less; once a second measured a
/// little cheaper than every 100 ms during a 5,000-object apply); it runs on its own connection
/// and queue, concurrently with writes. The writer keeps a large automatic
/// checkpoint as a backstop in case this one falls behind.
///
/// Concurrency: `@unchecked Sendable` because `connection` is touched only on `queue`; the
/// request flags live in a `Mutex`.
final class SQLiteCheckpointer: @unchecked Sendable {
    private struct Requests {
        var running = false
        var again = false
        var closed = false
        var last: ContinuousClock.Instant?
    }

    private let path: String
    private let interval: Duration
    private let queue = DispatchQueue(label: "capstan.store.checkpoint", qos: .utility)
    private let requests = Mutex(Requests())
    private var connection: SQLiteConnection?   // queue-confined
    let checkpoints = Atomic<Int>(0)

    init(path: String, interval: Duration = .seconds(1)) {
        self.path = path
        self.interval = interval
    }

    /// Called by the writer after a commit; cheap when a checkpoint ran recently.
    func request(now: ContinuousClock.Instant) {
        let start: Bool = requests.withLock { requests in
            if requests.closed { return false }
            if let last = requests.last, now - last < interval { return false }
            requests.last = now
            if requests.running {
                requests.again = true
                return false
            }
            requests.running = true
            return true
        }
        if start { queue.async { self.run() } }
    }

    /// Waits for a running checkpoint and closes the connection.
    func close() async {
        requests.withLock { $0.closed = true }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }

    private func run() {
        while true {
            checkpoint()
            let more = requests.withLock { requests -> Bool in
                if requests.again, !requests.closed {
                    requests.again = false
                    return true
                }
                requests.running = false
                return false
            }
            if !more { return }
        }
    }

    private func checkpoint() {
        do throws(StoreError) {
            if connection == nil {
                let opened = try SQLiteConnection(path: path, create: false)
                // A connection finds out that the database is in WAL mode, and opens the log,
                // on its first read; until then a checkpoint on it is a silent no-op (it was:
                // the log was only ever copied back by the writer's backstop).
                try opened.execute("PRAGMA schema_version")
                connection = opened
            }
            guard let connection else { return }
            // PASSIVE: copy what no reader still needs, never wait for the writer or readers.
            let code = sqlite3_wal_checkpoint_v2(connection.db, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            if code == SQLITE_OK { checkpoints.add(1, ordering: .relaxed) }
        } catch {
            // Housekeeping only: the writer's backstop checkpoint still bounds the WAL.
        }
    }
}
