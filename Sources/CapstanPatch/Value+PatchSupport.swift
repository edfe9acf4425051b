/// Small helpers the patch algorithms share: JSON kinds as Kubernetes' decoder sees them, and
/// the text form Go's `%v` gives a value (strategic merge sorts list elements by it).
import CapstanModel

/// The JSON types the Go decoder distinguishes. Integers and floats are distinct (Kubernetes
/// decodes `3` as int64 and `3.0` as float64), exactly like `Value.int` and `Value.double`.
enum JSONKind: Equatable {
    case null, bool, int, double, string, array, object
}

extension Value {
    var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// What Go's `fmt.Sprintf("%v", v)` prints for the decoded value, as UTF-8 bytes. Lists are
    /// sorted by this text when strategic merge diffs them, so it has to be Go's text exactly.
    var goText: [UInt8] {
        switch self {
        case .string(let s): return Array(s.utf8)
        default:
            var out = ""
            appendGoText(into: &out, depth: 0)
            return Array(out.utf8)
        }
    }

    private func appendGoText(into out: inout String, depth: Int) {
        guard depth < 64 else { return }
        switch self {
        case .null: out += "<nil>"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += goFloatV(d)
        case .string(let s): out += s
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += " " }
                e.appendGoText(into: &out, depth: depth + 1)
            }
            out += "]"
        case .object(let o):
            out += "map["
            let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out += " " }
                out += k + ":"
                o[k]?.appendGoText(into: &out, depth: depth + 1)
            }
            out += "]"
        }
    }
}

/// Go's `%v` for a float64, which is `%g` with the shortest digits: exponent form when the
/// decimal exponent is < -4 or >= 6 (so 1e6 prints `1e+06`, 123456 prints `123456`).
func goFloatV(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let (digits, pointPosition) = shortestDigits(d.magnitude)
    let exp = pointPosition - 1
    let sign = d < 0 ? "-" : ""
    if exp < -4 || exp >= 6 {
        var s = sign + String(digits.prefix(1))
        if digits.count > 1 { s += "." + digits.dropFirst() }
        s += exp < 0 ? "e-" : "e+"
        let ea = abs(exp)
        s += ea < 10 ? "0\(ea)" : "\(ea)"
        return s
    }
    if pointPosition <= 0 {
        return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
    }
    if pointPosition >= digits.count {
        return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
    }
    let i = digits.index(digits.startIndex, offsetBy: pointPosition)
    return sign + digits[..<i] + "." + digits[i...]
}

/// Shortest round-trip decimal digits of a positive finite double and the position of the
/// decimal point (value = 0.DIGITS × 10^pointPosition), taken from Swift's own shortest form.
private func shortestDigits(_ d: Double) -> (String, Int) {
    let text = "\(d)"  // e.g. "1234.5", "1e-07", "1.5e+20"
    var mantissa = Substring(text)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    var intPart = mantissa
    var fracPart: Substring = ""
    if let dot = mantissa.firstIndex(of: ".") {
        intPart = mantissa[..<dot]
        fracPart = mantissa[mantissa.index(after: dot)...]
    }
    var digits = String(intPart) + String(fracPart)
    var point = intPart.count + exponent
    while digits.hasPrefix("0") && digits.count > 1 {
        digits.removeFirst()
        point -= 1
    }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    return (digits, point)
}

/// Byte-wise "a sorts before b" like Go's string `<`.
@inline(__always)
func goLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
