#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock times as Kubernetes writes them (RFC 3339, UTC, whole seconds) and ages as
/// kubectl prints them (`3s`, `5m10s`, `2d3h`). (CapstanModel's time helpers can replace these
/// once they land.)
enum WallClock {
    static func nowSeconds() -> Int64 { Int64(time(nil)) }

    static func rfc3339(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday))T\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec))Z"
    }

    static func now() -> String { rfc3339(nowSeconds()) }

    /// Seconds since the epoch of `2026-11-21T19:57:55Z` (fractions and offsets accepted).
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int32? {
            var v: Int32 = 0
            for i in from..<(from + len) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int32(b[i] - 48)
            }
            return v
        }
        guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2),
            let s = num(17, 2) else { return nil }
        var tm = tm()
        tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d
        tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = s
        var seconds = Int64(timegm(&tm))
        // Offset like +02:00 at the end.
        if let last = b.last, last != UInt8(ascii: "Z"), b.count >= 25 {
            let sign = b[b.count - 6]
            if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"), let oh = num(b.count - 5, 2), let om = num(b.count - 2, 2) {
                let off = Int64(oh) * 3600 + Int64(om) * 60
                seconds += sign == UInt8(ascii: "+") ? -off : off
            }
        }
        return seconds
    }

    /// kubectl's human-readable duration; CapstanModel's `HumanDuration` is the one implementation.
    static func humanDuration(_ seconds: Int64) -> String { HumanDuration.string(seconds: seconds) }

    /// The age column of `timestamp` (an RFC 3339 string), `<unknown>` when absent.
    static func age(of timestamp: Value) -> String {
        guard let text = timestamp.stringValue, let t = parse(text) else { return "<unknown>" }
        return humanDuration(nowSeconds() - t)
    }
}

import CapstanModel

/// Random identifiers: object uids (RFC 4122 version 4) and `generateName` suffixes.
enum Identifiers {
    static func uid() -> String {
        // Two 64-bit draws (one getrandom each) rather than sixteen single bytes.
        var g = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (g.next(), g.next())) { Array($0) }
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

    /// Kubernetes' alphabet for generated names: no vowels (no words) and no confusable characters.
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func suffix(_ count: Int = 5) -> String {
        String((0..<count).map { _ in alphabet.randomElement() ?? "x" })
    }
}
