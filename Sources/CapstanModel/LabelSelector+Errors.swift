/// Errors from parsing or building a label selector. `message` is the exact text Kubernetes
/// produces for the same input (what the API server puts in its 400 response), so clients
/// that match on it keep working.
public struct LabelSelectorError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The selector text being parsed, when there is one.
    public var selector: String?

    public init(_ message: String, selector: String? = nil) {
        self.message = message
        self.selector = selector
    }

    /// Kubernetes' `utilerrors.Aggregate` rendering: one message alone, several in `[a, b]`,
    /// duplicates dropped.
    init(aggregate problems: [String]) {
        var seen = Set<String>()
        var unique: [String] = []
        for p in problems where seen.insert(p).inserted { unique.append(p) }
        self.init(unique.count == 1 ? unique[0] : "[" + unique.joined(separator: ", ") + "]")
    }

    public var description: String { message }
}

/// One problem found by ``LabelSelector/validate(structured:path:)``, shaped like a Kubernetes
/// `field.Error` so the API server can turn it into a `Status` cause.
public struct LabelSelectorIssue: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case required = "FieldValueRequired"
        case forbidden = "FieldValueForbidden"
        case invalid = "FieldValueInvalid"
    }
    public var kind: Kind
    /// The dotted path, e.g. `spec.selector.matchExpressions[0].values`.
    public var path: String
    /// The offending value (printed quoted for `invalid`).
    public var value: String?
    public var detail: String

    public var description: String {
        switch kind {
        case .required: return "\(path): Required value: \(detail)"
        case .forbidden: return "\(path): Forbidden: \(detail)"
        case .invalid: return "\(path): Invalid value: \(GoFormat.quote(value ?? "")): \(detail)"
        }
    }
}

/// The few pieces of Go's `fmt` that Kubernetes error messages expose.
enum GoFormat {
    static func quote(_ s: String) -> String { goQuote(s) }

    /// `%#v` of a `[]string`: `[]string{"a", "b"}`, `[]string{}`, or `[]string(nil)`.
    static func stringSlice(_ values: [String], isNil: Bool) -> String {
        if isNil { return "[]string(nil)" }
        return "[]string{" + values.map(quote).joined(separator: ", ") + "}"
    }
}

extension LabelSelector {
    /// The checks of Kubernetes' `labels.NewRequirement`, as `field.Error` strings in its
    /// order: key, operator arity, then each value. `valuesAreNil` tells how Go would print an
    /// empty value list (`[]string(nil)` when the caller passed none at all).
    static func requirementProblems(key: String, op: Operator, values: [String], valuesAreNil: Bool,
                                    keyPath: String = "key") -> [String] {
        var problems: [String] = []
        let keyErrors = NameValidation.labelKey(key)
        if !keyErrors.isEmpty {
            problems.append("\(keyPath): Invalid value: \(GoFormat.quote(key)): " + keyErrors.joined(separator: "; "))
        }
        // Only rendered when a message needs it (parsing valid selectors stays cheap).
        var slice: String { GoFormat.stringSlice(values, isNil: valuesAreNil && values.isEmpty) }
        switch op {
        case .in, .notIn:
            if values.isEmpty {
                problems.append("values: Invalid value: \(slice): for 'in', 'notin' operators, values set can't be empty")
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                problems.append("values: Invalid value: \(slice): exact-match compatibility requires one single value")
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                problems.append("values: Invalid value: \(slice): values set must be empty for exists and does not exist")
            }
        case .greaterThan, .lessThan:
            if values.count != 1 {
                problems.append("values: Invalid value: \(slice): for 'Gt', 'Lt' operators, exactly one value is required")
            }
            for (i, v) in values.enumerated() where parseInt64(v.utf8) == nil {
                problems.append("values[\(i)]: Invalid value: \(GoFormat.quote(v)): for 'Gt', 'Lt' operators, the value must be an integer")
            }
        }
        for (i, v) in values.enumerated() {
            let valueErrors = NameValidation.labelValue(v)
            if !valueErrors.isEmpty {
                problems.append("values[\(i)][\(key)]: Invalid value: \(GoFormat.quote(v)): " + valueErrors.joined(separator: "; "))
            }
        }
        return problems
    }
}
