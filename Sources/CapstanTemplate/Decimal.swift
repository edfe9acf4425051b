import CapstanModel

/// The little decimal arithmetic sprig's float functions (`addf subf mulf divf add1f`) do
/// through shopspring/decimal: each float becomes its shortest decimal (`0.1` is exactly 1/10),
/// the operation is exact (division rounds to 16 decimal places), and the result is converted
/// back to the nearest float64. So `mulf 0.1 3` is `0.3`, not `0.30000000000000004`.
struct Dec {
    var mantissa: Int128
    var exponent: Int  // value = mantissa × 10^exponent

    init(mantissa: Int128, exponent: Int) { self.mantissa = mantissa; self.exponent = exponent }

    init?(_ d: Double) {
        guard d.isFinite else { return nil }
        if d == 0 { self.init(mantissa: 0, exponent: 0); return }
        let (digits, point) = shortestDecimal(d.magnitude)
        var m: Int128 = 0
        for c in digits.utf8 { m = m * 10 + Int128(c - 48) }
        self.init(mantissa: d < 0 ? -m : m, exponent: point - digits.count)
    }

    var double: Double {
        if mantissa == 0 { return 0 }
        let s = String(mantissa) + "e" + String(exponent)
        return Double(s) ?? .nan
    }

    static let limit: Int128 = Int128(1) << 120

    static func pow10(_ n: Int) -> Int128? {
        guard n >= 0, n <= 36 else { return nil }
        var p: Int128 = 1
        for _ in 0..<n { p *= 10 }
        return p
    }

    /// Both operands at the smaller exponent; nil when that would overflow.
    static func align(_ a: Dec, _ b: Dec) -> (Int128, Int128, Int)? {
        let e = min(a.exponent, b.exponent)
        guard let pa = pow10(a.exponent - e), let pb = pow10(b.exponent - e) else { return nil }
        let (x, o1) = a.mantissa.multipliedReportingOverflow(by: pa)
        let (y, o2) = b.mantissa.multipliedReportingOverflow(by: pb)
        guard !o1, !o2, x.magnitude < UInt128(limit), y.magnitude < UInt128(limit) else { return nil }
        return (x, y, e)
    }

    static func add(_ a: Double, _ b: Double) -> Double {
        guard let x = Dec(a), let y = Dec(b), let (p, q, e) = align(x, y) else { return a + b }
        return Dec(mantissa: p + q, exponent: e).double
    }

    static func sub(_ a: Double, _ b: Double) -> Double {
        guard let x = Dec(a), let y = Dec(b), let (p, q, e) = align(x, y) else { return a - b }
        return Dec(mantissa: p - q, exponent: e).double
    }

    static func mul(_ a: Double, _ b: Double) -> Double {
        guard let x = Dec(a), let y = Dec(b) else { return a * b }
        let (m, o) = x.mantissa.multipliedReportingOverflow(by: y.mantissa)
        guard !o else { return a * b }
        return Dec(mantissa: m, exponent: x.exponent + y.exponent).double
    }

    /// Division rounded half away from zero to 16 decimal places (decimal.DivisionPrecision).
    static func div(_ a: Double, _ b: Double) -> Double {
        guard let x = Dec(a), let y = Dec(b), y.mantissa != 0 else { return a / b }
        // x/y = (mx/my) × 10^(ex-ey); want R = round(mx × 10^(ex-ey+16) / my).
        let shift = x.exponent - y.exponent + 16
        var num = x.mantissa
        var den = y.mantissa
        if shift >= 0 {
            guard let p = pow10(shift) else { return a / b }
            let (n, o) = num.multipliedReportingOverflow(by: p)
            guard !o else { return a / b }
            num = n
        } else {
            guard let p = pow10(-shift) else { return a / b }
            let (d, o) = den.multipliedReportingOverflow(by: p)
            guard !o else { return a / b }
            den = d
        }
        var q = num / den
        let r = num % den
        if (r.magnitude * 2) >= den.magnitude { q += (num < 0) != (den < 0) ? -1 : 1 }
        return Dec(mantissa: q, exponent: -16).double
    }
}
