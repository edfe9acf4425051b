/// sprig's dictionary functions. Maps are references: `set`, `unset`, `merge` mutate in place
/// and return the same map, as in Go.
extension Library {
    static func needMap(_ v: TemplateValue) -> TemplateMap? {
        if case .map(let m) = v { return m }
        return nil
    }

    static func merge(_ dst: TemplateMap, _ src: TemplateMap, overwrite: Bool) {
        for (k, sv) in src.entries {
            if sv.isNull { continue }
            let dv = dst[k]
            if case .map(let dm)? = dv, case .map(let sm) = sv {
                merge(dm, sm, overwrite: overwrite)
                continue
            }
            if overwrite || dv == nil || dv!.isNull {
                dst[k] = sv
            }
        }
    }

    static let dicts: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [
            "dict": .fn([], variadic: .any) { args in
                var m: [String: TemplateValue] = [:]
                var i = 0
                while i < args.count {
                    let key = Conv.strval(args[i])
                    m[key] = i + 1 < args.count ? args[i + 1] : .string("")
                    i += 2
                }
                return .dict(m)
            },
            "get": .fn([.map, .string]) { args in needMap(args[0])?[Conv.str(args[1])] ?? .string("") },
            "set": .fn([.map, .string, .any]) { args in
                guard let m = needMap(args[0]) else { throw TemplateFunctionError("assignment to entry in nil map") }
                m[Conv.str(args[1])] = args[2]
                return args[0]
            },
            "unset": .fn([.map, .string]) { args in
                needMap(args[0])?.entries.removeValue(forKey: Conv.str(args[1]))
                return args[0]
            },
            "hasKey": .fn([.map, .string]) { .bool(needMap($0[0])?[Conv.str($0[1])] != nil) },
            "pluck": .fn([.string], variadic: .map) { args in
                let key = Conv.str(args[0])
                return .list(args.dropFirst().compactMap { needMap($0)?[key] })
            },
            "keys": .fn([], variadic: .map) { args in
                TypedList.strings(args.flatMap { needMap($0)?.sortedKeys ?? [] })
            },
            "values": .fn([.map]) { args in
                guard let m = needMap(args[0]) else { return .list([]) }
                return .list(m.sortedKeys.map { m[$0]! })
            },
            "pick": .fn([.map], variadic: .string) { args in
                var out: [String: TemplateValue] = [:]
                if let m = needMap(args[0]) { for k in args.dropFirst().map(Conv.str) { if let v = m[k] { out[k] = v } } }
                return .dict(out)
            },
            "omit": .fn([.map], variadic: .string) { args in
                let drop = Set(args.dropFirst().map(Conv.str))
                var out: [String: TemplateValue] = [:]
                if let m = needMap(args[0]) { for (k, v) in m.entries where !drop.contains(k) { out[k] = v } }
                return .dict(out)
            },
            "merge": .fn([.map], variadic: .map) { args in
                guard let dst = needMap(args[0]) else { return args[0] }
                for s in args.dropFirst() { if let src = needMap(s) { merge(dst, src, overwrite: false) } }
                return args[0]
            },
            "mergeOverwrite": .fn([.map], variadic: .map) { args in
                guard let dst = needMap(args[0]) else { return args[0] }
                for s in args.dropFirst() { if let src = needMap(s) { merge(dst, src, overwrite: true) } }
                return args[0]
            },
            "deepCopy": .fn([.any]) { args in
                if args[0].isNull { throw TemplateFunctionError("reflect: call of reflect.Value.Type on zero Value") }
                return Conv.deepCopy(args[0])
            },
            "dig": .fn([.any], variadic: .any) { args in
                guard args.count >= 3 else { throw TemplateFunctionError("dig needs at least three arguments") }
                guard let m = needMap(args[args.count - 1]) else {
                    let last = args[args.count - 1]
                    throw TemplateFunctionError("interface conversion: interface {} is \(last.isNull ? "nil" : last.goTypeName), not map[string]interface {}")
                }
                let def = args[args.count - 2]
                var cur = m
                var keys: [String] = []
                for k in args[..<(args.count - 2)] {
                    guard case .string(let key) = k else {
                        throw TemplateFunctionError("interface conversion: interface {} is \(k.goTypeName), not string")
                    }
                    keys.append(key)
                }
                for (i, k) in keys.enumerated() {
                    guard let v = cur[k] else { return def }
                    if i == keys.count - 1 { return v }
                    guard case .map(let next) = v else {
                        throw TemplateFunctionError("interface conversion: interface {} is \(v.goTypeName), not map[string]interface {}")
                    }
                    cur = next
                }
                return def
            },
        ]
        t["mustMerge"] = t["merge"]
        t["mustMergeOverwrite"] = t["mergeOverwrite"]
        t["mustDeepCopy"] = t["deepCopy"]
        return t
    }()
}
