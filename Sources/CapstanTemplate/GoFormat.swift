#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CapstanModel

/// Go's `fmt` and `strconv` output for template values: `%v` of maps (`map[a:1 b:2]`),
/// slices (`[a b]`), float64 (`1e+06`), `Sprint`'s spacing rule, `Printf` verbs with flags,
/// width and precision, and `strconv.Quote`/`Unquote`.
enum GoFormat {
    // MARK: - %v

    /// `fmt.Sprint(v)` for one value.
    static func print(_ v: TemplateValue) -> String {
        var out = ""
        write(v, verb: "v", into: &out)
        return out
    }

    static func write(_ v: TemplateValue, verb: Character, into out: inout String) {
        switch v {
        case .null: out += "<nil>"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .int64(let i): out += String(i)
        case .float64(let d): out += formatFloatG(d)
        case .string(let s): out += s
        case .bytes(let b):
            out += "[" + b.map { String($0) }.joined(separator: " ") + "]"
        case .list(let l):
            out += "["
            for (i, e) in l.enumerated() {
                if i > 0 { out += " " }
                write(e, verb: verb, into: &out)
            }
            out += "]"
        case .map(let m):
            out += "map["
            for (i, k) in m.sortedKeys.enumerated() {
                if i > 0 { out += " " }
                out += k + ":"
                write(m[k]!, verb: verb, into: &out)
            }
            out += "]"
        case .object(let o): out += o.printed
        }
    }

    /// `fmt.Sprint(args...)`: a space between operands when neither side is a string.
    static func sprint(_ args: [TemplateValue]) -> String {
        var out = ""
        for (i, a) in args.enumerated() {
            if i > 0, !isString(a), !isString(args[i - 1]) { out += " " }
            write(a, verb: "v", into: &out)
        }
        return out
    }

    /// `fmt.Sprintln(args...)`: always spaces, and a newline.
    static func sprintln(_ args: [TemplateValue]) -> String {
        args.map(print).joined(separator: " ") + "\n"
    }

    static func isString(_ v: TemplateValue) -> Bool { if case .string = v { return true } else { return false } }

    // MARK: - Floats

    /// `strconv.FormatFloat(d, 'g', -1, 64)` (what `%v` prints): CapstanModel's.
    /// Shortcut for whole numbers below 10⁶ in magnitude (ports, replica counts: most numbers
    /// a chart prints): Go prints their integer digits, with no exponent below 1e+06.
    static func formatFloatG(_ d: Double) -> String {
        if d != 0, d.magnitude < 1e6, d.rounded(.towardZero) == d { return String(Int(d)) }
        return formatGoFloatG(d)
    }

    /// C's printf for one double with a fixed format like "%.2f" (correctly rounded, as Go is).
    static func cFormat(_ format: String, _ d: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        let n = withVaList([d]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 512, format, args) }
        }
        guard n >= 0 else { return "" }
        if n >= 512 {
            var big = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([d]) { args in big.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, Int(n) + 1, format, args) } }
            return String(decoding: big.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - strconv.Quote / Unquote

    /// Go's `strconv.Quote`. Shortcut for printable ASCII without a quote or backslash (nearly every
    /// quoted chart value): nothing to escape, so the text goes between quotes as is.
    static func quote(_ s: String) -> String {
        // Over the contiguous bytes when there are (the generic view walk costs several
        // times more per byte).
        let isPlain: (UInt8) -> Bool = { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
        let plain = s.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isPlain) } ?? s.utf8.allSatisfy(isPlain)
        return plain ? "\"" + s + "\"" : goQuote(s)
    }

    static func isPrintable(_ s: Unicode.Scalar) -> Bool { isGoPrintable(s) }

    /// `%#U`-style description: `U+0023 '#'`.
    static func unicodeDescription(_ byte: UInt8) -> String {
        let hex = zeroPaddedHex(UInt32(byte), 4).uppercased()
        if byte >= 0x20 && byte < 0x7F { return "U+\(hex) '\(Character(Unicode.Scalar(byte)))'" }
        return "U+\(hex)"
    }

    /// `strconv.Unquote` for "…", `…` and '…' literals; nil on invalid syntax.
    static func unquote(_ s: String) -> String? {
        // Fast path (most literals): `"…"` or `` `…` `` without escapes, quotes or CRs inside
        // is its own body.
        let b = s.utf8
        if b.count >= 2, let q = b.first, q == b.last, q == 0x22 || q == 0x60 {
            let start = b.index(after: b.startIndex), end = b.index(before: b.endIndex)
            if !b[start..<end].contains(where: { $0 == 0x5C || $0 == q || $0 == 0x0D }) { return String(s[start..<end]) }
        }
        let u = Array(s.unicodeScalars)
        guard u.count >= 2, let q = u.first, u.last == q else { return nil }
        let body = u[1..<(u.count - 1)]
        if q == "`" {
            guard !body.contains("`") else { return nil }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: body.filter { $0 != "\r" })
            return String(out)
        }
        guard q == "\"" || q == "'" else { return nil }
        var bytes: [UInt8] = []
        var i = body.startIndex
        func appendScalar(_ v: UInt32) -> Bool {
            guard let sc = Unicode.Scalar(v) else { return false }
            bytes.append(contentsOf: Array(String(sc).utf8))
            return true
        }
        while i < body.endIndex {
            let c = body[i]
            if c == q { return nil }
            if c != "\\" {
                bytes.append(contentsOf: Array(String(c).utf8)); i += 1; continue
            }
            i += 1
            guard i < body.endIndex else { return nil }
            let e = body[i]
            i += 1
            switch e {
            case "a": bytes.append(7)
            case "b": bytes.append(8)
            case "f": bytes.append(12)
            case "n": bytes.append(10)
            case "r": bytes.append(13)
            case "t": bytes.append(9)
            case "v": bytes.append(11)
            case "\\": bytes.append(0x5C)
            case "\"", "'":
                guard e == q else { return nil }
                bytes.append(UInt8(e.value))
            case "x", "u", "U":
                let n = e == "x" ? 2 : e == "u" ? 4 : 8
                guard i + n <= body.endIndex else { return nil }
                guard let v = UInt32(String(String.UnicodeScalarView(body[i..<(i + n)])), radix: 16) else { return nil }
                i += n
                if e == "x" { bytes.append(UInt8(v)) } else { guard appendScalar(v) else { return nil } }
            case "0"..."7":
                guard i + 2 <= body.endIndex, let v = UInt32(String(String.UnicodeScalarView([e] + body[i..<(i + 2)])), radix: 8), v < 256 else { return nil }
                i += 2
                bytes.append(UInt8(v))
            default: return nil
            }
        }
        let result = String(decoding: bytes, as: UTF8.self)
        if q == "'" && result.unicodeScalars.count != 1 { return nil }
        return result
    }
}
