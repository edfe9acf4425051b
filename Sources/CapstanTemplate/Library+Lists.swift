/// sprig's list functions. Go slices are values here (sprig copies before appending anyway).
extension Library {
    /// sprig's list check: the Go kind is named (`Cannot find first on type map`); nil
    /// panics inside sprig (`reflect.TypeOf(nil).Kind()`), which Go reports as below.
    static func needList(_ v: TemplateValue, _ what: String) throws -> [TemplateValue] {
        if let l = Conv.list(v) { return l }
        if v.isNull { throw TemplateFunctionError("runtime error: invalid memory address or nil pointer dereference") }
        throw TemplateFunctionError("Cannot \(what) type \(v.goKind)")
    }

    static let lists: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [
            "list": .fn([], variadic: .any) { .list($0) },
            "first": .fn([.any]) { let l = try needList($0[0], "find first on"); return l.first ?? .null },
            "last": .fn([.any]) { let l = try needList($0[0], "find last on"); return l.last ?? .null },
            // A nil `[]interface{}` in Go: prints `[]`, typed as a list.
            "rest": .fn([.any]) { let l = try needList($0[0], "find rest on"); return .list(Array(l.dropFirst())) },
            "initial": .fn([.any]) { let l = try needList($0[0], "find initial on"); return .list(Array(l.dropLast())) },
            "append": .fn([.any, .any]) { .list(try needList($0[0], "push on") + [$0[1]]) },
            "push": .fn([.any, .any]) { .list(try needList($0[0], "push on") + [$0[1]]) },
            "prepend": .fn([.any, .any]) { .list([$0[1]] + (try needList($0[0], "prepend on"))) },
            "concat": .fn([], variadic: .any) { args in
                var out: [TemplateValue] = []
                for a in args {
                    guard let l = Conv.list(a) else {
                        if a.isNull { throw TemplateFunctionError("runtime error: invalid memory address or nil pointer dereference") }
                        throw TemplateFunctionError("Cannot concat type \(a.goKind) as list")
                    }
                    out += l
                }
                return .list(out)
            },
            "reverse": .fn([.any]) { .list(try needList($0[0], "find reverse on").reversed()) },
            "uniq": .fn([.any]) { args in
                var out: [TemplateValue] = []
                for e in try needList(args[0], "find uniq on") where !out.contains(where: { Conv.deepEqual($0, e) }) { out.append(e) }
                return .list(out)
            },
            "without": .fn([.any], variadic: .any) { args in
                let omit = args.dropFirst()
                return .list(try needList(args[0], "find without on").filter { e in !omit.contains { Conv.deepEqual($0, e) } })
            },
            "has": .fn([.any, .any]) { args in
                if args[1].isNull { return .bool(false) }
                return .bool(try needList(args[1], "find has on").contains { Conv.deepEqual($0, args[0]) })
            },
            "compact": .fn([.any]) { .list(try needList($0[0], "compact on").filter { !Conv.empty($0) }) },
            "slice": .fn([.any], variadic: .any) { args in
                guard let l = Conv.list(args[0]) else {
                    throw TemplateFunctionError("list should be type of slice or array but \(args[0].goKind)")
                }
                let idx = args.dropFirst().map { Int(Conv.toInt64($0)) }
                let start = idx.count > 0 ? idx[0] : 0
                let end = idx.count > 1 ? idx[1] : l.count
                if l.isEmpty { return .null }
                guard start >= 0, end <= l.count, start <= end else {
                    throw TemplateFunctionError("reflect.Value.Slice: slice index out of bounds")
                }
                return .list(Array(l[start..<end]))
            },
            "chunk": .fn([.int, .any]) { args in
                let size = Conv.int(args[0])
                let l = try needList(args[1], "chunk")
                guard size > 0 else { throw TemplateFunctionError("runtime error: integer divide by zero") }
                return .list(stride(from: 0, to: l.count, by: size).map { .list(Array(l[$0..<min($0 + size, l.count)])) })
            },
            "until": .fn([.int]) { args in
                let n = Conv.int(args[0])
                guard n <= 10_000_000 else { throw TemplateFunctionError("until: count \(n) too large") }
                let items: [TemplateValue] = n > 0 ? (0..<n).map { .int($0) } : (n < 0 ? stride(from: 0, to: n, by: -1).map { .int($0) } : [])
                return .object(TypedList(elementType: "int", items: items))
            },
            "untilStep": .fn([.int, .int, .int]) { args in
                let start = Conv.int(args[0]), stop = Conv.int(args[1]), step = Conv.int(args[2])
                if step == 0 || (step > 0 && start >= stop) || (step < 0 && start <= stop) { return .object(TypedList(elementType: "int", items: [])) }
                guard abs((stop - start) / step) <= 10_000_000 else { throw TemplateFunctionError("untilStep: too many values") }
                return .object(TypedList(elementType: "int", items: Swift.stride(from: start, to: stop, by: step).map { .int($0) }))
            },
            "seq": .fn([], variadic: .int) { args in
                let p = args.map(Conv.int)
                var start = 1, end = 0, step = 1
                switch p.count {
                case 0: return .string("")
                case 1: end = p[0]; if end < 1 { start = 1; step = -1 } else { step = 1 }; if end == 0 { return .string("1 0") }
                case 2: start = p[0]; end = p[1]; step = start <= end ? 1 : -1
                case 3: start = p[0]; step = p[1]; end = p[2]
                    if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) { return .string("") }
                default: return .string("")
                }
                var out: [String] = []
                var i = start
                while (step > 0 ? i <= end : i >= end) && out.count < 10_000_000 { out.append(String(i)); i += step }
                return .string(out.joined(separator: " "))
            },
        ]
        for name in ["first", "last", "rest", "initial", "append", "push", "prepend", "reverse", "uniq", "without",
                     "has", "compact", "slice", "chunk"] {
            t["must" + name.prefix(1).uppercased() + name.dropFirst()] = t[name]
        }
        return t
    }()
}
