/// The function table every `TemplateSet` starts with: sprig's functions as Helm ships them and
/// Helm's own (`toYaml`, `fromYaml`, `required`, `fail`, …). `include` and `tpl` live in
/// `Builtins` because they re-enter the executor; `lookup` is the chart layer's to add.
enum FunctionLibrary {
    static let standard: [String: TemplateFunction] = {
        var table: [String: TemplateFunction] = [:]
        for part in [Library.strings, Library.lists, Library.dicts, Library.math, Library.conversions,
                     Library.encoding, Library.regex, Library.semver, Library.helm, Library.misc, Library.dates, Library.paths, Library.yaml, Library.toml, Library.dateParsing, Library.crypto, Library.tomlDecoding] {
            for (k, v) in part { table[k] = v }
        }
        return table
    }()
}

/// Shared conversions with sprig's (and the `cast` library's) rules.
enum Conv {
    /// sprig `strval`: strings as is, bytes decoded, everything else `%v`.
    static func strval(_ v: TemplateValue) -> String {
        switch v {
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        default: return GoFormat.print(v)
        }
    }

    /// sprig `strslice`: a list's non-nil elements as strings, or the value as one string.
    static func strslice(_ v: TemplateValue) -> [String] {
        switch v {
        case .list(let l): return l.compactMap { $0.isNull ? nil : strval($0) }
        case .null: return []
        case .object(let o): if let u = o.underlying { return strslice(u) }; return [strval(v)]
        default: return [strval(v)]
        }
    }

    /// `cast.ToInt64`: numbers truncate, strings parse (base prefixes allowed), bools are 0/1,
    /// anything else 0.
    static func toInt64(_ v: TemplateValue) -> Int64 {
        switch v {
        case .int(let i): return Int64(i)
        case .int64(let i): return i
        case .float64(let d):
            guard d.isFinite, abs(d) < 9.2e18 else { return d.isNaN ? 0 : (d < 0 ? Int64.min : Int64.min) }
            return Int64(d)
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            var t = s
            if let dot = t.firstIndex(of: "."), t[t.index(after: dot)...].allSatisfy({ $0 == "0" }) { t = String(t[..<dot]) }
            return GoNumbers.parseInt(t) ?? 0
        default: return 0
        }
    }

    /// `cast.ToFloat64`.
    static func toFloat64(_ v: TemplateValue) -> Double {
        switch v {
        case .int(let i): return Double(i)
        case .int64(let i): return Double(i)
        case .float64(let d): return d
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return GoNumbers.parseFloat(s) ?? 0
        default: return 0
        }
    }

    /// A list value's elements, or nil when it is not a list.
    static func list(_ v: TemplateValue) -> [TemplateValue]? {
        switch v {
        case .list(let l): return l
        case .bytes(let b): return b.map { .int(Int($0)) }
        case .object(let o): if let u = o.underlying { return list(u) }; return nil
        default: return nil
        }
    }

    static func str(_ v: TemplateValue) -> String { if case .string(let s) = v { return s }; return strval(v) }
    static func int(_ v: TemplateValue) -> Int {
        switch v { case .int(let i): return i; case .int64(let i): return Int(i); default: return Int(toInt64(v)) }
    }

    /// Go's `reflect.DeepEqual` on template values.
    static func deepEqual(_ a: TemplateValue, _ b: TemplateValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.int64(x), .int64(y)): return x == y
        case let (.float64(x), .float64(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.bytes(x), .bytes(y)): return x == y
        case let (.list(x), .list(y)): return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
        case let (.map(x), .map(y)):
            if x === y { return true }
            guard x.count == y.count else { return false }
            for (k, v) in x.entries { guard let w = y[k], deepEqual(v, w) else { return false } }
            return true
        case let (.object(x), .object(y)): return x.goTypeName == y.goTypeName && x.printed == y.printed
        default: return false
        }
    }

    /// Deep copy: fresh maps all the way down (sprig `deepCopy`, `merge` sources).
    static func deepCopy(_ v: TemplateValue) -> TemplateValue {
        switch v {
        case .list(let l): return .list(l.map(deepCopy))
        case .map(let m):
            var e = [String: TemplateValue](minimumCapacity: m.count)
            for (k, x) in m.entries { e[k] = deepCopy(x) }
            return .map(TemplateMap(e))
        default: return v
        }
    }

    /// sprig `empty`: Go zero values and empty containers.
    static func empty(_ v: TemplateValue) -> Bool {
        switch v {
        case .null: return true
        case .object(let o): if let u = o.underlying { return empty(u) }; return false
        default: return !v.isTruthy
        }
    }
}

extension TemplateFunction {
    /// A function whose failure is a plain message (Go's second return value).
    static func fn(_ parameters: [Parameter], variadic: Parameter? = nil,
                   _ body: @escaping @Sendable ([TemplateValue]) throws -> TemplateValue) -> TemplateFunction {
        .simple(parameters, variadic: variadic, body)
    }
}

/// Namespaces for the parts of the library (each in its own `Library+X.swift`).
enum Library {
    /// Largest string a function may build (`repeat`, `indent`, random strings): Go would try
    /// and exhaust memory; we fail the call instead.
    static let maxStringBytes = 64 << 20

    static func checkSize(_ count: Int, _ what: String) throws {
        if count > maxStringBytes { throw TemplateFunctionError("\(what): output length overflow") }
    }
}
