/// Node selector terms for scheduling (`nodeAffinity`, `nodeSelectorTerms`), matched the way
/// the scheduler's `nodeaffinity` helper does: each term is a conjunction of
/// `matchExpressions` (on node labels; In, NotIn, Exists, DoesNotExist, Gt, Lt) and
/// `matchFields` (only `metadata.name`, with In/NotIn); terms are OR-ed; a term with neither
/// part, and an empty term list, match nothing.
public struct NodeSelectorRequirement: Hashable, Sendable {
    public enum Operator: String, Hashable, Sendable {
        case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
        case greaterThan = "Gt", lessThan = "Lt"

        var labelOperator: LabelSelector.Operator {
            switch self {
            case .in: return .in
            case .notIn: return .notIn
            case .exists: return .exists
            case .doesNotExist: return .doesNotExist
            case .greaterThan: return .greaterThan
            case .lessThan: return .lessThan
            }
        }
    }

    public let requirement: LabelSelector.Requirement

    public var key: String { requirement.key }
    public var values: [String] { requirement.values }

    /// Builds a requirement with `NewRequirement`'s checks (so `Gt` needs one integer value).
    public init(key: String, operator op: Operator, values: [String]) throws(LabelSelectorError) {
        self.requirement = try LabelSelector.Requirement(validating: key, op.labelOperator, values)
    }

    /// Reads `{key, operator, values}`; unknown operators fail with Kubernetes' message.
    public init(_ value: Value) throws(LabelSelectorError) {
        let opText = value["operator"].stringValue ?? ""
        guard let op = Operator(rawValue: opText) else {
            throw LabelSelectorError("\(GoFormat.quote(opText)) is not a valid node selector operator")
        }
        let (values, isNil) = try LabelSelector.stringList(value["values"], at: "values")
        let key = value["key"].stringValue ?? ""
        let problems = LabelSelector.requirementProblems(key: key, op: op.labelOperator, values: values, valuesAreNil: isNil)
        if !problems.isEmpty { throw LabelSelectorError(aggregate: problems) }
        self.requirement = LabelSelector.Requirement(key: key, operator: op.labelOperator, values: values)
    }

    /// Whether a node's labels satisfy the requirement (Gt/Lt compare integers; a label that is
    /// not an integer never matches).
    public func matches(_ labels: [String: String]) -> Bool {
        requirement.matches { labels[$0] }
    }
}

/// One `nodeSelectorTerms` entry.
public struct NodeSelectorTerm: Hashable, Sendable {
    public var matchExpressions: [NodeSelectorRequirement]
    /// `matchFields` requirements; their key must be `metadata.name`.
    public var matchFields: [NodeSelectorRequirement]

    public init(matchExpressions: [NodeSelectorRequirement] = [], matchFields: [NodeSelectorRequirement] = []) {
        self.matchExpressions = matchExpressions
        self.matchFields = matchFields
    }

    /// Reads `{matchExpressions: [...], matchFields: [...]}`.
    public init(_ value: Value) throws(LabelSelectorError) {
        var expressions: [NodeSelectorRequirement] = []
        for item in value["matchExpressions"].arrayValue ?? [] { expressions.append(try NodeSelectorRequirement(item)) }
        var fields: [NodeSelectorRequirement] = []
        for item in value["matchFields"].arrayValue ?? [] {
            // `NodeSelectorRequirementsAsFieldSelector`: only In/NotIn, each with one value,
            // and only on `metadata.name` (the one node field the scheduler knows).
            let opText = item["operator"].stringValue ?? ""
            guard opText == "In" || opText == "NotIn" else {
                throw LabelSelectorError("\(GoFormat.quote(opText)) is not a valid node field selector operator")
            }
            let count = item["values"].arrayValue?.count ?? 0
            guard count == 1 else {
                throw LabelSelectorError("unexpected number of value (\(count)) for node field selector operator \(GoFormat.quote(opText))")
            }
            let requirement = try NodeSelectorRequirement(item)
            guard requirement.key == "metadata.name" else {
                throw LabelSelectorError("Unsupported value: \(GoFormat.quote(requirement.key)): supported values: \"metadata.name\"")
            }
            fields.append(requirement)
        }
        self.init(matchExpressions: expressions, matchFields: fields)
    }

    /// A term matches when it has at least one requirement and all of them hold.
    public func matches(nodeName: String, labels: [String: String]) -> Bool {
        if matchExpressions.isEmpty && matchFields.isEmpty { return false }
        for requirement in matchExpressions where !requirement.matches(labels) { return false }
        for requirement in matchFields where !requirement.requirement.matches({ $0 == "metadata.name" ? nodeName : nil }) {
            return false
        }
        return true
    }

    /// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`: any term may match.
    public static func anyMatches(_ terms: [NodeSelectorTerm], nodeName: String, labels: [String: String]) -> Bool {
        terms.contains { $0.matches(nodeName: nodeName, labels: labels) }
    }
}
