#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on `PATH.lock`, held while a `SQLiteStore` is open.
///
/// The writer keeps the revision counter in memory, so two writers on one file would hand
/// out the same revisions. The lock makes a second open (another process, or another store
/// object in this one: `flock` locks belong to the open file) fail at once instead. The
/// kernel drops the lock when the process dies, so a crash never leaves the file locked.
///
/// Concurrency: immutable; `release` is called once, by the store's `close` or `deinit`.
final class StoreFileLock: Sendable {
    private let descriptor: Int32

    init(databasePath: String) throws(StoreError) {
        let path = databasePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .storage(operation: "open \(path)", code: errno, message: String(cString: strerror(errno)))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            close(descriptor)
            throw .storage(operation: "lock \(path)", code: code,
                           message: "the store is already open elsewhere (\(String(cString: strerror(code))))")
        }
        self.descriptor = descriptor
    }

    deinit {
        // Closing the descriptor releases the lock.
        close(descriptor)
    }
}
