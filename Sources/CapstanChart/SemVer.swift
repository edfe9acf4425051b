/// Semantic versions and version constraints as Helm checks them (the Masterminds semver v3
/// rules): Chart.yaml `version`, `kubeVersion` ranges and dependency `version` ranges.

/// A parsed version. Parsing is lenient like Helm's: `v` prefix allowed, missing minor/patch
/// read as 0 (`1.2` is `1.2.0`).
public struct SemVer: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: UInt64
    public var minor: UInt64
    public var patch: UInt64
    public var prerelease: String
    public var metadata: String

    public init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: String = "", metadata: String = "") {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.metadata = metadata
    }

    public init?(parsing text: String) {
        var s = Substring(text)
        if s.first == "v" { s = s.dropFirst() }
        var meta = ""
        if let plus = s.firstIndex(of: "+") {
            meta = String(s[s.index(after: plus)...])
            s = s[..<plus]
            guard SemVer.validIdentifiers(meta) else { return nil }
        }
        var pre = ""
        if let dash = s.firstIndex(of: "-") {
            pre = String(s[s.index(after: dash)...])
            s = s[..<dash]
            guard SemVer.validIdentifiers(pre) else { return nil }
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var nums: [UInt64] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = UInt64(p) else { return nil }
            nums.append(n)
        }
        while nums.count < 3 { nums.append(0) }
        self.init(major: nums[0], minor: nums[1], patch: nums[2], prerelease: pre, metadata: meta)
    }

    private static func validIdentifiers(_ s: String) -> Bool {
        !s.isEmpty && s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { id in
            !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    public var description: String {
        var s = "\(major).\(minor).\(patch)"
        if !prerelease.isEmpty { s += "-" + prerelease }
        if !metadata.isEmpty { s += "+" + metadata }
        return s
    }

    public static func == (a: SemVer, b: SemVer) -> Bool {
        a.major == b.major && a.minor == b.minor && a.patch == b.patch && a.prerelease == b.prerelease
    }

    public static func < (a: SemVer, b: SemVer) -> Bool {
        if a.major != b.major { return a.major < b.major }
        if a.minor != b.minor { return a.minor < b.minor }
        if a.patch != b.patch { return a.patch < b.patch }
        return comparePrerelease(a.prerelease, b.prerelease) < 0
    }

    private static func comparePrerelease(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        if a.isEmpty { return 1 }
        if b.isEmpty { return -1 }
        let pa = a.split(separator: "."), pb = b.split(separator: ".")
        for i in 0..<max(pa.count, pb.count) {
            guard i < pa.count else { return -1 }
            guard i < pb.count else { return 1 }
            let x = pa[i], y = pb[i]
            if x == y { continue }
            switch (UInt64(x), UInt64(y)) {
            case let (nx?, ny?): return nx < ny ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            default: return x < y ? -1 : 1
            }
        }
        return 0
    }
}

/// A constraint such as `>=1.20.0-0`, `~1.2`, `^2`, `1.2.x`, `1.0 - 2.0`, `>1, <3 || =5`.
public struct SemVerConstraint: Sendable {
    private struct Term: Sendable {
        var op: String
        var version: SemVer
        var minorDirty: Bool
        var patchDirty: Bool
        var dirty: Bool { minorDirty || patchDirty }
    }

    private var groups: [[Term]]

    public init?(parsing text: String) {
        var groups: [[Term]] = []
        for alternative in text.components(separatedBy: "||") {
            var tokens = alternative.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }).map(String.init)
            guard !tokens.isEmpty else { return nil }
            var terms: [Term] = []
            var i = 0
            // Join operators written apart from their version (`>= 1.2`).
            var joined: [String] = []
            while i < tokens.count {
                let t = tokens[i]
                if t.allSatisfy({ "<>=!~^".contains($0) }), i + 1 < tokens.count, t != "-" {
                    joined.append(t + tokens[i + 1])
                    i += 2
                } else {
                    joined.append(t)
                    i += 1
                }
            }
            tokens = joined
            i = 0
            while i < tokens.count {
                if i + 2 < tokens.count, tokens[i + 1] == "-" {
                    guard let lo = Self.term(">=" + tokens[i]), let hi = Self.term("<=" + tokens[i + 2]) else { return nil }
                    terms.append(lo)
                    terms.append(hi)
                    i += 3
                    continue
                }
                guard let t = Self.term(tokens[i]) else { return nil }
                terms.append(t)
                i += 1
            }
            groups.append(terms)
        }
        self.groups = groups
    }

    private static func term(_ text: String) -> Term? {
        var s = Substring(text)
        var op = ""
        for candidate in ["~>", ">=", "<=", "!=", "=>", "=<", ">", "<", "=", "~", "^"] where s.hasPrefix(candidate) {
            op = candidate == "=>" ? ">=" : candidate == "=<" ? "<=" : candidate
            s = s.dropFirst(candidate.count)
            break
        }
        if s.first == "v" { s = s.dropFirst() }
        var tail = ""
        if let idx = s.firstIndex(where: { $0 == "-" || $0 == "+" }) {
            tail = String(s[idx...])
            s = s[..<idx]
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func isX(_ p: String) -> Bool { p == "x" || p == "X" || p == "*" }
        var minorDirty = false, patchDirty = false
        var nums: [String] = []
        if parts.isEmpty || parts[0].isEmpty || isX(parts[0]) {
            nums = ["0", "0", "0"]
            minorDirty = true
            patchDirty = true
            if op.isEmpty || op == "=" { op = ">=" }
        } else if parts.count >= 2, isX(parts[1]) {
            nums = [parts[0], "0", "0"]
            minorDirty = true
        } else if parts.count >= 3, isX(parts[2]) {
            nums = [parts[0], parts[1], "0"]
            patchDirty = true
        } else {
            nums = parts
            // Masterminds treats a missing minor/patch in `~`/`^` ranges and bare equality as wildcards.
            if parts.count == 1 { minorDirty = true }
            if parts.count == 2 { patchDirty = true }
        }
        guard let v = SemVer(parsing: nums.joined(separator: ".") + tail) else { return nil }
        return Term(op: op, version: v, minorDirty: minorDirty, patchDirty: patchDirty)
    }

    public func isSatisfied(by v: SemVer) -> Bool {
        groups.contains { terms in terms.allSatisfy { Self.check($0, v) } }
    }

    private static func check(_ t: Term, _ v: SemVer) -> Bool {
        let c = t.version
        if !v.prerelease.isEmpty && c.prerelease.isEmpty { return false }
        switch t.op {
        case "", "=":
            if t.dirty { return inWildcard(t, v) }
            return v == c
        case "!=":
            if t.dirty { return !inWildcard(t, v) }
            return v != c
        case ">":
            if t.minorDirty { return v.major > c.major }
            if t.patchDirty { return v.major > c.major || (v.major == c.major && v.minor > c.minor) }
            return v > c
        case "<":
            return v < c
        case ">=":
            return v >= c
        case "<=":
            if t.minorDirty { return v.major <= c.major }
            if t.patchDirty { return v.major < c.major || (v.major == c.major && v.minor <= c.minor) }
            return v <= c
        case "~", "~>":
            guard v >= c else { return false }
            if t.minorDirty { return v.major == c.major }
            return v.major == c.major && v.minor == c.minor
        case "^":
            guard v >= c else { return false }
            if c.major > 0 || t.minorDirty { return v.major == c.major }
            if c.minor > 0 || t.patchDirty { return v.major == 0 && v.minor == c.minor }
            return v.major == 0 && v.minor == 0 && v.patch == c.patch
        default:
            return false
        }
    }

    private static func inWildcard(_ t: Term, _ v: SemVer) -> Bool {
        let c = t.version
        guard v >= c else { return false }
        if t.minorDirty { return v.major == c.major }
        return v.major == c.major && v.minor == c.minor
    }
}

/// Helm's `IsCompatibleRange`: false when either side does not parse.
func isCompatibleRange(_ constraint: String, _ version: String) -> Bool {
    guard let v = SemVer(parsing: version), let c = SemVerConstraint(parsing: constraint) else { return false }
    return c.isSatisfied(by: v)
}
