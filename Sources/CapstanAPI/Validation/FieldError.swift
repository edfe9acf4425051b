import CapstanModel

/// One step of a field path: an object key, a list index, or a key of a map-valued field
/// (`metadata.labels[app]`).
public enum FieldPathElement: Hashable, Sendable {
    case key(String)
    case index(Int)
    case mapKey(String)
}

/// A path to a field inside an object, printed the Kubernetes way:
/// `spec.template.spec.containers[0].image`, `metadata.labels[app.kubernetes.io/name]`.
/// The elements stay structured so a CLI can map the path back to a file line.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var elements: [FieldPathElement]

    public init(_ elements: [FieldPathElement] = []) { self.elements = elements }

    /// Parses the dotted form, like the string literal does.
    public init(_ text: String) { self.init(stringLiteral: text) }

    /// Parses the dotted form (`spec.containers[0].name`); map keys are not distinguished from
    /// list indices unless non-numeric.
    public init(stringLiteral text: String) {
        // Most paths the rules build are plain ASCII keys (`spec.template`): split those by
        // byte, without the Character machinery; anything else takes the general parse below.
        if text.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "[") }) {
            self.elements = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: true)
                .map { .key(String(Substring($0))) }
            return
        }
        var elements: [FieldPathElement] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let open = rest.firstIndex(of: "[") {
                elements.append(.key(String(rest[..<open])))
                rest = rest[open...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    let inner = String(rest[rest.index(after: rest.startIndex)..<close])
                    elements.append(Int(inner).map(FieldPathElement.index) ?? .mapKey(inner))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                elements.append(.key(String(rest)))
            }
        }
        self.elements = elements
    }

    // One copy of the elements with room for the new one (`elements + [x]` also allocated the
    // one-element array): the semantic rules build a path for nearly every field they look at.
    public func child(_ key: String) -> FieldPath { appending(.key(key)) }
    public func index(_ i: Int) -> FieldPath { appending(.index(i)) }
    public func key(_ mapKey: String) -> FieldPath { appending(.mapKey(mapKey)) }

    private func appending(_ element: FieldPathElement) -> FieldPath {
        var copy: [FieldPathElement] = []
        copy.reserveCapacity(elements.count + 1)
        copy.append(contentsOf: elements)
        copy.append(element)
        return FieldPath(copy)
    }

    /// The object keys and list indices as `Value` path steps (map keys become object keys).
    public var isEmpty: Bool { elements.isEmpty }

    public var description: String {
        var out = ""
        for element in elements {
            switch element {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i): out += "[\(i)]"
            case .mapKey(let k): out += "[\(k)]"
            }
        }
        return out
    }
}

/// One validation failure, shaped like a Kubernetes `field.Error`: what kind of problem, at
/// which field, with which value, and a detail sentence. `description` prints it the way the
/// API server does (`spec.replicas: Invalid value: -1: must be greater than or equal to 0`);
/// `causeType`, `message` and `field` fill a `Status`'s `details.causes` entry.
public struct FieldError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case required = "FieldValueRequired"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case duplicate = "FieldValueDuplicate"
        case forbidden = "FieldValueForbidden"
        case notFound = "FieldValueNotFound"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case typeInvalid = "FieldValueTypeInvalid"
        /// A field the schema does not declare. Kubernetes reports these as a strict-decoding
        /// failure (400 BadRequest, `strict decoding error: unknown field "…"`) or as warnings,
        /// not as a 422 cause; the type keeps them apart so the server can do the same.
        case unknownField = "FieldValueUnknown"
    }

    public var kind: Kind
    public var path: FieldPath
    /// The offending value, when the message shows one.
    public var value: Value?
    public var detail: String
    /// For `notSupported`: the allowed values, printed quoted.
    public var supported: [String]
    /// How the value is printed when Go would print it its own way (`map[string]string{…}`).
    public var displayValue: String?

    public init(_ kind: Kind, _ path: FieldPath, value: Value? = nil, detail: String = "", supported: [String] = []) {
        self.kind = kind
        self.path = path
        self.value = value
        self.detail = detail
        self.supported = supported
        self.displayValue = nil
    }

    /// An `invalid` error whose value is shown as `shown` (e.g. a Go map literal).
    public static func invalid(_ path: FieldPath, shown: String, _ detail: String) -> FieldError {
        var e = FieldError(.invalid, path, detail: detail)
        e.displayValue = shown
        return e
    }

    private var shownValue: String? { displayValue ?? value.map(goFormat) }

    public static func required(_ path: FieldPath, _ detail: String = "") -> FieldError {
        FieldError(.required, path, detail: detail)
    }
    public static func invalid(_ path: FieldPath, _ value: Value, _ detail: String) -> FieldError {
        FieldError(.invalid, path, value: value, detail: detail)
    }
    public static func notSupported(_ path: FieldPath, _ value: Value, _ supported: [String]) -> FieldError {
        FieldError(.notSupported, path, value: value, supported: supported)
    }
    public static func duplicate(_ path: FieldPath, _ value: Value) -> FieldError {
        FieldError(.duplicate, path, value: value)
    }
    public static func forbidden(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(.forbidden, path, detail: detail)
    }
    public static func notFound(_ path: FieldPath, _ value: Value) -> FieldError {
        FieldError(.notFound, path, value: value)
    }
    public static func tooLong(_ path: FieldPath, max: Int) -> FieldError {
        FieldError(.tooLong, path, detail: "may not be more than \(max) bytes")
    }
    public static func unknownField(_ path: FieldPath) -> FieldError {
        FieldError(.unknownField, path)
    }

    /// The dotted field path: `spec.template.spec.containers[0].image`.
    public var field: String { path.description }

    /// The `details.causes[].reason` of a Status.
    public var causeType: String { kind.rawValue }

    /// The message without the field: `Invalid value: "x": detail`.
    public var message: String {
        switch kind {
        case .required: return detail.isEmpty ? "Required value" : "Required value: \(detail)"
        case .invalid, .typeInvalid: return withValue("Invalid value")
        case .notSupported:
            var s = "Unsupported value: \(shownValue ?? "null")"
            if !supported.isEmpty { s += ": supported values: " + supported.map(goQuote).joined(separator: ", ") }
            return s
        case .duplicate: return "Duplicate value: \(shownValue ?? "null")"
        case .forbidden: return detail.isEmpty ? "Forbidden" : "Forbidden: \(detail)"
        case .notFound: return "Not found: \(shownValue ?? "null")"
        case .tooLong: return detail.isEmpty ? "Too long" : "Too long: \(detail)"
        case .tooMany: return detail.isEmpty ? "Too many" : "Too many: \(detail)"
        case .unknownField: return "unknown field \(goQuote(field))"
        }
    }

    private func withValue(_ head: String) -> String {
        var s = head
        if let shown = shownValue { s += ": \(shown)" }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    /// `field: message`, or the bare message for unknown fields (which name their field).
    public var description: String {
        if kind == .unknownField || path.isEmpty { return message }
        return "\(field): \(message)"
    }
}

extension Array where Element == FieldError {
    /// The errors that make a create/update fail with 422 Invalid.
    public var invalid: [FieldError] { filter { $0.kind != .unknownField } }
    /// Fields the schema does not declare (strict decoding errors or warnings).
    public var unknownFields: [FieldError] { filter { $0.kind == .unknownField } }

    /// The API server's 422 message: `Deployment.apps "web" is invalid: spec.replicas: …`, with
    /// several causes in brackets, comma-separated.
    public func invalidMessage(kind: GroupKind, name: String) -> String {
        let causes = invalid.map(\.description)
        let head = "\(kind) \(goQuote(name)) is invalid"
        switch causes.count {
        case 0: return head
        case 1: return "\(head): \(causes[0])"
        default: return "\(head): [\(causes.joined(separator: ", "))]"
        }
    }

    /// The strict-decoding message: `strict decoding error: unknown field "a", unknown field "b"`.
    public var strictDecodingMessage: String? {
        let unknown = unknownFields
        guard !unknown.isEmpty else { return nil }
        return "strict decoding error: " + unknown.map(\.message).joined(separator: ", ")
    }
}

// MARK: - Go-style value printing (what Kubernetes messages show)

/// Prints a value as Kubernetes error messages do: strings quoted, numbers and booleans bare,
/// structures as compact JSON.
func goFormat(_ value: Value) -> String {
    switch value {
    case .string(let s): return goQuote(s)
    case .int(let i): return String(i)
    case .double(let d): return formatGoFloat(d)
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .array, .object: return value.jsonString(.goMarshal)
    }
}

/// `map[string]string{"app":"web", "tier":"fe"}` — Go's `%#v` of a label map (sorted keys).
func goStringMap(_ map: [String: String]) -> String {
    let body = map.keys.sorted().map { "\(goQuote($0)):\(goQuote(map[$0] ?? ""))" }.joined(separator: ", ")
    return "map[string]string{\(body)}"
}
