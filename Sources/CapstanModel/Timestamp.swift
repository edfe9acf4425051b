#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time with nanosecond precision, read and written in the two RFC 3339 shapes
/// Kubernetes uses, by hand-written code (no `DateFormatter`, no Foundation):
/// - `metav1.Time` (`creationTimestamp`): ``rfc3339`` prints whole seconds in UTC
///   (`2026-11-21T20:31:04Z`), dropping any fraction, as Go's `time.RFC3339` layout does;
/// - `metav1.MicroTime` (`eventTime`, lease `renewTime`): ``rfc3339Micro`` prints exactly six
///   fractional digits (`2026-11-21T20:31:04.123456Z`).
/// ``init(rfc3339:)`` accepts what Go's `time.Parse(time.RFC3339, …)` accepts (optional
/// fraction of any length, `Z` or a `±hh:mm` offset); ``init(rfc3339Micro:)`` requires the six
/// digits like `time.Parse(RFC3339Micro, …)`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// Nanoseconds within the second, 0..<1_000_000_000.
    public let nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        // Normalise so the nanoseconds part is always in range.
        let extra = Int64(nanoseconds) / 1_000_000_000
        var nanos = nanoseconds % 1_000_000_000
        var secs = seconds + extra
        if nanos < 0 {
            nanos += 1_000_000_000
            secs -= 1
        }
        self.seconds = secs
        self.nanoseconds = nanos
    }

    /// The current wall-clock time.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanoseconds < b.nanoseconds
    }

    /// `self - other` in nanoseconds, saturating at the Int64 range like Go's `Time.Sub`.
    public func nanoseconds(since other: Timestamp) -> Int64 {
        let secs = Int128(seconds) - Int128(other.seconds)
        let total = secs * 1_000_000_000 + Int128(nanoseconds) - Int128(other.nanoseconds)
        if total > Int128(Int64.max) { return Int64.max }
        if total < Int128(Int64.min) { return Int64.min }
        return Int64(total)
    }

    /// Adds whole seconds.
    public func adding(seconds delta: Int64) -> Timestamp {
        let (sum, overflow) = seconds.addingReportingOverflow(delta)
        return Timestamp(seconds: overflow ? (delta > 0 ? Int64.max - 1 : Int64.min + 1) : sum, nanoseconds: nanoseconds)
    }

    /// kubectl's AGE column for an object created at `self`, seen at `now`.
    public func age(at now: Timestamp) -> String { HumanDuration.string(nanoseconds: now.nanoseconds(since: self)) }

    public var description: String { rfc3339 }

    // MARK: - Formatting

    /// `2006-01-02T15:04:05Z` (UTC, whole seconds).
    public var rfc3339: String {
        var out = [UInt8]()
        out.reserveCapacity(20)
        appendDateTime(&out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `2006-01-02T15:04:05.000000Z` (UTC, microseconds, truncated).
    public var rfc3339Micro: String {
        var out = [UInt8]()
        out.reserveCapacity(27)
        appendDateTime(&out)
        out.append(UInt8(ascii: "."))
        appendPadded(&out, Int64(nanoseconds / 1000), width: 6)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    private func appendDateTime(_ out: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Timestamp.civil(fromDays: days)
        appendPadded(&out, year, width: 4)
        out.append(UInt8(ascii: "-"))
        appendPadded(&out, month, width: 2)
        out.append(UInt8(ascii: "-"))
        appendPadded(&out, day, width: 2)
        out.append(UInt8(ascii: "T"))
        appendPadded(&out, secondOfDay / 3600, width: 2)
        out.append(UInt8(ascii: ":"))
        appendPadded(&out, secondOfDay / 60 % 60, width: 2)
        out.append(UInt8(ascii: ":"))
        appendPadded(&out, secondOfDay % 60, width: 2)
    }

    /// `value` in decimal, zero-padded to `width` digits. Written in place, right to left: a
    /// scratch array of digits per field cost six allocations per timestamp, and every create
    /// stamps one.
    private func appendPadded(_ out: inout [UInt8], _ value: Int64, width: Int) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var count = 1
        var rest = magnitude / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0x30, count: max(width, count)))
        var v = magnitude
        var i = out.count - 1
        while i >= start && v > 0 {
            out[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
            v /= 10
            i -= 1
        }
    }

    // MARK: - Calendar (proleptic Gregorian, days since 1970-01-01)

    /// Days since the epoch for a civil date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * m + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A timestamp that does not parse; ``description`` names the text.
public struct TimestampError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "cannot parse \(GoFormat.quote(text)) as an RFC 3339 time: \(reason)" }
}

extension Timestamp {
    /// Parses RFC 3339 (`2026-11-21T20:31:04Z`, `…04.5+01:00`); the fraction is optional and
    /// any digits past nanoseconds are ignored, as in Go.
    public init(rfc3339 text: String) throws(TimestampError) {
        self = try Timestamp.parse(text, microDigitsRequired: false)
    }

    /// Parses the MicroTime form, which must carry exactly six fractional digits.
    public init(rfc3339Micro text: String) throws(TimestampError) {
        self = try Timestamp.parse(text, microDigitsRequired: true)
    }

    /// Reads `creationTimestamp`-style fields from a `Value` (a string; `null` gives nil).
    public init?(_ value: Value) {
        guard let text = value.stringValue, let parsed = try? Timestamp(rfc3339: text) else { return nil }
        self = parsed
    }

    static func parse(_ text: String, microDigitsRequired: Bool) throws(TimestampError) -> Timestamp {
        let s = Array(text.utf8)
        var pos = 0
        func fail(_ reason: String) -> TimestampError { TimestampError(text: text, reason: reason) }
        func number(_ width: Int, _ what: String) throws(TimestampError) -> Int64 {
            guard pos + width <= s.count else { throw fail("\(what) is missing") }
            var v: Int64 = 0
            for i in pos..<(pos + width) {
                guard s[i] >= 0x30 && s[i] <= 0x39 else { throw fail("\(what) must be \(width) digits") }
                v = v * 10 + Int64(s[i] - 0x30)
            }
            pos += width
            return v
        }
        func expect(_ c: Character) throws(TimestampError) {
            guard pos < s.count, s[pos] == c.asciiValue else { throw fail("expected '\(c)' at offset \(pos)") }
            pos += 1
        }
        let year = try number(4, "year")
        try expect("-")
        let month = try number(2, "month")
        try expect("-")
        let day = try number(2, "day")
        try expect("T")
        let hour = try number(2, "hour")
        try expect(":")
        let minute = try number(2, "minute")
        try expect(":")
        let second = try number(2, "second")
        guard (1...12).contains(month) else { throw fail("month out of range") }
        guard day >= 1 && day <= daysIn(month: month, year: year) else { throw fail("day out of range") }
        guard hour < 24 else { throw fail("hour out of range") }
        guard minute < 60 else { throw fail("minute out of range") }
        guard second < 60 else { throw fail("second out of range") }

        var nanos: Int64 = 0
        if pos < s.count && (s[pos] == UInt8(ascii: ".") || s[pos] == UInt8(ascii: ",")) {
            pos += 1
            var count = 0
            while pos < s.count && s[pos] >= 0x30 && s[pos] <= 0x39 {
                if count < 9 { nanos = nanos * 10 + Int64(s[pos] - 0x30) }
                count += 1
                pos += 1
            }
            if count == 0 { throw fail("fractional second has no digits") }
            if microDigitsRequired && count != 6 { throw fail("fractional second must have 6 digits") }
            for _ in min(count, 9)..<9 { nanos *= 10 }
        } else if microDigitsRequired {
            throw fail("fractional second must have 6 digits")
        }

        var offset: Int64 = 0
        guard pos < s.count else { throw fail("time zone is missing") }
        if s[pos] == UInt8(ascii: "Z") {
            pos += 1
        } else if s[pos] == UInt8(ascii: "+") || s[pos] == UInt8(ascii: "-") {
            let negative = s[pos] == UInt8(ascii: "-")
            pos += 1
            let hours = try number(2, "offset hours")
            try expect(":")
            let minutes = try number(2, "offset minutes")
            guard hours < 24 && minutes < 60 else { throw fail("time zone offset out of range") }
            offset = (hours * 3600 + minutes * 60) * (negative ? -1 : 1)
        } else {
            throw fail("expected 'Z' or an offset at offset \(pos)")
        }
        guard pos == s.count else { throw fail("extra text after the time") }

        let days = Timestamp.days(fromCivil: year, month, day)
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Timestamp(seconds: secs, nanoseconds: Int32(nanos))
    }
}
