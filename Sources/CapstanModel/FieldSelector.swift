/// A parsed field selector (`kubectl get --field-selector`, `?fieldSelector=`): a conjunction of
/// `field=value`, `field==value` and `field!=value` terms, with Kubernetes' `fields.Parse` rules:
/// terms split on unescaped `,`; the field is everything before the first operator; in the
/// value `\,` `\=` and `\\` stand for themselves, any other `\x` and any bare `,`/`=` are errors.
/// (`!` needs no escape: `a=!b` is field `a`, value `!b`.) Terms are sorted as text before
/// parsing, so ``description`` is canonical.
///
/// Which fields an object exposes, and their values, come from ``SelectableFields``: evaluate
/// with ``matches(object:kind:)`` (or ``SelectableFields/compile(_:kind:)`` once per list or
/// watch), after the API server has checked the fields with
/// ``SelectableFields/check(_:kind:)``. Immutable value; safe to share across tasks.
public struct FieldSelector: Hashable, Sendable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
    }

    public struct Requirement: Hashable, Sendable, CustomStringConvertible {
        public var field: String
        public var `operator`: Operator
        /// The unescaped value.
        public var value: String

        public init(field: String, operator op: Operator, value: String) {
            self.field = field
            self.operator = op
            self.value = value
        }

        /// `field=value` or `field!=value` (`==` prints as `=`), the value escaped again.
        public var description: String {
            field + (self.operator == .notEquals ? "!=" : "=") + FieldSelector.escape(value)
        }
    }

    public let requirements: [Requirement]

    public init(requirements: [Requirement]) { self.requirements = requirements }

    public static let everything = FieldSelector(requirements: [])

    /// One equality term per entry, sorted by field.
    public init(matching set: [String: String]) {
        self.init(requirements: set.keys.sorted().map { Requirement(field: $0, operator: .equals, value: set[$0] ?? "") })
    }

    public var isEmpty: Bool { requirements.isEmpty }

    /// Matches a field lookup; an absent field reads as "" (as Kubernetes' `fields.Set.Get`).
    public func matches(_ lookup: (String) -> String?) -> Bool {
        for r in requirements {
            let actual = lookup(r.field) ?? ""
            if (r.operator == .notEquals) == (actual == r.value) { return false }
        }
        return true
    }

    public func matches(_ fields: [String: String]) -> Bool { matches { fields[$0] } }

    /// Matches an object through the selectable fields of its kind (see ``SelectableFields``).
    public func matches(object: Value, kind: GroupKind) -> Bool {
        if requirements.isEmpty { return true }
        return matches { SelectableFields.value(of: $0, in: object, kind: kind) }
    }

    /// The value an equality term pins `field` to, if any (lets a list use an index).
    public func requiresExactMatch(_ field: String) -> String? {
        for r in requirements where r.field == field && r.operator != .notEquals { return r.value }
        return nil
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    // MARK: - Parsing

    public static func parse(_ text: String) throws(FieldSelectorError) -> FieldSelector {
        var terms = splitTerms(text)
        terms.sort { $0.utf8Precedes($1) }
        var requirements: [Requirement] = []
        for term in terms where !term.isEmpty {
            guard let (field, op, rawValue) = splitTerm(term) else {
                throw FieldSelectorError("invalid selector: '\(text)'; can't understand '\(term)'", selector: text)
            }
            let value = try unescape(rawValue, selector: text)
            requirements.append(Requirement(field: field, operator: op, value: value))
        }
        return FieldSelector(requirements: requirements)
    }

    /// Splits on commas not preceded by an escaping backslash (the backslash stays in the term).
    static func splitTerms(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var terms: [String] = []
        var current = ""
        var escaped = false
        for ch in text.unicodeScalars {
            if escaped {
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "," {
                terms.append(current)
                current = ""
                continue
            }
            current.unicodeScalars.append(ch)
        }
        terms.append(current)
        return terms
    }

    /// The first `!=`, `==` or `=` (in that preference at each position) splits the term.
    static func splitTerm(_ term: String) -> (String, Operator, String)? {
        let bytes = Array(term.utf8)
        var i = 0
        while i < bytes.count {
            let rest = bytes.count - i
            if rest >= 2 && bytes[i] == UInt8(ascii: "!") && bytes[i + 1] == UInt8(ascii: "=") {
                return (String(decoding: bytes[..<i], as: UTF8.self), .notEquals, String(decoding: bytes[(i + 2)...], as: UTF8.self))
            }
            if rest >= 2 && bytes[i] == UInt8(ascii: "=") && bytes[i + 1] == UInt8(ascii: "=") {
                return (String(decoding: bytes[..<i], as: UTF8.self), .doubleEquals, String(decoding: bytes[(i + 2)...], as: UTF8.self))
            }
            if bytes[i] == UInt8(ascii: "=") {
                return (String(decoding: bytes[..<i], as: UTF8.self), .equals, String(decoding: bytes[(i + 1)...], as: UTF8.self))
            }
            i += 1
        }
        return nil
    }

    /// Escapes `\`, `,` and `=` so a value survives a round trip through the string form.
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "=") }) else {
            return value
        }
        var out = ""
        for ch in value.unicodeScalars {
            if ch == "\\" || ch == "," || ch == "=" { out += "\\" }
            out.unicodeScalars.append(ch)
        }
        return out
    }

    /// The inverse of ``escape(_:)``, with Kubernetes' errors for bad input.
    static func unescape(_ raw: String, selector: String) throws(FieldSelectorError) -> String {
        guard raw.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "=") }) else {
            return raw
        }
        var out = ""
        var escaped = false
        for ch in raw.unicodeScalars {
            if escaped {
                guard ch == "\\" || ch == "," || ch == "=" else {
                    throw FieldSelectorError("invalid field selector: invalid escape sequence: \\\(Character(ch))", selector: selector)
                }
                out.unicodeScalars.append(ch)
                escaped = false
                continue
            }
            switch ch {
            case "\\": escaped = true
            case ",", "=":
                // Go prints the rune with %v, i.e. as its number (61 for '=').
                throw FieldSelectorError("invalid field selector: unescaped character in value: \(ch.value)", selector: selector)
            default: out.unicodeScalars.append(ch)
            }
        }
        if escaped { throw FieldSelectorError("invalid field selector: invalid escape sequence: \\", selector: selector) }
        return out
    }
}

/// A field selector that does not parse, or names a field its kind does not support. `message`
/// is the text Kubernetes returns (in a 400 BadRequest `Status`).
public struct FieldSelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var selector: String?

    public init(_ message: String, selector: String? = nil) {
        self.message = message
        self.selector = selector
    }

    public var description: String { message }
}
