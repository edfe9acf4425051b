/// Conversions between the two selector shapes, as kubectl and the printers use them:
/// ``structured()`` is `metav1.ParseToLabelSelector` (string form → `{matchLabels,
/// matchExpressions}`), ``format(structured:)`` is `metav1.FormatLabelSelector` (the SELECTOR
/// column of `kubectl get … -o wide`).
extension LabelSelector {
    /// The structured form: equality requirements become `matchLabels`, set-based ones
    /// `matchExpressions` (values sorted). `!=`, `gt` and `lt` have no structured form and fail
    /// with Kubernetes' messages.
    public func structured() throws(LabelSelectorError) -> Value {
        var matchLabels = ValueObject()
        var expressions: [Value] = []
        for r in requirements {
            let op: String
            switch r.operator {
            case .equals, .doubleEquals:
                guard r.values.count == 1 else { throw LabelSelectorError("equals operator must have exactly one value") }
                matchLabels[r.key] = .string(r.values[0])
                continue
            case .in: op = "In"
            case .notIn: op = "NotIn"
            case .exists: op = "Exists"
            case .doesNotExist: op = "DoesNotExist"
            case .greaterThan, .lessThan:
                throw LabelSelectorError("\(GoFormat.quote(r.operator.rawValue)) isn't supported in label selectors")
            case .notEquals:
                throw LabelSelectorError("\(GoFormat.quote(r.operator.rawValue)) is not a valid label selector operator")
            }
            var expression: ValueObject = ["key": .string(r.key), "operator": .string(op)]
            if !r.values.isEmpty {
                expression["values"] = .array(LabelSelector.sortedBytewise(Array(Set(r.values))).map(Value.string))
            }
            expressions.append(.object(expression))
        }
        var out = ValueObject()
        if !matchLabels.isEmpty { out["matchLabels"] = .object(matchLabels) }
        if !expressions.isEmpty { out["matchExpressions"] = .array(expressions) }
        return .object(out)
    }

    /// A structured selector printed for humans: its string form, `<none>` when that is empty
    /// (including a `null` selector), `<error>` when it does not convert.
    public static func format(structured selector: Value) -> String {
        guard let parsed = try? LabelSelector(structured: selector) else { return "<error>" }
        let text = parsed.description
        return text.isEmpty ? "<none>" : text
    }
}

extension Timestamp {
    /// kubectl's AGE cell for a `creationTimestamp`-style field: `<unknown>` when it is
    /// missing or unreadable, otherwise the human duration since then.
    public static func age(of value: Value, at now: Timestamp) -> String {
        guard let then = Timestamp(value) else { return "<unknown>" }
        return then.age(at: now)
    }
}

extension LabelSelector {
    /// `ValidatedSelectorFromSet`: like ``init(matchLabels:)`` but every key and value is
    /// checked first (Kubernetes' `NewRequirement` messages).
    public init(validatingMatchLabels labels: [String: String]) throws(LabelSelectorError) {
        var requirements: [Requirement] = []
        for key in LabelSelector.sortedBytewise(Array(labels.keys)) {
            let value = labels[key] ?? ""
            requirements.append(try Requirement(validating: key, .equals, [value]))
        }
        self.init(requirements: requirements)
    }

    /// `labels.FormatLabels`: a label map as `k1=v1,k2=v2` (keys sorted), or `<none>` — the
    /// LABELS column of `--show-labels` and the SELECTOR column of services.
    public static func formatLabels(_ labels: [String: String]) -> String {
        if labels.isEmpty { return "<none>" }
        return sortedBytewise(Array(labels.keys)).map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }
}

extension Value {
    /// This value read as a resource quantity (`"250m"`, `2`, `0.5`); nil when it is absent or
    /// does not parse.
    public var quantity: Quantity? { try? Quantity(json: self) }
}
