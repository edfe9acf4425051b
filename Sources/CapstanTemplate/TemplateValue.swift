import CapstanModel

/// A value as the template evaluator sees it: Go's dynamic types, as far as charts use them.
///
/// Go distinguishes `int` (template literals, `len`), `int64` (most sprig math) and `float64`
/// (every number that came through JSON or `sigs.k8s.io/yaml`, i.e. all of Helm's values); the
/// difference shows in `typeOf`, in `printf "%d"` and in which functions accept the value, so
/// it is kept. Maps are Go maps: unordered, printed and ranged in sorted key order.
///
/// Values are plain enums of standard collections: copies share storage (copy-on-write), so
/// passing `.Values` down through `include` costs a reference count, not a copy.
public enum TemplateValue: Sendable {
    /// Go's nil interface: a missing map key, YAML `null`. Prints `<no value>` as an action's
    /// result and `<nil>` through `print`/`printf`.
    case null
    case bool(Bool)
    /// Go `int`.
    case int(Int)
    /// Go `int64`.
    case int64(Int64)
    /// Go `float64`.
    case float64(Double)
    case string(String)
    /// Go `[]byte` (what `.Files.GetBytes` returns, and the values of a ranged `.Files.Glob`).
    case bytes([UInt8])
    /// Go `[]interface{}`.
    case list([TemplateValue])
    /// Go `map[string]interface{}`: a reference, as in Go (`set`/`unset`/`merge` mutate it
    /// for every holder).
    case map(TemplateMap)
    /// A chart-layer object with fields and methods (`.Files`, `.Capabilities`, …).
    case object(any TemplateObject)
}

/// How numbers of a `Value` tree become Go numbers.
public enum NumberConversion: Sendable {
    /// Every number becomes `float64`, as `json.Unmarshal`/`sigs.k8s.io/yaml` into
    /// `interface{}` do: what Helm's values, `fromYaml` and `fromJson` produce.
    case float64
    /// `.int` becomes `int64` and `.double` becomes `float64` (e.g. Helm's `--set` integers).
    case typed
}

extension TemplateValue {
    /// Lifts a JSON-like tree. Object key order is dropped (Go maps have none).
    public init(_ value: CapstanModel.Value, numbers: NumberConversion = .float64) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = numbers == .float64 ? .float64(Double(i)) : .int64(i)
        case .double(let d): self = .float64(d)
        case .string(let s): self = .string(s)
        case .array(let a): self = .list(a.map { TemplateValue($0, numbers: numbers) })
        case .object(let o):
            var map = [String: TemplateValue](minimumCapacity: o.count)
            for (k, v) in o { map[k] = TemplateValue(v, numbers: numbers) }
            self = .map(TemplateMap(map))
        }
    }

    /// A fresh map value.
    public static func dict(_ entries: [String: TemplateValue]) -> TemplateValue { .map(TemplateMap(entries)) }

    /// The JSON-like tree of this value, maps with sorted keys (as Go's encoders write them).
    /// Objects contribute `TemplateObject.marshalled`; bytes become base64 strings (as
    /// `encoding/json` does). Whole floats become `.int` so they print without a fraction.
    public var jsonValue: CapstanModel.Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .int64(let i): return .int(i)
        case .float64(let d):
            if d.isFinite, d.rounded() == d, abs(d) < 9.2e18 { return .int(Int64(d)) }
            return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(Base64.encode(b))
        case .list(let l): return .array(l.map(\.jsonValue))
        case .map(let m):
            var o = ValueObject()
            o.reserveCapacity(m.count)
            for k in m.sortedKeys { o[k] = m[k]!.jsonValue }
            return .object(o)
        case .object(let obj): return obj.marshalled.jsonValue
        }
    }

    /// `jsonValue` with map keys in no particular order, for writers that put keys in their
    /// own order (the YAML emitter sorts them as go-yaml does): no sort and no lookup per key.
    var unorderedJSONValue: CapstanModel.Value {
        switch self {
        case .list(let l): return .array(l.map(\.unorderedJSONValue))
        case .map(let m):
            return .object(ValueObject(uncheckedUniqueKeysWithValues: m.entries.lazy.map { ($0.key, $0.value.unorderedJSONValue) }))
        case .object(let obj): return obj.marshalled.unorderedJSONValue
        default: return jsonValue
        }
    }

    /// Go's type name as `typeOf` / `printf "%T"` print it.
    public var goTypeName: String {
        switch self {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .int64: return "int64"
        case .float64: return "float64"
        case .string: return "string"
        case .bytes: return "[]uint8"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .object(let o): return o.goTypeName
        }
    }

    /// Go's `reflect.Kind` name as `kindOf` prints it.
    public var goKind: String {
        switch self {
        case .null: return "invalid"
        case .bool: return "bool"
        case .int: return "int"
        case .int64: return "int64"
        case .float64: return "float64"
        case .string: return "string"
        case .bytes, .list: return "slice"
        case .map: return "map"
        case .object(let o): return o.goKind
        }
    }

    /// Go template truthiness: false, 0, nil, and empty string/slice/map are false.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .int64(let i): return i != 0
        case .float64(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .bytes(let b): return !b.isEmpty
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .object(let o): return o.underlying.map(\.isTruthy) ?? true
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Integer literals are Go `int`s.
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .float64(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .map(TemplateMap(Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
}

/// A Go `map[string]interface{}`: shared by reference, like Go maps.
///
/// A map made by `TemplateValue.lazy` holds its `Value` object unconverted until first used
/// (any read or write converts this level; nested objects become lazy maps in turn): a render
/// converts only the parts of a chart's values its templates touch, and frees no converted
/// copy of the rest.
///
/// Concurrency: not synchronized. Templates mutate maps only through `set`, `unset`, `merge`,
/// `mergeOverwrite` and similar, exactly where Go would; a tree given to `render` must not be
/// rendered by two tasks at once if its templates mutate it (build one per render, or one per
/// chart render as Helm does). A lazy map converts itself on first read, so a lazy tree must
/// not be read by two tasks at once either.
public final class TemplateMap: @unchecked Sendable {
    // Exclusivity is not checked at run time (a map is read on every `.Field` step): no
    // access to these properties overlaps another, as every accessor below completes before
    // returning and `entries`' `_modify` callers run no template code while it yields.
    @exclusivity(unchecked) private var storage: [String: TemplateValue]
    /// The not yet converted object (nil once converted) and how to convert its numbers.
    @exclusivity(unchecked) private var pending: ValueObject?
    @exclusivity(unchecked) private var pendingNumbers: NumberConversion = .float64

    public var entries: [String: TemplateValue] {
        get { convertPending(); return storage }
        _modify { convertPending(); yield &storage }
        set { pending = nil; storage = newValue }
    }

    public init(_ entries: [String: TemplateValue] = [:]) { self.storage = entries }

    /// A map converted from `object` on first use.
    init(lazy object: ValueObject, numbers: NumberConversion) {
        storage = [:]
        pending = object
        pendingNumbers = numbers
    }

    @inline(__always) private func convertPending() {
        if pending != nil { convertNow() }
    }

    private func convertNow() {
        guard let object = pending else { return }
        pending = nil
        var map = [String: TemplateValue](minimumCapacity: object.count)
        for (k, v) in object { map[k] = TemplateValue(lazy: v, numbers: pendingNumbers) }
        storage = map
    }

    public subscript(key: String) -> TemplateValue? {
        get { convertPending(); return storage[key] }
        set { convertPending(); storage[key] = newValue }
    }
    public var count: Int { pending?.count ?? storage.count }
    public var isEmpty: Bool { pending?.isEmpty ?? storage.isEmpty }
    public var keys: Dictionary<String, TemplateValue>.Keys { convertPending(); return storage.keys }
    /// Keys in Go's sorted map order (byte-wise).
    public var sortedKeys: [String] {
        convertPending()
        return storage.keys.sorted { $0.utf8Precedes($1) }
    }
    /// A shallow copy (new map, same values).
    public func copy() -> TemplateMap { TemplateMap(entries) }
}

extension TemplateValue {
    /// Like `init(_:numbers:)`, but objects (at any depth) become maps that convert
    /// themselves on first use (see `TemplateMap`); lists and scalars convert now. The
    /// result is equal to the eager conversion's whichever parts are read.
    public static func lazy(_ value: CapstanModel.Value, numbers: NumberConversion = .float64) -> TemplateValue {
        TemplateValue(lazy: value, numbers: numbers)
    }

    init(lazy value: CapstanModel.Value, numbers: NumberConversion) {
        switch value {
        case .object(let o): self = .map(TemplateMap(lazy: o, numbers: numbers))
        case .array(let a): self = .list(a.map { TemplateValue(lazy: $0, numbers: numbers) })
        default: self = TemplateValue(value, numbers: numbers)
        }
    }
}
