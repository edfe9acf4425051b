/// Go's `strconv.Quote` (what `%q` prints), which Kubernetes and Helm messages show byte for
/// byte: double quotes; `\"` and `\\`; the C escapes `\a \b \f \n \r \t \v`; other control
/// bytes as `\xHH`; non-printable Unicode as `\uHHHH` or `\UHHHHHHHH`; printable Unicode as is.
public func goQuote(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\u{07}": out += "\\a"
        case "\u{08}": out += "\\b"
        case "\u{0C}": out += "\\f"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\u{0B}": out += "\\v"
        default:
            let v = scalar.value
            if v < 0x20 || v == 0x7F {
                out += "\\x" + zeroPaddedHex(v, 2)
            } else if v >= 0x80 && !isGoPrintable(scalar) {
                out += v > 0xFFFF ? "\\U" + zeroPaddedHex(v, 8) : "\\u" + zeroPaddedHex(v, 4)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
public func isGoPrintable(_ s: Unicode.Scalar) -> Bool {
    switch s.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return false
    case .spaceSeparator: return s.value == 0x20
    default: return true
    }
}

/// Lower-case hex of `v`, left-padded with zeros to `width` digits.
public func zeroPaddedHex(_ v: UInt32, _ width: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}
