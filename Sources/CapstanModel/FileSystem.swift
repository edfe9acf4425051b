#if canImport(Glibc)
import Glibc
private let sysRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let sysRead = Darwin.read
#endif

/// Thin POSIX file access for reading manifests and charts: what a path is, a directory's
/// entries sorted bytewise (symlinks followed, as Go's walks do), and whole files. Foundation's
/// `FileManager`/`Data(contentsOf:)` cost several times more per call (URL building, attribute
/// dictionaries), which shows when `apply` reads thousands of small files and when the daemon
/// re-reads charts on every sync.
public enum FileSystem {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var isDirectory: Bool
        public var isRegular: Bool
    }

    /// Why a path could not be listed or read: the operating system's own words (`strerror`).
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var code: Int32
        public var description: String { String(cString: strerror(code)) }
    }

    /// What `path` is after following symlinks; nil when it does not exist.
    public static func kind(_ path: String) -> Entry? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return Entry(name: path, isDirectory: type == S_IFDIR, isRegular: type == S_IFREG)
    }

    /// Entries of a directory (without `.` and `..`), sorted bytewise by name. The type comes
    /// from the directory entry itself; only symlinks and unknown types cost a `stat`. Entries
    /// whose target does not exist (dangling symlinks) are left out.
    public static func list(_ dir: String) throws(Failure) -> [Entry] {
        try Directory(dir).entries
    }

    /// The whole content of a file (read until end of file, so it works for pipes too).
    public static func read(_ path: String) throws(Failure) -> [UInt8] {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(fd) }
        return try readAll(fd, path: path)
    }

    /// Everything on standard input, to its end.
    public static func readStandardInput() throws(Failure) -> [UInt8] {
        try readAll(0, path: "standard input")
    }

    /// Everything left in the open file `fd` (`path` names it in errors; built only for one).
    static func readAll(_ fd: Int32, path: @autoclosure () -> String) throws(Failure) -> [UInt8] {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(path: path(), code: errno) }
        if st.st_mode & S_IFMT == S_IFDIR { throw Failure(path: path(), code: EISDIR) }
        let regular = st.st_mode & S_IFMT == S_IFREG
        // Read straight into the result, sized by fstat (one byte more, so one read can see the
        // end); grown when the file is larger than it said or has no size (a pipe).
        var out: [UInt8] = []
        var capacity = max(Int(st.st_size), 0) + 1
        while true {
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: capacity))
            var got = 0
            var failure: Int32 = 0
            out.withUnsafeMutableBytes { buf in
                while true {
                    let n = sysRead(fd, buf.baseAddress! + start, capacity)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failure = errno } else { got = n }
                    return
                }
            }
            out.removeLast(capacity - got)
            if failure != 0 { throw Failure(path: path(), code: failure) }
            // A short read of a regular file is its end (we asked for more than fstat said).
            if got == 0 || (regular && got < capacity) { break }
            capacity = max(capacity, 16_384)
        }
        return out
    }
}

extension FileSystem {
    /// An open directory: its entries (as `list` gives them) and the files in it, opened
    /// relative to the directory's descriptor. A walk over a chart opens each file by its one
    /// name instead of its whole path (the kernel looks up one component, not every directory
    /// from the root again).
    ///
    /// A class, so that the directory is closed when the last reference goes; reading from
    /// several threads at once is safe (each read has its own descriptor).
    public final class Directory {
        public let path: String
        /// The entries, sorted bytewise by name (see `FileSystem.list`).
        public private(set) var entries: [Entry] = []
        private let handle: OpaquePointer

        /// Opens and lists `path`.
        public init(_ path: String) throws(Failure) {
            guard let d = opendir(path) else { throw Failure(path: path, code: errno) }
            self.path = path
            handle = d
            let fd = dirfd(d)
            while let ent = readdir(d) {
                let name = withUnsafePointer(to: ent.pointee.d_name) { ptr in
                    ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                let type = ent.pointee.d_type
                if type == UInt8(DT_DIR) {
                    entries.append(Entry(name: name, isDirectory: true, isRegular: false))
                } else if type == UInt8(DT_REG) {
                    entries.append(Entry(name: name, isDirectory: false, isRegular: true))
                } else {
                    // Symlink or unknown type: what it is after following links.
                    var st = stat()
                    guard fstatat(fd, name, &st, 0) == 0 else { continue }
                    let kind = st.st_mode & S_IFMT
                    entries.append(Entry(name: name, isDirectory: kind == S_IFDIR, isRegular: kind == S_IFREG))
                }
            }
            entries.sort { $0.name.utf8Precedes($1.name) }
        }

        deinit {
            closedir(handle)
        }

        /// The whole content of the file `name` in this directory (as `FileSystem.read`).
        public func read(_ name: String) throws(Failure) -> [UInt8] {
            var fd: Int32
            repeat { fd = openat(dirfd(handle), name, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
            guard fd >= 0 else { throw Failure(path: fullPath(name), code: errno) }
            defer { close(fd) }
            return try readAll(fd, path: fullPath(name))
        }

        private func fullPath(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }
    }
}
