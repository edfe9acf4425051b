/// `toDate`/`mustToDate` (Go's `time.ParseInLocation` with a reference layout, Local = UTC)
/// and `durationRound`.
extension GoTime {
    struct ParseFailure: Error { var message: String }

    /// Days from 1970-01-01 for a proleptic Gregorian date.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func parse(_ layout: String, _ value: String) throws -> TimeObject {
        let l = Array(layout.utf8), v = Array(value.utf8)
        var li = 0, vi = 0
        var year: Int64 = 1, month: Int64 = 1, day: Int64 = 1, hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0
        var nanos: Int64 = 0, offset: Int64 = 0, pm: Bool?
        func failure(_ elem: String) -> ParseFailure {
            let rest = String(decoding: v[min(vi, v.count)...], as: UTF8.self)
            return ParseFailure(message: "parsing time \(GoFormat.quote(value)) as \(GoFormat.quote(layout)): cannot parse \(GoFormat.quote(rest)) as \(GoFormat.quote(elem))")
        }
        func has(_ s: String) -> Bool {
            let u = Array(s.utf8)
            return li + u.count <= l.count && Array(l[li..<(li + u.count)]) == u
        }
        func digits(_ min: Int, _ max: Int, _ elem: String) throws -> Int64 {
            var n: Int64 = 0, count = 0
            while vi < v.count, count < max, v[vi] >= 0x30, v[vi] <= 0x39 { n = n * 10 + Int64(v[vi] - 0x30); vi += 1; count += 1 }
            guard count >= min else { throw failure(elem) }
            return n
        }
        func word(_ options: [String], _ elem: String) throws -> Int {
            for (i, o) in options.enumerated() {
                let u = Array(o.utf8)
                if vi + u.count <= v.count, Array(v[vi..<(vi + u.count)]).map({ $0 | 0x20 }) == u.map({ $0 | 0x20 }) { vi += u.count; return i }
            }
            throw failure(elem)
        }
        func range(_ name: String, _ ok: Bool) throws {
            if !ok { throw ParseFailure(message: "parsing time \(GoFormat.quote(value)): \(name) out of range") }
        }
        func fraction() {
            guard vi < v.count, v[vi] == UInt8(ascii: ".") || v[vi] == UInt8(ascii: ","),
                  vi + 1 < v.count, v[vi + 1] >= 0x30, v[vi + 1] <= 0x39 else { return }
            vi += 1
            var scale: Int64 = 100_000_000
            while vi < v.count, v[vi] >= 0x30, v[vi] <= 0x39 { nanos += Int64(v[vi] - 0x30) * scale; scale /= 10; vi += 1 }
        }
        while li < l.count {
            if has("January") { li += 7; month = Int64(try word(months, "January")) + 1 }
            else if has("Jan") { li += 3; month = Int64(try word(months.map { String($0.prefix(3)) }, "Jan")) + 1 }
            else if has("Monday") { li += 6; _ = try word(days, "Monday") }
            else if has("Mon") { li += 3; _ = try word(days.map { String($0.prefix(3)) }, "Mon") }
            else if has("MST") { li += 3; while vi < v.count, (v[vi] >= 0x41 && v[vi] <= 0x5A) { vi += 1 } }
            else if has("2006") { li += 4; year = try digits(4, 4, "2006") }
            else if has("Z07:00") || has("-07:00") || has("Z0700") || has("-0700") || has("Z07") || has("-07") {
                let token = ["Z07:00", "-07:00", "Z0700", "-0700", "Z07", "-07"].first { has($0) }!
                li += token.utf8.count
                if token.hasPrefix("Z"), vi < v.count, v[vi] == UInt8(ascii: "Z") { vi += 1; continue }
                guard vi < v.count, v[vi] == UInt8(ascii: "+") || v[vi] == UInt8(ascii: "-") else { throw failure(token) }
                let sign: Int64 = v[vi] == UInt8(ascii: "-") ? -1 : 1
                vi += 1
                let h = try digits(2, 2, token)
                var m: Int64 = 0
                if token.hasSuffix("07:00") { guard vi < v.count, v[vi] == UInt8(ascii: ":") else { throw failure(token) }; vi += 1; m = try digits(2, 2, token) }
                else if token.hasSuffix("0700") { m = try digits(2, 2, token) }
                offset = sign * (h * 3600 + m * 60)
            }
            else if has("01") { li += 2; month = try digits(2, 2, "01"); try range("month", (1...12).contains(month)) }
            else if has("02") { li += 2; day = try digits(2, 2, "02"); try range("day", day <= 31) }
            else if has("_2") { li += 2; if vi < v.count, v[vi] == 0x20 { vi += 1 }; day = try digits(1, 2, "_2"); try range("day", day <= 31) }
            else if has("06") { li += 2; let y = try digits(2, 2, "06"); year = y >= 69 ? 1900 + y : 2000 + y }
            else if has("15") { li += 2; hour = try digits(1, 2, "15"); try range("hour", hour < 24) }
            else if has("03") { li += 2; hour = try digits(2, 2, "03"); try range("hour", hour <= 12) }
            else if has("04") { li += 2; minute = try digits(2, 2, "04"); try range("minute", minute < 60) }
            else if has("05") { li += 2; second = try digits(2, 2, "05"); try range("second", second < 60); fraction() }
            else if has("PM") || has("pm") { li += 2; pm = try word(["AM", "PM"], "PM") == 1 }
            else if (has(".0") || has(".9") || has(",0") || has(",9")) {
                li += 1
                while li < l.count, l[li] == UInt8(ascii: "0") || l[li] == UInt8(ascii: "9") { li += 1 }
                fraction()
            }
            else if has("1") { li += 1; month = try digits(1, 2, "1"); try range("month", (1...12).contains(month)) }
            else if has("2") { li += 1; day = try digits(1, 2, "2"); try range("day", day <= 31) }
            else if has("3") { li += 1; hour = try digits(1, 2, "3"); try range("hour", hour <= 12) }
            else if has("4") { li += 1; minute = try digits(1, 2, "4"); try range("minute", minute < 60) }
            else if has("5") { li += 1; second = try digits(1, 2, "5"); try range("second", second < 60); fraction() }
            else {
                guard vi < v.count, v[vi] == l[li] else {
                    let rest = String(decoding: l[li...], as: UTF8.self)
                    throw ParseFailure(message: "parsing time \(GoFormat.quote(value)) as \(GoFormat.quote(layout)): cannot parse \(GoFormat.quote(String(decoding: v[min(vi, v.count)...], as: UTF8.self))) as \(GoFormat.quote(rest))")
                }
                li += 1; vi += 1
            }
        }
        if vi < v.count {
            throw ParseFailure(message: "parsing time \(GoFormat.quote(value)): extra text: \(GoFormat.quote(String(decoding: v[vi...], as: UTF8.self)))")
        }
        if let pm { if pm && hour < 12 { hour += 12 } else if !pm && hour == 12 { hour = 0 } }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else {
            throw ParseFailure(message: "parsing time \(GoFormat.quote(value)): day out of range")
        }
        let secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset
        return TimeObject(seconds: secs, nanos: nanos)
    }

    /// Go's zero `time.Time` (what `toDate` yields for unparsable text).
    static let zero = TimeObject(seconds: daysFromCivil(1, 1, 1) * 86400, nanos: 0)

    static func durationRound(_ v: TemplateValue) -> String {
        var d: Int64 = 0
        switch v {
        case .string(let s): d = parseDuration(s) ?? 0
        case .int64(let i): d = i
        case .object(let o as TimeObject):
            let now = TimeObject.now()
            d = (now.seconds - o.seconds) * 1_000_000_000 + (now.nanos - o.nanos)
        default: d = 0
        }
        let u = d.magnitude
        let hour: UInt64 = 3_600_000_000_000
        let steps: [(UInt64, String)] = [(hour * 24 * 365, "y"), (hour * 24 * 30, "mo"), (hour * 24, "d"), (hour, "h"),
                                         (60_000_000_000, "m"), (1_000_000_000, "s")]
        for (unit, suffix) in steps where u > unit { return String(u / unit) + suffix }
        return "0s"
    }
}

extension Library {
    static let dateParsing: [String: TemplateFunction] = [
        "toDate": .fn([.string, .string]) { args in
            .object((try? GoTime.parse(Conv.str(args[0]), Conv.str(args[1]))) ?? GoTime.zero)
        },
        "mustToDate": .fn([.string, .string]) { args in
            do { return .object(try GoTime.parse(Conv.str(args[0]), Conv.str(args[1]))) }
            catch let e as GoTime.ParseFailure { throw TemplateFunctionError(e.message) }
        },
        "durationRound": .fn([.any]) { .string(GoTime.durationRound($0[0])) },
    ]
}
