/// Helm's `fromToml`: a TOML 1.0 document decoded the way BurntSushi/toml fills a
/// `map[string]interface{}` — integers are `int64`, floats `float64`, date-times `time.Time`
/// (printed with the zone names `UTC`, `datetime-local`, `date-local`, `time-local`), tables
/// maps, arrays lists. A document that does not decode yields `map[Error:toml: line N: …]`,
/// as Helm returns it (the common messages follow BurntSushi's wording).
enum TOMLDecoder {
    struct Failure: Error { var line: Int; var lastKey: String?; var message: String }

    static func decode(_ text: String) -> TemplateValue {
        var p = Parser(bytes: Array(text.utf8))
        do {
            try p.document()
            return .map(p.root)
        } catch let f as Failure {
            let key = f.lastKey.map { " (last key \(GoFormat.quote($0)))" } ?? ""
            return .dict(["Error": .string("toml: line \(f.line)\(key): \(f.message)")])
        } catch {
            return .dict(["Error": .string("toml: \(error)")])
        }
    }

    struct Parser {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        let root = TemplateMap()
        /// The table `key = value` lines go into.
        var current: TemplateMap
        var lastKey: String?
        /// Tables (by dotted path) that were defined explicitly by a header or as values,
        /// so a second definition is an error.
        var defined: Set<[String]> = []
        var depth = 0
        /// Key path of the inline table being read (BurntSushi names `a.x` in errors).
        var keyPrefix: [String] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
            current = root
        }

        var peek: UInt8 { i < bytes.count ? bytes[i] : 0 }
        var atEnd: Bool { i >= bytes.count }

        func fail(_ message: String, key: Bool = true) -> Failure {
            Failure(line: line, lastKey: key ? lastKey : nil, message: message)
        }

        static func describe(_ c: UInt8) -> String {
            switch c {
            case 0: return "'\\x00'"
            case 0x0A: return "'\\n'"
            case 0x0D: return "'\\r'"
            case 0x09: return "'\\t'"
            default: return "'" + String(decoding: [c], as: UTF8.self) + "'"
            }
        }

        mutating func skipSpaces() { while peek == 0x20 || peek == 0x09 { i += 1 } }

        mutating func skipComment() {
            if peek == UInt8(ascii: "#") { while !atEnd && peek != 0x0A { i += 1 } }
        }

        /// Whitespace, newlines and comments (inside arrays and between lines).
        mutating func skipBlank() {
            while true {
                skipSpaces()
                skipComment()
                if peek == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                if peek == 0x0A { i += 1; line += 1; continue }
                return
            }
        }

        /// After an item: only spaces and a comment may follow before the newline.
        mutating func endOfLine() throws {
            skipSpaces()
            skipComment()
            if peek == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            if atEnd { return }
            guard peek == 0x0A else {
                throw fail("expected a top-level item to end with a newline, comment, or EOF, but got \(Self.describe(peek)) instead", key: false)
            }
        }

        mutating func document() throws {
            while true {
                skipBlank()
                if atEnd { return }
                if peek == UInt8(ascii: "[") {
                    try header()
                } else {
                    try keyValue(into: current)
                }
                try endOfLine()
            }
        }

        // MARK: Tables

        mutating func header() throws {
            i += 1
            let isArray = peek == UInt8(ascii: "[")
            if isArray { i += 1 }
            skipSpaces()
            let path = try key()
            skipSpaces()
            guard peek == UInt8(ascii: "]") else {
                throw fail("expected '.' or ']' to end table name, but got \(Self.describe(peek)) instead", key: false)
            }
            i += 1
            if isArray {
                guard peek == UInt8(ascii: "]") else {
                    throw fail("expected '.' or ']]' to end table name, but got \(Self.describe(peek)) instead", key: false)
                }
                i += 1
            }
            lastKey = path.joined(separator: ".")
            let parent = try table(at: path.dropLast(), creating: true)
            let name = path[path.count - 1]
            let headerKey = lastKey ?? ""
            if isArray {
                let fresh = TemplateMap()
                switch parent[name] {
                case nil: parent[name] = .list([.map(fresh)])
                case .list(var l)?:
                    guard l.allSatisfy({ if case .map = $0 { return true } else { return false } }) else {
                        throw fail("Key '\(lastKey ?? "")' has already been defined.")
                    }
                    l.append(.map(fresh))
                    parent[name] = .list(l)
                default: throw fail("Key '\(lastKey ?? "")' has already been defined.")
                }
                current = fresh
            } else {
                if defined.contains(path) { throw fail("Key '\(headerKey)' has already been defined.", key: false) }
                current = try child(parent, name, throughArrays: false, named: headerKey)
                defined.insert(path)
            }
        }

        /// The table at `path` below the root (implicitly created tables on the way), the
        /// last element of an array of tables when a step is one.
        func table(at path: ArraySlice<String>, creating: Bool) throws -> TemplateMap {
            var t = root
            for k in path { t = try child(t, k, throughArrays: true, named: k) }
            return t
        }

        /// The table under `k` in `t`, created when missing; `throughArrays`: the last table of
        /// an array of tables there. Anything else under `k` is a redefinition.
        func child(_ t: TemplateMap, _ k: String, throughArrays: Bool, named: String) throws -> TemplateMap {
            if throughArrays, case .list(let l)? = t[k], case .map(let m)? = l.last { return m }
            switch t[k] {
            case nil:
                let fresh = TemplateMap()
                t[k] = .map(fresh)
                return fresh
            case .map(let m)?: return m
            default: throw fail("Key '\(named)' has already been defined.")
            }
        }

        // MARK: Keys and values

        mutating func key() throws -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                parts.append(try simpleKey())
                skipSpaces()
                guard peek == UInt8(ascii: ".") else { return parts }
                i += 1
            }
        }

        mutating func simpleKey() throws -> String {
            switch peek {
            case UInt8(ascii: "\""): return try basicString()
            case UInt8(ascii: "'"): return try literalString()
            default:
                let start = i
                while Self.isBare(peek) { i += 1 }
                guard i > start else {
                    if peek == UInt8(ascii: "=") { throw fail("unexpected '=': key name appears blank", key: false) }
                    if atEnd { throw fail("unexpected EOF; expected key name", key: false) }
                    throw fail("bare keys cannot contain \(Self.describe(peek))", key: false)
                }
                return String(decoding: bytes[start..<i], as: UTF8.self)
            }
        }

        static func isBare(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }

        mutating func keyValue(into table: TemplateMap) throws {
            let path = try key()
            skipSpaces()
            guard peek == UInt8(ascii: "=") else {
                if atEnd || peek == 0x0A { throw fail("expected '=' after key \(GoFormat.quote(path.joined(separator: ".")))", key: false) }
                throw fail("expected '=' after key, but got \(Self.describe(peek)) instead", key: false)
            }
            i += 1
            lastKey = (keyPrefix + path).joined(separator: ".")
            skipSpaces()
            let saved = keyPrefix
            keyPrefix += path
            let v = try value()
            keyPrefix = saved
            var t = table
            for k in path.dropLast() { t = try child(t, k, throughArrays: false, named: lastKey ?? "") }
            let name = path[path.count - 1]
            if t[name] != nil { throw fail("Key '\(lastKey ?? "")' has already been defined.") }
            t[name] = v
        }

        mutating func value() throws -> TemplateValue {
            depth += 1
            defer { depth -= 1 }
            guard depth < 256 else { throw fail("nesting deeper than 256 levels") }
            switch peek {
            case 0: throw fail("unexpected EOF; expected value")
            case 0x0A, 0x0D: throw fail("expected value but found '\\n' instead")
            case UInt8(ascii: "\""):
                if hasPrefix("\"\"\"") { return .string(try multilineBasic()) }
                return .string(try basicString())
            case UInt8(ascii: "'"):
                if hasPrefix("'''") { return .string(try multilineLiteral()) }
                return .string(try literalString())
            case UInt8(ascii: "["): return try array()
            case UInt8(ascii: "{"): return try inlineTable()
            default:
                if hasPrefix("true") && !Self.isBare(at(i + 4)) { i += 4; return .bool(true) }
                if hasPrefix("false") && !Self.isBare(at(i + 5)) { i += 5; return .bool(false) }
                return try scalar()
            }
        }

        func at(_ k: Int) -> UInt8 { k < bytes.count ? bytes[k] : 0 }
        func hasPrefix(_ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= bytes.count else { return false }
            return bytes[i..<(i + u.count)].elementsEqual(u)
        }

        mutating func array() throws -> TemplateValue {
            var out: [TemplateValue] = []
            try commaSeparated(close: UInt8(ascii: "]"), multiline: true,
                               missing: "expected a comma (',') or array terminator (']'), but got ",
                               suffix: "") { p in out.append(try p.value()) }
            return .list(out)
        }

        mutating func inlineTable() throws -> TemplateValue {
            let table = TemplateMap()
            try commaSeparated(close: UInt8(ascii: "}"), multiline: false,
                               missing: "expected a comma or an inline table terminator '}', but got ",
                               suffix: " instead") { p in try p.keyValue(into: table) }
            return .map(table)
        }

        /// Items between the opening bracket (at `i`) and `close`, separated by commas; arrays
        /// may span lines (and end with a comma), inline tables may not.
        mutating func commaSeparated(close: UInt8, multiline: Bool, missing: String, suffix: String,
                                     item: (inout Parser) throws -> Void) throws {
            i += 1
            var first = true
            while true {
                if multiline { skipBlank() } else { skipSpaces() }
                // A trailing comma is allowed in arrays only.
                if peek == close && (multiline || first) { i += 1; return }
                first = false
                try item(&self)
                if multiline { skipBlank() } else { skipSpaces() }
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == close { i += 1; return }
                throw fail(missing + (atEnd ? "end of file" : Self.describe(peek)) + suffix)
            }
        }

        // MARK: Strings

        mutating func basicString() throws -> String {
            i += 1
            var out: [UInt8] = []
            while true {
                guard !atEnd else { throw fail("unexpected EOF; expected '\"'") }
                let c = peek
                if c == 0x0A { throw fail("strings cannot contain newlines") }
                if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\") { try escape(into: &out); continue }
                out.append(c)
                i += 1
            }
        }

        mutating func multilineBasic() throws -> String {
            i += 3
            if peek == 0x0D && at(i + 1) == 0x0A { i += 1 }
            if peek == 0x0A { i += 1; line += 1 }
            var out: [UInt8] = []
            while true {
                guard !atEnd else { throw fail("unexpected EOF; expected '\"\"\"'") }
                if hasPrefix("\"\"\"") {
                    // Up to two quotes may end the content right before the delimiter.
                    var extra = 0
                    while extra < 2 && at(i + 3 + extra) == UInt8(ascii: "\"") { extra += 1 }
                    out.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: extra))
                    i += 3 + extra
                    return String(decoding: out, as: UTF8.self)
                }
                let c = peek
                if c == UInt8(ascii: "\\") {
                    // A backslash at the end of a line trims the newline and leading blanks.
                    var j = i + 1
                    while at(j) == 0x20 || at(j) == 0x09 { j += 1 }
                    if at(j) == 0x0D { j += 1 }
                    if at(j) == 0x0A {
                        i = j
                        while peek == 0x20 || peek == 0x09 || peek == 0x0A || peek == 0x0D {
                            if peek == 0x0A { line += 1 }
                            i += 1
                        }
                        continue
                    }
                    try escape(into: &out)
                    continue
                }
                if c == 0x0A { line += 1 }
                out.append(c)
                i += 1
            }
        }

        mutating func escape(into out: inout [UInt8]) throws {
            i += 1
            let e = peek
            i += 1
            switch e {
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "e"): out.append(27)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "u"), UInt8(ascii: "U"):
                let n = e == UInt8(ascii: "u") ? 4 : 8
                guard i + n <= bytes.count,
                      let v = UInt32(String(decoding: bytes[i..<(i + n)], as: UTF8.self), radix: 16),
                      let scalar = Unicode.Scalar(v) else {
                    throw fail("invalid escape in string '\\\(String(decoding: [e], as: UTF8.self))'")
                }
                i += n
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail("invalid escape in string '\\\(String(decoding: [e], as: UTF8.self))'")
            }
        }

        mutating func literalString() throws -> String {
            i += 1
            let start = i
            while !atEnd && peek != UInt8(ascii: "'") {
                if peek == 0x0A { throw fail("strings cannot contain newlines") }
                i += 1
            }
            guard !atEnd else { throw fail("unexpected EOF; expected \"'\"") }
            let s = String(decoding: bytes[start..<i], as: UTF8.self)
            i += 1
            return s
        }

        mutating func multilineLiteral() throws -> String {
            i += 3
            if peek == 0x0D && at(i + 1) == 0x0A { i += 1 }
            if peek == 0x0A { i += 1; line += 1 }
            let start = i
            while !atEnd && !hasPrefix("'''") {
                if peek == 0x0A { line += 1 }
                i += 1
            }
            guard !atEnd else { throw fail("unexpected EOF; expected \"'''\"") }
            var end = i
            i += 3
            while peek == UInt8(ascii: "'") && i - end < 5 { i += 1; end += 1 }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        // MARK: Numbers, booleans, date-times

        mutating func scalar() throws -> TemplateValue {
            let start = i
            while !atEnd {
                let c = peek
                if c == 0x20 && Self.isDate(bytes[start..<i]) && at(i + 1) >= 0x30 && at(i + 1) <= 0x39 { i += 1; continue }
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ",") || c == UInt8(ascii: "]")
                    || c == UInt8(ascii: "}") || c == UInt8(ascii: "#") { break }
                i += 1
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if let v = Self.number(text) { return v }
            if let t = TOMLDateTime(parsing: text) { return .object(TOMLDateTimeObject(t)) }
            let digits = text.drop { $0 == "+" || $0 == "-" }
            if digits.count > 1, digits.hasPrefix("0"), digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }) {
                throw fail("Invalid integer \(GoFormat.quote(text)): cannot have leading zeroes")
            }
            i = start
            throw fail("expected value but found \(GoFormat.quote(text)) instead")
        }

        static func isDate(_ s: ArraySlice<UInt8>) -> Bool {
            s.count == 10 && s[s.startIndex + 4] == UInt8(ascii: "-") && s[s.startIndex + 7] == UInt8(ascii: "-")
        }

        static func number(_ text: String) -> TemplateValue? {
            switch text {
            case "inf", "+inf": return .float64(.infinity)
            case "-inf": return .float64(-.infinity)
            case "nan", "+nan", "-nan": return .float64(.nan)
            default: break
            }
            var s = Substring(text)
            var sign = ""
            if s.first == "+" || s.first == "-" { sign = s.first == "-" ? "-" : ""; s = s.dropFirst() }
            guard let first = s.first, first.isASCII, first.isNumber else { return nil }
            // Underscores must sit between digits.
            let u = Array(s.utf8)
            for (k, c) in u.enumerated() where c == UInt8(ascii: "_") {
                guard k > 0, k + 1 < u.count, Self.isHexDigit(u[k - 1]), Self.isHexDigit(u[k + 1]) else { return nil }
            }
            let plain = String(s).replacingAll("_", with: "")
            for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where plain.hasPrefix(prefix) {
                guard sign.isEmpty, let v = Int64(plain.dropFirst(2), radix: radix) else { return nil }
                return .int64(v)
            }
            let isFloat = plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
            if !isFloat {
                guard plain.allSatisfy({ $0.isASCII && $0.isNumber }), plain == "0" || !plain.hasPrefix("0"),
                      let v = Int64(sign + plain) else { return nil }
                return .int64(v)
            }
            let mantissa = plain.split(whereSeparator: { $0 == "e" || $0 == "E" }).first.map(String.init) ?? plain
            let intPart = mantissa.split(separator: ".", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !intPart.isEmpty, intPart == "0" || !intPart.hasPrefix("0"), !plain.hasSuffix("."),
                  !plain.contains(".e"), !plain.contains(".E"), let v = Double(sign + plain) else { return nil }
            return .float64(v)
        }

        static func isHexDigit(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)
        }
    }
}

/// A TOML date-time as Go's `time.Time`: offset date-times print their zone (`UTC` for `Z`,
/// the offset otherwise); local date-times, dates and times print BurntSushi's zone names.
struct TOMLDateTime: Sendable {
    var year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0, nanos = 0
    /// Seconds east of UTC; nil for the local kinds.
    var offset: Int?
    var zoneName: String

    init?(parsing text: String) {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<(at + n) {
                guard b[k] >= 0x30 && b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        var pos = 0
        var hasDate = false
        if b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") {
            guard let y = digits(0, 4), let m = digits(5, 2), let d = digits(8, 2), (1...12).contains(m), (1...31).contains(d) else { return nil }
            year = y; month = m; day = d
            hasDate = true
            pos = 10
            if pos == b.count {
                zoneName = "date-local"
                return
            }
            guard b[pos] == UInt8(ascii: "T") || b[pos] == UInt8(ascii: "t") || b[pos] == 0x20 else { return nil }
            pos += 1
        }
        guard let h = digits(pos, 2), pos + 2 < b.count, b[pos + 2] == UInt8(ascii: ":"), let mi = digits(pos + 3, 2),
              h < 24, mi < 60 else { return nil }
        hour = h; minute = mi
        pos += 5
        if pos < b.count, b[pos] == UInt8(ascii: ":") {
            guard let s = digits(pos + 1, 2), s < 61 else { return nil }
            second = s
            pos += 3
        } else {
            return nil
        }
        if pos < b.count, b[pos] == UInt8(ascii: ".") {
            pos += 1
            var n = 0, count = 0
            while pos < b.count, b[pos] >= 0x30, b[pos] <= 0x39 {
                if count < 9 { n = n * 10 + Int(b[pos] - 0x30) }
                count += 1
                pos += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { n *= 10 }
            nanos = n
        }
        if !hasDate {
            guard pos == b.count else { return nil }
            year = 0
            zoneName = "time-local"
            return
        }
        if pos == b.count {
            zoneName = "datetime-local"
            return
        }
        if b[pos] == UInt8(ascii: "Z") || b[pos] == UInt8(ascii: "z") {
            guard pos + 1 == b.count else { return nil }
            offset = 0
            zoneName = "UTC"
            return
        }
        guard b[pos] == UInt8(ascii: "+") || b[pos] == UInt8(ascii: "-"), let oh = digits(pos + 1, 2),
              pos + 3 < b.count, b[pos + 3] == UInt8(ascii: ":"), let om = digits(pos + 4, 2), pos + 6 == b.count else { return nil }
        let sign = b[pos] == UInt8(ascii: "-") ? -1 : 1
        offset = sign * (oh * 3600 + om * 60)
        zoneName = ""
    }

    var goTypeName: String { "time.Time" }
    var goKind: String { "struct" }

    private func pad(_ v: Int, _ n: Int) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, n - s.count)) + s
    }
    private var fraction: String {
        guard nanos > 0 else { return "" }
        var s = pad(nanos, 9)
        while s.hasSuffix("0") { s.removeLast() }
        return "." + s
    }
    private var offsetText: (compact: String, colon: String) {
        let o = offset ?? 0
        let sign = o < 0 ? "-" : "+"
        let a = abs(o)
        return (sign + pad(a / 3600, 2) + pad(a % 3600 / 60, 2), sign + pad(a / 3600, 2) + ":" + pad(a % 3600 / 60, 2))
    }
    private var dateTimeText: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(fraction)"
    }

    /// Go's `time.Time.String()`.
    var printed: String {
        let zone = zoneName.isEmpty ? offsetText.compact : zoneName
        return dateTimeText + " " + offsetText.compact + " " + zone
    }

    /// RFC 3339 with nanoseconds, as `encoding/json` writes a `time.Time`.
    var marshalled: TemplateValue {
        let zone = (offset ?? 0) == 0 ? "Z" : offsetText.colon
        return .string("\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(fraction)" + zone)
    }

    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "String": return .method(.simple([]) { _ in .string(printed) })
        case "Year": return .method(.simple([]) { _ in .int(year) })
        default: return nil
        }
    }
}

/// A TOML date-time as a template object (objects are shared references; the parsed value
/// stays a plain struct).
final class TOMLDateTimeObject: TemplateObject {
    let time: TOMLDateTime
    init(_ time: TOMLDateTime) { self.time = time }
    var goTypeName: String { time.goTypeName }
    var goKind: String { time.goKind }
    var printed: String { time.printed }
    var marshalled: TemplateValue { time.marshalled }
    func member(_ name: String) -> TemplateMember? { time.member(name) }
}

extension Library {
    static let tomlDecoding: [String: TemplateFunction] = [
        "fromToml": .fn([.string]) { TOMLDecoder.decode(Conv.str($0[0])) },
    ]
}
