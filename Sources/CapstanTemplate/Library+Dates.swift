#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Go `time.Time` in UTC (the only zone supported: "Local" is treated as UTC, as it is in
/// containers without a TZ; other zone names fall back to UTC).
final class TimeObject: TemplateObject {
    let seconds: Int64
    let nanos: Int64

    init(seconds: Int64, nanos: Int64) {
        self.seconds = seconds
        self.nanos = nanos
    }

    static func now() -> TimeObject {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return TimeObject(seconds: Int64(ts.tv_sec), nanos: Int64(ts.tv_nsec))
    }

    var goTypeName: String { "time.Time" }
    var goKind: String { "struct" }
    var printed: String { GoTime.format(self, "2006-01-02 15:04:05.999999999 -0700 MST") }
    var marshalled: TemplateValue { .string(GoTime.format(self, "2006-01-02T15:04:05.999999999Z07:00")) }
    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "Unix": return .method(.simple([]) { _ in .int64(self.seconds) })
        case "Year": return .method(.simple([]) { _ in .int(Int(GoTime.civil(self.seconds).year)) })
        case "Format": return .method(.simple([.string]) { args in .string(GoTime.format(self, Conv.str(args[0]))) })
        case "String": return .method(.simple([]) { _ in .string(self.printed) })
        case "UTC", "Local": return .method(.simple([]) { _ in .object(self) })
        default: return nil
        }
    }
}

enum GoTime {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Days since 1970-01-01 → (year, month 1-12, day 1-31) (proleptic Gregorian).
    static func civil(_ seconds: Int64) -> (year: Int64, month: Int, day: Int, yday: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        var days = seconds / 86400
        var rem = seconds % 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        var yday = cumulative[Int(m) - 1] + Int(d)
        if leap && m > 2 { yday += 1 }
        var wd = (days + 4) % 7
        if wd < 0 { wd += 7 }
        return (y, Int(m), Int(d), yday, Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60), Int(wd))
    }

    static func pad(_ n: Int64, _ width: Int, _ fill: Character = "0") -> String {
        let s = String(n.magnitude)
        return (n < 0 ? "-" : "") + String(repeating: fill, count: max(0, width - s.count)) + s
    }

    /// Go's `Time.Format` with a reference layout (`2006-01-02T15:04:05Z07:00`), UTC only.
    static func format(_ t: TimeObject, _ layout: String) -> String {
        let c = civil(t.seconds)
        let l = Array(layout.utf8)
        var out = ""
        var i = 0
        func has(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= l.count && Array(l[i..<(i + u.count)]) == u
        }
        func take(_ s: String, _ v: String) -> Bool {
            guard has(s) else { return false }
            out += v
            i += s.utf8.count
            return true
        }
        while i < l.count {
            if take("January", months[c.month - 1]) || take("Jan", String(months[c.month - 1].prefix(3)))
                || take("Monday", days[c.weekday]) || take("Mon", String(days[c.weekday].prefix(3)))
                || take("MST", "UTC") || take("2006", pad(c.year, 4)) || take("-07:00:00", "+00:00:00")
                || take("-0700", "+0000") || take("-07:00", "+00:00") || take("-07", "+00")
                || take("Z07:00:00", "Z") || take("Z0700", "Z") || take("Z07:00", "Z") || take("Z07", "Z")
                || take("002", pad(Int64(c.yday), 3)) || take("__2", pad(Int64(c.yday), 3, " "))
                || take("01", pad(Int64(c.month), 2)) || take("02", pad(Int64(c.day), 2)) || take("_2", pad(Int64(c.day), 2, " "))
                || take("06", pad(c.year % 100, 2)) || take("15", pad(Int64(c.hour), 2))
                || take("03", pad(Int64((c.hour + 11) % 12 + 1), 2)) || take("04", pad(Int64(c.minute), 2))
                || take("05", pad(Int64(c.second), 2)) || take("PM", c.hour >= 12 ? "PM" : "AM") || take("pm", c.hour >= 12 ? "pm" : "am") {
                continue
            }
            if (l[i] == UInt8(ascii: ".") || l[i] == UInt8(ascii: ",")) && i + 1 < l.count && (l[i + 1] == UInt8(ascii: "0") || l[i + 1] == UInt8(ascii: "9")) {
                let digit = l[i + 1]
                var j = i + 1
                while j < l.count && l[j] == digit { j += 1 }
                if j >= l.count || !(l[j] >= 0x30 && l[j] <= 0x39) {
                    let n = j - i - 1
                    var frac = pad(t.nanos, 9)
                    frac = String(frac.prefix(n))
                    if digit == UInt8(ascii: "9") {
                        while frac.hasSuffix("0") { frac.removeLast() }
                        if !frac.isEmpty { out += String(UnicodeScalar(l[i])) + frac }
                    } else {
                        out += String(UnicodeScalar(l[i])) + frac
                    }
                    i = j
                    continue
                }
            }
            if take("1", String(c.month)) || take("2", String(c.day)) || take("3", String((c.hour + 11) % 12 + 1))
                || take("4", String(c.minute)) || take("5", String(c.second)) {
                continue
            }
            out.unicodeScalars.append(UnicodeScalar(l[i]))
            i += 1
        }
        return out
    }

    /// Go's `Duration.String`: `1h2m3s`, `1.5s`, `0s`.
    static func durationString(_ nanos: Int64) -> String {
        if nanos == 0 { return "0s" }
        var u = nanos.magnitude
        let neg = nanos < 0
        if u < 1_000_000_000 {
            // Sub-second: ns, µs, ms.
            let (unit, div): (String, UInt64) = u < 1000 ? ("ns", 1) : u < 1_000_000 ? ("µs", 1000) : ("ms", 1_000_000)
            return (neg ? "-" : "") + fraction(u, div) + unit
        }
        var s = ""
        let h = u / 3_600_000_000_000
        u -= h * 3_600_000_000_000
        let m = u / 60_000_000_000
        u -= m * 60_000_000_000
        if h > 0 { s += "\(h)h" }
        if h > 0 || m > 0 { s += "\(m)m" }
        s += fraction(u, 1_000_000_000) + "s"
        return (neg ? "-" : "") + s
    }

    static func fraction(_ v: UInt64, _ div: UInt64) -> String {
        let whole = v / div
        var frac = v % div
        if frac == 0 { return String(whole) }
        var digits = String(frac)
        let width = String(div).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        frac = 0
        return "\(whole).\(digits)"
    }

    /// `time.ParseDuration` for `dateModify`: `-1.5h`, `10m30s`, `300ms`.
    static func parseDuration(_ s: String) -> Int64? {
        var chars = Array(s)
        var sign: Int64 = 1
        if chars.first == "-" { sign = -1; chars.removeFirst() } else if chars.first == "+" { chars.removeFirst() }
        if chars == ["0"] { return 0 }
        guard !chars.isEmpty else { return nil }
        var total: Double = 0
        var i = 0
        while i < chars.count {
            var num = ""
            while i < chars.count, chars[i].isNumber || chars[i] == "." { num.append(chars[i]); i += 1 }
            var unit = ""
            while i < chars.count, !(chars[i].isNumber || chars[i] == ".") { unit.append(chars[i]); i += 1 }
            guard let v = Double(num) else { return nil }
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            total += v * scale
        }
        guard total.isFinite, total < 9.2e18 else { return nil }
        return sign * Int64(total)
    }

    static func time(from v: TemplateValue) -> TimeObject {
        switch v {
        case .object(let o as TimeObject): return o
        case .int(let i): return TimeObject(seconds: Int64(i), nanos: 0)
        case .int64(let i): return TimeObject(seconds: i, nanos: 0)
        default: return TimeObject.now()
        }
    }
}

extension Library {
    static let dates: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [
            "now": .fn([]) { _ in .object(TimeObject.now()) },
            "date": .fn([.string, .any]) { .string(GoTime.format(GoTime.time(from: $0[1]), Conv.str($0[0]))) },
            "dateInZone": .fn([.string, .any, .string]) { .string(GoTime.format(GoTime.time(from: $0[1]), Conv.str($0[0]))) },
            "htmlDate": .fn([.any]) { .string(GoTime.format(GoTime.time(from: $0[0]), "2006-01-02")) },
            "htmlDateInZone": .fn([.any, .string]) { .string(GoTime.format(GoTime.time(from: $0[0]), "2006-01-02")) },
            "unixEpoch": .fn([.any]) { .string(String(GoTime.time(from: $0[0]).seconds)) },
            // sprig reads only strings and int64s; anything else is 0s.
            "duration": .fn([.any]) { args in
                var n: Int64 = 0
                switch args[0] {
                case .string(let s): n = Int64(s) ?? 0
                case .int64(let i): n = i
                default: break
                }
                return .string(GoTime.durationString(n &* 1_000_000_000))
            },
            "ago": .fn([.any]) { args in
                let then = GoTime.time(from: args[0]), now = TimeObject.now()
                return .string(GoTime.durationString((now.seconds - then.seconds) * 1_000_000_000))
            },
            "dateModify": .fn([.string, .any]) { args in
                let t = GoTime.time(from: args[1])
                guard let d = GoTime.parseDuration(Conv.str(args[0])) else { return .object(t) }
                let total = t.nanos + d % 1_000_000_000
                return .object(TimeObject(seconds: t.seconds + d / 1_000_000_000 + (total >= 1_000_000_000 ? 1 : total < 0 ? -1 : 0),
                                          nanos: (total % 1_000_000_000 + 1_000_000_000) % 1_000_000_000))
            },
        ]
        t["date_modify"] = t["dateModify"]
        t["mustDateModify"] = t["dateModify"]
        t["date_in_zone"] = t["dateInZone"]
        return t
    }()
}
