/// `semver` and `semverCompare` with Masterminds/semver v3 rules: partial versions
/// (`1.2` = `1.2.0`), a leading `v`, wildcards (`1.2.x`, `*`), operators `= != > < >= <= ~ ^`,
/// hyphen ranges, `,`/space for AND and `||` for OR, and pre-releases excluded unless the
/// constraint itself names one (hence charts' `>=1.19-0`).
struct SemVersion: Equatable {
    var major: Int64, minor: Int64, patch: Int64
    var prerelease: String
    var metadata: String
    var original: String

    /// Masterminds' `NewVersion`: `v?MAJOR(.MINOR)?(.PATCH)?(-PRE)?(+META)?`, where a `-` or
    /// `+` must be followed by dot-separated identifiers.
    static func parse(_ text: String) -> SemVersion? {
        var s = Substring(text)
        if s.hasPrefix("v") { s = s.dropFirst() }
        var meta = ""
        var hasMeta = false, hasPre = false
        if let plus = s.firstIndex(of: "+") { meta = String(s[s.index(after: plus)...]); s = s[..<plus]; hasMeta = true }
        var pre = ""
        if let dash = s.firstIndex(of: "-") { pre = String(s[s.index(after: dash)...]); s = s[..<dash]; hasPre = true }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var nums: [Int64] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int64(p) else { return nil }
            nums.append(n)
        }
        let ident: (String) -> Bool = { $0.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } } }
        if hasPre && !ident(pre) { return nil }
        if hasMeta && !ident(meta) { return nil }
        return SemVersion(major: nums[0], minor: nums.count > 1 ? nums[1] : 0, patch: nums.count > 2 ? nums[2] : 0,
                          prerelease: pre, metadata: meta, original: text)
    }

    static func comparePre(_ a: String, _ b: String) -> Int {
        if a == b { return 0 }
        if a.isEmpty { return 1 }
        if b.isEmpty { return -1 }
        let x = a.split(separator: "."), y = b.split(separator: ".")
        for i in 0..<max(x.count, y.count) {
            guard i < x.count else { return -1 }
            guard i < y.count else { return 1 }
            let p = x[i], q = y[i]
            if p == q { continue }
            let pn = Int64(p), qn = Int64(q)
            switch (pn, qn) {
            case let (m?, n?): return m < n ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            default: return p < q ? -1 : 1
            }
        }
        return 0
    }

    func compare(_ o: SemVersion) -> Int {
        for (a, b) in [(major, o.major), (minor, o.minor), (patch, o.patch)] where a != b { return a < b ? -1 : 1 }
        return SemVersion.comparePre(prerelease, o.prerelease)
    }
}

struct SemConstraint {
    var op: String
    var version: SemVersion
    /// Which part was a wildcard: 0 major, 1 minor, 2 patch, 3 none.
    var wildcardAt: Int

    static func parse(_ raw: String) throws -> SemConstraint {
        var s = Substring(raw.goTrimmedSpace)
        var op = ""
        for candidate in [">=", "<=", "!=", "=>", "=<", ">", "<", "=", "~>", "~", "^"] where s.hasPrefix(candidate) {
            op = candidate; s = s.dropFirst(candidate.count); break
        }
        if op == "=>" { op = ">=" }
        if op == "=<" { op = "<=" }
        if op == "~>" { op = "~" }
        var text = String(s).goTrimmedSpace
        if text.hasPrefix("v") { text.removeFirst() }
        var core = text
        var suffix = ""
        if let i = core.firstIndex(where: { $0 == "-" || $0 == "+" }) { suffix = String(core[i...]); core = String(core[..<i]) }
        var parts = core.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var wildcard = 3
        for (i, p) in parts.enumerated() where p == "x" || p == "X" || p == "*" { wildcard = min(wildcard, i) }
        if wildcard < 3 { parts = Array(parts.prefix(wildcard)) }
        let missing = parts.count
        while parts.count < 3 { parts.append("0") }
        guard let v = SemVersion.parse(parts.joined(separator: ".") + (wildcard < 3 ? "" : suffix)) else {
            throw TemplateFunctionError("improper constraint: \(GoFormat.quote(raw))")
        }
        if wildcard == 3 && missing < 3 && (op == "" || op == "=" || op == "!=") { wildcard = missing }
        return SemConstraint(op: op, version: v, wildcardAt: wildcard)
    }

    /// Upper bound (exclusive) of a wildcard range.
    var upper: SemVersion {
        var u = version
        u.prerelease = ""
        switch wildcardAt {
        case 0: u.major = Int64.max
        case 1: u.major += 1; u.minor = 0; u.patch = 0
        case 2: u.minor += 1; u.patch = 0
        default: break
        }
        return u
    }

    func check(_ v: SemVersion) -> Bool {
        if !v.prerelease.isEmpty && version.prerelease.isEmpty { return false }
        let c = v.compare(version)
        let dirty = wildcardAt < 3
        switch op {
        case "", "=":
            if dirty { return c >= 0 && v.compare(upper) < 0 }
            return c == 0
        case "!=":
            if dirty { return c < 0 || v.compare(upper) >= 0 }
            return c != 0
        case ">": return dirty ? v.compare(upper) >= 0 : c > 0
        case "<": return c < 0
        case ">=": return c >= 0
        case "<=": return dirty ? v.compare(upper) < 0 : c <= 0
        case "~":
            if c < 0 { return false }
            if version.minor == 0 && version.patch == 0 && wildcardAt == 3 { return v.major == version.major }
            if v.major != version.major { return false }
            return v.minor == version.minor || wildcardAt <= 1
        case "^":
            if c < 0 { return false }
            if version.major > 0 || wildcardAt == 1 { return v.major == version.major }
            if v.major > 0 { return false }
            if version.minor > 0 || wildcardAt == 2 { return v.minor == version.minor }
            if v.minor > 0 { return false }
            return v.patch == version.patch
        default: return false
        }
    }

    /// `a || b`, each side AND-ed constraints separated by commas or spaces; `a - b` ranges.
    /// Parsed completely before any version is checked (Masterminds validates first).
    static func parseAll(_ constraint: String) throws -> [[SemConstraint]] {
        var groups: [[SemConstraint]] = []
        for orPart in constraint.split(separator: "||", omittingEmptySubsequences: false) {
            var pieces: [String] = []
            let tokens = String(orPart).replacingAll(",", with: " ").split(separator: " ").map(String.init)
            var i = 0
            while i < tokens.count {
                if i + 2 < tokens.count && tokens[i + 1] == "-" {
                    pieces.append(">=" + tokens[i]); pieces.append("<=" + tokens[i + 2]); i += 3; continue
                }
                // Join a bare operator with the following version: ">= 1.2".
                if [">=", "<=", "!=", ">", "<", "=", "~", "^", "=>", "=<", "~>"].contains(tokens[i]) && i + 1 < tokens.count {
                    pieces.append(tokens[i] + tokens[i + 1]); i += 2; continue
                }
                pieces.append(tokens[i]); i += 1
            }
            guard !pieces.isEmpty, let group = try? pieces.map({ try SemConstraint.parse($0) }) else {
                // Masterminds reports the whole constraint text when any part is malformed.
                throw TemplateFunctionError("improper constraint: \(GoFormat.quote(constraint))")
            }
            groups.append(group)
        }
        return groups
    }

    static func check(_ groups: [[SemConstraint]], _ v: SemVersion) -> Bool {
        groups.contains { $0.allSatisfy { $0.check(v) } }
    }
}

/// The object `semver "1.2.3"` returns.
final class SemverObject: TemplateObject {
    let version: SemVersion
    init(version: SemVersion) { self.version = version }
    var goTypeName: String { "*semver.Version" }
    var printed: String {
        var s = "\(version.major).\(version.minor).\(version.patch)"
        if !version.prerelease.isEmpty { s += "-" + version.prerelease }
        if !version.metadata.isEmpty { s += "+" + version.metadata }
        return s
    }
    var marshalled: TemplateValue { .string(printed) }
    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "Major": return .method(.fn([]) { _ in .int64(self.version.major) })
        case "Minor": return .method(.fn([]) { _ in .int64(self.version.minor) })
        case "Patch": return .method(.fn([]) { _ in .int64(self.version.patch) })
        case "Prerelease": return .method(.fn([]) { _ in .string(self.version.prerelease) })
        case "Metadata": return .method(.fn([]) { _ in .string(self.version.metadata) })
        case "Original": return .method(.fn([]) { _ in .string(self.version.original) })
        case "String": return .method(.fn([]) { _ in .string(self.printed) })
        default: return nil
        }
    }
}


extension Library {
    static let semver: [String: TemplateFunction] = [
        "semver": .fn([.string]) { args in
            guard let v = SemVersion.parse(Conv.str(args[0])) else { throw TemplateFunctionError("invalid semantic version") }
            return .object(SemverObject(version: v))
        },
        "semverCompare": .fn([.string, .string]) { args in
            let constraint = try SemConstraint.parseAll(Conv.str(args[0]))
            guard let v = SemVersion.parse(Conv.str(args[1])) else { throw TemplateFunctionError("invalid semantic version") }
            return .bool(SemConstraint.check(constraint, v))
        },
    ]
}

/// Semantic versions for the chart layer (Chart.yaml `version`, `kubeVersion`, dependency
/// ranges): the same Masterminds rules `semver`/`semverCompare` use, in one place.
package enum SemanticVersion {
    /// The parts of a version (`v1.2` is 1.2.0); nil when it is not one.
    package static func parse(_ text: String) -> (major: Int64, minor: Int64, patch: Int64, prerelease: String, metadata: String)? {
        guard let v = SemVersion.parse(text) else { return nil }
        return (v.major, v.minor, v.patch, v.prerelease, v.metadata)
    }

    /// Helm's `IsCompatibleRange`: whether `version` satisfies `constraint`; false when either
    /// does not parse.
    package static func satisfies(_ constraint: String, _ version: String) -> Bool {
        guard let groups = try? SemConstraint.parseAll(constraint), let v = SemVersion.parse(version) else { return false }
        return SemConstraint.check(groups, v)
    }
}
