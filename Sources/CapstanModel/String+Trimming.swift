extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional white space, and
    /// what comma-separated lists in headers, flags and annotations allow around items).
    public func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// Go's `strings.TrimSpace`: without leading and trailing Unicode white space (Go's
    /// `unicode.IsSpace` is Unicode's White_Space property). Helm trims templates, notes, hook
    /// annotations and `.helmignore` lines this way.
    public var goTrimmedSpace: String {
        // Both ends reached through ASCII bytes only need no Unicode properties.
        let utf8 = self.utf8
        func isASCIISpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        if let first = utf8.firstIndex(where: { !isASCIISpace($0) }), utf8[first] < 0x80,
           let last = utf8.lastIndex(where: { !isASCIISpace($0) }), utf8[last] < 0x80 {
            if first == utf8.startIndex && last == utf8.index(before: utf8.endIndex) { return self }
            return String(decoding: utf8[first...last], as: UTF8.self)
        } else if utf8.allSatisfy(isASCIISpace) {
            return ""
        }
        return unicodeTrimmedSpace
    }

    /// `goTrimmedSpace` by Unicode properties, scalar by scalar (the general route).
    var unicodeTrimmedSpace: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
