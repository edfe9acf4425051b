#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// sprig's integer math (everything through `cast.ToInt64`, results `int64`) and float math
/// (`…f` variants, results `float64`).
extension Library {
    static func i64(_ v: TemplateValue) -> Int64 { Conv.toInt64(v) }

    static let math: [String: TemplateFunction] = [
        "add": .fn([], variadic: .any) { .int64($0.reduce(0) { $0 &+ i64($1) }) },
        "add1": .fn([.any]) { .int64(i64($0[0]) &+ 1) },
        "sub": .fn([.any, .any]) { .int64(i64($0[0]) &- i64($0[1])) },
        "mul": .fn([.any], variadic: .any) { .int64($0.dropFirst().reduce(i64($0[0])) { $0 &* i64($1) }) },
        "div": .fn([.any, .any]) { args in
            let b = i64(args[1])
            guard b != 0 else { throw TemplateFunctionError("runtime error: integer divide by zero") }
            return .int64(i64(args[0]).dividedReportingOverflow(by: b).partialValue)
        },
        "mod": .fn([.any, .any]) { args in
            let b = i64(args[1])
            guard b != 0 else { throw TemplateFunctionError("runtime error: integer divide by zero") }
            return .int64(i64(args[0]).remainderReportingOverflow(dividingBy: b).partialValue)
        },
        "max": .fn([.any], variadic: .any) { .int64($0.map(i64).max() ?? 0) },
        "biggest": .fn([.any], variadic: .any) { .int64($0.map(i64).max() ?? 0) },
        "min": .fn([.any], variadic: .any) { .int64($0.map(i64).min() ?? 0) },
        "addf": .fn([], variadic: .any) { .float64($0.reduce(0) { Dec.add($0, Conv.toFloat64($1)) }) },
        "add1f": .fn([.any]) { .float64(Dec.add(Conv.toFloat64($0[0]), 1)) },
        "subf": .fn([.any], variadic: .any) { .float64($0.dropFirst().reduce(Conv.toFloat64($0[0])) { Dec.sub($0, Conv.toFloat64($1)) }) },
        "mulf": .fn([.any], variadic: .any) { .float64($0.dropFirst().reduce(Conv.toFloat64($0[0])) { Dec.mul($0, Conv.toFloat64($1)) }) },
        "divf": .fn([.any], variadic: .any) { args in
            var r = Conv.toFloat64(args[0])
            for b in args.dropFirst() {
                let d = Conv.toFloat64(b)
                guard d != 0 else { throw TemplateFunctionError("decimal division by 0") }
                r = Dec.div(r, d)
            }
            return .float64(r)
        },
        "maxf": .fn([.any], variadic: .any) { .float64($0.map(Conv.toFloat64).max() ?? 0) },
        "minf": .fn([.any], variadic: .any) { .float64($0.map(Conv.toFloat64).min() ?? 0) },
        "floor": .fn([.any]) { .float64(Conv.toFloat64($0[0]).rounded(.down)) },
        "ceil": .fn([.any]) { .float64(Conv.toFloat64($0[0]).rounded(.up)) },
        "round": .fn([.any, .int], variadic: .float64) { args in
            let roundOn = args.count > 2 ? Conv.toFloat64(args[2]) : 0.5
            let val = Conv.toFloat64(args[0])
            let p = pow(10, Double(Conv.int(args[1])))
            let digit = p * val
            let frac = digit - digit.rounded(.towardZero)
            return .float64((frac >= roundOn ? digit.rounded(.up) : digit.rounded(.down)) / p)
        },
    ]

    static let conversions: [String: TemplateFunction] = [
        "atoi": .fn([.string]) { args in
            let s = Conv.str(args[0])
            let body = s.hasPrefix("+") || s.hasPrefix("-") ? s.dropFirst() : Substring(s)
            guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(s) else { return .int(0) }
            return .int(v)
        },
        "int": .fn([.any]) { .int(Int(Conv.toInt64($0[0]))) },
        "int64": .fn([.any]) { .int64(Conv.toInt64($0[0])) },
        "float64": .fn([.any]) { .float64(Conv.toFloat64($0[0])) },
        "toDecimal": .fn([.any]) { args in
            let s = GoFormat.print(args[0])
            guard let v = Int64(s, radix: 8) else { return .int64(0) }
            return .int64(v)
        },
        "kindOf": .fn([.any]) { .string($0[0].goKind) },
        "kindIs": .fn([.string, .any]) { .bool(Conv.str($0[0]) == $0[1].goKind) },
        "typeOf": .fn([.any]) { .string($0[0].goTypeName) },
        "typeIs": .fn([.string, .any]) { .bool(Conv.str($0[0]) == $0[1].goTypeName) },
        "typeIsLike": .fn([.string, .any]) { args in
            let t = args[1].goTypeName, target = Conv.str(args[0])
            return .bool(t == target || "*" + t == target)
        },
        "deepEqual": .fn([.any, .any]) { .bool(Conv.deepEqual($0[0], $0[1])) },
        "default": .fn([.any], variadic: .any) { args in
            if args.count < 2 || Conv.empty(args[1]) { return args[0] }
            return args[1]
        },
        "empty": .fn([.any]) { .bool(Conv.empty($0[0])) },
        "coalesce": .fn([], variadic: .any) { args in args.first { !Conv.empty($0) } ?? .null },
        "all": .fn([], variadic: .any) { .bool($0.allSatisfy { !Conv.empty($0) }) },
        "any": .fn([], variadic: .any) { .bool($0.contains { !Conv.empty($0) }) },
        "ternary": .fn([.any, .any, .bool]) { args in
            if case .bool(true) = args[2] { return args[0] }
            return args[1]
        },
    ]
}
