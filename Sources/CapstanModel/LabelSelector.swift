/// A parsed label selector: a conjunction of requirements on an object's labels, with the
/// matching rules of Kubernetes' `labels.Selector`.
///
/// Build one once (``parse(_:)``, ``init(structured:)``, ``init(matchLabels:)``) and evaluate it
/// per object with ``matches(_:)`` or ``matches(object:)``; matching does not allocate. Three shapes
/// behave differently and on purpose:
/// - ``everything`` (no requirements, the empty string, `{}` or `matchLabels: {}`) matches
///   every object and ``isEmpty`` is true;
/// - ``nothing`` (a missing/`null` structured selector, as `metav1.LabelSelectorAsSelector`
///   treats a nil pointer) matches no object and ``isEmpty`` is false; its description is "";
/// - anything else matches when every requirement does.
///
/// Immutable value; safe to share across tasks.
public struct LabelSelector: Hashable, Sendable, CustomStringConvertible {
    /// The operators of `k8s.io/apimachinery/pkg/selection`, with their string spelling.
    public enum Operator: String, Hashable, Sendable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    /// One `key op values` clause.
    public struct Requirement: Hashable, Sendable, CustomStringConvertible {
        public let key: String
        public let `operator`: Operator
        /// The values as given (the parser hands them over sorted and without duplicates).
        public let values: [String]
        /// For `gt`/`lt`: the single value as an integer, parsed once.
        let bound: Int64?

        init(key: String, operator op: Operator, values: [String]) {
            self.key = key
            self.operator = op
            self.values = values
            self.bound = (op == .greaterThan || op == .lessThan) && values.count == 1
                ? LabelSelector.parseInt64(values[0].utf8) : nil
        }

        /// Builds a requirement with Kubernetes' `NewRequirement` checks: a valid key, the
        /// right number of values for the operator, integers for `gt`/`lt`, valid label values.
        public init(validating key: String, _ op: Operator, _ values: [String]) throws(LabelSelectorError) {
            let problems = LabelSelector.requirementProblems(key: key, op: op, values: values, valuesAreNil: false)
            if !problems.isEmpty { throw LabelSelectorError(aggregate: problems) }
            self.init(key: key, operator: op, values: values)
        }

        @inline(__always) func contains(_ value: String) -> Bool {
            for i in values.indices where values[i] == value { return true }
            return false
        }

        /// Whether a label set satisfies this clause (Kubernetes' `Requirement.Matches`).
        public func matches(_ lookup: (String) -> String?) -> Bool { evaluate(lookup(key)) }

        /// The clause applied to the label's value (`nil` when the label is absent).
        @inline(__always) func evaluate(_ found: String?) -> Bool {
            switch self.operator {
            case .equals, .doubleEquals, .in:
                guard let value = found else { return false }
                return contains(value)
            case .notEquals, .notIn:
                guard let value = found else { return true }
                return !contains(value)
            case .exists:
                return found != nil
            case .doesNotExist:
                return found == nil
            case .greaterThan, .lessThan:
                guard let value = found, let bound,
                      let number = LabelSelector.parseInt64(value.utf8) else { return false }
                return self.operator == .greaterThan ? number > bound : number < bound
            }
        }

        /// The canonical text: `a=b`, `a!=b`, `a in (x,y)`, `!a`, `a>3`; set values sorted.
        public var description: String {
            var out = self.operator == .doesNotExist ? "!" + key : key
            switch self.operator {
            case .exists, .doesNotExist: return out
            case .equals: out += "="
            case .doubleEquals: out += "=="
            case .notEquals: out += "!="
            case .in: out += " in ("
            case .notIn: out += " notin ("
            case .greaterThan: out += ">"
            case .lessThan: out += "<"
            }
            if values.count == 1 {
                out += values[0]
            } else {
                out += LabelSelector.sortedBytewise(values).joined(separator: ",")
            }
            if self.operator == .in || self.operator == .notIn { out += ")" }
            return out
        }
    }

    /// The requirements, sorted by key (stable for equal keys).
    public let requirements: [Requirement]
    /// True only for ``nothing``.
    public let matchesNothing: Bool

    init(requirements: [Requirement], matchesNothing: Bool = false) {
        self.requirements = requirements.enumerated().sorted {
            $0.element.key == $1.element.key ? $0.offset < $1.offset
                : $0.element.key.utf8Precedes($1.element.key)
        }.map(\.element)
        self.matchesNothing = matchesNothing
    }

    /// Matches every object.
    public static let everything = LabelSelector(requirements: [])
    /// Matches no object (Kubernetes' `labels.Nothing()`).
    public static let nothing = LabelSelector(requirements: [], matchesNothing: true)

    /// `SelectorFromSet`: one equality requirement per entry, without validation; an empty
    /// map gives ``everything``.
    public init(matchLabels: [String: String]) {
        self.init(requirements: matchLabels.map { Requirement(key: $0.key, operator: .equals, values: [$0.value]) })
    }

    /// Adds requirements (a new selector; ``nothing`` stays nothing, as in Kubernetes).
    public func adding(_ more: [Requirement]) -> LabelSelector {
        matchesNothing ? self : LabelSelector(requirements: requirements + more)
    }

    /// True when the selector does not restrict anything (no requirements, not ``nothing``).
    public var isEmpty: Bool { !matchesNothing && requirements.isEmpty }

    /// Whether a label map satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        // Index-based loops borrow each requirement instead of copying it (no retains).
        for i in requirements.indices where !requirements[i].evaluate(labels[requirements[i].key]) { return false }
        return true
    }

    /// Whether an object's `metadata.labels` satisfy the selector, read in place from the tree.
    public func matches(object: Value) -> Bool {
        if matchesNothing { return false }
        if requirements.isEmpty { return true }
        guard case .object(let top) = object, let metadata = top["metadata"], case .object(let meta) = metadata,
              let labels = meta["labels"] else {
            return matches(labelsObject: .null)
        }
        return matches(labelsObject: labels)
    }

    /// Whether a labels object (`{"app": "web"}`) satisfies the selector; non-string values
    /// count as absent.
    public func matches(labelsObject labels: Value) -> Bool {
        if matchesNothing { return false }
        guard case .object(let map) = labels else {
            for i in requirements.indices where !requirements[i].evaluate(nil) { return false }
            return true
        }
        for i in requirements.indices {
            let found: String?
            if let index = map.index(forKey: requirements[i].key), case .string(let s) = map.values[index] {
                found = s
            } else {
                found = nil
            }
            if !requirements[i].evaluate(found) { return false }
        }
        return true
    }

    /// The value a selector pins `key` to, when it requires exactly one (`=`, `==`, or a
    /// one-value `in`); lets a list use an index instead of scanning.
    public func requiresExactMatch(_ key: String) -> String? {
        for requirement in requirements where requirement.key == key {
            switch requirement.operator {
            case .equals, .doubleEquals, .in:
                return requirement.values.count == 1 ? requirement.values[0] : nil
            default:
                return nil
            }
        }
        return nil
    }

    /// The canonical string form, as `labels.Selector.String()` prints it: requirements
    /// sorted by key, joined with `,`. ``nothing`` and ``everything`` print as "".
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    // MARK: - Helpers

    /// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits, no overflow.
    static func parseInt64<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard var b = iterator.next() else { return nil }
        var negative = false
        if b == UInt8(ascii: "+") || b == UInt8(ascii: "-") {
            negative = b == UInt8(ascii: "-")
            guard let next = iterator.next() else { return nil }
            b = next
        }
        var magnitude: UInt64 = 0
        while true {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(b - 0x30))
            if o1 || o2 { return nil }
            magnitude = m2
            guard let next = iterator.next() else { break }
            b = next
        }
        if negative {
            if magnitude > UInt64(Int64.max) + 1 { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude > UInt64(Int64.max) ? nil : Int64(magnitude)
    }

    /// Sorts strings by their UTF-8 bytes, as Go's `sort.Strings` does.
    static func sortedBytewise(_ values: [String]) -> [String] {
        values.sorted { $0.utf8Precedes($1) }
    }
}
