import CapstanModel

/// Go's `fmt.Sprintf` for template values: verbs `v s d q x X o b c t e E f F g G T %`,
/// flags `- + # 0 space`, width and precision (also `*`), and Go's error notations
/// (`%!d(string=hi)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
enum Printf {
    struct Spec {
        var minus = false, plus = false, sharp = false, zero = false, space = false
        var width: Int?
        var precision: Int?
        var verb: Character = "v"
    }

    static func format(_ format: String, _ args: [TemplateValue]) -> String {
        if let fast = formatASCII(format, args) { return fast }
        return formatCharacters(format, args)
    }

    /// `format` over the format's characters (any text).
    static func formatCharacters(_ format: String, _ args: [TemplateValue]) -> String {
        let chars = Array(format)
        // A CRLF Character reports the ASCII value of LF; neither is special to the scan.
        return scan(chars, args, ascii: { $0.isASCII ? $0.asciiValue : nil }, verb: { $0 },
                    literal: { range, out in out.append(contentsOf: chars[range]) })
    }

    /// `formatCharacters` for an ASCII format without carriage returns (nearly every format):
    /// there each byte is one character, so the same scan runs over bytes and copies literal
    /// text in runs, without splitting the format into `Character`s. Nil for other formats.
    static func formatASCII(_ format: String, _ args: [TemplateValue]) -> String? {
        var format = format
        format.makeContiguousUTF8()
        return format.utf8.withContiguousStorageIfAvailable { f -> String? in
            guard f.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else { return nil }
            return scan(f, args, ascii: { $0 }, verb: { Character(Unicode.Scalar($0)) },
                        literal: { range, out in out += String(decoding: UnsafeBufferPointer(rebasing: f[range]), as: UTF8.self) })
        } ?? nil
    }

    /// The one scan of a format, over its characters or its bytes: `ascii` gives a unit's
    /// ASCII code (nil for other units), `verb` the unit as a verb, `literal` copies a run of
    /// units that are plain text.
    private static func scan<Units: RandomAccessCollection>(
        _ f: Units, _ args: [TemplateValue], ascii: (Units.Element) -> UInt8?, verb: (Units.Element) -> Character,
        literal: (Range<Int>, inout String) -> Void
    ) -> String where Units.Index == Int {
        let percent = UInt8(ascii: "%")
        var out = ""
        var i = 0
        var argIndex = 0
        func code(_ at: Int) -> UInt8? { at < f.count ? ascii(f[at]) : nil }
        while i < f.count {
            if code(i) != percent {
                var j = i + 1
                while j < f.count && code(j) != percent { j += 1 }
                literal(i..<j, &out)
                i = j
                continue
            }
            i += 1
            guard i < f.count else { out += "%!(NOVERB)"; break }
            var spec = Spec()
            flags: while let c = code(i) {
                switch c {
                case UInt8(ascii: "-"): spec.minus = true; spec.zero = false
                case UInt8(ascii: "+"): spec.plus = true
                case UInt8(ascii: "#"): spec.sharp = true
                case UInt8(ascii: "0"): spec.zero = !spec.minus
                case UInt8(ascii: " "): spec.space = true
                default: break flags
                }
                i += 1
            }
            func number() -> Int? {
                if code(i) == UInt8(ascii: "*") {
                    i += 1
                    guard argIndex < args.count else { return nil }
                    defer { argIndex += 1 }
                    switch args[argIndex] {
                    case .int(let n): return n
                    case .int64(let n): return Int(n)
                    default: return nil
                    }
                }
                var n: Int?
                while let c = code(i), c >= 0x30, c <= 0x39 {
                    // Capped, not overflowing: past the size limit it is a bad width anyway.
                    n = min((n ?? 0) * 10 + Int(c - 0x30), Int(Int32.max))
                    i += 1
                }
                return n
            }
            spec.width = number()
            if let w = spec.width, w < 0 { spec.minus = true; spec.width = -w }
            var badWidth = false, badPrecision = false
            // Absurd widths would exhaust memory; Go prints them, we refuse past 64 MiB.
            if let w = spec.width, w > Library.maxStringBytes { badWidth = true; spec.width = nil }
            if code(i) == UInt8(ascii: ".") {
                i += 1
                spec.precision = number() ?? 0
                if let p = spec.precision, p > Library.maxStringBytes || p < 0 { badPrecision = true; spec.precision = nil }
            }
            if badWidth { out += "%!(BADWIDTH)" }
            if badPrecision { out += "%!(BADPREC)" }
            guard i < f.count else { out += "%!(NOVERB)"; break }
            spec.verb = verb(f[i])
            i += 1
            if spec.verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(spec.verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            out += formatOne(arg, spec)
        }
        if argIndex < args.count {
            out += "%!(EXTRA "
            out += args[argIndex...].map { $0.isNull ? "<nil>" : "\($0.goTypeName)=\(GoFormat.print($0))" }.joined(separator: ", ")
            out += ")"
        }
        return out
    }

    /// Go's bad-verb notation; the value is printed with `%v` under the same flags.
    static func bad(_ v: TemplateValue, _ verb: Character, _ spec: Spec? = nil) -> String {
        if v.isNull { return "%!\(verb)(<nil>)" }
        var inner = spec ?? Spec()
        inner.verb = "v"
        return "%!\(verb)(\(v.goTypeName)=\(spec == nil ? GoFormat.print(v) : formatOne(v, inner, topLevel: false)))"
    }

    static func pad(_ s: String, _ spec: Spec, numeric: Bool = false) -> String {
        guard let w = spec.width else { return s }
        let n = s.count
        guard n < w else { return s }
        let fill = w - n
        if spec.minus { return s + String(repeating: " ", count: fill) }
        if spec.zero {
            // Zero padding goes after a number's sign; Go zero-pads strings too.
            if numeric, let f = s.first, f == "-" || f == "+" || f == " " {
                return String(f) + String(repeating: "0", count: fill) + s.dropFirst()
            }
            return String(repeating: "0", count: fill) + s
        }
        return String(repeating: " ", count: fill) + s
    }

    /// `topLevel` is false inside a bad-verb notation, where Go keeps the `+` flag on `%v`.
    static func formatOne(_ v: TemplateValue, _ spec: Spec, topLevel: Bool = true) -> String {
        let verb = spec.verb
        if verb == "T" {
            if v.isNull { return pad("<nil>", spec) }
            var t = v.goTypeName
            if let p = spec.precision { t = String(t.prefix(p)) }
            return pad(t, spec)
        }
        // `+` on a top-level %v asks for field names (plusV), never a sign.
        var spec = spec
        if verb == "v" && topLevel { spec.plus = false }
        switch v {
        case .null:
            return verb == "v" ? pad("<nil>", spec) : bad(v, verb)
        case .bool(let b):
            return verb == "v" || verb == "t" ? pad(b ? "true" : "false", spec) : bad(v, verb, spec)
        case .int(let n): return formatInt(Int64(n), v, spec)
        case .int64(let n): return formatInt(n, v, spec)
        case .float64(let d): return formatFloat(d, v, spec)
        case .string(let s): return formatString(s, v, spec)
        case .bytes(let b):
            if verb == "s" || verb == "q" || verb == "x" || verb == "X" {
                return formatString(String(decoding: b, as: UTF8.self), v, spec)
            }
            return pad("[" + b.map { formatInt(Int64($0), .int(Int($0)), Spec(verb: verb)) }.joined(separator: " ") + "]", spec)
        case .list(let l):
            // Go formats each element with the verb, width and flags; the brackets stay bare.
            return "[" + l.map { formatOne($0, spec, topLevel: topLevel) }.joined(separator: " ") + "]"
        case .map(let m):
            return "map[" + m.sortedKeys.map { formatOne(.string($0), spec, topLevel: topLevel) + ":" + formatOne(m[$0]!, spec, topLevel: topLevel) }.joined(separator: " ") + "]"
        case .object(let o):
            if verb == "v" || verb == "s" { return pad(o.printed, spec) }
            if let u = o.underlying { return formatOne(u, spec) }
            return bad(v, verb, spec)
        }
    }

    static func formatInt(_ n: Int64, _ v: TemplateValue, _ spec: Spec) -> String {
        let magnitude = n.magnitude
        var digits: String
        var prefix = ""
        switch spec.verb {
        case "d", "v": digits = String(magnitude)
        case "b": digits = String(magnitude, radix: 2); if spec.sharp { prefix = "0b" }
        case "o": digits = String(magnitude, radix: 8); if spec.sharp { prefix = "0" }
        case "O": digits = String(magnitude, radix: 8); prefix = "0o"
        case "x": digits = String(magnitude, radix: 16); if spec.sharp { prefix = "0x" }
        case "X": digits = String(magnitude, radix: 16, uppercase: true); if spec.sharp { prefix = "0X" }
        case "c":
            return pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}", spec)
        case "q":
            let s = Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}"
            var q = GoFormat.quote(s)
            q = "'" + String(q.dropFirst().dropLast()).replacingAll("\\\"", with: "\"") + "'"
            if s == "'" { q = "'\\''" }
            return pad(q, spec)
        case "U":
            let h = String(magnitude, radix: 16, uppercase: true)
            return pad("U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h, spec)
        case "e", "E", "f", "F", "g", "G":
            return formatFloat(Double(n), v, spec, fromInt: true)
        default: return bad(v, spec.verb, spec)
        }
        if let p = spec.precision {
            if p == 0 && n == 0 { digits = "" }
            if digits.count < p { digits = String(repeating: "0", count: p - digits.count) + digits }
        }
        var sign = ""
        if n < 0 { sign = "-" } else if spec.plus { sign = "+" } else if spec.space { sign = " " }
        var s = spec
        if spec.precision != nil { s.zero = false }
        if s.zero, let w = s.width, !s.minus {
            let body = prefix + digits
            let fill = w - sign.count - body.count
            if fill > 0 { return sign + prefix + String(repeating: "0", count: fill) + digits }
            return sign + body
        }
        return pad(sign + prefix + digits, s)
    }

    static func formatFloat(_ d: Double, _ v: TemplateValue, _ spec: Spec, fromInt: Bool = false) -> String {
        if fromInt { return bad(v, spec.verb, spec) }
        var verb = spec.verb
        if verb == "v" { verb = "g" }
        guard "eEfFgG".contains(verb) else { return bad(v, spec.verb, spec) }
        if d.isNaN { return pad("NaN", spec) }
        if d.isInfinite { return pad(d < 0 ? "-Inf" : (spec.plus ? "+Inf" : "+Inf"), spec) }
        var body: String
        if (verb == "g" || verb == "G") && spec.precision == nil {
            body = GoFormat.formatFloatG(d)
            if verb == "G" { body = body.uppercased() }
            if spec.plus && d >= 0 { body = "+" + body } else if spec.space && d >= 0 { body = " " + body }
        } else {
            var f = "%"
            if spec.plus { f += "+" } else if spec.space { f += " " }
            if spec.sharp { f += "#" }
            f += ".\(spec.precision ?? 6)"
            f.append(verb == "F" ? "f" : verb)
            body = GoFormat.cFormat(f, d)
        }
        return pad(body, spec, numeric: true)
    }

    static func formatString(_ s: String, _ v: TemplateValue, _ spec: Spec) -> String {
        var str = s
        switch spec.verb {
        case "s", "v":
            if let p = spec.precision { str = String(str.prefix(p)) }
            return pad(str, spec)
        case "q":
            if let p = spec.precision { str = String(str.prefix(p)) }
            if spec.sharp && !str.contains("`") { return pad("`" + str + "`", spec) }
            return pad(GoFormat.quote(str), spec)
        case "x", "X":
            var bytes = Array(str.utf8)
            if let p = spec.precision { bytes = Array(bytes.prefix(p)) }
            let hex = bytes.map { zeroPaddedHex(UInt32($0), 2) }
            var joined = spec.space ? hex.map { (spec.sharp ? "0x" : "") + $0 }.joined(separator: " ") : (spec.sharp ? "0x" : "") + hex.joined()
            if spec.verb == "X" { joined = joined.uppercased() }
            return pad(joined, spec)
        default:
            return bad(v, spec.verb, spec)
        }
    }
}
