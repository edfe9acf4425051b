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
        if text.isEmpty { throw QuantityError(text: text, reason: .formatWrong) }
        if text == "0" { return Quantity(nanos: 0, format: .decimalSI, original: "0") }
        var copy = text
        // `withUTF8` only rethrows untyped errors, so carry the typed one out in a Result.
        let result = copy.withUTF8 { buffer in
            Result { () throws(QuantityError) -> Quantity in try parse(buffer, text: text) }
        }
        return try result.get()
    }

    static func parse(_ s: UnsafeBufferPointer<UInt8>, text: String) throws(QuantityError) -> Quantity {
        let parts = try scan(s, text: text)
        guard let (base, exponent, format) = interpretSuffix(parts.suffix(in: s)) else {
            throw QuantityError(text: text, reason: .suffix)
        }
        var nanos: Int128
        if let fast = fastNanos(s, parts: parts, base: base, exponent: exponent) {
            nanos = fast
        } else {
            nanos = slowNanos(s, parts: parts, base: base, exponent: exponent)
        }
        if nanos < 0 || nanos > maxNanos {  // negative marks an overflow
            guard format == .binarySI else { throw QuantityError(text: text, reason: .tooLarge) }
            nanos = binaryCapNanos  // Kubernetes caps binary amounts instead of failing
        }
        var finalFormat = format
        if format == .binarySI {
            if nanos > binaryCapNanos { nanos = binaryCapNanos }
            if nanos > 0 && nanos < nanosPerUnit { finalFormat = .decimalSI }
        }
        if !parts.positive { nanos = -nanos }
        let kept = keepsOriginal(s, parts: parts, exponent: exponent, format: format) ? text : nil
        return Quantity(nanos: nanos, format: finalFormat, original: kept)
    }

    /// The common case without allocating: at most 18 significant digits. Returns nil to ask
    /// for the exact digit-by-digit path, and -1 for an amount too large for 128 bits.
    static func fastNanos(_ s: UnsafeBufferPointer<UInt8>, parts: Parts, base: Int, exponent: Int) -> Int128? {
        var digits: UInt64 = 0
        for i in parts.numStart..<parts.numEnd {
            if digits >= 100_000_000_000_000_000 { return nil }
            digits = digits * 10 + UInt64(s[i] - 0x30)
        }
        for i in parts.denomStart..<parts.denomEnd {
            if digits >= 100_000_000_000_000_000 { return nil }
            digits = digits * 10 + UInt64(s[i] - 0x30)
        }
        if digits == 0 { return 0 }
        let power10 = (base == 10 ? exponent : 0) - (parts.denomEnd - parts.denomStart) + 9
        let scaled = Int128(digits) << (base == 2 ? exponent : 0)  // < 2^124
        if power10 >= 0 {
            var n = scaled
            for _ in 0..<power10 {
                let (m, overflow) = n.multipliedReportingOverflow(by: 10)
                if overflow { return -1 }
                n = m
            }
            return n
        }
        if power10 < -38 { return 1 }  // far below a nano-unit: rounds up to 1n
        var divisor: Int128 = 1
        for _ in 0..<(-power10) { divisor *= 10 }
        let (q, r) = scaled.quotientAndRemainder(dividingBy: divisor)
        return r == 0 ? q : q + 1
    }

    /// Exact arithmetic on the decimal digits, for inputs with many significant digits.
    static func slowNanos(_ s: UnsafeBufferPointer<UInt8>, parts: Parts, base: Int, exponent: Int) -> Int128 {
        var digits: [UInt8] = []
        for i in parts.numStart..<parts.numEnd { digits.append(s[i] - 0x30) }
        for i in parts.denomStart..<parts.denomEnd { digits.append(s[i] - 0x30) }
        var power10 = (base == 10 ? exponent : 0) - (parts.denomEnd - parts.denomStart) + 9
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        if base == 2 { multiplyByPowerOfTwo(&digits, exponent) }
        while let last = digits.last, last == 0 {
            digits.removeLast()
            power10 += 1
        }
        return nanoUnits(digits, power10: power10) ?? -1
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

    /// Where the pieces of a quantity are in its UTF-8 bytes.
    struct Parts {
        var positive = true
        /// The integer digits after leading zeros (an empty range reads as "0").
        var numStart = 0, numEnd = 0
        var denomStart = 0, denomEnd = 0
        var suffixStart = 0, end = 0

        func suffix(in s: UnsafeBufferPointer<UInt8>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: s[suffixStart..<end]), as: UTF8.self)
        }
    }

    /// The scanner of `parseQuantityString`, including its leniencies (`1.`, `.5`, `.`).
    static func scan(_ s: UnsafeBufferPointer<UInt8>, text: String) throws(QuantityError) -> Parts {
        let end = s.count
        var parts = Parts()
        parts.end = end
        var pos = 0
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        func done(_ p: Parts) -> Parts {
            var p = p
            if p.denomEnd == 0 { p.denomStart = p.numEnd; p.denomEnd = p.numEnd }
            if p.suffixStart == 0 { p.suffixStart = end }
            return p
        }
        if s[0] == UInt8(ascii: "-") {
            parts.positive = false
            pos += 1
        } else if s[0] == UInt8(ascii: "+") {
            pos += 1
        }
        while pos < end && s[pos] == UInt8(ascii: "0") { pos += 1 }
        parts.numStart = pos
        while pos < end && isDigit(s[pos]) { pos += 1 }
        parts.numEnd = pos
        if pos >= end { return done(parts) }
        if s[pos] == UInt8(ascii: ".") {
            pos += 1
            parts.denomStart = pos
            while pos < end && isDigit(s[pos]) { pos += 1 }
            parts.denomEnd = pos
            if pos >= end { return done(parts) }
        } else {
            parts.denomStart = pos
            parts.denomEnd = pos
        }
        parts.suffixStart = pos
        while pos < end && isSuffixLetter(s[pos]) { pos += 1 }
        if pos < end && (s[pos] == UInt8(ascii: "-") || s[pos] == UInt8(ascii: "+")) { pos += 1 }
        while pos < end && isDigit(s[pos]) { pos += 1 }
        if pos < end { throw QuantityError(text: text, reason: .formatWrong) }
        return parts
    }

    static func isSuffixLetter(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "i"), UInt8(ascii: "n"), UInt8(ascii: "u"),
             UInt8(ascii: "m"), UInt8(ascii: "k"), UInt8(ascii: "K"), UInt8(ascii: "M"), UInt8(ascii: "G"),
             UInt8(ascii: "T"), UInt8(ascii: "P"): return true
        default: return false
        }
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
        let utf8 = suffix.utf8
        guard utf8.count > 1, let first = utf8.first, first == UInt8(ascii: "e") || first == UInt8(ascii: "E"),
              let exponent = LabelSelector.parseInt64(utf8.dropFirst()) else { return nil }
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
    static func keepsOriginal(_ s: UnsafeBufferPointer<UInt8>, parts: Parts, exponent: Int, format: Format) -> Bool {
        // Kubernetes' numerator is "0" when all its digits were zeros.
        let numIsZero = parts.numStart == parts.numEnd
        let numCount = numIsZero ? 1 : parts.numEnd - parts.numStart
        let denomCount = parts.denomEnd - parts.denomStart
        switch format {
        case .decimalSI, .decimalExponent:
            guard 18 - (numCount + denomCount) >= 0 else { return false }
            let scale = exponent - denomCount
            guard scale >= -9 else { return false }
            // "shifted" is numerator then denominator digits.
            func shifted(_ i: Int) -> UInt8 {
                if i < numCount { return numIsZero ? 0x30 : s[parts.numStart + i] }
                return s[parts.denomStart + i - numCount]
            }
            let total = numCount + denomCount
            let endsWith000 = total >= 3 && (total - 3..<total).allSatisfy { shifted($0) == 0x30 }
            return scale % 3 == 0 && !endsWith000 && shifted(0) != 0x30
        case .binarySI:
            guard denomCount == 0 else { return false }
            let precision = 15 - numCount - Int(Float(exponent) * 3 / 10) - 1
            guard precision >= 0 else { return false }
            var value: Int64 = 0
            for i in parts.numStart..<parts.numEnd { value = value * 10 + Int64(s[i] - 0x30) }  // ≤ 14 digits
            let (_, overflow) = value.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
            return !overflow && exponent % 10 == 0 && value & 0x07 != 0
        }
    }
}
