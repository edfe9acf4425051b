/// Walks parse trees with Go's execution semantics.
///
/// A value in flight is a `Cell`: the dynamic value plus whether its static Go type is
/// `interface{}` (values read out of maps and lists are; pipeline results are unwrapped to
/// their dynamic type). The distinction decides Go's behaviour on nil: a field of a nil
/// `interface{}` is `nil pointer evaluating interface {}.x`, a field of an unwrapped nil
/// ("no value") is silently no value again, and `upper` of a nil `interface{}` reports
/// `got interface {}`.
struct Cell {
    var v: TemplateValue
    var iface: Bool
    static let invalid = Cell(v: .null, iface: false)
    static func of(_ v: TemplateValue) -> Cell { Cell(v: v, iface: false) }
    static func element(_ v: TemplateValue) -> Cell { Cell(v: v, iface: true) }
    var isInvalid: Bool { !iface && v.isNull }
    /// After a pipeline command: drop the `interface{}` static type.
    var unwrapped: Cell { Cell(v: v, iface: false) }
    var staticTypeName: String { iface ? "interface {}" : v.goTypeName }
}

/// A variable in scope. A struct rather than a tuple: arrays of it are created and destroyed
/// by specialized code, where a tuple's elements went through the generic tuple witnesses.
struct Variable {
    var name: String
    var value: Cell
}

/// An execution error raised deep inside the walk; carries the finished `TemplateError`.
struct ExecFailure: Error { var error: TemplateError }

/// An `include`/`tpl` failure on its way to the calling action: the text Go appends after
/// `error calling NAME: `, and what Helm's formatting needs to know about the inner error.
struct NestedFailure: Error {
    var message: String
    var inner: TemplateError?
    var keepsGoText: Bool
    var userMessage: String?
}

/// Template lookup with `tpl`'s private definitions layered over the set's.
final class Scope: Sendable {
    let templates: [String: ParsedTemplate]
    let parent: Scope?
    init(templates: [String: ParsedTemplate], parent: Scope?) { self.templates = templates; self.parent = parent }
    func lookup(_ name: String) -> ParsedTemplate? {
        var s: Scope? = self
        while let cur = s {
            if let t = cur.templates[name] { return t }
            s = cur.parent
        }
        return nil
    }
}

/// What one render knows about an `include`d name (owned by one `Executor`).
/// Used by that executor's thread only, never with overlapping accesses (see `Executor`).
final class IncludeSlot {
    @exclusivity(unchecked) var count = 0
    /// The set's template of that name (`.some(nil)`: none), once looked up.
    @exclusivity(unchecked) var baseTemplate: ParsedTemplate??
}

/// Mutable state of one render (not shared across tasks).
///
/// The state the walk touches on every node is `@exclusivity(unchecked)`: one thread owns
/// an executor and no access to these properties overlaps another (nothing holds an `inout`
/// to one while calling back into the walk), so the run-time exclusivity bookkeeping on each
/// access would only cost time.
final class Executor {
    enum Flow { case normal, breakLoop, continueLoop }

    let templateSet: TemplateSet
    @exclusivity(unchecked) var scope: Scope
    var options: TemplateOptions { templateSet.options }
    @exclusivity(unchecked) var out: [UInt8] = []
    /// Emptied output buffers of finished `include`s, kept for the next ones: an include's
    /// text is copied out into its `String`, so its buffer is reused rather than grown from
    /// empty again.
    @exclusivity(unchecked) var spareBuffers: [[UInt8]] = []
    /// Emptied argument arrays of finished function calls, kept for the next ones: a call
    /// hands its arguments over in an array, which most functions do not keep.
    @exclusivity(unchecked) var spareArguments: [[TemplateValue]] = []
    /// Variables in scope, innermost last; a template call's own start at `varBase` (one
    /// stack for the whole render, so calls do not allocate a fresh one).
    @exclusivity(unchecked) var vars: [Variable] = []
    @exclusivity(unchecked) var varBase = 0
    @exclusivity(unchecked) var depth = 0
    @exclusivity(unchecked) var steps = 0
    /// Per `include`d name: how deep it is nested now, and its template in the set's own
    /// scope (looked up once per render). One hash per `include` call instead of four.
    @exclusivity(unchecked) var includeSlots: [String: IncludeSlot] = [:]
    @exclusivity(unchecked) var tplCache: [String: [ParsedTemplate]] = [:]
    /// The template being executed and the source its nodes point into.
    @exclusivity(unchecked) var current: ParsedTemplate
    /// Error context: position and text of the node being evaluated.
    @exclusivity(unchecked) var atPos = 0
    @exclusivity(unchecked) var atContext = ErrorContext.none
    /// The executor-bound builtins, made on first use.
    lazy var includeFunction = Builtins.includeFunction(self)
    lazy var tplFunction = Builtins.tplFunction(self)

    init(set: TemplateSet, template: ParsedTemplate) {
        self.templateSet = set
        self.scope = Scope(templates: set.templates, parent: nil)
        self.current = template
    }

    static func run(set: TemplateSet, name: String, data: TemplateValue) throws(TemplateError) -> String {
        guard let template = set.templates[name] else {
            throw TemplateError(kind: .undefinedTemplate, file: "", line: 0, message: "no template \(GoFormat.quote(name)) associated with template \(GoFormat.quote(name))")
        }
        do {
            // The whole execution, and the release of every value it built, happens on a big
            // stack: templates can build values nested arbitrarily deep (`$d = list $d` in a
            // loop), and printing, encoding or freeing them recurses that deep.
            return try LargeStack.run {
                let ex = Executor(set: set, template: template)
                return try ex.execute(template, data: .of(data))
            }
        } catch let f as ExecFailure {
            throw f.error
        } catch {
            throw TemplateError(kind: .execution, file: name, line: 0, message: "\(error)")
        }
    }

    /// Executes `template` with `data` into a fresh buffer and returns its text.
    func execute(_ template: ParsedTemplate, data: Cell) throws -> String {
        let savedOut = out, savedCount = vars.count, savedBase = varBase, savedCurrent = current
        out = spareBuffers.popLast() ?? []
        vars.append(Variable(name: "$", value: data))
        varBase = savedCount
        current = template
        defer {
            var used = out
            out = savedOut
            popVariables(to: savedCount); varBase = savedBase; current = savedCurrent
            if spareBuffers.count < 16 && used.capacity <= 1 << 20 {
                used.removeAll(keepingCapacity: true)
                spareBuffers.append(used)
            }
        }
        _ = try walk(data, template.root)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Errors

    /// The node an error would be reported at; its text is only built when one is.
    enum ErrorContext {
        case none
        case text(String)
        case arg(ArgNode)
        case command(CommandNode)
        case node(Node)
        case pipe(PipeNode)

        var text: String {
            switch self {
            case .none: return ""
            case .text(let s): return s
            case .arg(let a): return a.text
            case .command(let c): return c.text
            case .node(let n): return n.text
            case .pipe(let p): return p.text
            }
        }
    }

    func at(_ pos: Int, _ context: ErrorContext) { atPos = pos; atContext = context }
    var atText: String { atContext.text }

    func fail(_ message: String, kind: TemplateError.Kind = .execution) -> ExecFailure {
        let (line, column) = current.source.location(atPos)
        return ExecFailure(error: TemplateError(kind: kind, file: current.source.name, line: line, column: column,
                                                executing: current.name, context: atText, message: message))
    }

    func step() throws {
        steps += 1
        if steps > options.maxSteps { throw fail("exceeded maximum of \(options.maxSteps) execution steps", kind: .limit) }
    }

    func write(bytes: ArraySlice<UInt8>) throws {
        out.append(contentsOf: bytes)
        if out.count > options.maxOutputBytes {
            throw fail("output exceeds \(options.maxOutputBytes) bytes", kind: .limit)
        }
    }

    func write(_ s: String) throws {
        out.append(contentsOf: s.utf8)
        if out.count > options.maxOutputBytes {
            throw fail("output exceeds \(options.maxOutputBytes) bytes", kind: .limit)
        }
    }

    // MARK: - Walk

    func walk(_ dot: Cell, _ nodes: [Node]) throws -> Flow {
        for node in nodes {
            let flow = try walk(dot, node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    func walk(_ dot: Cell, _ node: Node) throws -> Flow {
        switch node {
        case .text(let s):
            try write(bytes: s)
        case .action(_, let pipe):
            try step()
            let val = try evalPipeline(dot, pipe)
            if pipe.decl.isEmpty { try printValue(val, pipe) }
        case .ifNode(let b):
            return try walkIfOrWith(dot, b, isWith: false)
        case .withNode(let b):
            return try walkIfOrWith(dot, b, isWith: true)
        case .rangeNode(let b):
            try walkRange(dot, b)
        case .template(let pos, let name, let pipe):
            at(pos, .node(node))
            guard let tmpl = scope.lookup(name) else { throw fail("template \(GoFormat.quote(name)) not defined") }
            guard depth < options.maxIncludeDepth else {
                throw fail("exceeded maximum template depth (\(options.maxIncludeDepth))", kind: .limit)
            }
            let newDot = pipe == nil ? Cell.invalid : try evalPipeline(dot, pipe!)
            depth += 1
            let savedCount = vars.count, savedBase = varBase, savedCurrent = current
            vars.append(Variable(name: "$", value: newDot))
            varBase = savedCount
            current = tmpl
            defer { depth -= 1; popVariables(to: savedCount); varBase = savedBase; current = savedCurrent }
            _ = try walk(newDot, tmpl.root)
        case .breakNode: return .breakLoop
        case .continueNode: return .continueLoop
        }
        return .normal
    }

    func printValue(_ val: Cell, _ pipe: PipeNode) throws {
        switch val.v {
        case .null: try write("<no value>")
        // Strings print as themselves: written straight out, not copied into a print buffer.
        case .string(let s): try write(s)
        default: try write(GoFormat.print(val.v))
        }
    }

    func walkIfOrWith(_ dot: Cell, _ b: Branch, isWith: Bool) throws -> Flow {
        let mark = vars.count
        defer { popVariables(to: mark) }
        let val = try evalPipeline(dot, b.pipe)
        if val.v.isTruthy {
            return try walk(isWith ? val : dot, b.list)
        } else if let elseList = b.elseList {
            return try walk(dot, elseList)
        }
        return .normal
    }

    func walkRange(_ dot: Cell, _ b: Branch) throws {
        let mark = vars.count
        defer { popVariables(to: mark) }
        let val = try evalPipeline(dot, b.pipe)
        let decl = b.pipe.decl
        func iteration(_ index: Cell, _ elem: Cell) throws -> Flow {
            try step()
            if !decl.isEmpty {
                if b.pipe.isAssign {
                    try setVar(decl[0], decl.count > 1 ? index : elem)
                } else {
                    vars[vars.count - 1].value = elem
                }
            }
            if decl.count > 1 {
                if b.pipe.isAssign { try setVar(decl[1], elem) } else { vars[vars.count - 2].value = index }
            }
            let inner = vars.count
            defer { popVariables(to: inner) }
            return try walk(elem, b.list)
        }
        var subject = val.v
        if case .object(let o) = subject, let u = o.underlying { subject = u }
        var ran = false
        switch subject {
        case .list(let l):
            for (i, e) in l.enumerated() {
                ran = true
                if try iteration(.of(.int(i)), .element(e)) == .breakLoop { break }
            }
        case .bytes(let bytes):
            for (i, e) in bytes.enumerated() {
                ran = true
                if try iteration(.of(.int(i)), .of(.int(Int(e)))) == .breakLoop { break }
            }
        case .map(let m):
            for k in m.sortedKeys {
                ran = true
                if try iteration(.of(.string(k)), .element(m[k]!)) == .breakLoop { break }
            }
        case .int(let n):
            try rangeInt(Int64(n), isInt64: false, b: b, val: val, ran: &ran, iteration)
        case .int64(let n):
            try rangeInt(n, isInt64: true, b: b, val: val, ran: &ran, iteration)
        case .null:
            break
        default:
            throw fail("range can't iterate over \(GoFormat.print(val.v))")
        }
        if !ran, let elseList = b.elseList {
            _ = try walk(dot, elseList)
        }
    }

    func rangeInt(_ n: Int64, isInt64: Bool, b: Branch, val: Cell, ran: inout Bool, _ iteration: (Cell, Cell) throws -> Flow) throws {
        if b.pipe.decl.count > 1 {
            throw fail("can't use \(GoFormat.print(val.v)) to iterate over more than one variable")
        }
        var i: Int64 = 0
        while i < n {
            ran = true
            let c = Cell.of(isInt64 ? .int64(i) : .int(Int(i)))
            if try iteration(c, c) == .breakLoop { break }
            i += 1
        }
    }

    // MARK: - Variables

    /// Drops the variables declared since `mark` (usually none: nothing to destroy then).
    @inline(__always) func popVariables(to mark: Int) {
        if vars.count > mark { vars.removeSubrange(mark...) }
    }

    func setVar(_ name: String, _ value: Cell) throws {
        for i in stride(from: vars.count - 1, through: varBase, by: -1) where vars[i].name == name {
            vars[i].value = value
            return
        }
        throw fail("undefined variable: \(name)")
    }

    func varValue(_ name: String) throws -> Cell {
        for i in stride(from: vars.count - 1, through: varBase, by: -1) where vars[i].name == name {
            return vars[i].value
        }
        throw fail("undefined variable: \(name)")
    }

    // MARK: - Pipelines and commands

    func evalPipeline(_ dot: Cell, _ pipe: PipeNode) throws -> Cell {
        at(pipe.pos, .pipe(pipe))
        var value = try evalCommand(dot, pipe.first, final: nil).unwrapped
        for cmd in pipe.rest {
            value = try evalCommand(dot, cmd, final: value).unwrapped
        }
        for name in pipe.decl {
            if pipe.isAssign { try setVar(name, value) } else { vars.append(Variable(name: name, value: value)) }
        }
        return value
    }

    func evalCommand(_ dot: Cell, _ cmd: CommandNode, final: Cell?) throws -> Cell {
        let first = cmd.head
        switch first {
        case .field(let pos, let names):
            at(pos, .arg(first))
            return try evalFieldChain(dot, dot, names[...], cmd, nodePos: pos, nodeArg: first, final: final)
        case .chain(let pos, let base, let fields):
            at(pos, .arg(first))
            if case .nilLiteral = base { throw fail("indirection through explicit nil in \(first.text)") }
            let receiver = try evalArg(dot, .any, base, untyped: true)
            return try evalFieldChain(dot, receiver, fields[...], cmd, nodePos: pos, nodeArg: first, final: final)
        case .identifier(let pos, let name, let ref):
            return try evalFunction(dot, name, ref: ref, pos: pos, cmd, final: final)
        case .pipe(let p):
            try notAFunction(cmd, final)
            return try evalPipeline(dot, p)
        case .variable(let pos, let names):
            at(pos, .arg(first))
            let v = try varValue(names[0])
            if names.count == 1 {
                try notAFunction(cmd, final)
                return v
            }
            return try evalFieldChain(dot, v, names.dropFirst(), cmd, nodePos: pos, nodeArg: first, final: final)
        default: break
        }
        at(first.pos, .arg(first))
        try notAFunction(cmd, final)
        switch first {
        case .bool(_, let b): return .of(.bool(b))
        case .dot: return dot
        case .nilLiteral: throw fail("nil is not a command")
        case .number(_, let n): return .of(try idealConstant(n))
        case .string(_, _, let s): return .of(.string(s))
        default: throw fail("can't evaluate command \(GoFormat.quote(first.text))")
        }
    }

    func notAFunction(_ cmd: CommandNode, _ final: Cell?) throws {
        if cmd.args.count > 1 || final != nil {
            throw fail("can't give argument to non-function \(cmd.head.text)")
        }
    }

    func idealConstant(_ n: NumberLiteral) throws -> TemplateValue {
        let lower = n.text.lowercased()
        let isHex = lower.hasPrefix("0x") || lower.hasPrefix("-0x") || lower.hasPrefix("+0x")
        if n.isFloat && !isHex && !n.isChar && n.text.contains(where: { ".eEpP".contains($0) }) {
            return .float64(n.float)
        }
        if n.isInt {
            guard let i = Int(exactly: n.int) else { throw fail("\(n.text) overflows int") }
            return .int(i)
        }
        if n.isFloat { return .float64(n.float) }
        throw fail("bad number: \(n.text)")
    }

    // MARK: - Fields

    /// `nodeArg` (at `nodePos`) is the field/variable/chain node the chain belongs to: Go
    /// reports a failing method call there. It is passed as is and wrapped into an error
    /// context only for a method call, so plain field reads copy nothing extra.
    func evalFieldChain(_ dot: Cell, _ receiver: Cell, _ names: ArraySlice<String>, _ cmd: CommandNode?,
                        nodePos: Int, nodeArg: ArgNode, final: Cell?) throws -> Cell {
        var r = receiver
        var i = names.startIndex
        while i < names.endIndex - 1 {
            r = try evalField(dot, names[i], r, cmd: nil, nodePos: nodePos, nodeArg: nodeArg, final: nil)
            i += 1
        }
        return try evalField(dot, names[names.endIndex - 1], r, cmd: cmd, nodePos: nodePos, nodeArg: nodeArg, final: final)
    }

    /// One `.Name` step on `receiver`. `cmd` is the command whose remaining arguments go to a
    /// method (only for the last step).
    func evalField(_ dot: Cell, _ name: String, _ receiver: Cell, cmd: CommandNode?,
                   nodePos: Int, nodeArg: ArgNode, final: Cell?) throws -> Cell {
        if receiver.isInvalid {
            if options.missingKey == .error { throw fail("nil data; no entry for key \(GoFormat.quote(name))") }
            return .invalid
        }
        let hasArgs = (cmd.map { $0.args.count > 1 } ?? false) || final != nil
        switch receiver.v {
        case .null:
            throw fail("nil pointer evaluating \(receiver.staticTypeName).\(name)")
        case .map(let m):
            if hasArgs { throw fail("\(name) is not a method but has arguments") }
            if let v = m[name] { return .element(v) }
            switch options.missingKey {
            case .invalid: return .invalid
            case .zero: return .element(.null)
            case .error: throw fail("map has no entry for key \(GoFormat.quote(name))")
            }
        case .object(let o):
            switch o.member(name) {
            case .field(let v)?:
                if hasArgs { throw fail("\(name) has arguments but cannot be invoked as function") }
                return .of(v)
            case .method(let f)?:
                let args = cmd?.rest ?? []
                return try evalCall(dot, f, name: name, args: args, final: final, cmd: .arg(nodeArg), cmdPos: nodePos)
            case nil:
                if case .map(let m)? = o.underlying {
                    if hasArgs { throw fail("\(name) is not a method but has arguments") }
                    if let v = m[name] { return .element(v) }
                    if options.missingKey == .error { throw fail("map has no entry for key \(GoFormat.quote(name))") }
                    return options.missingKey == .zero ? .element(.null) : .invalid
                }
                throw fail("can't evaluate field \(name) in type \(o.goTypeName)")
            }
        default:
            throw fail("can't evaluate field \(name) in type \(receiver.staticTypeName)")
        }
    }
}

