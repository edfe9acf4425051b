/// `.helmignore`: gitignore-like rules Helm applies when loading a chart directory (never to
/// archives). Each line is a `path.Match` glob; `!` negates, a trailing `/` matches only
/// directories, a leading `/` anchors at the chart root, a glob without `/` matches the base
/// name anywhere. The first deciding rule wins, and `**` is rejected as Helm does.
public struct HelmIgnore: Sendable {
    struct Rule: Sendable {
        var pattern: String
        var negate: Bool
        var mustDir: Bool
        /// true: match the full relative path; false: match the base name only.
        var fullPath: Bool
        /// The pattern's scalars, split once (rules are matched against every file).
        var scalars: [Unicode.Scalar] = []
        var shape = Shape.general

        /// Most rules are plain names (`.git`) or `*` plus a plain suffix (`*.swp`); those
        /// match by comparison, without the glob matcher (`matchesByGlob` is the general route).
        enum Shape: Sendable, Equatable {
            case literal
            case starSuffix(ArraySlice<Unicode.Scalar>)
            case general

            init(_ p: [Unicode.Scalar]) {
                func plain(_ s: ArraySlice<Unicode.Scalar>) -> Bool {
                    !s.contains { $0 == "*" || $0 == "?" || $0 == "[" || $0 == "\\" }
                }
                if plain(p[...]) { self = .literal }
                else if p.first == "*", plain(p.dropFirst()) { self = .starSuffix(p.dropFirst()) }
                else { self = .general }
            }
        }

        func matches(_ name: ArraySlice<Unicode.Scalar>) -> Bool {
            switch shape {
            case .literal: return name.elementsEqual(scalars)
            case .starSuffix(let suffix):
                // `*` takes any run without `/`, then the suffix must end the name.
                guard name.count >= suffix.count, name.suffix(suffix.count).elementsEqual(suffix) else { return false }
                return !name.prefix(name.count - suffix.count).contains("/")
            case .general: return matchesByGlob(Array(name))
            }
        }

        func matchesByGlob(_ name: [Unicode.Scalar]) -> Bool {
            matchFrom(scalars, 0, name, 0, depth: 0) ?? false
        }
    }

    var rules: [Rule] = []

    public init() {}

    /// Parses `.helmignore` text and appends Helm's default rule (`templates/.?*`, hidden files
    /// under templates/).
    /// Lines end at each `\n` byte, as Go's line scanner reads them (a `\r` before it is
    /// trimmed with the other spaces); splitting the `String` by `Character` would also cost a
    /// grapheme check per character, and would keep `\r\n` lines together.
    public init(parsing text: String) throws(ChartError) {
        for raw in Array(text.utf8).split(separator: 0x0A, omittingEmptySubsequences: false) {
            try add(String(decoding: raw, as: UTF8.self))
        }
    }

    mutating func addDefaults() {
        try? add("templates/.?*")
    }

    mutating func add(_ line: String) throws(ChartError) {
        var p = line.goTrimmedSpace
        if p.isEmpty || p.hasPrefix("#") { return }
        if p.utf8Contains("**") {
            throw .load("double-star (**) syntax is not supported", path: ".helmignore")
        }
        var rule = Rule(pattern: "", negate: false, mustDir: false, fullPath: false)
        if p.hasPrefix("!") {
            rule.negate = true
            p.removeFirst()
            if p.isEmpty { return }
        }
        if p.hasSuffix("/") {
            rule.mustDir = true
            p.removeLast()
        }
        if p.hasPrefix("/") {
            rule.fullPath = true
            p.removeFirst()
        } else if p.utf8Contains("/") {
            rule.fullPath = true
        }
        rule.pattern = p
        rule.scalars = Array(p.unicodeScalars)
        rule.shape = Rule.Shape(rule.scalars)
        // Helm validates the glob up front; a bad pattern fails the load. Only a class or an
        // escape can be malformed, so patterns without `[` or `\` need no check.
        if rule.shape == .general, rule.scalars.contains(where: { $0 == "[" || $0 == "\\" }),
           matchFrom(rule.scalars, 0, [], 0, depth: 0) == nil {
            throw .load("syntax error in pattern", path: ".helmignore")
        }
        rules.append(rule)
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    public func ignores(_ path: String, isDirectory: Bool) -> Bool {
        if path.isEmpty || path == "." || path == "./" { return false }
        let full = Array(path.unicodeScalars)
        let base = full.lastIndex(of: "/").map { full[($0 + 1)...] } ?? full[...]
        for r in rules {
            let name = r.fullPath ? full[...] : base
            // Helm 4.2's loader: a negated rule that does not match ignores the path outright,
            // so `!x` alone ignores everything but `x` (Chart.yaml included).
            if r.negate {
                if r.mustDir && !isDirectory { return true }
                if !r.matches(name) { return true }
                continue
            }
            if r.mustDir && !isDirectory { continue }
            if r.matches(name) { return true }
        }
        return false
    }
}

/// Go's `path.Match`: `*` any run of non-`/`, `?` one non-`/` character, `[...]` classes with
/// `^` negation and ranges, `\` escapes. Returns nil for a malformed pattern.
func globMatch(_ pattern: String, _ name: String) -> Bool? {
    let p = Array(pattern.unicodeScalars), n = Array(name.unicodeScalars)
    return matchFrom(p, 0, n, 0, depth: 0)
}

func matchFrom(_ p: [Unicode.Scalar], _ pi: Int, _ n: [Unicode.Scalar], _ ni: Int, depth: Int) -> Bool? {
    if depth > 200 { return false }
    var pi = pi, ni = ni
    while pi < p.count {
        switch p[pi] {
        case "*":
            var rest = pi
            while rest < p.count && p[rest] == "*" { rest += 1 }
            if rest == p.count {
                // Trailing star: the rest must hold no separator.
                return !n[ni...].contains("/")
            }
            var k = ni
            while true {
                guard let m = matchFrom(p, rest, n, k, depth: depth + 1) else { return nil }
                if m { return true }
                if k >= n.count || n[k] == "/" { break }
                k += 1
            }
            // Validate the remaining pattern even when nothing matched.
            return validate(p, rest) ? false : nil
        case "?":
            if ni >= n.count || n[ni] == "/" { return validate(p, pi + 1) ? false : nil }
            pi += 1; ni += 1
        case "[":
            guard let (matched, next) = matchClass(p, pi, ni < n.count ? n[ni] : nil) else { return nil }
            if ni >= n.count || !matched || n[ni] == "/" { return validate(p, next) ? false : nil }
            pi = next; ni += 1
        case "\\":
            guard pi + 1 < p.count else { return nil }
            if ni >= n.count || n[ni] != p[pi + 1] { return validate(p, pi + 2) ? false : nil }
            pi += 2; ni += 1
        default:
            if ni >= n.count || n[ni] != p[pi] { return validate(p, pi + 1) ? false : nil }
            pi += 1; ni += 1
        }
    }
    return ni == n.count
}

/// Parses a `[...]` class at `start`; returns whether `c` is in it and the index after `]`.
private func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar?) -> (Bool, Int)? {
    var i = start + 1
    var negated = false
    if i < p.count && p[i] == "^" { negated = true; i += 1 }
    var matched = false
    var first = true
    while true {
        guard i < p.count else { return nil }
        if p[i] == "]" && !first { i += 1; break }
        first = false
        var lo = p[i]
        if lo == "\\" { i += 1; guard i < p.count else { return nil }; lo = p[i] }
        i += 1
        var hi = lo
        if i + 1 < p.count && p[i] == "-" && p[i + 1] != "]" {
            i += 1
            hi = p[i]
            if hi == "\\" { i += 1; guard i < p.count else { return nil }; hi = p[i] }
            i += 1
        }
        if let c, lo.value <= c.value && c.value <= hi.value { matched = true }
    }
    return (matched != negated, i)
}

/// Whether the rest of a pattern is well formed (Go reports bad patterns even after a mismatch).
private func validate(_ p: [Unicode.Scalar], _ from: Int) -> Bool {
    var i = from
    while i < p.count {
        switch p[i] {
        case "\\": if i + 1 >= p.count { return false }; i += 2
        case "[": guard let (_, next) = matchClass(p, i, nil) else { return false }; i = next
        default: i += 1
        }
    }
    return true
}
