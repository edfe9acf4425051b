/// Function and method calls with Go's argument rules: count checks, literal conversion
/// (`expected integer; found 1.5`), assignability of values (`wrong type for value; expected
/// string; got int`), and wrapping of function errors as `error calling NAME: …`.
extension Executor {
    // MARK: - Functions

    func evalFunction(_ dot: Cell, _ name: String, ref: FunctionRef, pos: Int, _ cmd: CommandNode, final: Cell?) throws -> Cell {
        at(pos, .text(name))
        let args = cmd.rest
        let table = templateSet.functionTable
        // The parser's resolution holds while the set's functions are the ones it parsed
        // against; otherwise the name is looked up as it stands now.
        let ref = ref.table == table.id ? ref : table.resolve(name)
        if let ref, ref.slot >= 0 {
            return try evalCall(dot, table.list[Int(ref.slot)], name: name, args: args, final: final, cmd: .command(cmd), cmdPos: cmd.pos)
        }
        guard let ref else { throw fail("function \(GoFormat.quote(name)) not defined") }
        return try Builtins.call(self, dot, kind: ref.builtin, name: name, args: args, final: final, cmd: cmd)
    }

    /// Checks the count, evaluates and converts arguments, calls, and wraps errors.
    func evalCall(_ dot: Cell, _ f: TemplateFunction, name: String, args: ArraySlice<ArgNode>, final: Cell?,
                  cmd cmdContext: ErrorContext, cmdPos: Int) throws -> Cell {
        let numIn = args.count + (final == nil ? 0 : 1)
        if f.variadic != nil {
            if numIn < f.parameters.count {
                throw fail("wrong number of args for \(name): want at least \(f.parameters.count) got \(args.count)")
            }
        } else if numIn != f.parameters.count {
            throw fail("wrong number of args for \(name): want \(f.parameters.count) got \(numIn)")
        }
        var argv = spareArguments.popLast() ?? []
        argv.reserveCapacity(numIn)
        for (i, arg) in args.enumerated() {
            let type = i < f.parameters.count ? f.parameters[i] : f.variadic ?? .any
            argv.append(try evalArg(dot, type, arg).v)
        }
        if let final {
            // Go checks the piped value without moving the error context: a failure is
            // reported at the last node evaluated (the last argument, else the name).
            let type = numIn - 1 < f.parameters.count ? f.parameters[numIn - 1] : f.variadic ?? .any
            argv.append(try validateType(final, type).v)
        }
        do {
            let context = FunctionContext(templateName: current.source.name, options: options)
            let result = try f.body(argv, context)
            // Emptied in place when the function kept no reference to it (else emptying
            // gives it fresh storage, as a new array would have had).
            argv.removeAll(keepingCapacity: true)
            if spareArguments.count < 16 { spareArguments.append(argv) }
            return .element(result)
        } catch let e as ExecFailure {
            throw e
        } catch let e as TemplateFunctionError {
            at(cmdPos, cmdContext)
            var failure = fail("error calling \(name): \(e.message)", kind: e.isUserFailure ? .userFailure : .execution)
            if e.isUserFailure { failure.error.userMessage = e.message } else { failure.error.helmKeepsGoText = true }
            throw failure
        } catch let e as NestedFailure {
            at(cmdPos, cmdContext)
            var failure = fail("error calling \(name): \(e.message)", kind: e.userMessage != nil ? .userFailure : .execution)
            failure.error.nested = e.inner.map { [$0] } ?? []
            failure.error.userMessage = e.userMessage
            failure.error.helmKeepsGoText = e.keepsGoText
            throw failure
        } catch let e as TemplateError {
            at(cmdPos, cmdContext)
            throw fail("error calling \(name): \(e.description)")
        } catch {
            at(cmdPos, cmdContext)
            throw fail("error calling \(name): \(error)")
        }
    }

    /// Evaluates an argument node for a parameter of type `type` (Go's `evalArg`).
    func evalArg(_ dot: Cell, _ type: TemplateFunction.Parameter, _ node: ArgNode, untyped: Bool = false) throws -> Cell {
        at(node.pos, .arg(node))
        switch node {
        case .dot: return try validateType(dot, type)
        case .nilLiteral:
            switch type {
            case .any, .list, .map: return .of(.null)
            default: throw fail("cannot assign nil to \(Builtins.goName(type))")
            }
        case .field(_, let names):
            return try validateType(try evalFieldChain(dot, dot, names[...], nil, nodePos: node.pos, nodeArg: node, final: nil), type)
        case .variable(_, let names):
            let v = try varValue(names[0])
            if names.count == 1 { return try validateType(v, type) }
            return try validateType(try evalFieldChain(dot, v, names.dropFirst(), nil, nodePos: node.pos, nodeArg: node, final: nil), type)
        case .pipe(let p):
            return try validateType(try evalPipeline(dot, p), type)
        case .identifier(let pos, let name, let ref):
            return try validateType(try evalFunction(dot, name, ref: ref, pos: pos, CommandNode(pos: pos, args: [node][...]), final: nil), type)
        case .chain(let pos, let base, let fields):
            if case .nilLiteral = base { throw fail("indirection through explicit nil in \(node.text)") }
            let receiver = try evalArg(dot, .any, base, untyped: true)
            return try validateType(try evalFieldChain(dot, receiver, fields[...], nil, nodePos: pos, nodeArg: node, final: nil), type)
        case .bool(_, let b):
            switch type {
            case .bool, .any: return .of(.bool(b))
            default: throw literalMismatch(type, node)
            }
        case .number(_, let n):
            switch type {
            case .int where n.isInt:
                guard let i = Int(exactly: n.int) else { throw fail("\(n.text) overflows int") }
                return .of(.int(i))
            case .int64 where n.isInt: return .of(.int64(n.int))
            case .float64 where n.isFloat: return .of(.float64(n.float))
            case .any: return .of(try idealConstant(n))
            default: throw literalMismatch(type, node)
            }
        case .string(_, _, let s):
            switch type {
            case .string, .any: return .of(.string(s))
            default: throw literalMismatch(type, node)
            }
        }
    }

    func literalMismatch(_ type: TemplateFunction.Parameter, _ node: ArgNode) -> ExecFailure {
        switch type {
        case .bool: return fail("expected bool; found \(node.text)")
        case .int, .int64: return fail("expected integer; found \(node.text)")
        case .float64: return fail("expected float; found \(node.text)")
        case .string: return fail("expected string; found \(node.text)")
        default: return fail("can't handle \(node.text) for arg of type \(Builtins.goName(type))")
        }
    }

    /// Go's `validateType`: is the value assignable to the parameter type?
    func validateType(_ c: Cell, _ type: TemplateFunction.Parameter) throws -> Cell {
        if c.isInvalid {
            switch type {
            case .any, .list, .map: return .of(.null)
            default: throw fail("invalid value; expected \(Builtins.goName(type))")
            }
        }
        // Most parameters take anything: decided before the switch below, which copies the
        // value into a tuple (a retain and release per argument).
        if type == .any { return c }
        let ok: Bool
        switch (type, c.v) {
        case (.string, .string), (.int, .int), (.int64, .int64), (.float64, .float64), (.bool, .bool),
             (.list, .list), (.map, .map): ok = true
        // A named map/slice type (Helm's `common.Values`) is assignable to the unnamed one.
        case (.map, .object(let o)):
            if !(o is StringMap), let u = o.underlying, case .map = u { return .of(u) }
            ok = false
        case (.list, .object(let o)):
            if !(o is TypedList), let u = o.underlying, case .list = u { return .of(u) }
            ok = false
        default: ok = false
        }
        if ok { return c.unwrapped }
        throw fail("wrong type for value; expected \(Builtins.goName(type)); got \(c.v.isNull ? c.staticTypeName : c.v.goTypeName)")
    }
}
