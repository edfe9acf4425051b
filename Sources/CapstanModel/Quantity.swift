/// A Kubernetes resource quantity (`100m`, `1.5`, `2Gi`, `1e3`), with the exact fixed-point
/// semantics of `resource.Quantity`.
///
/// Storage: the amount as a signed 128-bit count of nano-units (10⁻⁹), plus the format the
/// input used (decimal SI, binary SI, decimal exponent), which decides how it prints.
/// - Parsing rounds anything finer than 1n *up* (away from zero), as Kubernetes does, so a
///   request for a tiny amount never becomes zero.
/// - Binary-SI amounts are capped at 2⁶³−1 like Kubernetes does; other amounts must stay
///   within ±10²⁷ units (10³⁶ nano-units), far past any real resource — larger input fails
///   with ``QuantityError/Reason/tooLarge`` instead of Kubernetes' unbounded decimal.
/// - `+` and `-` saturate at the 128-bit range rather than trap.
///
/// Equality, hashing and ordering compare amounts only (`1000m == 1`), like `Quantity.Cmp`.
/// ``description`` prints what Kubernetes prints: the input itself when Kubernetes keeps it
/// (it already was canonical), otherwise the canonical form (`1.5` → `1500m`,
/// `1024Mi` → `1Gi`, `0.5Gi` → `512Mi`). Immutable value; safe to share across tasks.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    public enum Format: String, Sendable, Hashable {
        case decimalExponent = "DecimalExponent"
        case binarySI = "BinarySI"
        case decimalSI = "DecimalSI"
    }

    /// The amount in nano-units.
    public let nanos: Int128
    public let format: Format
    /// The input text, when Kubernetes would print it back unchanged.
    let original: String?

    static let nanosPerUnit: Int128 = 1_000_000_000
    /// The largest magnitude accepted (10³⁶ nano-units).
    static let maxNanos: Int128 = 1_000_000_000_000_000_000_000_000_000_000_000_000
    /// Kubernetes' cap for binary-SI amounts: Int64.max units.
    static let binaryCapNanos: Int128 = Int128(Int64.max) * nanosPerUnit

    init(nanos: Int128, format: Format, original: String?) {
        self.nanos = nanos
        self.format = format
        self.original = original
    }

    /// An amount in nano-units (clamped to the accepted range).
    public init(nanos: Int128, format: Format = .decimalSI) {
        self.init(nanos: Swift.min(Swift.max(nanos, -Quantity.maxNanos), Quantity.maxNanos), format: format, original: nil)
    }

    /// `resource.NewQuantity`: whole units.
    public init(_ value: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(value) * Quantity.nanosPerUnit, format: format, original: nil)
    }

    /// `resource.NewMilliQuantity`: thousandths of a unit.
    public init(milliValue: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(milliValue) * 1_000_000, format: format, original: nil)
    }

    public static let zero = Quantity(0)

    public var isZero: Bool { nanos == 0 }
    public var sign: Int { nanos == 0 ? 0 : (nanos > 0 ? 1 : -1) }

    /// Whole units, rounded up away from zero (`Quantity.Value()`); clamped to Int64.
    public var value: Int64 { Quantity.scaledDown(nanos, by: Quantity.nanosPerUnit) }

    /// Thousandths of a unit, rounded up away from zero (`Quantity.MilliValue()`); clamped.
    public var milliValue: Int64 { Quantity.scaledDown(nanos, by: 1_000_000) }

    static func scaledDown(_ n: Int128, by divisor: Int128) -> Int64 {
        var q = n / divisor
        if n % divisor != 0 { q += n > 0 ? 1 : -1 }
        if q > Int128(Int64.max) { return Int64.max }
        if q < Int128(Int64.min) { return Int64.min }
        return Int64(q)
    }

    /// The amount as a `Double` (may lose precision).
    public var approximateDouble: Double { Double(nanos) / 1e9 }

    // MARK: - Arithmetic

    /// `Quantity.Add`: a zero left side takes the right side's format; saturates on overflow.
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        let (sum, overflow) = lhs.nanos.addingReportingOverflow(rhs.nanos)
        let result = overflow ? (rhs.nanos > 0 ? Int128.max : Int128.min) : sum
        return Quantity(nanos: result, format: lhs.nanos == 0 ? rhs.format : lhs.format, original: nil)
    }

    /// `Quantity.Sub`, with the same format rule and saturation as `+`.
    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        let (difference, overflow) = lhs.nanos.subtractingReportingOverflow(rhs.nanos)
        let result = overflow ? (rhs.nanos < 0 ? Int128.max : Int128.min) : difference
        return Quantity(nanos: result, format: lhs.nanos == 0 ? rhs.format : lhs.format, original: nil)
    }

    public static func += (lhs: inout Quantity, rhs: Quantity) { lhs = lhs + rhs }
    public static func -= (lhs: inout Quantity, rhs: Quantity) { lhs = lhs - rhs }

    public static prefix func - (q: Quantity) -> Quantity {
        Quantity(nanos: q.nanos == Int128.min ? Int128.max : -q.nanos, format: q.format, original: nil)
    }

    // MARK: - Comparison

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos == rhs.nanos }
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.nanos < rhs.nanos }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }

    /// `Quantity.Cmp`: -1, 0 or 1.
    public func compare(_ other: Quantity) -> Int { self < other ? -1 : (self == other ? 0 : 1) }

    // MARK: - Printing

    /// What Kubernetes prints for this quantity (its `String()` and JSON form).
    public var description: String { original ?? canonical }

    /// The canonical form, ignoring any kept input text.
    public var canonical: String {
        if nanos == 0 { return "0" }
        if format == .binarySI {
            let magnitude = nanos.magnitude
            if magnitude >= 1024 * UInt128(Quantity.nanosPerUnit) && nanos % Quantity.nanosPerUnit == 0 {
                var units = nanos / Quantity.nanosPerUnit
                var exponent = 0
                while units % 1024 == 0 && exponent < Quantity.binarySuffixes.count - 1 {
                    units /= 1024
                    exponent += 1
                }
                return String(units) + Quantity.binarySuffixes[exponent]
            }
            return Quantity.decimalString(nanos, format: .decimalSI)
        }
        return Quantity.decimalString(nanos, format: format)
    }

    static let binarySuffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]

    static func decimalSuffix(_ exponent: Int) -> String? {
        switch exponent {
        case -9: return "n"
        case -6: return "u"
        case -3: return "m"
        case 0: return ""
        case 3: return "k"
        case 6: return "M"
        case 9: return "G"
        case 12: return "T"
        case 15: return "P"
        case 18: return "E"
        default: return nil
        }
    }

    /// Mantissa and a power-of-ten exponent that is a multiple of 3, the mantissa as small as
    /// that allows (`AsCanonicalBytes`).
    static func decimalString(_ nanos: Int128, format: Format) -> String {
        var mantissa = nanos
        var exponent = -9
        while mantissa % 10 == 0 {
            mantissa /= 10
            exponent += 1
        }
        while exponent % 3 != 0 {
            mantissa *= 10
            exponent -= 1
        }
        if format == .decimalExponent {
            return exponent == 0 ? String(mantissa) : String(mantissa) + "e" + String(exponent)
        }
        // Kubernetes has no SI suffix past E (10¹⁸) and prints the bare mantissa there, which
        // changes the value; keep the value right by staying at E.
        while exponent > 18 {
            mantissa *= 1000
            exponent -= 3
        }
        return String(mantissa) + (decimalSuffix(exponent) ?? "")
    }
}

/// A quantity string that does not parse. `kubernetesMessage` is what Kubernetes says (its
/// `ErrFormatWrong`, `ErrSuffix`, `ErrNumeric`); ``description`` also names the text.
public struct QuantityError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        case formatWrong, suffix, numeric, tooLarge
    }
    public var text: String
    public var reason: Reason

    public var kubernetesMessage: String {
        switch reason {
        case .formatWrong:
            return "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        case .suffix: return "unable to parse quantity's suffix"
        case .numeric: return "unable to parse numeric part of quantity"
        case .tooLarge: return "quantity is too large (more than 10^27 units)"
        }
    }

    public var description: String { "cannot parse quantity \(GoFormat.quote(text)): \(kubernetesMessage)" }
}
