/// The parse tree. Nodes are immutable values; positions are byte offsets into the source of
/// the file they were parsed from (`SourceText`), turned into line:column only for errors.

/// The source of one `add`ed file, shared by every template parsed from it.
final class SourceText: Sendable {
    let name: String
    let bytes: [UInt8]
    init(name: String, text: String) { self.name = name; self.bytes = Array(text.utf8) }

    /// 1-based line and Go's column (byte offset within the line) of `pos`.
    func location(_ pos: Int) -> (line: Int, column: Int) {
        var line = 1
        var lastNewline = -1
        let end = min(pos, bytes.count)
        for i in 0..<end where bytes[i] == 0x0A { line += 1; lastNewline = i }
        return (line, pos - lastNewline - 1)
    }
}

/// One named template: a file, or a `define`/`block` body.
struct ParsedTemplate: Sendable {
    var name: String
    var source: SourceText
    var root: [Node]
    var isEmptyTree: Bool { root.allSatisfy(\.isEmpty) }
}

struct NumberLiteral: Sendable, Equatable {
    var text: String
    var isInt = false
    var isFloat = false
    var int: Int64 = 0
    var float: Double = 0
    var isChar = false
}

/// A value, not an object: a pipeline costs no allocation of its own. Its first command is
/// stored inline and only further ones (`| f`) in an array, so the common one-command
/// pipeline allocates no command array (an empty array is a shared constant).
struct PipeNode: Sendable {
    let pos: Int
    let isAssign: Bool
    let decl: [String]
    let first: CommandNode
    let rest: [CommandNode]
    init(pos: Int, isAssign: Bool, decl: [String], first: CommandNode, rest: [CommandNode]) {
        self.pos = pos; self.isAssign = isAssign; self.decl = decl; self.first = first; self.rest = rest
    }

    /// Every command in order (built on demand: for error texts and tests).
    var commands: [CommandNode] { [first] + rest }

    /// Go's `PipeNode.String()`.
    var text: String {
        var s = ""
        if !decl.isEmpty { s = decl.joined(separator: ", ") + (isAssign ? " = " : " := ") }
        return s + commands.map(\.text).joined(separator: " | ")
    }
}

struct CommandNode: Sendable {
    var pos: Int
    /// The function (or operand) and its arguments: a slice of one array holding the
    /// arguments of every command of the pipeline, so a command allocates no array of its own.
    var args: ArraySlice<ArgNode>
    /// The function name or operand (never missing: the parser rejects empty commands).
    var head: ArgNode { args[args.startIndex] }
    /// `args` without the function name: the call's arguments.
    var rest: ArraySlice<ArgNode> { args.dropFirst() }

    init(pos: Int, args: ArraySlice<ArgNode>) {
        self.pos = pos
        self.args = args
    }
    var text: String {
        args.map { arg in
            if case .pipe(let p) = arg { return "(" + p.text + ")" }
            return arg.text
        }.joined(separator: " ")
    }
}

/// Stored inline (only `chain` and `pipe` are boxed): no allocation per argument node. A
/// parenthesized pipeline is boxed because a pipeline is the largest payload by far: inline
/// it made every argument node (and every array of them) take 80 bytes instead of 56.
enum ArgNode: Sendable {
    /// `.A.B` → ["A","B"]
    case field(pos: Int, names: [String])
    /// `$x.A` → ["$x","A"]
    case variable(pos: Int, names: [String])
    /// A function name, with what the parser resolved it to.
    case identifier(pos: Int, name: String, ref: FunctionRef)
    /// `(pipe).A.B` and similar.
    indirect case chain(pos: Int, base: ArgNode, fields: [String])
    indirect case pipe(PipeNode)
    case dot(pos: Int)
    case nilLiteral(pos: Int)
    case bool(pos: Int, Bool)
    case number(pos: Int, NumberLiteral)
    case string(pos: Int, quote: LiteralQuote, value: String)

    var pos: Int {
        switch self {
        case .field(let p, _), .variable(let p, _), .identifier(let p, _, _), .chain(let p, _, _),
             .dot(let p), .nilLiteral(let p), .bool(let p, _), .number(let p, _), .string(let p, _, _):
            return p
        case .pipe(let pipe): return pipe.pos
        }
    }

    var text: String {
        switch self {
        case .field(_, let names): return names.map { "." + $0 }.joined()
        case .variable(_, let names): return names[0] + names.dropFirst().map { "." + $0 }.joined()
        case .identifier(_, let name, _): return name
        case .chain(_, let base, let fields):
            let b: String
            if case .pipe(let p) = base { b = "(" + p.text + ")" } else { b = base.text }
            return b + fields.map { "." + $0 }.joined()
        case .pipe(let p): return p.text
        case .dot: return "."
        case .nilLiteral: return "nil"
        case .bool(_, let b): return b ? "true" : "false"
        case .number(_, let n): return n.text
        case .string(_, let quote, let value):
            switch quote {
            case .double: return "\"" + value + "\""
            case .backquote: return "`" + value + "`"
            case .written(let text): return text
            }
        }
    }
}

/// How a string literal was written, for error messages (Go prints literals as written). A
/// literal with no escapes is its value between two quotes, so only the others keep their text.
enum LiteralQuote: Sendable {
    case double
    case backquote
    case written(String)
}

struct Branch: Sendable {
    var pos: Int
    var pipe: PipeNode
    var list: [Node]
    var elseList: [Node]?
}

/// Text and action nodes (most of a tree) are stored inline: each holds one reference, so a
/// copy costs one retain either way, and inline they need no box allocated and freed per
/// parse. The others are boxed (`indirect`): walking copies them with one retain instead of
/// one per field.
enum Node: Sendable {
    /// Literal text: a slice of the source's bytes, written to the output as is.
    case text(ArraySlice<UInt8>)
    case action(pos: Int, PipeNode)
    indirect case ifNode(Branch)
    indirect case rangeNode(Branch)
    indirect case withNode(Branch)
    indirect case template(pos: Int, name: String, pipe: PipeNode?)
    case breakNode(pos: Int)
    case continueNode(pos: Int)

    /// Whitespace-only text counts as empty (Go's `IsEmptyTree`).
    var isEmpty: Bool {
        if case .text(let s) = self { return s.allSatisfy { Lexer.isSpace($0) } }
        return false
    }

    /// Go's `String()` of the node, used as error context.
    var text: String {
        switch self {
        case .text(let s): return GoFormat.quote(String(decoding: s, as: UTF8.self))
        case .action(_, let p): return "{{" + p.text + "}}"
        case .ifNode(let b): return "{{if " + b.pipe.text + "}}"
        case .rangeNode(let b): return "{{range " + b.pipe.text + "}}"
        case .withNode(let b): return "{{with " + b.pipe.text + "}}"
        case .template(_, let name, let pipe):
            if let pipe { return "{{template \(GoFormat.quote(name)) \(pipe.text)}}" }
            return "{{template \(GoFormat.quote(name))}}"
        case .breakNode: return "{{break}}"
        case .continueNode: return "{{continue}}"
        }
    }
}
