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
