/// sprig's regular-expression functions on Swift's `Regex`, matched per Unicode scalar.
///
/// Go uses RE2; Swift's engine accepts the RE2 syntax charts use (classes, `\d \w \s`,
/// `(?i)`, anchors, `(?P<name>…)`, lazy quantifiers, POSIX `[[:alpha:]]`). Known differences:
/// RE2 rejects backreferences and look-around, which Swift accepts; RE2 guarantees linear
/// time, Swift backtracks (patterns come from chart authors, not end users). Replacement
/// strings expand `$1`, `${1}`, `$name`, `${name}` and `$$` like Go's `Expand`.
extension Library {
    static func compile(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern).matchingSemantics(.unicodeScalar)
        } catch {
            // Go names the reason (`missing closing ]: ...`); Swift's differs, so only the shape matches.
            throw TemplateFunctionError("regexp: Compile(`\(pattern)`): error parsing regexp: invalid syntax")
        }
    }

    /// Expands `$n`/`${name}` in a Go replacement template.
    static func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match, _ names: [String: Int]) -> String {
        var out = ""
        let t = Array(template.unicodeScalars)
        var i = 0
        func group(_ name: String) -> String {
            let index: Int?
            if let n = Int(name) { index = n } else { index = names[name] }
            guard let idx = index, idx < match.output.count, let sub = match.output[idx].substring else { return "" }
            return String(sub)
        }
        while i < t.count {
            if t[i] != "$" || i + 1 >= t.count { out.unicodeScalars.append(t[i]); i += 1; continue }
            if t[i + 1] == "$" { out += "$"; i += 2; continue }
            if t[i + 1] == "{" {
                guard let close = t[(i + 2)...].firstIndex(of: "}") else { out += "$"; i += 1; continue }
                out += group(String(String.UnicodeScalarView(t[(i + 2)..<close])))
                i = close + 1
                continue
            }
            var j = i + 1
            while j < t.count, t[j].properties.isAlphabetic || (t[j] >= "0" && t[j] <= "9") || t[j] == "_" { j += 1 }
            if j == i + 1 { out += "$"; i += 1; continue }
            out += group(String(String.UnicodeScalarView(t[(i + 1)..<j])))
            i = j
        }
        return out
    }

    static func groupNames(_ pattern: String) -> [String: Int] {
        // Count capture groups in order to map names to indices.
        var names: [String: Int] = [:]
        let p = Array(pattern.unicodeScalars)
        var index = 0
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if c == "\\" { i += 2; continue }
            if inClass { if c == "]" { inClass = false }; i += 1; continue }
            if c == "[" { inClass = true; i += 1; continue }
            if c == "(" {
                if i + 1 < p.count && p[i + 1] == "?" {
                    var j = i + 2
                    if j < p.count && p[j] == "P" { j += 1 }
                    if j < p.count && p[j] == "<" && j + 1 < p.count && p[j + 1] != "=" && p[j + 1] != "!" {
                        index += 1
                        var k = j + 1
                        var name = ""
                        while k < p.count && p[k] != ">" { name.unicodeScalars.append(p[k]); k += 1 }
                        names[name] = index
                    }
                } else {
                    index += 1
                }
            }
            i += 1
        }
        return names
    }

    static func replaceAll(_ pattern: String, _ s: String, _ repl: String, literal: Bool) throws -> String {
        let re = try compile(pattern)
        let names = groupNames(pattern)
        var out = ""
        var last = s.startIndex
        for m in s.matches(of: re) {
            out += s[last..<m.range.lowerBound]
            out += literal ? repl : expand(repl, m, names)
            last = m.range.upperBound
        }
        out += s[last...]
        return out
    }

    static func findAll(_ pattern: String, _ s: String, _ n: Int) throws -> [String] {
        let re = try compile(pattern)
        var out: [String] = []
        for m in s.matches(of: re) {
            if n >= 0 && out.count >= n { break }
            out.append(String(s[m.range]))
        }
        return out
    }

    static let regex: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [
            "regexMatch": .fn([.string, .string]) { args in
                guard let re = try? compile(Conv.str(args[0])) else { return .bool(false) }
                return .bool(Conv.str(args[1]).contains(re))
            },
            "mustRegexMatch": .fn([.string, .string]) { args in
                .bool(Conv.str(args[1]).contains(try compile(Conv.str(args[0]))))
            },
            "regexFind": .fn([.string, .string]) { args in
                let s = Conv.str(args[1])
                guard let m = s.firstMatch(of: try compile(Conv.str(args[0]))) else { return .string("") }
                return .string(String(s[m.range]))
            },
            "regexFindAll": .fn([.string, .string, .int]) { args in
                TypedList.strings(try findAll(Conv.str(args[0]), Conv.str(args[1]), Conv.int(args[2])))
            },
            "regexReplaceAll": .fn([.string, .string, .string]) { args in
                .string(try replaceAll(Conv.str(args[0]), Conv.str(args[1]), Conv.str(args[2]), literal: false))
            },
            "regexReplaceAllLiteral": .fn([.string, .string, .string]) { args in
                .string(try replaceAll(Conv.str(args[0]), Conv.str(args[1]), Conv.str(args[2]), literal: true))
            },
            "regexSplit": .fn([.string, .string, .int]) { args in
                let re = try compile(Conv.str(args[0]))
                let s = Conv.str(args[1])
                let n = Conv.int(args[2])
                if n == 0 { return TypedList.strings([]) }
                var parts: [String] = []
                var last = s.startIndex
                for m in s.matches(of: re) {
                    if n > 0 && parts.count == n - 1 { break }
                    if m.range.isEmpty && m.range.lowerBound == s.startIndex { continue }
                    parts.append(String(s[last..<m.range.lowerBound]))
                    last = m.range.upperBound
                }
                parts.append(String(s[last...]))
                return TypedList.strings(parts)
            },
            "regexQuoteMeta": .fn([.string]) { args in
                var out = ""
                for c in Conv.str(args[0]).unicodeScalars {
                    if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out += "\\" }
                    out.unicodeScalars.append(c)
                }
                return .string(out)
            },
        ]
        t["mustRegexFind"] = t["regexFind"]
        t["mustRegexFindAll"] = t["regexFindAll"]
        t["mustRegexReplaceAll"] = t["regexReplaceAll"]
        t["mustRegexReplaceAllLiteral"] = t["regexReplaceAllLiteral"]
        t["mustRegexSplit"] = t["regexSplit"]
        return t
    }()
}
