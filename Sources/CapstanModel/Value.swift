/// CapstanModel: the data every other Capstan module passes around.
///
/// It owns `Value` (an ordered JSON tree, the one representation of a Kubernetes object),
/// object identity, metadata accessors, selectors, quantities and time formats. It must not
/// know about transports, storage, YAML syntax or patch semantics: those live further down
/// the module table and build on these types.
///
/// `Value` is a plain enum of standard-library collections, so copies share storage until one
/// side writes (copy-on-write); a big tree passed around by value costs a reference count.
import OrderedCollections

public typealias ValueObject = OrderedDictionary<String, Value>

/// A JSON value whose objects keep their keys in insertion order.
///
/// Integers and doubles are distinct cases (Kubernetes cares: `replicas: 3` is not `3.0`).
/// Equality and hashing treat objects as unordered maps, as JSON does; ordering is a matter of
/// presentation only.
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object(ValueObject)
}

// MARK: - Literals

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        // Member by member into reserved room; a repeated key keeps its first place and takes
        // the last value. (The uniquing initialiser went through a generic merge costing
        // several thousand instructions for a three-member literal.)
        var object = ValueObject(minimumCapacity: elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}

// MARK: - Equality and hashing

extension Value: Hashable {
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(i)
        case .double(let d): hasher.combine(3); hasher.combine(d)
        case .string(let s): hasher.combine(4); hasher.combine(s)
        case .array(let a): hasher.combine(5); hasher.combine(a)
        case .object(let o):
            // Order-independent, to agree with `==`.
            hasher.combine(6)
            var sum = 0
            for (key, value) in o {
                var h = Hasher()
                h.combine(key)
                h.combine(value)
                sum = sum &+ h.finalize()
            }
            hasher.combine(o.count)
            hasher.combine(sum)
        }
    }
}

// MARK: - Kind

extension Value {
    /// The JSON type name, for error messages ("expected object, got string").
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}
