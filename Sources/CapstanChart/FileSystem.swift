#if canImport(Glibc)
import Glibc
private let sysRead = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let sysRead = Darwin.read
#endif

/// Thin POSIX file access for chart loading: listing a directory (sorted by name, symlinks
/// followed, as Helm's walk does) and reading whole files. Foundation's FileManager costs
/// several times more per call, which matters when a daemon re-reads charts every sync.
enum FileSystem {
    struct Entry {
        var name: String
        var isDirectory: Bool
        var isRegular: Bool
    }

    /// What `path` is after following symlinks; nil when it does not exist.
    static func kind(_ path: String) -> Entry? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let type = st.st_mode & S_IFMT
        return Entry(name: path, isDirectory: type == S_IFDIR, isRegular: type == S_IFREG)
    }

    /// Entries of a directory (without `.` and `..`), sorted bytewise by name.
    static func list(_ dir: String) -> [Entry]? {
        guard let d = opendir(dir) else { return nil }
        defer { closedir(d) }
        var out: [Entry] = []
        while let ent = readdir(d) {
            let name = withUnsafePointer(to: ent.pointee.d_name) { ptr in
                ptr.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let type = ent.pointee.d_type
            if type == UInt8(DT_DIR) {
                out.append(Entry(name: name, isDirectory: true, isRegular: false))
            } else if type == UInt8(DT_REG) {
                out.append(Entry(name: name, isDirectory: false, isRegular: true))
            } else if let k = kind(dir + "/" + name) {
                out.append(Entry(name: name, isDirectory: k.isDirectory, isRegular: k.isRegular))
            }
        }
        out.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return out
    }

    /// The whole content of a regular file; nil when it cannot be opened or read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        // Read straight into the result (sized by fstat; grown if the file grew meanwhile).
        var out: [UInt8] = []
        var capacity = max(Int(st.st_size), 0) + 1
        while true {
            let start = out.count
            out.reserveCapacity(start + capacity)
            var failed = false
            var got = 0
            out.append(contentsOf: repeatElement(0, count: capacity))
            out.withUnsafeMutableBytes { buf in
                while true {
                    let n = sysRead(fd, buf.baseAddress! + start, capacity)
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { failed = true } else { got = n }
                    return
                }
            }
            out.removeLast(capacity - got)
            if failed { return nil }
            // A short read of a regular file is its end (we asked for one byte more than fstat said).
            if got < capacity { break }
            capacity = max(capacity, 4096)
        }
        return out
    }
}
