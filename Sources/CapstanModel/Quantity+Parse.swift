/// Parsing follows `resource.ParseQuantity` step by step: an optional sign, digits with at
/// most one `.`, then a suffix that is a decimal SI letter (`n u m k M G T P E`), a binary SI
/// pair (`Ki Mi Gi Ti Pi Ei`) or an exponent (`e3`, `E-2`, `e+6`). The amount is computed
/// exactly in decimal digits and rounded up to whole nano-units.
extension Quantity {
    public init(parsing text: String) throws(QuantityError) {
        self = try Quantity.parse(text)
    }

    /// Reads a quantity from JSON the way `Quantity.UnmarshalJSON` does: a string (trimmed of
    /// spaces), or a bare JSON number.
    public init(json value: Value) throws(QuantityError) {
        switch value {
        case .string(let s): self = try Quantity.parse(Quantity.trimmed(s))
        case .int(let i): self = try Quantity.parse(String(i))
        case .double(let d): self = try Quantity.parse(formatGoFloat(d))
        default: throw QuantityError(text: value.jsonString(), reason: .formatWrong)
        }
    }

    static func trimmed(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars[...]
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    static func parse(_ text: String) throws(QuantityError) -> Quantity {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { throw QuantityError(text: text, reason: .formatWrong) }
        if text == "0" { return Quantity(nanos: 0, format: .decimalSI, original: "0") }

        let parts = try scan(bytes, text: text)
        guard let (base, exponent, format) = interpretSuffix(parts.suffix) else {
            throw QuantityError(text: text, reason: .suffix)
        }

        // The digits, with the decimal point removed.
        var digits = parts.numerator + parts.denominator
        var power10 = (base == 10 ? exponent : 0) - parts.denominator.count + 9
        while let first = digits.first, first == 0 { digits.removeFirst() }
        var nanos: Int128 = 0
        if !digits.isEmpty {
            if base == 2 { multiplyByPowerOfTwo(&digits, exponent) }
            while let last = digits.last, last == 0 {
                digits.removeLast()
                power10 += 1
            }
            if let exact = nanoUnits(digits, power10: power10), exact <= maxNanos {
                nanos = exact
            } else if format == .binarySI {
                nanos = binaryCapNanos  // Kubernetes caps binary amounts instead of failing
            } else {
                throw QuantityError(text: text, reason: .tooLarge)
            }
        }

        var finalFormat = format
        if format == .binarySI {
            if nanos > binaryCapNanos { nanos = binaryCapNanos }
            if nanos > 0 && nanos < nanosPerUnit { finalFormat = .decimalSI }
        }
        if !parts.positive { nanos = -nanos }
        let kept = keepsOriginal(parts: parts, base: base, exponent: exponent, format: format) ? text : nil
        return Quantity(nanos: nanos, format: finalFormat, original: kept)
    }

    /// `digits × 10^power10`, rounded up to an integer; nil when it needs more than 37 digits.
    static func nanoUnits(_ digits: [UInt8], power10: Int) -> Int128? {
        var nanos: Int128 = 0
        if power10 >= 0 {
            if digits.count + power10 > 37 { return nil }
            for d in digits { nanos = nanos * 10 + Int128(d) }
            for _ in 0..<power10 { nanos *= 10 }
            return nanos
        }
        // The last digit is non-zero, so a fraction of a nano-unit remains: round up.
        let keep = digits.count + power10
        if keep > 37 { return nil }
        if keep > 0 { for d in digits[..<keep] { nanos = nanos * 10 + Int128(d) } }
        return nanos + 1
    }

    struct Parts {
        var positive = true
        var numerator: [UInt8] = []    // digit values, leading zeros removed ("0" when none)
        var denominator: [UInt8] = []  // digit values after the point
        var suffix = ""
    }

    /// The scanner of `parseQuantityString`, including its leniencies (`1.`, `.5`, `.`).
    static func scan(_ s: [UInt8], text: String) throws(QuantityError) -> Parts {
        var parts = Parts()
        let end = s.count
        var pos = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        if s[0] == UInt8(ascii: "-") {
            parts.positive = false
            pos += 1
        } else if s[0] == UInt8(ascii: "+") {
            pos += 1
        }
        while pos < end && s[pos] == UInt8(ascii: "0") { pos += 1 }
        if pos >= end {
            parts.numerator = [0]
            return parts
        }
        while pos < end && isDigit(s[pos]) {
            parts.numerator.append(s[pos] - 0x30)
            pos += 1
        }
        if parts.numerator.isEmpty { parts.numerator = [0] }
        if pos >= end { return parts }
        if s[pos] == UInt8(ascii: ".") {
            pos += 1
            while pos < end && isDigit(s[pos]) {
                parts.denominator.append(s[pos] - 0x30)
                pos += 1
            }
            if pos >= end { return parts }
        }
        let suffixStart = pos
        let letters = Array("eEinumkKMGTP".utf8)
        while pos < end && letters.contains(s[pos]) { pos += 1 }
        if pos < end && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) { pos += 1 }
        while pos < end && isDigit(s[pos]) { pos += 1 }
        if pos < end { throw QuantityError(text: text, reason: .formatWrong) }
        parts.suffix = String(decoding: s[suffixStart...], as: UTF8.self)
        return parts
    }

    /// (base, exponent, format) for a suffix, as `suffixHandler.interpret`.
    static func interpretSuffix(_ suffix: String) -> (Int, Int, Format)? {
        switch suffix {
        case "n": return (10, -9, .decimalSI)
        case "u": return (10, -6, .decimalSI)
        case "m": return (10, -3, .decimalSI)
        case "": return (10, 0, .decimalSI)
        case "k": return (10, 3, .decimalSI)
        case "M": return (10, 6, .decimalSI)
        case "G": return (10, 9, .decimalSI)
        case "T": return (10, 12, .decimalSI)
        case "P": return (10, 15, .decimalSI)
        case "E": return (10, 18, .decimalSI)
        case "Ki": return (2, 10, .binarySI)
        case "Mi": return (2, 20, .binarySI)
        case "Gi": return (2, 30, .binarySI)
        case "Ti": return (2, 40, .binarySI)
        case "Pi": return (2, 50, .binarySI)
        case "Ei": return (2, 60, .binarySI)
        default: break
        }
        let utf8 = Array(suffix.utf8)
        guard utf8.count > 1, utf8[0] == UInt8(ascii: "e") || utf8[0] == UInt8(ascii: "E"),
              let exponent = LabelSelector.parseInt64(utf8[1...]) else { return nil }
        // Exponents this far out only over- or underflow; clamp to keep the arithmetic small.
        return (10, Int(Swift.max(-100, Swift.min(100, exponent))), .decimalExponent)
    }

    static func multiplyByPowerOfTwo(_ digits: inout [UInt8], _ power: Int) {
        // Little-endian base-10 digits, doubled `power` times (power ≤ 60).
        var little = Array(digits.reversed())
        for _ in 0..<power {
            var carry: UInt8 = 0
            for i in little.indices {
                let v = little[i] * 2 + carry
                little[i] = v % 10
                carry = v / 10
            }
            if carry > 0 { little.append(carry) }
        }
        digits = little.reversed()
    }

    /// Kubernetes keeps the input string (and prints it back) only on its int64 fast path
    /// when the text is already in canonical shape; mirrored here so output matches.
    static func keepsOriginal(parts: Parts, base: Int, exponent: Int, format: Format) -> Bool {
        let num = parts.numerator, denom = parts.denominator
        switch format {
        case .decimalSI, .decimalExponent:
            guard 18 - (num.count + denom.count) >= 0 else { return false }
            let scale = exponent - denom.count
            guard scale >= -9 else { return false }
            let shifted = num + denom
            let endsWith000 = shifted.count >= 3 && shifted.suffix(3).allSatisfy { $0 == 0 }
            return scale % 3 == 0 && !endsWith000 && shifted.first != 0
        case .binarySI:
            guard denom.isEmpty else { return false }
            let precision = 15 - num.count - Int(Float(exponent) * 3 / 10) - 1
            guard precision >= 0 else { return false }
            var value: Int64 = 0
            for d in num { value = value * 10 + Int64(d) }  // ≤ 14 digits here
            let (_, overflow) = value.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
            return !overflow && exponent % 10 == 0 && value & 0x07 != 0
        }
    }
}
