#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// sprig's string functions.
extension Library {
    static let strings: [String: TemplateFunction] = [
        "upper": .fn([.string]) { .string(Conv.str($0[0]).uppercased()) },
        "lower": .fn([.string]) { .string(Conv.str($0[0]).lowercased()) },
        "title": .fn([.string]) { .string(Text.title(Conv.str($0[0]))) },
        "untitle": .fn([.string]) { .string(Text.untitle(Conv.str($0[0]))) },
        "swapcase": .fn([.string]) { .string(Text.swapcase(Conv.str($0[0]))) },
        "initials": .fn([.string]) { .string(Text.initials(Conv.str($0[0]))) },
        "snakecase": .fn([.string]) { .string(Text.snakecase(Conv.str($0[0]))) },
        "camelcase": .fn([.string]) { .string(Text.camelcase(Conv.str($0[0]))) },
        "kebabcase": .fn([.string]) { .string(Text.snakecase(Conv.str($0[0]), connector: "-")) },
        "repeat": .fn([.int, .string]) { args in
            let n = Conv.int(args[0])
            if n < 0 { throw TemplateFunctionError("strings: negative Repeat count") }
            let unit = Conv.str(args[1])
            let (total, overflow) = n.multipliedReportingOverflow(by: unit.utf8.count)
            if overflow { throw TemplateFunctionError("strings: Repeat output length overflow") }
            try Library.checkSize(total, "strings: Repeat")
            return .string(String(repeating: unit, count: n))
        },
        "substr": .fn([.int, .int, .string]) { args in
            let start = Conv.int(args[0]), end = Conv.int(args[1])
            let b = Array(Conv.str(args[2]).utf8)
            func s(_ r: Range<Int>) throws -> TemplateValue {
                guard r.lowerBound >= 0, r.upperBound <= b.count, r.lowerBound <= r.upperBound else {
                    throw TemplateFunctionError("runtime error: slice bounds out of range [\(r.lowerBound):\(r.upperBound)]")
                }
                return .string(String(decoding: b[r], as: UTF8.self))
            }
            if start < 0 { return try s(0..<end) }
            if end < 0 || end > b.count { return try s(start..<b.count) }
            return try s(start..<end)
        },
        "nospace": .fn([.string]) { .string(String(Conv.str($0[0]).unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))) },
        "trunc": .fn([.int, .string]) { args in
            let c = Conv.int(args[0])
            let b = Array(Conv.str(args[1]).utf8)
            if c < 0 && b.count + c > 0 { return .string(String(decoding: b[(b.count + c)...], as: UTF8.self)) }
            if c >= 0 && b.count > c { return .string(String(decoding: b[..<c], as: UTF8.self)) }
            return args[1]
        },
        "abbrev": .fn([.int, .string]) { args in
            let w = Conv.int(args[0])
            let s = Conv.str(args[1])
            if w < 4 || s.utf8.count <= w { return .string(s) }
            return .string(String(decoding: Array(s.utf8)[..<(w - 3)], as: UTF8.self) + "...")
        },
        "wrap": .fn([.int, .string]) { .string(Text.wrap(Conv.str($0[1]), Conv.int($0[0]), newline: "\n")) },
        "wrapWith": .fn([.int, .string, .string]) { .string(Text.wrap(Conv.str($0[2]), Conv.int($0[0]), newline: Conv.str($0[1]))) },
        "contains": .fn([.string, .string]) { .bool(Text.contains(Conv.str($0[1]), Conv.str($0[0]))) },
        "hasPrefix": .fn([.string, .string]) { .bool(Conv.str($0[1]).utf8.starts(with: Conv.str($0[0]).utf8)) },
        "hasSuffix": .fn([.string, .string]) { .bool(Conv.str($0[1]).utf8.reversed().starts(with: Conv.str($0[0]).utf8.reversed())) },
        "quote": .fn([], variadic: .any) { args in
            // One string (most calls): quoted directly, without the intermediate arrays.
            if args.count == 1, case .string(let s) = args[0] { return .string(GoFormat.quote(s)) }
            return .string(args.filter { !$0.isNull }.map { GoFormat.quote(Conv.strval($0)) }.joined(separator: " "))
        },
        "squote": .fn([], variadic: .any) { args in
            .string(args.filter { !$0.isNull }.map { "'" + Conv.strval($0) + "'" }.joined(separator: " "))
        },
        "cat": .fn([], variadic: .any) { args in
            .string(args.filter { !$0.isNull }.map { GoFormat.print($0) }.joined(separator: " "))
        },
        "indent": .fn([.int, .string]) { args in
            if Conv.int(args[0]) < 0 { throw TemplateFunctionError("strings: negative Repeat count") }
            try Library.checkSize(Conv.int(args[0]), "indent")
            return .string(Text.indent(Conv.str(args[1]), Conv.int(args[0])))
        },
        "nindent": .fn([.int, .string]) { args in
            if Conv.int(args[0]) < 0 { throw TemplateFunctionError("strings: negative Repeat count") }
            try Library.checkSize(Conv.int(args[0]), "nindent")
            return .string(Text.indent(Conv.str(args[1]), Conv.int(args[0]), leadingNewline: true))
        },
        "replace": .fn([.string, .string, .string]) { args in
            .string(Text.replace(Conv.str(args[2]), Conv.str(args[0]), Conv.str(args[1])))
        },
        "plural": .fn([.string, .string, .int]) { .string(Conv.int($0[2]) == 1 ? Conv.str($0[0]) : Conv.str($0[1])) },
        "trim": .fn([.string]) { .string(Conv.str($0[0]).goTrimmedSpace) },
        "trimAll": .fn([.string, .string]) { .string(Text.trim(Conv.str($0[1]), cutset: Conv.str($0[0]))) },
        "trimall": .fn([.string, .string]) { .string(Text.trim(Conv.str($0[1]), cutset: Conv.str($0[0]))) },
        "trimPrefix": .fn([.string, .string]) { args in
            let s = Conv.str(args[1]), p = Conv.str(args[0])
            return .string(s.utf8.starts(with: p.utf8) ? String(decoding: Array(s.utf8).dropFirst(p.utf8.count), as: UTF8.self) : s)
        },
        "trimSuffix": .fn([.string, .string]) { args in
            let s = Conv.str(args[1]), p = Conv.str(args[0])
            return .string(s.utf8.reversed().starts(with: p.utf8.reversed()) ? String(decoding: Array(s.utf8).dropLast(p.utf8.count), as: UTF8.self) : s)
        },
        "split": .fn([.string, .string]) { args in
            var m: [String: String] = [:]
            for (i, part) in Text.split(Conv.str(args[1]), Conv.str(args[0])).enumerated() { m["_\(i)"] = part }
            return .object(StringMap(m))
        },
        "splitn": .fn([.string, .int, .string]) { args in
            var m: [String: String] = [:]
            for (i, part) in Text.split(Conv.str(args[2]), Conv.str(args[0]), limit: Conv.int(args[1])).enumerated() { m["_\(i)"] = part }
            return .object(StringMap(m))
        },
        "splitList": .fn([.string, .string]) { TypedList.strings(Text.split(Conv.str($0[1]), Conv.str($0[0]))) },
        "join": .fn([.string, .any]) { .string(Conv.strslice($0[1]).joined(separator: Conv.str($0[0]))) },
        "sortAlpha": .fn([.any]) { args in
            // Not a list (nil included): sprig wraps `strval` of it, so nil becomes "<nil>".
            if args[0].isNull { return TypedList.strings(["<nil>"]) }
            return TypedList.strings(Conv.strslice(args[0]).sorted { $0.utf8Precedes($1) })
        },
        "toStrings": .fn([.any]) { TypedList.strings(Conv.strslice($0[0])) },
        "toString": .fn([.any]) { .string(Conv.strval($0[0])) },
    ]
}

/// String algorithms with Go's byte-oriented semantics.
enum Text {
    /// sprig's `indent`: `n` spaces before `s` and after each of its newlines (`nindent`:
    /// a newline first). Built in one pass into one buffer: charts indent every include.
    static func indent(_ s: String, _ n: Int, leadingNewline: Bool = false) -> String {
        let n = max(0, n)
        var s = s
        s.makeContiguousUTF8()
        return s.utf8.withContiguousStorageIfAvailable { src -> String in
            // Lines are found with memchr and copied whole (text is mostly long lines).
            guard let base = src.baseAddress else { return (leadingNewline ? "\n" : "") + String(repeating: " ", count: n) }
            let count = src.count
            var newlines = 0
            var p = 0
            while p < count, let hit = memchr(base + p, 0x0A, count - p) {
                newlines += 1
                p = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            }
            let total = (leadingNewline ? 1 : 0) + n * (newlines + 1) + count
            return String(unsafeUninitializedCapacity: total) { buf in
                guard let out = buf.baseAddress else { return 0 }
                var i = 0
                if leadingNewline { out[0] = 0x0A; i = 1 }
                (out + i).initialize(repeating: 0x20, count: n); i += n
                var start = 0
                while start < count {
                    let end = memchr(base + start, 0x0A, count - start)
                        .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) + 1 } ?? count
                    (out + i).initialize(from: base + start, count: end - start); i += end - start
                    if out[i - 1] == 0x0A {
                        (out + i).initialize(repeating: 0x20, count: n); i += n
                    }
                    start = end
                }
                return i
            }
        } ?? indentGeneral(s, n, leadingNewline: leadingNewline)
    }

    /// `indent` byte by byte (for text without contiguous storage).
    static func indentGeneral(_ s: String, _ n: Int, leadingNewline: Bool) -> String {
        let pad = [UInt8](repeating: 0x20, count: n)
        var out: [UInt8] = leadingNewline ? [0x0A] : []
        out += pad
        for b in s.utf8 {
            out.append(b)
            if b == 0x0A { out += pad }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func contains(_ s: String, _ sub: String) -> Bool { s.utf8Contains(sub) }

    /// `strings.Replace(s, old, new, -1)`, including Go's rule for an empty `old`.
    static func replace(_ s: String, _ old: String, _ new: String) -> String {
        if old.isEmpty {
            var out = new
            for ch in s.unicodeScalars { out.unicodeScalars.append(ch); out += new }
            return out
        }
        return s.replacingAll(old, with: new)
    }

    /// `strings.Split` / `SplitN` (limit < 0: all).
    static func split(_ s: String, _ sep: String, limit: Int = -1) -> [String] {
        if limit == 0 { return [] }
        if sep.isEmpty {
            var parts = s.unicodeScalars.map { String($0) }
            if limit > 0 && parts.count > limit {
                let rest = parts[(limit - 1)...].joined()
                parts = Array(parts[..<(limit - 1)]) + [rest]
            }
            return parts
        }
        let a = Array(s.utf8), b = Array(sep.utf8)
        var parts: [String] = []
        var start = 0, i = 0
        while i + b.count <= a.count {
            if limit > 0 && parts.count == limit - 1 { break }
            if a[i] == b[0] && Array(a[i..<(i + b.count)]) == b {
                parts.append(String(decoding: a[start..<i], as: UTF8.self))
                i += b.count
                start = i
            } else { i += 1 }
        }
        parts.append(String(decoding: a[start...], as: UTF8.self))
        return parts
    }

    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: return true
        default: return u.value > 0xFF && u.properties.isWhitespace
        }
    }

    static func trim(_ s: String, cutset: String) -> String {
        let cut = Set(cutset.unicodeScalars)
        let u = Array(s.unicodeScalars)
        var a = 0, b = u.count
        while a < b && cut.contains(u[a]) { a += 1 }
        while b > a && cut.contains(u[b - 1]) { b -= 1 }
        var v = String.UnicodeScalarView(); v.append(contentsOf: u[a..<b])
        return String(v)
    }

    static func isLetter(_ u: Unicode.Scalar) -> Bool { u.properties.isAlphabetic }
    static func isDigit(_ u: Unicode.Scalar) -> Bool { u.properties.numericType != nil }

    /// Go's deprecated `strings.Title`.
    static func title(_ s: String) -> String {
        var out = ""
        var prev: Unicode.Scalar = " "
        for u in s.unicodeScalars {
            if isSeparator(prev) { out += String(u).uppercased() } else { out.unicodeScalars.append(u) }
            prev = u
        }
        return out
    }

    static func isSeparator(_ r: Unicode.Scalar) -> Bool {
        if r.value <= 0x7F {
            if (r >= "0" && r <= "9") || (r >= "a" && r <= "z") || (r >= "A" && r <= "Z") || r == "_" { return false }
            return true
        }
        if isLetter(r) || isDigit(r) { return false }
        return isSpace(r)
    }

    static func untitle(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for u in s.unicodeScalars {
            if isSpace(u) { atWordStart = true; out.unicodeScalars.append(u); continue }
            if atWordStart { out += String(u).lowercased(); atWordStart = false } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func swapcase(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.properties.isUppercase { out += String(u).lowercased() }
            else if u.properties.isLowercase { out += String(u).uppercased() }
            else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func initials(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for u in s.unicodeScalars {
            if isSpace(u) { atWordStart = true; continue }
            if atWordStart { out.unicodeScalars.append(u); atWordStart = false }
        }
        return out
    }

    static func isConnector(_ u: Unicode.Scalar) -> Bool { u == "-" || u == "_" || isSpace(u) }

    /// xstrings `ToSnakeCase`/`ToKebabCase` (approximation): a connector (`-`, `_`, space)
    /// becomes `connector`; a new word starts at a lower→upper change and before the last
    /// capital of an acronym (`HTTPServer` → `http_server`); other characters are kept.
    static func snakecase(_ s: String, connector: String = "_") -> String {
        let u = Array(s.unicodeScalars)
        var out = ""
        for (i, c) in u.enumerated() {
            if isConnector(c) { out += connector; continue }
            if c.properties.isUppercase {
                let prevLower = i > 0 && (u[i - 1].properties.isLowercase || isDigit(u[i - 1]))
                let nextLower = i + 1 < u.count && u[i + 1].properties.isLowercase
                let prevUpper = i > 0 && u[i - 1].properties.isUppercase
                if (prevLower || (prevUpper && nextLower)) && !out.hasSuffix(connector) { out += connector }
                out += String(c).lowercased()
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// xstrings `ToCamelCase`: connectors (`-`, `_`, spaces) before a letter vanish and
    /// capitalise it; the first letter is capitalised; leading and doubled connectors stay.
    static func camelcase(_ s: String) -> String {
        var scalars = Array(s.unicodeScalars)[...]
        var out = String.UnicodeScalarView()
        var r0: Unicode.Scalar = " "
        var found = false
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            if !isConnector(c) { r0 = String(c).uppercased().unicodeScalars.first ?? c; found = true; break }
            out.append(c)
        }
        guard found else { return String(out) }
        if scalars.isEmpty { out.append(r0); return String(out) }
        for c in scalars {
            let r1 = r0
            r0 = c
            if isConnector(r0) && isConnector(r1) { out.append(r1); continue }
            if isConnector(r1) { r0 = String(r0).uppercased().unicodeScalars.first ?? r0 } else { out.append(r1) }
        }
        out.append(r0)
        return String(out)
    }

    /// goutils `WrapCustom(str, width, newline, false)`.
    static func wrap(_ str: String, _ width: Int, newline: String) -> String {
        let w = max(width, 1)
        let s = Array(str.utf8)
        var out: [UInt8] = []
        var offset = 0
        let nl = Array(newline.utf8)
        while s.count - offset > w {
            if s[offset] == UInt8(ascii: " ") { offset += 1; continue }
            let end = min(w + offset + 1, s.count)
            var spaceAt = -1
            var i = end - 1
            while i >= offset { if s[i] == UInt8(ascii: " ") { spaceAt = i; break }; i -= 1 }
            if spaceAt >= offset {
                out += s[offset..<spaceAt]; out += nl; offset = spaceAt + 1
            } else {
                var j = w + offset
                spaceAt = -1
                while j < s.count { if s[j] == UInt8(ascii: " ") { spaceAt = j; break }; j += 1 }
                if spaceAt >= 0 { out += s[offset..<spaceAt]; out += nl; offset = spaceAt + 1 }
                else { out += s[offset...]; offset = s.count }
            }
        }
        if offset < s.count { out += s[offset...] }
        return String(decoding: out, as: UTF8.self)
    }
}
