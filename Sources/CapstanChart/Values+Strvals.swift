import CapstanModel

/// Helm's `--set` mini-language (`a.b=c,list={x,y},arr[0].k=v`, `\` escapes the next character),
/// parsed into a values tree the way Helm's strvals package does it.
///
/// The value reader decides types: `--set` infers (`true`/`false` → bool, `null` → null,
/// decimal integers not starting with `0` → int64, the rest strings), `--set-string` keeps
/// strings, `--set-file` reads the named file, `--set-json` decodes JSON (numbers as float64).
struct StrvalsParser {
    enum Mode { case typed, string, json, file((String) throws(ChartError) -> String) }

    static let maxIndex = 65536
    static let maxNestedNameLevel = 30

    private var scalars: [Unicode.Scalar]
    private var pos = 0
    private let mode: Mode

    private init(_ text: String, mode: Mode) {
        scalars = Array(text.unicodeScalars)
        self.mode = mode
    }

    /// Parses `text` and merges every assignment into `into`, later keys overwriting earlier ones.
    static func parse(_ text: String, into: inout ValueObject, mode: Mode) throws(ChartError) {
        var parser = StrvalsParser(text, mode: mode)
        while true {
            switch try parser.key(&into, level: 0) {
            case .more: continue
            case .end: return
            }
        }
    }

    private enum Step { case more, end }

    private struct EOF: Error {}

    /// Reads runes up to (and consuming) a stop rune; `\` makes the next rune literal.
    private mutating func runesUntil(_ stop: Set<Unicode.Scalar>) -> (text: String, last: Unicode.Scalar?) {
        var out = String.UnicodeScalarView()
        while pos < scalars.count {
            let r = scalars[pos]
            pos += 1
            if stop.contains(r) { return (String(out), r) }
            if r == "\\" {
                guard pos < scalars.count else { return (String(out), nil) }
                out.append(scalars[pos])
                pos += 1
                continue
            }
            out.append(r)
        }
        return (String(out), nil)
    }

    private func fail(_ message: String) -> ChartError { .values(message) }

    private mutating func key(_ data: inout ValueObject, level: Int) throws(ChartError) -> Step {
        let (k, last) = runesUntil(["=", "[", ",", "."])
        guard let last else {
            if k.isEmpty { return .end }
            throw fail("key \"\(k)\" has no value")
        }
        switch last {
        case "[":
            let i = try keyIndex()
            var list: [Value] = []
            if let existing = data[k] {
                guard case .array(let a) = existing else {
                    throw fail("unable to parse key: interface conversion: interface {} is \(goTypeName(existing)), not []interface {}")
                }
                list = a
            }
            let result = try listItem(list, i, level: level)
            set(&data, k, .array(result.list))
            return result.ended ? .end : .more
        case "=":
            if case .json = mode {
                if emptyVal() { set(&data, k, .null); return atEnd ? .end : .more }
                let v = try decodeJSON()
                set(&data, k, v)
                _ = emptyVal()
                return .more
            }
            switch try valList() {
            case .list(let l): set(&data, k, .array(l)); return .more
            case .eof: set(&data, k, .string("")); return .end
            case .notList:
                let (rs, _) = runesUntil([","])
                set(&data, k, try read(rs))
                return .more
            }
        case ",":
            set(&data, k, .string(""))
            throw fail("key \"\(k)\" has no value (cannot end with ,)")
        default:  // "."
            let next = level + 1
            if next > Self.maxNestedNameLevel {
                throw fail("value name nested level is greater than maximum supported nested level of \(Self.maxNestedNameLevel)")
            }
            var inner = ValueObject()
            if let existing = data[k] {
                guard case .object(let o) = existing else {
                    throw fail("unable to parse key: interface conversion: interface {} is \(goTypeName(existing)), not map[string]interface {}")
                }
                inner = o
            }
            let step = try key(&inner, level: next)
            if step == .more && inner.isEmpty { throw fail("key map \"\(k)\" has no value") }
            if !inner.isEmpty { set(&data, k, .object(inner)) }
            return step
        }
    }

    private var atEnd: Bool { pos >= scalars.count }

    private func set(_ data: inout ValueObject, _ key: String, _ value: Value) {
        if key.isEmpty { return }
        data[key] = value
    }

    private mutating func keyIndex() throws(ChartError) -> Int {
        let (v, last) = runesUntil(["]"])
        guard last != nil else { throw fail("error parsing index: EOF") }
        guard let i = Int(v) else {
            throw fail("error parsing index: strconv.Atoi: parsing \"\(v)\": invalid syntax")
        }
        return i
    }

    private func setIndex(_ list: [Value], _ index: Int, _ value: Value) throws(ChartError) -> [Value] {
        if index < 0 { throw fail("negative \(index) index not allowed") }
        if index > Self.maxIndex {
            throw fail("index of \(index) is greater than maximum supported index of \(Self.maxIndex)")
        }
        var l = list
        while l.count <= index { l.append(.null) }
        l[index] = value
        return l
    }

    private mutating func listItem(_ list: [Value], _ i: Int, level: Int) throws(ChartError) -> (list: [Value], ended: Bool) {
        if i < 0 { throw fail("negative \(i) index not allowed") }
        let (k, last) = runesUntil(["[", ".", "="])
        if !k.isEmpty { throw fail("unexpected data at end of array index: \"\(k)\"") }
        guard let last else { throw fail("error parsing index: EOF") }
        switch last {
        case "=":
            if case .json = mode {
                if emptyVal() { return (try setIndex(list, i, .null), atEnd) }
                let v = try decodeJSON()
                let l = try setIndex(list, i, v)
                _ = emptyVal()
                return (l, false)
            }
            switch try valList() {
            case .list(let l): return (try setIndex(list, i, .array(l)), false)
            case .eof: return (try setIndex(list, i, .string("")), true)
            case .notList:
                let (rs, _) = runesUntil([","])
                return (try setIndex(list, i, try read(rs)), false)
            }
        case "[":
            let nextI = try keyIndex()
            var current: [Value] = []
            if i < list.count, case .array(let a) = list[i] { current = a }
            let inner = try listItem(current, nextI, level: level)
            return (try setIndex(list, i, .array(inner.list)), inner.ended)
        default:  // "."
            var inner = ValueObject()
            if i < list.count, case .object(let o) = list[i] { inner = o }
            let step = try key(&inner, level: level)
            return (try setIndex(list, i, .object(inner)), step == .end)
        }
    }

    private enum ListResult { case list([Value]), eof, notList }

    private mutating func valList() throws(ChartError) -> ListResult {
        guard pos < scalars.count else { return .eof }
        guard scalars[pos] == "{" else { return .notList }
        pos += 1
        var list: [Value] = []
        while true {
            let (rs, last) = runesUntil([",", "}"])
            guard let last else { throw fail("list must terminate with '}'") }
            if last == "}" {
                if pos < scalars.count, scalars[pos] == "," { pos += 1 }
                list.append(try read(rs))
                return .list(list)
            }
            list.append(try read(rs))
        }
    }

    /// Skips blanks; true (and consumes a comma) when the value is empty.
    private mutating func emptyVal() -> Bool {
        while pos < scalars.count {
            let r = scalars[pos]
            if r == "," { pos += 1; return true }
            if !r.properties.isWhitespace { return false }
            pos += 1
        }
        return true
    }

    /// Decodes one JSON value from the current position (like Go's json.Decoder), advancing past it.
    private mutating func decodeJSON() throws(ChartError) -> Value {
        let rest = String(String.UnicodeScalarView(scalars[pos...]))
        let bytes = Array(rest.utf8)
        let end = jsonValueEnd(bytes)
        do {
            let v = try Value.parseJSON(Array(bytes[0..<end]))
            pos += String(decoding: bytes[0..<end], as: UTF8.self).unicodeScalars.count
            return floatNumbers(v)
        } catch {
            throw fail("invalid JSON value: \(error.message)")
        }
    }

    private func read(_ text: String) throws(ChartError) -> Value {
        switch mode {
        case .string: return .string(text)
        case .typed, .json: return Self.typedValue(text)
        case .file(let reader): return .string(try reader(text))
        }
    }

    /// Helm's type inference for `--set` values.
    static func typedValue(_ val: String) -> Value {
        let lower = val.lowercased()
        if lower == "true" { return .bool(true) }
        if lower == "false" { return .bool(false) }
        if lower == "null" { return .null }
        if val == "0" { return .int(0) }
        if let first = val.first, first != "0", let i = parseGoInt(val) { return .int(i) }
        return .string(val)
    }

    /// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no spaces.
    private static func parseGoInt(_ s: String) -> Int64? {
        var digits = Substring(s)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }
}

/// Go's name of a value's dynamic type, for messages that quote Go's type assertions.
func goTypeName(_ v: Value) -> String {
    switch v {
    case .null: return "nil"
    case .bool: return "bool"
    case .int: return "int64"
    case .double: return "float64"
    case .string: return "string"
    case .array: return "[]interface {}"
    case .object: return "map[string]interface {}"
    }
}

/// Where the first complete JSON value in `bytes` ends (after leading blanks), so a
/// `--set-json` line can hold several `key=json` pairs separated by commas.
func jsonValueEnd(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
    guard i < bytes.count else { return i }
    switch bytes[i] {
    case UInt8(ascii: "{"), UInt8(ascii: "["):
        var depth = 0
        var inString = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i + 1 }
            }
            i += 1
        }
        return bytes.count
    case UInt8(ascii: "\""):
        i += 1
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\") { i += 2; continue }
            if bytes[i] == UInt8(ascii: "\"") { return i + 1 }
            i += 1
        }
        return bytes.count
    default:
        while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != 0x20, bytes[i] != 0x0A { i += 1 }
        return i
    }
}

/// Helm decodes JSON and YAML values into `interface{}`, where every number is a float64.
/// The tree is converted in place: a freshly parsed document is uniquely referenced, so its
/// maps and lists are changed where they are instead of rebuilt (no key is hashed again).
func floatNumbers(_ v: Value) -> Value {
    var v = v
    makeFloatNumbers(&v)
    return v
}

private func makeFloatNumbers(_ v: inout Value) {
    switch v {
    case .int(let i):
        v = .double(Double(i))
    case .array(var a):
        v = .null  // drop the enum's reference, so `a` is unique and changes without a copy
        for i in a.indices { makeFloatNumbers(&a[i]) }
        v = .array(a)
    case .object(var o):
        v = .null
        for i in o.values.indices { makeFloatNumbers(&o.values[i]) }
        v = .object(o)
    default:
        break
    }
}
