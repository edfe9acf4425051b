/// Builds parse trees from tokens, following Go's `text/template/parse` grammar and its error
/// messages (`unexpected "}" in operand`, `missing value for if`, `function "x" not defined`,
/// `undefined variable "$x"`, …). One `add` yields the file's tree plus one tree per
/// `define`/`block`.
struct Parser {
    struct Failure: Error { var pos: Int; var line: Int; var message: String }

    let source: SourceText
    let tokens: [Token]
    /// The message of the lexer's `.error` token.
    let lexMessage: String
    let functions: FunctionTable
    let maxDepth: Int
    var index = 0
    var vars: [String] = ["$"]
    var rangeDepth = 0
    var depth = 0
    var defined: [ParsedTemplate] = []
    /// Line of the `{{` of the action being parsed (0 outside actions), for lexer errors.
    var actionLine = 0
    /// Stack address below which parsing stops and restarts on a big stack.
    var stackFloor: UInt = LargeStack.stackFloor

    /// Thrown when nesting gets too deep for the current thread's stack; parsing is pure, so
    /// `parseOnRoomyStack` simply starts again on a big stack.
    struct NeedsBigStack: Error {}

    static func parse(name: String, source: String, functions: FunctionTable,
                      options: TemplateOptions) throws(TemplateError) -> [ParsedTemplate] {
        let text = SourceText(name: name, text: source)
        let lexed = Lexer.tokenize(text.bytes)
        var parser = Parser(source: text, tokens: lexed.tokens, lexMessage: lexed.errorMessage, functions: functions,
                            maxDepth: options.maxParseDepth)
        do {
            let root = try parser.parseTop()
            var trees = [ParsedTemplate(name: name, source: text, root: root)]
            // Within one source, a name defined twice with non-empty bodies is an error.
            var seen = [String: Int](minimumCapacity: parser.defined.count + 1)
            seen[name] = 0
            for tree in parser.defined {
                if let i = seen[tree.name] {
                    if trees[i].isEmptyTree { trees[i] = tree; continue }
                    if tree.isEmptyTree { continue }
                    throw Failure(pos: 0, line: 1, message: "template: multiple definition of template \(GoFormat.quote(tree.name))")
                }
                seen[tree.name] = trees.count
                trees.append(tree)
            }
            return trees
        } catch let f as Failure {
            throw TemplateError(kind: .parse, file: name, line: f.line, message: f.message)
        } catch is NeedsBigStack {
            throw TemplateError(kind: .parse, file: name, line: 0, message: Parser.needsBigStackMessage)
        } catch {
            throw TemplateError(kind: .parse, file: name, line: 1, message: "\(error)")
        }
    }

    static let needsBigStackMessage = "\u{0}needs a big stack"

    /// `parse` on the caller's stack; when nesting gets deeper than that stack allows, again
    /// on a big stack, so that `maxParseDepth`, not the thread, decides.
    static func parseOnRoomyStack(name: String, source: String, functions: FunctionTable,
                                  options: TemplateOptions) throws(TemplateError) -> [ParsedTemplate] {
        do {
            return try parse(name: name, source: source, functions: functions, options: options)
        } catch where error.message != needsBigStackMessage {
            throw error
        } catch {}
        let result: Result<[ParsedTemplate], TemplateError> = (try? LargeStack.run {
            do throws(TemplateError) {
                return .success(try parse(name: name, source: source, functions: functions, options: options))
            } catch { return .failure(error) }
        }) ?? .failure(TemplateError(kind: .parse, file: name, line: 0, message: "internal error"))
        return try result.get()
    }

    // MARK: - Token access

    /// The token's text, read from the source: the word, literal or punctuation as written
    /// (a field without its leading dot); the message for `.error`; empty for `.text`/`.eof`.
    func value(_ t: Token) -> String {
        switch t.kind {
        case .error: return lexMessage
        case .text, .eof: return ""
        case .leftDelim: return "{{"
        case .rightDelim: return "}}"
        case .field: return text(t.pos + 1, t.end)
        default: return text(t.pos, t.end)
        }
    }

    /// `source.bytes[a..<b]` as a string (empty when out of range).
    func text(_ a: Int, _ b: Int) -> String {
        let bytes = source.bytes
        guard a >= 0, a <= b, b <= bytes.count else { return "" }
        return String(decoding: bytes[a..<b], as: UTF8.self)
    }

    /// How Go's parser quotes a token in "unexpected X in Y".
    func described(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "EOF"
        case .error: return lexMessage
        case .keyword: return "<\(value(t))>"
        default:
            let v = t.kind == .field ? "." + value(t) : value(t)
            if v.count > 10 { return GoFormat.quote(String(v.prefix(10))) + "..." }
            return GoFormat.quote(v)
        }
    }

    var peek: Token { tokens[min(index, tokens.count - 1)] }
    var peekKind: Token.Kind { tokens[min(index, tokens.count - 1)].kind }
    mutating func next() -> Token {
        let t = peek
        if index < tokens.count { index += 1 }
        return t
    }
    mutating func nextNonSpace() -> Token {
        // Skip spaces by kind without copying their tokens.
        while index < tokens.count - 1 && tokens[index].kind == .space { index += 1 }
        return next()
    }
    mutating func peekNonSpace() -> Token {
        let save = index
        let t = nextNonSpace()
        index = save
        return t
    }

    func fail(_ message: String, _ token: Token) -> Failure {
        Failure(pos: token.pos, line: token.line, message: message)
    }
    /// A lexer error, with Go's note on where a multi-line action started.
    func lexError(_ token: Token) -> Failure {
        var extra = ""
        if actionLine != 0 && actionLine != token.line {
            extra = " in action started at \(source.name):\(actionLine)"
            if lexMessage.hasSuffix(" action") { extra = String(extra.dropFirst(" in action".count)) }
        }
        return fail(lexMessage + extra, token)
    }

    func unexpected(_ token: Token, _ context: String) -> Failure {
        if token.kind == .error { return lexError(token) }
        return fail("unexpected \(described(token)) in \(context)", token)
    }
    mutating func expect(_ kind: Token.Kind, _ context: String) throws -> Token {
        let t = nextNonSpace()
        guard t.kind == kind else { throw unexpected(t, context) }
        return t
    }

    // MARK: - Structure

    mutating func parseTop() throws -> [Node] {
        var list: [Node] = []
        list.reserveCapacity(8)
        while true {
            let t = peek
            switch t.kind {
            case .eof: return list
            case .error: throw lexError(t)
            case .leftDelim:
                let save = index
                _ = next()
                let k = nextNonSpace()
                if k.keyword == .define {
                    try parseDefinition()
                    continue
                }
                index = save
            default: break
            }
            let (node, end) = try textOrAction()
            if let end { throw fail("unexpected \(end.hasPrefix("{{else}}") ? "{{else}}" : end)", t) }
            if let node { list.append(node) }
        }
    }

    /// `{{define "name"}} … {{end}}` (the `define` keyword already consumed).
    mutating func parseDefinition() throws {
        let nameToken = nextNonSpace()
        let name = try templateName(nameToken, "define clause")
        _ = try expect(.rightDelim, "define clause")
        let savedVars = vars
        vars = ["$"]
        let (list, end) = try itemList()
        vars = savedVars
        guard end == "{{end}}" else { throw fail("unexpected {{else}} in define clause", peek) }
        defined.append(ParsedTemplate(name: name, source: source, root: list))
    }

    /// Items until `{{end}}` or `{{else …}}`; returns which one ended the list.
    mutating func itemList() throws -> ([Node], String) {
        // Room for a typical body (text, action, text, …) in the first allocation rather
        // than regrowing at one, two and four items.
        var list: [Node] = []
        list.reserveCapacity(4)
        while true {
            let t = peek
            if t.kind == .eof { throw fail("unexpected EOF", t) }
            let (node, end) = try textOrAction()
            if let end { return (list, end) }
            if let node { list.append(node) }
        }
    }

    /// One text or action. Returns `end` = "{{end}}" or "{{else}}" when it met one.
    mutating func textOrAction() throws -> (Node?, String?) {
        let t = next()
        switch t.kind {
        case .text: return (.text(source.bytes[t.pos..<t.end]), nil)
        case .leftDelim:
            depth += 1
            actionLine = t.line
            defer { depth -= 1; actionLine = 0 }
            guard depth <= maxDepth else { throw fail("template nesting too deep", t) }
            if LargeStack.stackAddress <= stackFloor { throw NeedsBigStack() }
            return try action()
        case .error: throw lexError(t)
        default: throw unexpected(t, "input")
        }
    }

    mutating func action() throws -> (Node?, String?) {
        let t = peekNonSpace()
        if t.kind == .keyword {
            _ = nextNonSpace()
            switch t.keyword {
            case .block: return (try blockControl(t), nil)
            case .breakKeyword, .continueKeyword:
                guard rangeDepth > 0 else { throw fail("{{\(value(t))}} outside {{range}}", t) }
                let close = nextNonSpace()
                guard close.kind == .rightDelim else { throw fail("unexpected \(described(close)) in {{\(value(t))}}", close) }
                return (t.keyword == .breakKeyword ? .breakNode(pos: t.pos) : .continueNode(pos: t.pos), nil)
            case .elseKeyword:
                // `else if` / `else with` leave the keyword pending for the caller.
                let p = peekNonSpace()
                if p.keyword == .ifKeyword { return (nil, "{{else}}if") }
                if p.keyword == .with { return (nil, "{{else}}with") }
                _ = try expect(.rightDelim, "else")
                return (nil, "{{else}}")
            case .end:
                _ = try expect(.rightDelim, "end")
                return (nil, "{{end}}")
            case .ifKeyword: return (.ifNode(try control("if")), nil)
            case .range: return (.rangeNode(try control("range")), nil)
            case .with: return (.withNode(try control("with")), nil)
            case .template: return (try templateControl(), nil)
            case .define: throw fail("unexpected <define> in command", t)
            case .none: break
            }
        }
        let pipe = try pipeline("command", end: .rightDelim)
        return (.action(pos: pipe.pos, pipe), nil)
    }

    mutating func control(_ context: String) throws -> Branch {
        let savedVars = vars.count
        defer { vars.removeLast(vars.count - savedVars) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, end) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [Node]?
        switch end {
        case "{{end}}": break
        case "{{else}}":
            let (l, e) = try itemList()
            guard e == "{{end}}" else { throw fail("expected end; found {{else}}", peek) }
            elseList = l
        case "{{else}}if" where context == "if", "{{else}}with" where context == "with":
            let kw = nextNonSpace()
            let nested = try control(value(kw))
            elseList = [context == "if" ? .ifNode(nested) : .withNode(nested)]
        default:
            // `else if` inside range/with etc.: Go reports the keyword it did not expect.
            let kw = nextNonSpace()
            throw fail("unexpected <\(value(kw))> in input", kw)
        }
        return Branch(pos: pipe.pos, pipe: pipe, list: list, elseList: elseList)
    }

    func templateName(_ token: Token, _ context: String) throws -> String {
        switch token.kind {
        case .string, .rawString:
            if let s = plainLiteral(token) { return s }
            guard let s = GoFormat.unquote(value(token)) else { throw fail("invalid syntax", token) }
            return s
        default: throw unexpected(token, context)
        }
    }

    mutating func templateControl() throws -> Node {
        let nameToken = nextNonSpace()
        let name = try templateName(nameToken, "template clause")
        var pipe: PipeNode?
        if peekNonSpace().kind != .rightDelim {
            pipe = try pipeline("template clause", end: .rightDelim)
        } else {
            _ = nextNonSpace()
        }
        return .template(pos: nameToken.pos, name: name, pipe: pipe)
    }

    /// `{{block "name" pipe}} body {{end}}` = define + template.
    mutating func blockControl(_ kw: Token) throws -> Node {
        let nameToken = nextNonSpace()
        let name = try templateName(nameToken, "block clause")
        let pipe = try pipeline("block clause", end: .rightDelim)
        let savedVars = vars
        vars = ["$"]
        let (list, end) = try itemList()
        vars = savedVars
        guard end == "{{end}}" else { throw fail("unexpected {{else}} in block clause", peek) }
        defined.append(ParsedTemplate(name: name, source: source, root: list))
        return .template(pos: nameToken.pos, name: name, pipe: pipe)
    }

    // MARK: - Pipelines

    mutating func pipeline(_ context: String, end: Token.Kind) throws -> PipeNode {
        let start = peekNonSpace()
        var decl: [String] = []
        var isAssign = false
        declLoop: while true {
            let v = peekNonSpace()
            guard v.kind == .variable else { break }
            let save = index
            _ = nextNonSpace()
            let after = peekNonSpace()
            switch after.kind {
            case .assign, .declare:
                _ = nextNonSpace()
                isAssign = after.kind == .assign
                let name = value(v)
                decl.append(name)
                if !isAssign { vars.append(name) }
                else if !vars.contains(name) { throw fail("undefined variable \(GoFormat.quote(name))", v) }
                break declLoop
            case .comma:
                _ = nextNonSpace()
                let name = value(v)
                decl.append(name)
                vars.append(name)
                if context == "range" && decl.count < 2 {
                    let k = peekNonSpace().kind
                    if k == .variable || k == .rightDelim || k == .rightParen { continue declLoop }
                    throw fail("range can only initialize variables", v)
                }
                throw fail("too many declarations in \(context)", v)
            default:
                index = save
                break declLoop
            }
        }
        if context == "range" && decl.count == 2 {
            // `range $i, $v := x` — the loop above leaves after the second variable's `:=`.
        }
        // Every command's arguments go into one array; the commands are slices of it, made
        // once it is complete.
        var args: [ArgNode] = []
        args.reserveCapacity(4)
        // Where each command's arguments lie in `args`. Most pipelines have one command: its
        // span is kept in `firstSpan`, and only further ones need an array.
        var firstSpan: (pos: Int, range: Range<Int>)?
        var moreSpans: [(pos: Int, range: Range<Int>)] = []
        while true {
            let t = nextNonSpace()
            if t.kind == end {
                guard let firstSpan else { throw fail("missing value for \(context)", t) }
                let first = CommandNode(pos: firstSpan.pos, args: args[firstSpan.range])
                if moreSpans.isEmpty {
                    return PipeNode(pos: start.pos, isAssign: isAssign, decl: decl, first: first, rest: [])
                }
                for (i, span) in moreSpans.enumerated() {
                    switch args[span.range.lowerBound] {
                    case .bool, .dot, .nilLiteral, .number, .string:
                        throw fail("non executable command in pipeline stage \(i + 2)", t)
                    default: break
                    }
                }
                let rest = moreSpans.map { CommandNode(pos: $0.pos, args: args[$0.range]) }
                return PipeNode(pos: start.pos, isAssign: isAssign, decl: decl, first: first, rest: rest)
            }
            switch t.kind {
            case .bool, .char, .dot, .field, .identifier, .number, .nilLiteral, .rawString, .string, .variable, .leftParen:
                index -= 1
                let first = args.count
                let pos = try command(into: &args)
                if firstSpan == nil { firstSpan = (pos, first..<args.count) } else { moreSpans.append((pos, first..<args.count)) }
            default:
                throw unexpected(t, context)
            }
        }
    }

    /// Appends one command's operands to `args`; returns the command's position.
    mutating func command(into args: inout [ArgNode]) throws -> Int {
        let start = peekNonSpace()
        let first = args.count
        loop: while true {
            while peekKind == .space { _ = next() }
            if let operand = try operand() { args.append(operand) }
            let t = next()
            switch t.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: index -= 1
            case .pipe: break
            default: throw unexpected(t, "operand")
            }
            break
        }
        guard args.count > first else { throw fail("empty command", start) }
        return start.pos
    }

    mutating func operand() throws -> ArgNode? {
        guard let node = try term() else { return nil }
        guard peekKind == .field else { return node }
        let chainPos = peek.pos
        var fields: [String] = []
        // The token is taken first: `value(next())` would copy the whole parser for `value`
        // before `next` changes it.
        while peekKind == .field { let f = next(); fields.append(value(f)) }
        switch node {
        case .field(_, let names): return .field(pos: chainPos, names: names + fields)
        case .variable(_, let names): return .variable(pos: chainPos, names: names + fields)
        case .bool, .string, .number, .nilLiteral, .dot:
            throw Failure(pos: chainPos, line: peek.line, message: "unexpected . after term \(GoFormat.quote(node.text))")
        default: return .chain(pos: chainPos, base: node, fields: fields)
        }
    }

    mutating func term() throws -> ArgNode? {
        let t = nextNonSpace()
        switch t.kind {
        case .identifier:
            let name = value(t)
            guard let ref = functions.resolve(name) else {
                throw fail("function \(GoFormat.quote(name)) not defined", t)
            }
            return .identifier(pos: t.pos, name: name, ref: ref)
        case .dot: return .dot(pos: t.pos)
        case .nilLiteral: return .nilLiteral(pos: t.pos)
        case .variable:
            let name = value(t)
            guard vars.contains(name) else { throw fail("undefined variable \(GoFormat.quote(name))", t) }
            let (pos, names) = fieldNames(first: t)
            return .variable(pos: pos, names: names)
        case .field:
            let (pos, names) = fieldNames(first: t)
            return .field(pos: pos, names: names)
        case .bool: return .bool(pos: t.pos, t.end - t.pos == 4)  // the lexer makes only `true`/`false` bools
        case .number, .char:
            return .number(pos: t.pos, try Parser.number(t, text: value(t)))
        case .leftParen:
            depth += 1
            defer { depth -= 1 }
            guard depth <= maxDepth else { throw fail("template nesting too deep", t) }
            if LargeStack.stackAddress <= stackFloor { throw NeedsBigStack() }
            return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            if let s = plainLiteral(t) { return .string(pos: t.pos, quote: t.kind == .string ? .double : .backquote, value: s) }
            let quoted = value(t)
            guard let s = GoFormat.unquote(quoted) else { throw fail("invalid syntax", t) }
            return .string(pos: t.pos, quote: .written(quoted), value: s)
        default:
            index -= 1
            while index > 0 && tokens[index].kind == .space && tokens[index - 1].kind == .space { index -= 1 }
            return nil
        }
    }

    /// `t`'s name and the `.Name` fields right after it, in one array (not one for the term
    /// and one for the chain, joined). As in Go's `operand`, a chain is positioned at its
    /// first following field.
    mutating func fieldNames(first t: Token) -> (pos: Int, names: [String]) {
        guard peekKind == .field else { return (t.pos, [value(t)]) }
        let pos = peek.pos
        var names = [String]()
        names.reserveCapacity(4)
        names.append(value(t))
        while peekKind == .field { let f = next(); names.append(value(f)) }  // (see `operand`)
        return (pos, names)
    }

    /// The body of a quoted or raw string literal that has no escapes, quotes or carriage
    /// returns inside (most literals), sliced from the source bytes; nil for the others,
    /// which `GoFormat.unquote` decodes.
    func plainLiteral(_ t: Token) -> String? {
        let bytes = source.bytes
        guard t.end - t.pos >= 2, t.pos >= 0, t.end <= bytes.count else { return nil }
        let q = bytes[t.pos]
        guard q == 0x22 || q == 0x60, bytes[t.end - 1] == q else { return nil }
        let body = bytes[(t.pos + 1)..<(t.end - 1)]
        if body.contains(where: { $0 == 0x5C || $0 == q || $0 == 0x0D }) { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    /// The literal `text` of number or character token `t`.
    static func number(_ t: Token, text: String) throws -> NumberLiteral {
        var n = NumberLiteral(text: text)
        if t.kind == .char {
            guard let s = GoFormat.unquote(text), let scalar = s.unicodeScalars.first, s.unicodeScalars.count == 1 else {
                throw Failure(pos: t.pos, line: t.line, message: "malformed character constant: \(text)")
            }
            n.isChar = true; n.isInt = true; n.isFloat = true
            n.int = Int64(scalar.value); n.float = Double(scalar.value)
            return n
        }
        if text.hasSuffix("i") { throw Failure(pos: t.pos, line: t.line, message: "complex numbers are not supported: \(text)") }
        if let i = GoNumbers.parseInt(text) {
            n.isInt = true; n.int = i; n.isFloat = true; n.float = Double(i)
            return n
        }
        let hasFloatMarks = text.contains { ".eEpP".contains($0) } && !(text.lowercased().hasPrefix("0x") && !text.lowercased().contains("p"))
        if let f = GoNumbers.parseFloat(text) {
            guard hasFloatMarks else { throw Failure(pos: t.pos, line: t.line, message: "integer overflow: \(GoFormat.quote(text))") }
            n.isFloat = true; n.float = f
            if f.rounded() == f, abs(f) < 9.2e18 { n.isInt = true; n.int = Int64(f) }
            return n
        }
        throw Failure(pos: t.pos, line: t.line, message: "illegal number syntax: \(GoFormat.quote(text))")
    }
}

enum GoNumbers {
    /// `strconv.ParseInt(s, 0, 64)`: sign, 0x/0o/0b/0 prefixes, underscores.
    static func parseInt(_ text: String) -> Int64? {
        // Fast path (most literals): plain decimal digits, no leading zero, too short to
        // overflow; the same result as the general route below.
        let utf8 = text.utf8
        if !utf8.isEmpty, utf8.count <= 18, utf8.first != UInt8(ascii: "0") || utf8.count == 1 {
            var n: Int64 = 0
            var plain = true
            for c in utf8 {
                guard c >= 0x30 && c <= 0x39 else { plain = false; break }
                n = n * 10 + Int64(c - 0x30)
            }
            if plain { return n }
        }
        var s = Substring(text)
        var negative = false
        if s.hasPrefix("+") { s = s.dropFirst() } else if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
        var radix = 10
        let lower = s.lowercased()
        if lower.hasPrefix("0x") { radix = 16; s = s.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; s = s.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; s = s.dropFirst(2) }
        else if s.count > 1 && s.hasPrefix("0") { radix = 8; s = s.dropFirst() }
        let digits = s.filter { $0 != "_" }
        if s.hasPrefix("_") || s.hasSuffix("_") || s.contains("__") { return nil }
        guard !digits.isEmpty, let magnitude = UInt64(digits, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    static func parseFloat(_ text: String) -> Double? {
        let cleaned = text.filter { $0 != "_" }
        if let d = Double(cleaned) { return d }
        return nil
    }
}
