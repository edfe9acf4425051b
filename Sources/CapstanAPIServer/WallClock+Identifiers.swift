import CapstanModel

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
}
