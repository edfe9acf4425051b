import CapstanModel
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock times as Kubernetes writes them (RFC 3339, UTC, whole seconds) and ages as
/// kubectl prints them: thin names over CapstanModel's `Timestamp` and `HumanDuration`.
enum WallClock {
    static func nowSeconds() -> Int64 { Timestamp.now().seconds }

    static func rfc3339(_ seconds: Int64) -> String { Timestamp(seconds: seconds).rfc3339 }

    static func now() -> String { rfc3339(nowSeconds()) }

    /// Seconds since the epoch of an RFC 3339 time (fractions and offsets accepted).
    static func parse(_ text: String) -> Int64? { (try? Timestamp(rfc3339: text))?.seconds }

    static func humanDuration(_ seconds: Int64) -> String { HumanDuration.string(seconds: seconds) }

    /// The age column of `timestamp` (an RFC 3339 string), `<unknown>` when absent.
    static func age(of timestamp: Value) -> String { Timestamp.age(of: timestamp, at: Timestamp.now()) }
}


/// Object uids (RFC 4122 version 4). Generated names come from CapstanModel's `GenerateName`.
enum Identifiers {
    static func uid() -> String {
        var bytes = RandomBytes.shared.next16()
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}

/// Random bytes from the kernel generator, drawn 4 KiB at a time: one read per 256 uids
/// instead of two per uid (a create paid for them on every request). The bytes are the
/// system generator's own, handed out once each, so uids stay as unpredictable as before.
///
/// Concurrency: the buffer is guarded by its `Mutex`.
final class RandomBytes: Sendable {
    static let shared = RandomBytes()
    private static let chunk = 4096

    private struct Buffer {
        var bytes: [UInt8] = []
        var used = 0
    }

    private let buffer = Mutex(Buffer())

    func next16() -> [UInt8] {
        buffer.withLock { b in
            if b.used + 16 > b.bytes.count {
                b.bytes = Self.draw(Self.chunk)
                b.used = 0
            }
            defer { b.used += 16 }
            return Array(b.bytes[b.used..<(b.used + 16)])
        }
    }

    private static func draw(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        #if canImport(Glibc)
        // The kernel's generator (what getrandom serves), read in one go.
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            out.withUnsafeMutableBytes { raw in
                while filled < count, let base = raw.baseAddress {
                    let n = read(fd, base + filled, count - filled)
                    if n <= 0 { break }
                    filled += n
                }
            }
            close(fd)
        }
        #endif
        // Whatever getrandom could not give comes from the standard generator.
        var g = SystemRandomNumberGenerator()
        while filled < count {
            out[filled] = UInt8(truncatingIfNeeded: g.next())
            filled += 1
        }
        return out
    }
}
