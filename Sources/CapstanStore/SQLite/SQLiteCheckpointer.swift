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
/// Writes that stop leave the log's tail uncopied (their requests came too soon after the
/// last checkpoint), so one more runs once writes have been quiet for `idleDelay`: the copy
/// happens while nothing waits, it catches up completely, and the next commit starts the
/// log from its beginning again. Without it, the tail was copied by the first checkpoint of
/// the next burst of writes, competing with them for the CPU, and every few bursts the writer's
/// backstop copied it inside a commit, stalling all writes for milliseconds.
///
/// Concurrency: `@unchecked Sendable` because `connection` is touched only on `queue`; the
/// request flags live in a `Mutex`.
final class SQLiteCheckpointer: @unchecked Sendable {
    private struct Requests {
        var running = false
        var again = false
        var closed = false
        var last: ContinuousClock.Instant?
        /// The newest commit's request, and whether a check for quiet is scheduled.
        var lastAsked: ContinuousClock.Instant?
        var quietCheckPending = false
    }

    private let path: String
    private let interval: Duration
    private let idleDelay: Duration
    private let queue = DispatchQueue(label: "capstan.store.checkpoint", qos: .utility)
    private let requests = Mutex(Requests())
    private var connection: SQLiteConnection?   // queue-confined
    let checkpoints = Atomic<Int>(0)

    init(path: String, interval: Duration = .seconds(1), idleDelay: Duration = .milliseconds(50)) {
        self.path = path
        self.interval = interval
        self.idleDelay = idleDelay
    }

    /// Called by the writer after a commit; cheap when a checkpoint ran recently.
    func request(now: ContinuousClock.Instant) {
        let (start, watchForQuiet): (Bool, Bool) = requests.withLock { requests in
            if requests.closed { return (false, false) }
            requests.lastAsked = now
            let watchForQuiet = !requests.quietCheckPending
            requests.quietCheckPending = true
            if let last = requests.last, now - last < interval { return (false, watchForQuiet) }
            requests.last = now
            if requests.running {
                requests.again = true
                return (false, watchForQuiet)
            }
            requests.running = true
            return (true, watchForQuiet)
        }
        if start { queue.async { self.run() } }
        if watchForQuiet { checkQuiet(after: idleDelay) }
    }

    /// On the queue, `delay` from now: a checkpoint if no commit asked for `idleDelay`, else
    /// another look when that much time has passed since the last one.
    private func checkQuiet(after delay: Duration) {
        let (seconds, attoseconds) = delay.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        enum Next { case stop, checkpoint, lookAgain(after: Duration) }
        queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
            let now = ContinuousClock.now
            let next: Next = self.requests.withLock { requests in
                if !requests.closed, let asked = requests.lastAsked, now - asked < self.idleDelay {
                    return .lookAgain(after: self.idleDelay - (now - asked))
                }
                requests.quietCheckPending = false
                if requests.closed { return .stop }
                requests.last = now
                return .checkpoint
            }
            switch next {
            case .stop: return
            case .lookAgain(let wait): self.checkQuiet(after: wait)
            case .checkpoint: self.checkpoint()  // the queue is serial: no other one runs meanwhile
            }
        }
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
