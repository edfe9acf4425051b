/// How a plain YAML scalar becomes a typed value, the way Kubernetes and Helm read YAML:
/// go-yaml v2's YAML 1.1 resolver (booleans `yes/no/on/off/y/n`, base prefixes, `_` in
/// numbers, timestamps), followed by sigs.k8s.io/yaml's trip through JSON (integral floats
/// become integers, timestamps become RFC 3339 strings, infinities are rejected).
import CapstanModel

enum ResolvedScalar: Equatable {
    case value(Value)
    /// `.inf` / `.nan`: valid YAML, but JSON cannot hold it, so Kubernetes rejects the document.
    case notRepresentable(String)
    /// A YAML timestamp (go-yaml v2 resolves these to time.Time); carries the RFC 3339 text.
    case timestamp(String)
}

enum ScalarResolver {
    static let booleans: [String: Bool] = [
        "y": true, "Y": true, "yes": true, "Yes": true, "YES": true, "on": true, "On": true, "ON": true,
        "true": true, "True": true, "TRUE": true,
        "n": false, "N": false, "no": false, "No": false, "NO": false, "off": false, "Off": false, "OFF": false,
        "false": false, "False": false, "FALSE": false,
    ]
    static let nulls: Set<String> = ["~", "null", "Null", "NULL"]
    static let specialFloats: Set<String> = [
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    ]

    /// The boolean and null words, each packed by `packed`.
    static let keywordCodes: [(UInt64, Value)] =
        booleans.map { (packed($0.key), Value.bool($0.value)) } + nulls.map { (packed($0), Value.null) }

    /// Up to eight bytes as one integer (little-endian, zero-padded); the words packed here
    /// contain no NUL byte, so equal codes mean equal words for inputs of at most 5 bytes.
    static func packed<C: Collection<UInt8>>(_ bytes: C) -> UInt64 {
        var code: UInt64 = 0
        var shift: UInt64 = 0
        for b in bytes.prefix(8) { code |= UInt64(b) << shift; shift += 8 }
        return code
    }

    static func packed(_ word: String) -> UInt64 { packed(word.utf8) }

    /// Resolves an untagged plain scalar straight from libyaml's bytes. Most scalars (keys,
    /// names, images) start with a letter that no special value starts with, and leave at once.
    static func resolvePlain(_ bytes: UnsafeBufferPointer<UInt8>) -> ResolvedScalar {
        guard let first = bytes.first else { return .value(.null) }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            // Only the boolean and null words can make these anything but a string, and the
            // longest of them is five letters ("false"): compare packed bytes, not hashed Strings.
            if bytes.count <= 5 {
                let code = packed(bytes)
                for (word, value) in keywordCodes where word == code { return .value(value) }
            }
            return .value(.string(String(decoding: bytes, as: UTF8.self)))
        case UInt8(ascii: "1")...UInt8(ascii: "9") where bytes.count <= 18:
            // Plain decimal integers (ports, replicas, counts) are the common numeric case.
            var n: Int64 = 0
            for b in bytes {
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else {
                    // Quantities (100m, 64Mi) hold a letter no number or timestamp can.
                    if !mayFollowDigit(b) { return .value(.string(String(decoding: bytes, as: UTF8.self))) }
                    return resolvePlain(String(decoding: bytes, as: UTF8.self))
                }
                n = n &* 10 &+ Int64(b &- UInt8(ascii: "0"))
            }
            return .value(.int(n))
        case UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            break
        default:
            return .value(.string(String(decoding: bytes, as: UTF8.self)))
        }
        return resolvePlain(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether `b` can occur in a plain scalar that starts with a digit and is not a string:
    /// digits, hex digits and the 0x/0o/0b markers, float exponents, signs, `.`, `_`, and the
    /// parts of a timestamp (`-`, `:`, `T`, `t`, `Z`, `z`, spaces).
    static func mayFollowDigit(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"),
             UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: ":"), UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: "Z"),
             UInt8(ascii: "z"), UInt8(ascii: " "), UInt8(ascii: "\t"):
            return true
        default:
            return false
        }
    }

    /// Whether `text`, written plain, reads back as this same string (what `resolvePlain`
    /// gives `.string` for), decided without building the string: most keys and values start
    /// with a letter that no other type starts with.
    static func readsAsString(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first else { return false }  // empty reads as null
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"),
             UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "o"), UInt8(ascii: "O"):
            guard utf8.count <= 5 else { return true }
            let code = packed(utf8)
            return !keywordCodes.contains { $0.0 == code }
        case UInt8(ascii: "~"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if case .value(.string) = resolvePlain(text) { return true }
            return false
        default:
            return true
        }
    }

    /// Resolves an untagged plain scalar.
    static func resolvePlain(_ text: String) -> ResolvedScalar {
        guard let first = text.utf8.first else { return .value(.null) }
        if let b = booleans[text] { return .value(.bool(b)) }
        if nulls.contains(text) { return .value(.null) }
        if specialFloats.contains(text) { return .notRepresentable(text) }
        switch first {
        case UInt8(ascii: "."):
            if let d = Double(text), d.isFinite, isDecimalFloatSyntax(text) { return .value(jsonNumber(d)) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            if let ts = parseTimestamp(text) { return .timestamp(ts) }
            let plain = text.replacingAll("_", with: "")
            if let i = parseGoInt(plain) { return .value(.int(i)) }
            if let u = parseGoUInt(plain) { return .value(.double(Double(u))) }  // > Int64.max: JSON turns it into a float
            if matchesYAMLFloat(plain), let d = Double(plain), d.isFinite { return .value(jsonNumber(d)) }
            if plain.hasPrefix("0b"), let i = Int64(plain.dropFirst(2), radix: 2) { return .value(.int(i)) }
            if plain.hasPrefix("-0b"), let i = Int64(plain.dropFirst(3), radix: 2) { return .value(.int(-i)) }
        default:
            break
        }
        return .value(.string(text))
    }

    /// A float that JSON prints without a fraction or exponent is read back as an integer by
    /// Kubernetes' decoder: `1e3` and `3.0` become 1000 and 3.
    static func jsonNumber(_ d: Double) -> Value {
        let text = formatGoFloat(d)
        if !text.contains("."), !text.contains("e"), let i = Int64(text) { return .int(i) }
        return .double(d)
    }

    /// Go's strconv.ParseInt(s, 0, 64): optional sign, 0x/0o/0b prefixes, leading-0 octal.
    static func parseGoInt(_ s: String) -> Int64? {
        var body = Substring(s)
        var negative = false
        if body.first == "+" || body.first == "-" { negative = body.first == "-"; body = body.dropFirst() }
        guard let magnitude = parseGoMagnitude(body) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            return magnitude <= UInt64(Int64.max) ? -Int64(magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Go's strconv.ParseUint(s, 0, 64): no sign allowed.
    static func parseGoUInt(_ s: String) -> UInt64? {
        guard let first = s.first, first != "+", first != "-" else { return nil }
        return parseGoMagnitude(Substring(s))
    }

    static func parseGoMagnitude(_ body: Substring) -> UInt64? {
        guard !body.isEmpty else { return nil }
        var radix = 10
        var digits = body
        if body.count > 1 && body.first == "0" {
            let second = body[body.index(after: body.startIndex)]
            switch second {
            case "x", "X": radix = 16; digits = body.dropFirst(2)
            case "o", "O": radix = 8; digits = body.dropFirst(2)
            case "b", "B": radix = 2; digits = body.dropFirst(2)
            default: radix = 8; digits = body.dropFirst(1)
            }
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(digits, radix: radix)
    }

    /// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func matchesYAMLFloat(_ s: String) -> Bool {
        var u = Substring(s).utf8[...]
        if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { u = u.dropFirst() }
        func digitRun(_ u: inout Substring.UTF8View.SubSequence) -> Int {
            var n = 0
            while let c = u.first, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { u = u.dropFirst(); n += 1 }
            return n
        }
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            guard digitRun(&u) > 0 else { return false }
        } else {
            guard digitRun(&u) > 0 else { return false }
            if u.first == UInt8(ascii: ".") { u = u.dropFirst(); _ = digitRun(&u) }
        }
        if let e = u.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            u = u.dropFirst()
            if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { u = u.dropFirst() }
            guard digitRun(&u) > 0 else { return false }
        }
        return u.isEmpty
    }

    /// Plain decimal float syntax only (what Go's ParseFloat accepts after a leading dot).
    static func isDecimalFloatSyntax(_ s: String) -> Bool { matchesYAMLFloat(s) }

    /// go-yaml v2 timestamps: `2006-1-2`, `2006-1-2 15:4:5.999`, `2006-1-2T15:4:5.999Z07:00`.
    /// Returned as the RFC 3339 text Go's time.Time marshals to JSON.
    static func parseTimestamp(_ s: String) -> String? {
        let u = Array(s.utf8)
        var i = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        while i < u.count && isDigit(u[i]) { i += 1 }
        guard i == 4, i < u.count, u[i] == UInt8(ascii: "-") else { return nil }
        func number(_ minDigits: Int, _ maxDigits: Int) -> Int? {
            var n = 0, count = 0
            while i < u.count, isDigit(u[i]), count < maxDigits { n = n * 10 + Int(u[i] - 0x30); i += 1; count += 1 }
            return count >= minDigits ? n : nil
        }
        i = 0
        guard let year = number(4, 4), i < u.count, u[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let month = number(1, 2), (1...12).contains(month), i < u.count, u[i] == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let day = number(1, 2), (1...31).contains(day) else { return nil }
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        let date = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        if i == u.count { return date + "T00:00:00Z" }
        let separator = u[i]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let hour = number(1, 2), hour < 24, i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let minute = number(1, 2), minute < 60, i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let second = number(1, 2), second < 60 else { return nil }
        var fraction = ""
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, isDigit(u[i]) { i += 1 }
            guard i > start, i - start <= 9 else { return nil }
            fraction = String(decoding: u[start..<i], as: UTF8.self)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            if !fraction.isEmpty { fraction = "." + fraction }
        }
        var zone = "Z"
        if separator == UInt8(ascii: " ") {
            guard i == u.count else { return nil }
        } else {
            guard i < u.count else { return nil }
            if u[i] == UInt8(ascii: "Z") {
                i += 1
            } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
                let sign = u[i] == UInt8(ascii: "+") ? "+" : "-"
                i += 1
                guard let zh = number(2, 2), i < u.count, u[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let zm = number(2, 2) else { return nil }
                zone = (zh == 0 && zm == 0) ? "Z" : "\(sign)\(pad(zh, 2)):\(pad(zm, 2))"
            } else {
                return nil
            }
            guard i == u.count else { return nil }
        }
        return "\(date)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(fraction)\(zone)"
    }

    /// How sigs.k8s.io/yaml turns a non-string map key into the JSON key string.
    static func keyString(_ key: Value) -> String? {
        switch key {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .double(let d): return formatGoFloatG(d, float32: true)
        default: return nil
        }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(count)
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

