import CapstanModel

/// Go `text/template`'s predefined functions (`and or not len index slice print printf println
/// eq ne lt le gt ge html js urlquery call`) and the engine-bound Helm functions `include` and
/// `tpl`, which need the executor and so cannot be plain `TemplateFunction`s.
enum Builtins {
    /// Which builtin a name is (the parser records it, so a call dispatches without comparing
    /// names); `none` is no builtin.
    enum Kind: UInt8, Sendable, CaseIterable {
        case none, and, or, not, len, index, slice, print, printf, println, eq, ne, lt, le, gt, ge,
             html, js, urlquery, call, include, tpl
    }

    /// Every builtin by name.
    static let kinds: [String: Kind] = {
        var table: [String: Kind] = [:]
        for kind in Kind.allCases where kind != .none { table["\(kind)"] = kind }
        return table
    }()

    static func goName(_ p: TemplateFunction.Parameter) -> String {
        switch p {
        case .any: return "interface {}"
        case .string: return "string"
        case .int: return "int"
        case .int64: return "int64"
        case .float64: return "float64"
        case .bool: return "bool"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        }
    }

    /// The builtins that need no executor, built once (not per call).
    static let plain: [String: TemplateFunction] = [
        "not": .simple([.any]) { .bool(!$0[0].isTruthy) },
        "len": .simple([.any]) { try length($0[0]) },
        "index": .simple([.any], variadic: .any) { try index($0[0], Array($0.dropFirst())) },
        "slice": .simple([.any], variadic: .any) { try slice($0[0], Array($0.dropFirst())) },
        "print": .simple([], variadic: .any) { .string(GoFormat.sprint($0)) },
        "println": .simple([], variadic: .any) { .string(GoFormat.sprintln($0)) },
        "printf": .simple([.string], variadic: .any) { args in
            guard case .string(let format) = args[0] else { return .string("") }
            return .string(Printf.format(format, Array(args.dropFirst())))
        },
        "eq": .simple([.any], variadic: .any) { args in
            if args.count < 2 { throw TemplateFunctionError("missing argument for comparison") }
            for other in args.dropFirst() where try Compare.eq(args[0], other) { return .bool(true) }
            return .bool(false)
        },
        "ne": .simple([.any, .any]) { .bool(!(try Compare.eq($0[0], $0[1]))) },
        "lt": .simple([.any, .any]) { .bool(try Compare.less($0[0], $0[1])) },
        "le": .simple([.any, .any]) { .bool(try Compare.less($0[0], $0[1]) || Compare.eq($0[0], $0[1])) },
        "gt": .simple([.any, .any]) { .bool(!(try Compare.less($0[0], $0[1]) || Compare.eq($0[0], $0[1]))) },
        "ge": .simple([.any, .any]) { .bool(!(try Compare.less($0[0], $0[1]))) },
        "html": .simple([], variadic: .any) { .string(Escape.html(evalArgsString($0))) },
        "js": .simple([], variadic: .any) { .string(Escape.js(evalArgsString($0))) },
        "urlquery": .simple([], variadic: .any) { .string(Escape.queryEscape(evalArgsString($0))) },
        "call": .simple([.any], variadic: .any) { args in
            throw TemplateFunctionError("non-function \(GoFormat.print(args[0])) of type \(args[0].goTypeName)")
        },
    ]

    /// `plain` by `Kind.rawValue` (nil for the builtins that need the executor).
    static let plainByKind: [TemplateFunction?] = Kind.allCases.map { plain["\($0)"] }

    static func call(_ ex: Executor, _ dot: Cell, kind: Kind, name: String, args: ArraySlice<ArgNode>, final: Cell?,
                     cmd: CommandNode) throws -> Cell {
        // and/or short-circuit and return the deciding value itself.
        if kind == .and || kind == .or {
            let numIn = args.count + (final == nil ? 0 : 1)
            if numIn < 1 { throw ex.fail("wrong number of args for \(name): want at least 1 got 0") }
            var v = Cell.invalid
            for arg in args {
                v = try ex.evalArg(dot, .any, arg).unwrapped
                if v.v.isTruthy == (kind == .or) { return v }
            }
            if let final { v = final.unwrapped }
            return v
        }
        // `len` of "no value" (not of a nil interface) fails inside reflect in Go.
        if kind == .len, args.count + (final == nil ? 0 : 1) == 1 {
            let cell = try args.first.map { try ex.evalArg(dot, .any, $0) } ?? final!
            if cell.isInvalid {
                ex.at(cmd.pos, .command(cmd))
                var failure = ex.fail("error calling len: reflect: call of reflect.Value.Type on zero Value")
                failure.error.helmKeepsGoText = true
                throw failure
            }
            do { return .of(try length(cell.v)) } catch let e as TemplateFunctionError {
                ex.at(cmd.pos, .command(cmd))
                var failure = ex.fail("error calling len: \(e.message)")
                failure.error.helmKeepsGoText = true
                throw failure
            }
        }
        let f: TemplateFunction
        switch kind {
        case .include: f = ex.includeFunction
        case .tpl: f = ex.tplFunction
        default:
            guard let g = plainByKind[Int(kind.rawValue)] else { throw ex.fail("function \(GoFormat.quote(name)) not defined") }
            f = g
        }
        return try ex.evalCall(dot, f, name: name, args: args, final: final, cmd: .command(cmd), cmdPos: cmd.pos)
    }

    /// `include` bound to an executor (built once per render, not per call).
    static func includeFunction(_ ex: Executor) -> TemplateFunction {
        // The executor owns the function and outlives every call it makes.
        nonisolated(unsafe) unowned let executor = ex
        return TemplateFunction([.string, .any]) { args, _ in
            guard case .string(let n) = args[0] else { return .string("") }
            return .string(try executor.include(n, args[1]))
        }
    }

    /// `tpl` bound to an executor (built once per render, not per call).
    static func tplFunction(_ ex: Executor) -> TemplateFunction {
        nonisolated(unsafe) unowned let executor = ex
        return TemplateFunction([.string, .any]) { args, _ in
            guard case .string(let text) = args[0] else { return .string("") }
            return .string(try executor.tpl(text, args[1]))
        }
    }

    /// Go's `evalArgs` for html/js/urlquery: nil prints as `<no value>`.
    static func evalArgsString(_ args: [TemplateValue]) -> String {
        if args.count == 1, case .string(let s) = args[0] { return s }
        var out = ""
        for (i, a) in args.enumerated() {
            let isString = { (v: TemplateValue) -> Bool in if case .string = v { return true }; return v.isNull }
            if i > 0, !isString(a), !isString(args[i - 1]) { out += " " }
            out += a.isNull ? "<no value>" : GoFormat.print(a)
        }
        return out
    }

    static func length(_ v: TemplateValue) throws -> TemplateValue {
        switch v {
        case .null: throw TemplateFunctionError("len of nil pointer")
        case .string(let s): return .int(s.utf8.count)
        case .bytes(let b): return .int(b.count)
        case .list(let l): return .int(l.count)
        case .map(let m): return .int(m.count)
        case .object(let o):
            if let u = o.underlying { return try length(u) }
            throw TemplateFunctionError("len of type \(o.goTypeName)")
        default: throw TemplateFunctionError("len of type \(v.goTypeName)")
        }
    }

    static func indexArg(_ v: TemplateValue, _ count: Int, cap: Int? = nil) throws -> Int {
        let x: Int
        switch v {
        case .int(let i): x = i
        case .int64(let i): x = Int(i)
        case .null: throw TemplateFunctionError("cannot index slice/array with nil")
        default: throw TemplateFunctionError("cannot index slice/array with type \(v.goTypeName)")
        }
        if x < 0 || x > (cap ?? count) || (cap == nil && x == count) {
            throw TemplateFunctionError("index out of range: \(x)")
        }
        return x
    }

    static func index(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        var item = item
        if item.isNull { throw TemplateFunctionError("index of untyped nil") }
        for (n, idx) in indexes.enumerated() {
            if n > 0, item.isNull { throw TemplateFunctionError("index of nil pointer") }
            if case .object(let o) = item, let u = o.underlying { item = u }
            switch item {
            case .list(let l): item = l[try indexArg(idx, l.count)]
            case .bytes(let b): item = .int(Int(b[try indexArg(idx, b.count)]))
            case .string(let s):
                let u = Array(s.utf8)
                item = .int(Int(u[try indexArg(idx, u.count)]))
            case .map(let m):
                guard case .string(let k) = idx else {
                    if idx.isNull { throw TemplateFunctionError("value is nil; should be of type string") }
                    throw TemplateFunctionError("value has type \(idx.goTypeName); should be string")
                }
                item = m[k] ?? .null
            default:
                throw TemplateFunctionError("can't index item of type \(item.goTypeName)")
            }
        }
        return item
    }

    static func slice(_ item: TemplateValue, _ indexes: [TemplateValue]) throws -> TemplateValue {
        if item.isNull { throw TemplateFunctionError("slice of untyped nil") }
        if indexes.count > 3 { throw TemplateFunctionError("too many slice indexes: \(indexes.count)") }
        let count: Int
        switch item {
        case .list(let l): count = l.count
        case .string(let s):
            count = s.utf8.count
            if indexes.count == 3 { throw TemplateFunctionError("cannot 3-index slice a string") }
        case .bytes(let b): count = b.count
        default: throw TemplateFunctionError("can't slice item of type \(item.goTypeName)")
        }
        var idx = [0, count, count]
        for (i, v) in indexes.enumerated() { idx[i] = try indexArg(v, count, cap: count) }
        if idx[0] > idx[1] { throw TemplateFunctionError("invalid slice index: \(idx[0]) > \(idx[1])") }
        if indexes.count == 3 && idx[1] > idx[2] { throw TemplateFunctionError("invalid slice index: \(idx[1]) > \(idx[2])") }
        switch item {
        case .list(let l): return .list(Array(l[idx[0]..<idx[1]]))
        case .bytes(let b): return .bytes(Array(b[idx[0]..<idx[1]]))
        case .string(let s): return .string(String(decoding: Array(s.utf8)[idx[0]..<idx[1]], as: UTF8.self))
        default: return item
        }
    }
}

/// Go's `eq`/`lt` over basic kinds: ints of any size compare with each other, floats with
/// floats, strings with strings; anything else across kinds is an error.
enum Compare {
    enum Kind { case bool, int, float, string, invalid, other }
    static func kind(_ v: TemplateValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int, .int64: return .int
        case .float64: return .float
        case .string: return .string
        case .null: return .invalid
        default: return .other
        }
    }
    static func intOf(_ v: TemplateValue) -> Int64 {
        switch v { case .int(let i): return Int64(i); case .int64(let i): return i; default: return 0 }
    }

    static func eq(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = kind(a), k2 = kind(b)
        if k1 == .other, k2 == .other, a.goTypeName != b.goTypeName {
            let sa = Printf.formatOne(a, Printf.Spec(verb: "s"))
            throw TemplateFunctionError("non-comparable types \(sa): \(a.goTypeName), \(b.goTypeName): \(GoFormat.print(b))")
        }
        if k1 != k2 {
            if k1 != .invalid && k2 != .invalid {
                throw TemplateFunctionError("incompatible types for comparison: \(a.goTypeName) and \(b.goTypeName)")
            }
            return false
        }
        switch (a, b) {
        case let (.bool(x), .bool(y)): return x == y
        case let (.float64(x), .float64(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case (.null, .null): return true
        default:
            if k1 == .int { return intOf(a) == intOf(b) }
            // Go formats the value with %s here (so `[%!s(int=1) a]`).
            let sv = Printf.formatOne(b, Printf.Spec(verb: "s"))
            throw TemplateFunctionError("non-comparable type \(sv): \(b.goTypeName)")
        }
    }

    static func less(_ a: TemplateValue, _ b: TemplateValue) throws -> Bool {
        let k1 = kind(a), k2 = kind(b)
        if k1 == .invalid || k1 == .other || k2 == .invalid || k2 == .other {
            throw TemplateFunctionError("invalid type for comparison")
        }
        if k1 != k2 {
            throw TemplateFunctionError("incompatible types for comparison: \(a.goTypeName) and \(b.goTypeName)")
        }
        switch (a, b) {
        case (.bool, .bool): throw TemplateFunctionError("invalid type for comparison")
        case let (.float64(x), .float64(y)): return x < y
        case let (.string(x), .string(y)): return x.utf8Precedes(y)
        default: return intOf(a) < intOf(b)
        }
    }
}

enum Escape {
    static func html(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\u{0}": out += "\u{FFFD}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func js(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 { out += "\\u" + zeroPaddedHex(c.value, 4).uppercased() }
                else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    /// `url.QueryEscape`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += "%" + zeroPaddedHex(UInt32(b), 2).uppercased()
            }
        }
        return out
    }
}
