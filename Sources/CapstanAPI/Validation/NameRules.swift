/// The syntax rules Kubernetes applies to names, label keys and values, port names and data
/// keys. Each check returns the problems it found as detail sentences (empty = valid), so a
/// caller wraps them into `FieldError.invalid` at its own field path.
///
/// Hand-written character scans rather than regular expressions: these run for every label of
/// every object, and the rules are small.
enum NameRules {
    static let dns1123LabelMax = 63
    static let dns1123SubdomainMax = 253

    private static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 65 && c <= 90) }
    private static func isLowerAlpha(_ c: UInt8) -> Bool { c >= 97 && c <= 122 }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    private static func matchesLabel(_ s: Substring.UTF8View) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        guard isLowerAlnum(first), isLowerAlnum(last) else { return false }
        return s.allSatisfy { isLowerAlnum($0) || $0 == 45 }
    }

    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    static func maxLength(_ n: Int) -> String { "must be no more than \(n) characters" }

    static func dns1123Label(_ s: String) -> [String] {
        withBytes(s, isLabel) ? [] : labelProblems(s)
    }

    /// The general path of `dns1123Label` (tests hold the fast check to it).
    static func labelProblems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.utf8.count > dns1123LabelMax { problems.append(maxLength(dns1123LabelMax)) }
        if !matchesLabel(Substring(s).utf8) { problems.append(labelMessage) }
        return problems
    }

    static func dns1123Subdomain(_ s: String) -> [String] {
        withBytes(s, isSubdomain) ? [] : subdomainProblems(s)
    }

    /// The general path of `dns1123Subdomain` (tests hold the fast check to it).
    static func subdomainProblems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.utf8.count > dns1123SubdomainMax { problems.append(maxLength(dns1123SubdomainMax)) }
        if s.isEmpty || !everyPart(of: s, separatedBy: UInt8(ascii: "."), matchesLabel) { problems.append(subdomainMessage) }
        return problems
    }

    static func dns1035Label(_ s: String) -> [String] {
        withBytes(s, isDNS1035Label) ? [] : dns1035Problems(s)
    }

    /// The general path of `dns1035Label` (tests hold the fast check to it).
    static func dns1035Problems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.utf8.count > dns1123LabelMax { problems.append(maxLength(dns1123LabelMax)) }
        if !matchesLabel(Substring(s).utf8) || !(s.utf8.first.map(isLowerAlpha) ?? false) {
            problems.append(dns1035Message)
        }
        return problems
    }

    /// `s` split at every `separator` byte, empty parts kept. ASCII text is split by bytes
    /// (these checks run for every name, label and annotation key; a split by Character costs
    /// grapheme breaking); other text by Character as before, so results never change.
    private static func splitParts(_ s: String, separatedBy separator: UInt8) -> [Substring] {
        guard s.utf8.allSatisfy({ $0 < 0x80 }) else {
            return s.split(separator: Character(Unicode.Scalar(separator)), omittingEmptySubsequences: false)
        }
        var parts: [Substring] = []
        var start = s.startIndex
        var i = s.utf8.startIndex
        while i != s.utf8.endIndex {
            if s.utf8[i] == separator {
                parts.append(s[start..<i])
                start = s.utf8.index(after: i)
            }
            i = s.utf8.index(after: i)
        }
        parts.append(s[start...])
        return parts
    }

    /// Whether every `separator`-delimited part of `s` passes `test` (see `splitParts`).
    private static func everyPart(of s: String, separatedBy separator: UInt8, _ test: (Substring.UTF8View) -> Bool) -> Bool {
        splitParts(s, separatedBy: separator).allSatisfy { test($0.utf8) }
    }

    /// A name used as a generateName prefix may end in '-' (a random suffix follows); checking
    /// it with a placeholder suffix keeps one rule for both.
    static func asPrefix(_ s: String) -> String { s.hasSuffix("-") ? s + "a" : s }

    // MARK: Qualified names (label and annotation keys) and label values

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func matchesQualifiedPart(_ s: Substring.UTF8View) -> Bool {
        guard let first = s.first, let last = s.last, isAlnum(first), isAlnum(last) else { return false }
        return s.allSatisfy { isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static let qualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    /// `[prefix/]name`: prefix a DNS subdomain, name at most 63 characters.
    static func qualifiedName(_ s: String) -> [String] {
        withBytes(s, isQualifiedName) ? [] : qualifiedNameProblems(s)
    }

    /// The general path of `qualifiedName` (tests hold the fast check to it).
    static func qualifiedNameProblems(_ s: String) -> [String] {
        var problems: [String] = []
        let parts = splitParts(s, separatedBy: UInt8(ascii: "/"))
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = String(parts[0])
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part must be non-empty")
            } else {
                problems += subdomainProblems(prefix).map { "prefix part \($0)" }
            }
        default:
            return [
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            ]
        }
        if name.isEmpty {
            problems.append("name part must be non-empty")
        } else if name.utf8.count > dns1123LabelMax {
            problems.append("name part " + maxLength(dns1123LabelMax))
        }
        if !name.isEmpty && !matchesQualifiedPart(name.utf8) { problems.append(qualifiedNameMessage) }
        return problems
    }

    static func labelValue(_ s: String) -> [String] {
        withBytes(s, isLabelValue) ? [] : labelValueProblems(s)
    }

    /// The general path of `labelValue` (tests hold the fast check to it).
    static func labelValueProblems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.utf8.count > dns1123LabelMax { problems.append(maxLength(dns1123LabelMax)) }
        if !s.isEmpty && !matchesQualifiedPart(Substring(s).utf8) { problems.append(labelValueMessage) }
        return problems
    }

    // MARK: Ports, data keys, percentages, path segments

    /// An IANA service name (container and service port names): at most 15 characters of
    /// `[-a-z0-9]`, at least one letter, no leading, trailing or doubled '-'.
    static func ianaServiceName(_ s: String) -> [String] {
        withBytes(s, isIANAServiceName) ? [] : ianaServiceNameProblems(s)
    }

    /// The general path of `ianaServiceName` (tests hold the fast check to it).
    static func ianaServiceNameProblems(_ s: String) -> [String] {
        var problems: [String] = []
        let u = s.utf8
        if u.count > 15 { problems.append(maxLength(15)) }
        if !u.allSatisfy({ isLowerAlnum($0) || $0 == 45 }) {
            problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
        }
        if s.contains("--") { problems.append("must not contain consecutive hyphens") }
        if !u.contains(where: isLowerAlpha) { problems.append("must contain at least one letter (a-z)") }
        if s.hasPrefix("-") || s.hasSuffix("-") { problems.append("must not begin or end with a hyphen") }
        return problems
    }

    /// ConfigMap and Secret data keys: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.`/`..`.
    static func configKey(_ s: String) -> [String] {
        withBytes(s, isConfigKey) ? [] : configKeyProblems(s)
    }

    /// The general path of `configKey` (tests hold the fast check to it).
    static func configKeyProblems(_ s: String) -> [String] {
        var problems: [String] = []
        if s.utf8.count > dns1123SubdomainMax { problems.append(maxLength(dns1123SubdomainMax)) }
        if s.isEmpty || !s.utf8.allSatisfy({ isAlnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }) {
            problems.append(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        }
        if s == "." { problems.append("must not be '.'") }
        if s == ".." { problems.append("must not be '..'") } else if s.hasPrefix("..") { problems.append("must not start with '..'") }
        return problems
    }

    /// `N%` with N a non-negative integer.
    static func isPercent(_ s: String) -> Bool {
        guard s.hasSuffix("%") else { return false }
        let digits = s.dropLast()
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Names that become one URL path segment (RBAC objects): not `.`/`..`, no `/` or `%`.
    static func pathSegmentName(_ s: String) -> [String] {
        if s == "." || s == ".." { return ["may not be '\(s)'"] }
        var problems: [String] = []
        for bad in ["/", "%"] where s.contains(bad) { problems.append("may not contain '\(bad)'") }
        return problems
    }
}
