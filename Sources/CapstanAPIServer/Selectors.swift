import CapstanModel

/// A label selector as list and watch take it (`app=web,tier!=db,env in (a,b),!canary`).
/// Parsed once per request; matching is pure. (CapstanModel's richer selectors can replace
/// this once they land; the grammar is the same.)
struct LabelSelector: Sendable, Equatable {
    enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, [String])
        case notIn(String, [String])
        case exists(String)
        case notExists(String)
    }

    var requirements: [Requirement]

    static let everything = LabelSelector(requirements: [])

    init(requirements: [Requirement]) { self.requirements = requirements }

    init(parsing text: String) throws(StatusError) {
        var requirements: [Requirement] = []
        for term in Self.splitTerms(text) {
            let t = term.trimmingSpaces()
            if t.isEmpty { continue }
            if let r = Self.setTerm(t, "notin") {
                requirements.append(.notIn(r.0, r.1))
            } else if let r = Self.setTerm(t, "in") {
                requirements.append(.isIn(r.0, r.1))
            } else if let range = t.range(of: "!=") {
                requirements.append(.notEquals(String(t[..<range.lowerBound]).trimmingSpaces(), String(t[range.upperBound...]).trimmingSpaces()))
            } else if let range = t.range(of: "==") {
                requirements.append(.equals(String(t[..<range.lowerBound]).trimmingSpaces(), String(t[range.upperBound...]).trimmingSpaces()))
            } else if let eq = t.firstIndex(of: "=") {
                requirements.append(.equals(String(t[..<eq]).trimmingSpaces(), String(t[t.index(after: eq)...]).trimmingSpaces()))
            } else if t.hasPrefix("!") {
                requirements.append(.notExists(String(t.dropFirst()).trimmingSpaces()))
            } else if t.allSatisfy({ !" ()".contains($0) }) {
                requirements.append(.exists(t))
            } else {
                throw StatusError.badRequest("unable to parse requirement: \(t)")
            }
        }
        self.requirements = requirements
    }

    /// The selector of an object's `spec.selector` (`matchLabels` + `matchExpressions`).
    init(labelSelectorObject s: Value) {
        var requirements: [Requirement] = []
        for (k, v) in (s["matchLabels"].objectValue ?? [:]) {
            requirements.append(.equals(k, v.stringValue ?? ""))
        }
        for e in s["matchExpressions"].arrayValue ?? [] {
            let key = e["key"].stringValue ?? ""
            let values = (e["values"].arrayValue ?? []).compactMap(\.stringValue)
            switch e["operator"].stringValue ?? "" {
            case "In": requirements.append(.isIn(key, values))
            case "NotIn": requirements.append(.notIn(key, values))
            case "Exists": requirements.append(.exists(key))
            case "DoesNotExist": requirements.append(.notExists(key))
            default: break
            }
        }
        self.requirements = requirements
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .isIn(let k, let vs): return labels[k].map(vs.contains) ?? false
            case .notIn(let k, let vs): return !(labels[k].map(vs.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            }
        }
    }

    /// kubectl's printing: `app=web,tier in (a,b)`.
    var description: String {
        requirements.map { r in
            switch r {
            case .equals(let k, let v): return "\(k)=\(v)"
            case .notEquals(let k, let v): return "\(k)!=\(v)"
            case .isIn(let k, let vs): return "\(k) in (\(vs.sorted().joined(separator: ",")))"
            case .notIn(let k, let vs): return "\(k) notin (\(vs.sorted().joined(separator: ",")))"
            case .exists(let k): return k
            case .notExists(let k): return "!\(k)"
            }
        }.joined(separator: ",")
    }

    /// Splits on commas outside parentheses.
    private static func splitTerms(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for c in text {
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1 }
            if c == ",", depth == 0 {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out
    }

    private static func setTerm(_ t: String, _ op: String) -> (String, [String])? {
        guard let open = t.firstIndex(of: "("), t.hasSuffix(")") else { return nil }
        let head = t[..<open].trimmingSpaces()
        guard head.hasSuffix(" " + op) else { return nil }
        let key = String(head.dropLast(op.count)).trimmingSpaces()
        let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
        let values = inner.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        return (key, values)
    }
}

/// A field selector (`metadata.name=web,status.phase!=Running`). Any dotted path of the
/// object may be used; a missing field compares as the empty string.
struct FieldSelector: Sendable, Equatable {
    var terms: [(path: [String], value: String, negated: Bool)]

    static func == (a: FieldSelector, b: FieldSelector) -> Bool {
        a.terms.count == b.terms.count && zip(a.terms, b.terms).allSatisfy { $0.path == $1.path && $0.value == $1.value && $0.negated == $1.negated }
    }

    init(parsing text: String) throws(StatusError) {
        var terms: [(path: [String], value: String, negated: Bool)] = []
        for term in text.split(separator: ",") {
            let t = String(term)
            var negated = false
            var key: String, value: String
            if let r = t.range(of: "!=") {
                negated = true
                key = String(t[..<r.lowerBound]); value = String(t[r.upperBound...])
            } else if let r = t.range(of: "==") {
                key = String(t[..<r.lowerBound]); value = String(t[r.upperBound...])
            } else if let r = t.range(of: "=") {
                key = String(t[..<r.lowerBound]); value = String(t[r.upperBound...])
            } else {
                throw StatusError.badRequest("invalid field selector: \(t)")
            }
            terms.append((key.trimmingSpaces().split(separator: ".").map(String.init), value.trimmingSpaces(), negated))
        }
        self.terms = terms
    }

    /// The name a `metadata.name=x` term pins, if any (lets a list read one key).
    var pinnedName: String? {
        terms.first { $0.path == ["metadata", "name"] && !$0.negated }?.value
    }

    func matches(_ object: Value) -> Bool {
        terms.allSatisfy { term in
            let v = object[path: term.path]
            let text: String
            switch v {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .bool(let b): text = b ? "true" : "false"
            case .null: text = ""
            default: text = v.jsonString()
            }
            return (text == term.value) != term.negated
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
