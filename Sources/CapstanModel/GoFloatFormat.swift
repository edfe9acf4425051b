/// Go's float formatting, which Kubernetes and Helm output depends on byte for byte: the JSON
/// encoder's rule and `strconv.FormatFloat(x, 'g', -1, …)` (what `%v` and go-yaml print).
/// Both start from the shortest decimal digits that round-trip, which Swift's own
/// `description` already computes.

/// Formats a double the way Go's `encoding/json` does: shortest round-tripping digits, plain
/// notation for 1e-6 ≤ |x| < 1e21, otherwise exponent notation with a minimal exponent.
public func formatGoFloat(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let (digits, exponent) = shortestDecimal(d.magnitude)
    let sign = d < 0 ? "-" : ""
    let magnitude = d.magnitude
    if magnitude < 1e-6 || magnitude >= 1e21 {
        var s = sign + String(digits.first!)
        if digits.count > 1 { s += "." + digits.dropFirst() }
        let e = exponent - 1
        s += e < 0 ? "e-" : "e+"
        let ea = abs(e)
        s += ea < 10 ? "0\(ea)" : "\(ea)"
        // Go's JSON encoder trims a leading zero of a one-digit exponent: e-07 → e-7.
        if ea < 10 { s = s.replacingSuffixDigit(exponentDigit: ea) }
        return s
    }
    return sign + plainDecimal(digits: digits, exponent: exponent)
}

/// The value is 0.DIGITS × 10^exponent.
func plainDecimal(digits: String, exponent: Int) -> String {
    if exponent <= 0 { return "0." + String(repeating: "0", count: -exponent) + digits }
    if exponent >= digits.count { return digits + String(repeating: "0", count: exponent - digits.count) }
    let i = digits.index(digits.startIndex, offsetBy: exponent)
    return String(digits[..<i]) + "." + String(digits[i...])
}

/// Shortest digits that round-trip, from Swift's own (shortest) description:
/// the value is 0.DIGITS × 10^exponent.
public func shortestDecimal(_ d: Double) -> (digits: String, exponent: Int) {
    digitsAndPoint(d.description)
}

/// Splits "123.45", "1e-07", "1.5e+21" into significant digits and decimal point position.
func digitsAndPoint(_ text: String) -> (digits: String, exponent: Int) {
    var mantissa = Substring(text)
    var exp = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = text[..<e]
        exp = Int(text[text.index(after: e)...]) ?? 0
    }
    var intPart = mantissa
    var fracPart: Substring = ""
    if let dot = mantissa.firstIndex(of: ".") {
        intPart = mantissa[..<dot]
        fracPart = mantissa[mantissa.index(after: dot)...]
    }
    var digits = String(intPart) + String(fracPart)
    var pointPosition = intPart.count + exp
    // Strip leading zeros (0.001 → digits "1", point moves) and trailing zeros.
    while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointPosition -= 1 }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    return (digits, pointPosition)
}

/// Go's strconv.FormatFloat(d, 'g', -1, 64|32): shortest digits, exponent form when the
/// decimal exponent is < -4 or ≥ 6 (Go's rule for the shortest precision), two-digit exponents.
public func formatGoFloatG(_ d: Double, float32: Bool = false) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let (digits, pointPosition) = float32 ? digitsAndPoint(Float(d).magnitude.description) : shortestDecimal(d.magnitude)
    let exp = pointPosition - 1
    let sign = d < 0 ? "-" : ""
    if exp < -4 || exp >= 6 {
        var s = sign + String(digits.first!)
        if digits.count > 1 { s += "." + digits.dropFirst() }
        let ea = abs(exp)
        return s + (exp < 0 ? "e-" : "e+") + (ea < 10 ? "0\(ea)" : "\(ea)")
    }
    return sign + plainDecimal(digits: digits, exponent: pointPosition)
}

extension String {
    fileprivate func replacingSuffixDigit(exponentDigit: Int) -> String {
        // "1e-07" → "1e-7"
        String(dropLast(2)) + String(exponentDigit)
    }
}
