/// Kubernetes' name and label formats, checked by hand-written scanners (no regex engine) and
/// reported with the same sentences the API server prints, so errors read identically.
///
/// Each check returns a list of problems; an empty list means valid. The messages follow
/// apimachinery: the DNS name checks (`IsDNS1123Label` & co.) count "characters", the label
/// key/value checks (the newer `content` package kubectl 1.37 vendors) count "bytes".
public enum NameValidation {
    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let dns1035LabelMaxLength = 63
    public static let labelValueMaxLength = 63
    public static let labelKeyNameMaxLength = 63

    static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    static let dns1035LabelFormat = "[a-z]([-a-z0-9]*[a-z0-9])?"
    static let labelKeyFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    static let labelValueFormat = "(" + labelKeyFormat + ")?"

    /// Kubernetes' `RegexError`: the sentence, then examples and the pattern in parentheses.
    /// (Its odd `',  or '` spacing is reproduced on purpose: clients compare these strings.)
    static func regexError(_ message: String, _ format: String, _ examples: [String]) -> String {
        if examples.isEmpty { return message + " (regex used for validation is '" + format + "')" }
        var out = message + " (e.g. "
        for (i, example) in examples.enumerated() {
            if i > 0 { out += " or " }
            out += "'" + example + "', "
        }
        return out + "regex used for validation is '" + format + "')"
    }

    static func maxLengthCharacters(_ n: Int) -> String { "must be no more than \(n) characters" }
    static func maxLengthBytes(_ n: Int) -> String { "must be no more than \(n) bytes" }

    // MARK: - DNS names

    /// RFC 1123 label (`metadata.name` of most namespaced kinds' parts, namespace names).
    public static func dns1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { errors.append(maxLengthCharacters(dns1123LabelMaxLength)) }
        if !isDNS1123Label(value.utf8[...]) {
            if isDNS1123Subdomain(value) {
                errors.append("must not contain dots")
            } else {
                errors.append(regexError(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                    dns1123LabelFormat, ["my-name", "123-abc"]))
            }
        }
        return errors
    }

    /// RFC 1123 subdomain (the usual `metadata.name` rule).
    public static func dns1123Subdomain(_ value: String) -> [String] {
        dns1123Subdomain(value, maxLengthMessage: maxLengthCharacters)
    }

    static func dns1123Subdomain(_ value: String, maxLengthMessage: (Int) -> String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errors.append(maxLengthMessage(dns1123SubdomainMaxLength)) }
        if !isDNS1123Subdomain(value) {
            errors.append(regexError(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                dns1123SubdomainFormat, ["example.com"]))
        }
        return errors
    }

    /// RFC 1035 label (Service names: they become DNS labels and must start with a letter).
    public static func dns1035Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1035LabelMaxLength { errors.append(maxLengthCharacters(dns1035LabelMaxLength)) }
        let bytes = value.utf8
        if !(isDNS1123Label(bytes[...]) && bytes.first.map(isLowerAlpha) == true) {
            errors.append(regexError(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                dns1035LabelFormat, ["my-name", "abc-123"]))
        }
        return errors
    }

    // MARK: - Labels

    /// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 bytes.
    public static func labelKey(_ value: String) -> [String] {
        if isValidLabelKey(value) { return [] }  // the common case, without allocating
        return labelKeyProblems(value)
    }

    /// The full check behind ``labelKey(_:)``, building every message.
    static func labelKeyProblems(_ value: String) -> [String] {
        var errors: [String] = []
        let parts = value.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let name: Substring.UTF8View
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                let prefixText = String(Substring(prefix))
                errors += dns1123Subdomain(prefixText, maxLengthMessage: maxLengthBytes).map { "prefix part " + $0 }
            }
        default:
            return ["a valid label key " + regexError(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                labelKeyFormat, ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.count > labelKeyNameMaxLength {
            errors.append("name part " + maxLengthBytes(labelKeyNameMaxLength))
        }
        if !isLabelToken(name) {
            errors.append("name part " + regexError(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                labelKeyFormat, ["MyName", "my.name", "123-abc"]))
        }
        return errors
    }

    /// A label value: empty, or at most 63 bytes of `[-A-Za-z0-9_.]` starting and ending alphanumeric.
    public static func labelValue(_ value: String) -> [String] {
        let bytes = value.utf8
        if bytes.isEmpty || (bytes.count <= labelValueMaxLength && isLabelToken(bytes)) { return [] }
        var errors: [String] = []
        if bytes.count > labelValueMaxLength { errors.append(maxLengthBytes(labelValueMaxLength)) }
        if !bytes.isEmpty && !isLabelToken(bytes[...]) {
            errors.append(regexError(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                labelValueFormat, ["MyValue", "my_value", "12345"]))
        }
        return errors
    }

    // MARK: - Scanners

    /// True exactly when ``labelKey(_:)`` finds no problem.
    static func isValidLabelKey(_ value: String) -> Bool {
        let bytes = value.utf8
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else {
            return bytes.count <= labelKeyNameMaxLength && isLabelToken(bytes)
        }
        let prefix = bytes[..<slash]
        let name = bytes[bytes.index(after: slash)...]
        guard !name.contains(UInt8(ascii: "/")), !prefix.isEmpty, prefix.count <= dns1123SubdomainMaxLength,
              name.count <= labelKeyNameMaxLength, isLabelToken(name) else { return false }
        var start = prefix.startIndex
        while true {
            let dot = prefix[start...].firstIndex(of: UInt8(ascii: ".")) ?? prefix.endIndex
            if !isDNS1123Label(prefix[start..<dot]) { return false }
            if dot == prefix.endIndex { return true }
            start = prefix.index(after: dot)
        }
    }

    @inline(__always) static func isLowerAlpha(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    @inline(__always) static func isAlphanumeric(_ b: UInt8) -> Bool {
        isDigit(b) || isLowerAlpha(b) || (b >= 0x41 && b <= 0x5A)
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` over the whole input.
    static func isDNS1123Label<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first else { return false }
        var last = first
        for b in bytes {
            guard isLowerAlpha(b) || isDigit(b) || b == UInt8(ascii: "-") else { return false }
            last = b
        }
        return first != UInt8(ascii: "-") && last != UInt8(ascii: "-")
    }

    /// Dot-separated DNS-1123 labels (no length limit here; the caller checks length).
    static func isDNS1123Subdomain(_ value: String) -> Bool {
        let labels = value.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return labels.allSatisfy { isDNS1123Label($0) }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]` over the whole input.
    static func isLabelToken<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        guard let first = bytes.first, isAlphanumeric(first) else { return false }
        var last = first
        for b in bytes {
            guard isAlphanumeric(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") else {
                return false
            }
            last = b
        }
        return isAlphanumeric(last)
    }
}
