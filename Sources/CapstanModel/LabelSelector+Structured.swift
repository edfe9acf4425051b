/// `metav1.LabelSelector` (`{matchLabels: {...}, matchExpressions: [{key, operator, values}]}`)
/// as a `Value`, converted and validated the way Kubernetes does:
/// - ``init(structured:)`` follows `LabelSelectorAsSelector`: `null`/missing → ``nothing``,
///   `{}` (no labels, no expressions) → ``everything``, otherwise one requirement per label
///   and per expression, each checked like `NewRequirement` (messages included);
/// - ``validate(structured:path:)`` follows `ValidateLabelSelector`, the API server's check on
///   stored objects (`spec.selector` of workloads), and reports every problem with its path.
extension LabelSelector {
    public init(structured selector: Value) throws(LabelSelectorError) {
        switch selector {
        case .null:
            self = .nothing
            return
        case .object:
            break
        default:
            throw LabelSelectorError("a label selector must be an object, not \(selector.typeName)")
        }
        let matchLabels = selector["matchLabels"]
        let expressions = selector["matchExpressions"]
        var requirements: [Requirement] = []
        switch matchLabels {
        case .null: break
        case .object(let map):
            // Go ranges over a map in random order; sort so the first error is stable.
            for key in LabelSelector.sortedBytewise(Array(map.keys)) {
                guard let value = map[key]?.stringValue else {
                    throw LabelSelectorError("matchLabels[\(key)] must be a string")
                }
                let problems = LabelSelector.requirementProblems(key: key, op: .equals, values: [value], valuesAreNil: false)
                if !problems.isEmpty { throw LabelSelectorError(aggregate: problems) }
                requirements.append(Requirement(key: key, operator: .equals, values: [value]))
            }
        default:
            throw LabelSelectorError("matchLabels must be an object, not \(matchLabels.typeName)")
        }
        switch expressions {
        case .null: break
        case .array(let list):
            for (index, expression) in list.enumerated() {
                guard case .object = expression else {
                    throw LabelSelectorError("matchExpressions[\(index)] must be an object")
                }
                let key = expression["key"].stringValue ?? ""
                let opText = expression["operator"].stringValue ?? ""
                let op: Operator
                switch opText {
                case "In": op = .in
                case "NotIn": op = .notIn
                case "Exists": op = .exists
                case "DoesNotExist": op = .doesNotExist
                default: throw LabelSelectorError("\(GoFormat.quote(opText)) is not a valid label selector operator")
                }
                let (values, isNil) = try Self.stringList(expression["values"], at: "matchExpressions[\(index)].values")
                let problems = LabelSelector.requirementProblems(key: key, op: op, values: values, valuesAreNil: isNil)
                if !problems.isEmpty { throw LabelSelectorError(aggregate: problems) }
                requirements.append(Requirement(key: key, operator: op, values: values))
            }
        default:
            throw LabelSelectorError("matchExpressions must be a list, not \(expressions.typeName)")
        }
        self.init(requirements: requirements)
    }

    /// The API server's validation of a structured selector at `path` (e.g. `spec.selector`).
    /// A `null` selector is valid (whether it is *required* is the caller's rule).
    public static func validate(structured selector: Value, path: String) -> [LabelSelectorIssue] {
        var issues: [LabelSelectorIssue] = []
        guard case .object = selector else { return issues }
        if case .object(let labels) = selector["matchLabels"] {
            for key in sortedBytewise(Array(labels.keys)) {
                let labelsPath = path + ".matchLabels"
                for message in NameValidation.labelKey(key) {
                    issues.append(.init(kind: .invalid, path: labelsPath, value: key, detail: message))
                }
                let value = labels[key]?.stringValue ?? ""
                for message in NameValidation.labelValue(value) {
                    issues.append(.init(kind: .invalid, path: labelsPath, value: value, detail: message))
                }
            }
        }
        if case .array(let expressions) = selector["matchExpressions"] {
            for (index, expression) in expressions.enumerated() {
                let at = "\(path).matchExpressions[\(index)]"
                let op = expression["operator"].stringValue ?? ""
                let values = expression["values"].arrayValue?.map { $0.stringValue ?? "" } ?? []
                switch op {
                case "In", "NotIn":
                    if values.isEmpty {
                        issues.append(.init(kind: .required, path: at + ".values",
                                            detail: "must be specified when `operator` is 'In' or 'NotIn'"))
                    }
                case "Exists", "DoesNotExist":
                    if !values.isEmpty {
                        issues.append(.init(kind: .forbidden, path: at + ".values",
                                            detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                    }
                default:
                    issues.append(.init(kind: .invalid, path: at + ".operator", value: op, detail: "not a valid selector operator"))
                }
                let key = expression["key"].stringValue ?? ""
                for message in NameValidation.labelKey(key) {
                    issues.append(.init(kind: .invalid, path: at + ".key", value: key, detail: message))
                }
                for (i, value) in values.enumerated() {
                    for message in NameValidation.labelValue(value) {
                        issues.append(.init(kind: .invalid, path: at + ".values[\(i)]", value: value, detail: message))
                    }
                }
            }
        }
        return issues
    }

    /// A JSON list of strings; `null`/missing reads as Go's nil slice.
    static func stringList(_ value: Value, at path: String) throws(LabelSelectorError) -> ([String], Bool) {
        switch value {
        case .null:
            return ([], true)
        case .array(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard let s = item.stringValue else { throw LabelSelectorError("\(path) must hold strings only") }
                out.append(s)
            }
            return (out, false)
        default:
            throw LabelSelectorError("\(path) must be a list, not \(value.typeName)")
        }
    }
}
