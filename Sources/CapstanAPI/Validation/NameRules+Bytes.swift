/// The common (valid) case of every `NameRules` check, decided on the string's UTF-8 bytes in
/// place: names, label keys and values, port names and data keys of every object pass through
/// here, and the generic `UTF8View` and `Substring` walks (and the Foundation string search
/// `contains("--")` picks up) cost more than the checks. Each `is…` answers exactly whether the
/// general rule beside it reports no problem; only when one says no does the general rule run,
/// to word the problems. `FastPathTests` holds each pair together on generated strings.
extension NameRules {
    /// Runs `body` on the UTF-8 bytes of `s` (native and small strings in place, others copied).
    static func withBytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUTF8Bytes(s, body)
    }

    private static func lowerAlnum(_ c: UInt8) -> Bool { (c >= 97 && c <= 122) || (c >= 48 && c <= 57) }
    private static func alnum(_ c: UInt8) -> Bool { lowerAlnum(c) || (c >= 65 && c <= 90) }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 bytes: what `dns1123Label` accepts.
    static func isLabel(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, b.count <= dns1123LabelMax, lowerAlnum(first), lowerAlnum(last)
        else { return false }
        for c in b where !(lowerAlnum(c) || c == 45) { return false }
        return true
    }

    /// What `dns1035Label` accepts: a label that starts with a letter.
    static func isDNS1035Label(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, first >= 97 && first <= 122 else { return false }
        return isLabel(b)
    }

    /// What `dns1123Subdomain` accepts: dot-separated labels, at most 253 bytes.
    static func isSubdomain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, b.count <= dns1123SubdomainMax, lowerAlnum(first), lowerAlnum(last)
        else { return false }
        var previous = first
        for c in b {
            if c == 46 {
                guard lowerAlnum(previous) else { return false }
            } else if lowerAlnum(c) {
                // fine anywhere
            } else if c == 45 {
                if previous == 46 { return false }
            } else {
                return false
            }
            previous = c
        }
        return true
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    private static func isQualifiedPart(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, alnum(first), alnum(last) else { return false }
        for c in b where !(alnum(c) || c == 45 || c == 95 || c == 46) { return false }
        return true
    }

    /// What `qualifiedName` accepts: `name` or `prefix/name`, prefix a DNS subdomain, name 1–63
    /// bytes of `[-A-Za-z0-9_.]` with alphanumeric ends.
    static func isQualifiedName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let slash = b.firstIndex(of: 47) else { return b.count <= dns1123LabelMax && isQualifiedPart(b) }
        let prefix = UnsafeBufferPointer(rebasing: b[..<slash])
        let name = UnsafeBufferPointer(rebasing: b[(slash + 1)...])
        return !name.contains(47) && isSubdomain(prefix) && name.count <= dns1123LabelMax && isQualifiedPart(name)
    }

    /// What `labelValue` accepts: empty, or at most 63 bytes of a qualified name part.
    static func isLabelValue(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        b.isEmpty || (b.count <= dns1123LabelMax && isQualifiedPart(b))
    }

    /// What `ianaServiceName` accepts: 1–15 bytes of `[-a-z0-9]` with a letter, no `--`, no
    /// hyphen at either end.
    static func isIANAServiceName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, b.count <= 15, first != 45, last != 45 else { return false }
        var letter = false
        var previous: UInt8 = 0
        for c in b {
            if c >= 97 && c <= 122 {
                letter = true
            } else if c == 45 {
                if previous == 45 { return false }
            } else if !(c >= 48 && c <= 57) {
                return false
            }
            previous = c
        }
        return letter
    }

    /// What `configKey` accepts: 1–253 bytes of `[-._a-zA-Z0-9]`, not `.`, `..` or `..`-prefixed.
    static func isConfigKey(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !b.isEmpty, b.count <= dns1123SubdomainMax else { return false }
        for c in b where !(alnum(c) || c == 45 || c == 95 || c == 46) { return false }
        return !(b[0] == 46 && (b.count == 1 || b[1] == 46))
    }
}

/// Runs `body` on the UTF-8 bytes of `s`: in place for native and small strings (nearly all,
/// as JSON and YAML parsing make them), through one copy for bridged or foreign ones.
func withUTF8Bytes<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = s.utf8.withContiguousStorageIfAvailable(body) { return result }
    return ContiguousArray(s.utf8).withUnsafeBufferPointer(body)
}
