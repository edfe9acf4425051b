import CapstanModel
import Synchronization

/// Validation of values against `values.schema.json`: the JSON Schema (draft-07) keywords
/// charts use — type, required, properties, additionalProperties, patternProperties, enum,
/// const, minimum/maximum (and exclusive forms), multipleOf, minLength/maxLength, pattern,
/// items, minItems/maxItems, uniqueItems, allOf/anyOf/oneOf/not and local `$ref`s.
///
/// Errors print as Helm 4 prints its validator's: one line per failure,
/// `- at '/json/pointer': message`; a subtree with several failures prints
/// `- at '/x': validation failed` with its failures indented below it. Helm's validator reports
/// sibling failures in random (Go map) order; ours follow the schema's property order.
struct SchemaValidator {
    struct Failure: Equatable {
        var path: String
        var message: String
        var causes: [Failure] = []
    }

    let root: Value

    init(schema: [UInt8]) throws(ChartError) {
        do { root = try Value.parseJSON(schema) } catch {
            throw ChartError(.schema, "unable to parse values.schema.json: \(error)")
        }
    }

    /// All failures for `value`, flattened as Helm prints them (empty when valid).
    func validate(_ value: Value) -> [Failure] {
        validate(value, root, path: "", depth: 0)
    }

    static func render(_ failures: [Failure], indent: String = "") -> String {
        var out = ""
        for f in failures {
            out += "\(indent)- at '\(f.path)': \(f.message)\n"
            out += render(f.causes, indent: indent + "  ")
        }
        return out
    }

    /// Groups a subschema's failures the way the validator's error tree prints.
    private func group(_ failures: [Failure], path: String) -> [Failure] {
        if failures.count <= 1 { return failures }
        return [Failure(path: path, message: "validation failed", causes: failures)]
    }

    private func resolve(_ ref: String) -> Value? {
        guard ref.hasPrefix("#") else { return nil }
        var cur = root
        for raw in ref.dropFirst().split(separator: "/") {
            let part = raw.utf8.contains(UInt8(ascii: "~"))
                ? String(raw.replacing("~1", with: "/").replacing("~0", with: "~")) : String(raw)
            if case .array(let a) = cur, let i = Int(part), i >= 0, i < a.count {
                cur = a[i]
            } else if case .object(let o) = cur, let next = o[part] {
                cur = next
            } else {
                return nil
            }
        }
        return cur
    }

    private func validate(_ value: Value, _ schema: Value, path: String, depth: Int) -> [Failure] {
        if depth > 128 { return [] }
        switch schema {
        case .bool(let b):
            return b ? [] : [Failure(path: path, message: "false schema")]
        case .object(let s):
            var failures: [Failure] = []
            if let ref = s["$ref"]?.stringValue {
                if let target = resolve(ref) {
                    failures += validate(value, target, path: path, depth: depth + 1)
                }
                // draft-07: siblings of $ref are ignored.
                return failures
            }
            if let t = s["type"], !typeMatches(value, t) {
                let want: String
                switch t {
                case .array(let a): want = a.compactMap(\.stringValue).joined(separator: " or ")
                default: want = t.stringValue ?? ""
                }
                return [Failure(path: path, message: "got \(jsonType(value)), want \(want)")]
            }
            if let e = s["enum"]?.arrayValue, !e.contains(where: { jsonEqual($0, value) }) {
                let msg = e.count == 1 ? "value must be \(quoteJSON(e[0]))"
                    : "value must be one of \(e.map(quoteJSON).joined(separator: ", "))"
                failures.append(Failure(path: path, message: msg))
            }
            if let c = s["const"], !jsonEqual(c, value) {
                failures.append(Failure(path: path, message: "value must be \(quoteJSON(c))"))
            }
            if let n = number(value) {
                numberChecks(n, s, path: path, into: &failures)
            }
            if case .string(let str) = value {
                let len = str.unicodeScalars.count
                if let m = s["minLength"].flatMap(number), Double(len) < m {
                    failures.append(Failure(path: path, message: "minLength: got \(len), want \(fmt(m))"))
                }
                if let m = s["maxLength"].flatMap(number), Double(len) > m {
                    failures.append(Failure(path: path, message: "maxLength: got \(len), want \(fmt(m))"))
                }
                if let p = s["pattern"]?.stringValue, let re = compiledPattern(p), (try? re.firstMatch(in: str)) == nil {
                    failures.append(Failure(path: path, message: "'\(str)' does not match pattern '\(p)'"))
                }
            }
            if case .object(let obj) = value {
                objectChecks(obj, s, path: path, depth: depth, into: &failures)
            }
            if case .array(let arr) = value {
                arrayChecks(arr, s, path: path, depth: depth, into: &failures)
            }
            if let all = s["allOf"]?.arrayValue {
                for sub in all { failures += group(validate(value, sub, path: path, depth: depth + 1), path: path) }
            }
            if let any = s["anyOf"]?.arrayValue,
               !any.contains(where: { validate(value, $0, path: path, depth: depth + 1).isEmpty }) {
                failures.append(Failure(path: path, message: "anyOf failed"))
            }
            if let one = s["oneOf"]?.arrayValue {
                let passing = one.filter { validate(value, $0, path: path, depth: depth + 1).isEmpty }.count
                if passing == 0 { failures.append(Failure(path: path, message: "oneOf failed, none matched")) }
                if passing > 1 { failures.append(Failure(path: path, message: "oneOf failed, more than one matched")) }
            }
            if let not = s["not"], validate(value, not, path: path, depth: depth + 1).isEmpty {
                failures.append(Failure(path: path, message: "not failed"))
            }
            return failures
        default:
            return []
        }
    }

    private func numberChecks(_ n: Double, _ s: ValueObject, path: String, into failures: inout [Failure]) {
        if let m = s["minimum"].flatMap(number), n < m {
            failures.append(Failure(path: path, message: "minimum: got \(fmt(n)), want \(fmt(m))"))
        }
        if let m = s["maximum"].flatMap(number), n > m {
            failures.append(Failure(path: path, message: "maximum: got \(fmt(n)), want \(fmt(m))"))
        }
        if let m = s["exclusiveMinimum"].flatMap(number), n <= m {
            failures.append(Failure(path: path, message: "exclusiveMinimum: got \(fmt(n)), want \(fmt(m))"))
        }
        if let m = s["exclusiveMaximum"].flatMap(number), n >= m {
            failures.append(Failure(path: path, message: "exclusiveMaximum: got \(fmt(n)), want \(fmt(m))"))
        }
        if let m = s["multipleOf"].flatMap(number), m > 0 {
            let q = n / m
            if q.rounded() != q {
                failures.append(Failure(path: path, message: "multipleOf: got \(fmt(n)), want \(fmt(m))"))
            }
        }
    }

    private func objectChecks(_ obj: ValueObject, _ s: ValueObject, path: String, depth: Int, into failures: inout [Failure]) {
        if let req = s["required"]?.arrayValue {
            let missing = req.compactMap(\.stringValue).filter { obj[$0] == nil }
            if missing.count == 1 {
                failures.append(Failure(path: path, message: "missing property '\(missing[0])'"))
            } else if missing.count > 1 {
                failures.append(Failure(path: path, message: "missing properties \(missing.map { "'\($0)'" }.joined(separator: ", "))"))
            }
        }
        let props = s["properties"]?.objectValue ?? ValueObject()
        for (name, sub) in props {
            guard let v = obj[name] else { continue }
            let p = path + "/" + escapePointer(name)
            failures += group(validate(v, sub, path: p, depth: depth + 1), path: p)
        }
        var patternMatched = Set<String>()
        if let pp = s["patternProperties"]?.objectValue {
            for (pattern, sub) in pp {
                guard let re = compiledPattern(pattern) else { continue }
                for (name, v) in obj where (try? re.firstMatch(in: name)) != nil {
                    patternMatched.insert(name)
                    let p = path + "/" + escapePointer(name)
                    failures += group(validate(v, sub, path: p, depth: depth + 1), path: p)
                }
            }
        }
        if let ap = s["additionalProperties"] {
            let extra = obj.keys.filter { props[$0] == nil && !patternMatched.contains($0) }
            if case .bool(false) = ap {
                if !extra.isEmpty {
                    failures.append(Failure(path: path, message: "additional properties \(extra.sorted().map { "'\($0)'" }.joined(separator: ", ")) not allowed"))
                }
            } else if case .object = ap {
                for name in extra {
                    let p = path + "/" + escapePointer(name)
                    failures += group(validate(obj[name] ?? .null, ap, path: p, depth: depth + 1), path: p)
                }
            }
        }
    }

    private func arrayChecks(_ arr: [Value], _ s: ValueObject, path: String, depth: Int, into failures: inout [Failure]) {
        if let m = s["minItems"].flatMap(number), Double(arr.count) < m {
            failures.append(Failure(path: path, message: "minItems: got \(arr.count), want \(fmt(m))"))
        }
        if let m = s["maxItems"].flatMap(number), Double(arr.count) > m {
            failures.append(Failure(path: path, message: "maxItems: got \(arr.count), want \(fmt(m))"))
        }
        if case .bool(true)? = s["uniqueItems"] {
            outer: for i in arr.indices {
                for j in arr.indices where j > i && jsonEqual(arr[i], arr[j]) {
                    failures.append(Failure(path: path, message: "items at \(i) and \(j) are equal"))
                    break outer
                }
            }
        }
        var itemFailures: [Failure] = []
        switch s["items"] {
        case .object?, .bool?:
            let sub = s["items"] ?? .bool(true)
            for (i, v) in arr.enumerated() {
                let p = path + "/" + String(i)
                itemFailures += group(validate(v, sub, path: p, depth: depth + 1), path: p)
            }
        case .array(let subs)?:
            for (i, v) in arr.enumerated() where i < subs.count {
                let p = path + "/" + String(i)
                itemFailures += group(validate(v, subs[i], path: p, depth: depth + 1), path: p)
            }
        default: break
        }
        failures += group(itemFailures, path: path)
    }
}

/// Compiled schema patterns, shared by all validations in the process (compiling a `Regex`
/// costs far more than matching one). Protected by a `Mutex`; bounded by clearing when full.
private let patternCache = Mutex<[String: CompiledPattern]>([:])

/// A compiled pattern. `Regex` is an immutable value whose matching does not mutate it, so
/// sharing one between threads is safe even though the type is not declared `Sendable`.
private struct CompiledPattern: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
}

private func compiledPattern(_ pattern: String) -> Regex<AnyRegexOutput>? {
    if let hit = patternCache.withLock({ $0[pattern] }) { return hit.regex }
    guard let re = try? Regex(pattern) else { return nil }
    patternCache.withLock { cache in
        if cache.count > 256 { cache.removeAll() }
        cache[pattern] = CompiledPattern(regex: re)
    }
    return re
}

private func escapePointer(_ s: String) -> String {
    // Most names have neither character; skip the replacement then.
    guard s.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return s }
    return s.replacing("~", with: "~0").replacing("/", with: "~1")
}

private func number(_ v: Value) -> Double? {
    switch v {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
}

private func fmt(_ d: Double) -> String {
    if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
    return formatGoFloat(d)
}

private func jsonType(_ v: Value) -> String {
    switch v {
    case .null: return "null"
    case .bool: return "boolean"
    case .int, .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
}

private func typeMatches(_ v: Value, _ t: Value) -> Bool {
    switch t {
    case .string(let name):
        switch name {
        case "integer":
            if case .int = v { return true }
            if case .double(let d) = v { return d.rounded() == d && d.isFinite }
            return false
        case "number": return number(v) != nil
        default: return jsonType(v) == name
        }
    case .array(let names): return names.contains { typeMatches(v, $0) }
    default: return true
    }
}

/// JSON equality: numbers compare by value whatever their representation.
private func jsonEqual(_ a: Value, _ b: Value) -> Bool {
    if let x = number(a), let y = number(b) { return x == y }
    switch (a, b) {
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy(jsonEqual)
    case let (.object(x), .object(y)):
        return x.count == y.count && x.allSatisfy { k, v in y[k].map { jsonEqual(v, $0) } ?? false }
    default: return a == b
    }
}

private func quoteJSON(_ v: Value) -> String {
    switch v {
    case .string(let s): return "'\(s)'"
    case .int, .double: return number(v).map(fmt) ?? ""
    default: return v.jsonString(.goMarshal)
    }
}
