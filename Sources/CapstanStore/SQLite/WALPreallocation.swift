#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zero-fills the write-ahead log ahead of the writer, so that commits overwrite blocks the
/// file already has instead of appending.
///
/// Why: a commit ends with `fdatasync` of the WAL. When the commit appended (the usual case
/// under steady writes: SQLite only rewinds the WAL when a checkpoint caught up completely
/// between two commits), that sync must also journal the new file size and block allocation,
/// which made a single client's acknowledged write ~2.5× slower here than an overwrite.
/// etcd preallocates its WAL segments for the same reason.
///
/// Safety: only bytes past the current end of the file are written, and only while no write
/// can run (the store calls this in `init`, before the writer exists). SQLite reads the WAL
/// frame by frame and stops at the first frame whose salt and checksum do not match its
/// header; an all-zero frame never matches, exactly like the stale frames SQLite itself leaves
/// behind when it rewinds the log. The file is never shortened by this, and SQLite's own
/// `journal_size_limit` truncation keeps working.
enum WALPreallocation {
    /// Extends the file at `path` with zeros up to `bytes` and syncs it. Best effort: a
    /// missing file or a failed write only means commits append as before.
    static func extend(_ path: String, to bytes: Int) {
        guard bytes > 0 else { return }
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return }
        var offset = Int(status.st_size)
        guard offset < bytes else { return }
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        while offset < bytes {
            let count = min(zeros.count, bytes - offset)
            let written = zeros.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, count, off_t(offset)) }
            guard written > 0 else { return }
            offset += written
        }
        _ = fdatasync(descriptor)
    }
}
