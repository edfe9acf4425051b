#if canImport(Glibc)
import Glibc
private let sysWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let sysWrite = Darwin.write
#endif

/// Standard output and standard error, written straight to the descriptor (unbuffered, like
/// Foundation's `FileHandle.standardError.write`). The binary links only FoundationEssentials:
/// `FileHandle` would bring in Foundation proper and ICU — 50 MB, and 1,800 more protocol
/// conformance records, which every runtime conformance lookup (a cast to a protocol, a new
/// generic type) scans one by one.
public enum StandardStream: Int32, Sendable, TextOutputStream {
    case output = 1
    case error = 2

    /// Writes all of `text`. A stream that is closed or fails loses it: a diagnostic that
    /// cannot be shown must not stop the work.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) {
        guard var next = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = sysWrite(rawValue, next, left)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            next += n
            left -= n
        }
    }
}
