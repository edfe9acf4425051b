/// The string form of label selectors (`kubectl get -l`, `?labelSelector=`), parsed with the
/// grammar and error messages of Kubernetes' `labels.Parse`:
///
///     selector    ::= requirement ("," requirement)*
///     requirement ::= ["!"] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
///
/// A bare `KEY` means "exists", `!KEY` "does not exist"; `in`/`notin` are keywords only where an
/// operator is expected, so `x in (in)` works. Whitespace separates tokens; values of a set are
/// sorted and de-duplicated; the result is sorted by key.
extension LabelSelector {
    /// Parses a selector string. The empty string is ``everything``.
    public static func parse(_ text: String) throws(LabelSelectorError) -> LabelSelector {
        var parser = SelectorParser(tokens: SelectorLexer.tokens(of: Array(text.utf8)))
        do {
            return LabelSelector(requirements: try parser.parseSelector())
        } catch {
            throw LabelSelectorError(error.message, selector: text)
        }
    }
}

enum SelectorToken: Equatable {
    case endOfString, closedParen, comma, doesNotExist, doubleEquals, equals, greaterThan
    case identifier, `in`, lessThan, notEquals, notIn, openParen
}

/// Splits selector text into tokens, byte by byte like Kubernetes' lexer (a NUL byte ends
/// the current token the way Go's reader does).
enum SelectorLexer {
    struct Item { var token: SelectorToken; var literal: String }

    static func isWhitespace(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n")
    }

    static func isSpecial(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: ","), UInt8(ascii: ">"), UInt8(ascii: "<"): return true
        default: return false
        }
    }

    static func symbol(_ bytes: ArraySlice<UInt8>) -> SelectorToken? {
        switch String(decoding: bytes, as: UTF8.self) {
        case ")": return .closedParen
        case ",": return .comma
        case "!": return .doesNotExist
        case "==": return .doubleEquals
        case "=": return .equals
        case ">": return .greaterThan
        case "<": return .lessThan
        case "!=": return .notEquals
        case "(": return .openParen
        default: return nil
        }
    }

    static func tokens(of input: [UInt8]) -> [Item] {
        var pos = 0
        // Go's reader: 0 at the end (without advancing), otherwise the byte (advancing).
        func read() -> UInt8 {
            guard pos < input.count else { return 0 }
            defer { pos += 1 }
            return input[pos]
        }
        var items: [Item] = []
        while true {
            var ch = read()
            while isWhitespace(ch) { ch = read() }
            if ch == 0 {
                items.append(Item(token: .endOfString, literal: ""))
                return items
            }
            pos -= 1
            if isSpecial(ch) {
                // Longest operator made of special characters, e.g. `!=` rather than `!`.
                let start = pos
                var best: (SelectorToken, Int)? = nil
                while true {
                    let c = read()
                    if c == 0 { break }
                    if isSpecial(c) {
                        if let token = symbol(input[start..<pos]) {
                            best = (token, pos)
                        } else if best != nil {
                            pos -= 1
                            break
                        }
                    } else {
                        pos -= 1
                        break
                    }
                }
                if let (token, end) = best {
                    items.append(Item(token: token, literal: String(decoding: input[start..<end], as: UTF8.self)))
                } else {
                    // Not reachable with today's operator set (every special byte is a token),
                    // kept so an unknown symbol reports like Kubernetes would.
                    items.append(Item(token: .identifier,
                                      literal: "error expected: keyword found '\(String(decoding: input[start..<pos], as: UTF8.self))'"))
                }
            } else {
                var buffer: [UInt8] = []
                while true {
                    let c = read()
                    if c == 0 { break }
                    if isSpecial(c) || isWhitespace(c) {
                        pos -= 1
                        break
                    }
                    buffer.append(c)
                }
                let literal = String(decoding: buffer, as: UTF8.self)
                let token: SelectorToken = literal == "in" ? .in : literal == "notin" ? .notIn : .identifier
                items.append(Item(token: token, literal: literal))
            }
        }
    }
}

struct SelectorParseFailure: Error { var message: String }

/// Recursive descent over the token list, mirroring Kubernetes' parser (and its messages).
struct SelectorParser {
    let tokens: [SelectorLexer.Item]
    var position = 0

    init(tokens: [SelectorLexer.Item]) { self.tokens = tokens }

    /// In a value position the keywords `in` and `notin` are plain identifiers.
    private func lookahead(values: Bool) -> (SelectorToken, String) {
        let item = tokens[min(position, tokens.count - 1)]
        if values && (item.token == .in || item.token == .notIn) { return (.identifier, item.literal) }
        return (item.token, item.literal)
    }

    private mutating func consume(values: Bool) -> (SelectorToken, String) {
        let result = lookahead(values: values)
        position += 1
        return result
    }

    mutating func parseSelector() throws(SelectorParseFailure) -> [LabelSelector.Requirement] {
        var requirements: [LabelSelector.Requirement] = []
        while true {
            let (token, literal) = lookahead(values: true)
            switch token {
            case .identifier, .doesNotExist:
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw SelectorParseFailure(message: "unable to parse requirement: " + error.message)
                }
                let (next, nextLiteral) = consume(values: true)
                switch next {
                case .endOfString:
                    return requirements
                case .comma:
                    let (after, afterLiteral) = lookahead(values: true)
                    if after != .identifier && after != .doesNotExist {
                        throw SelectorParseFailure(message: "found '\(afterLiteral)', expected: identifier after ','")
                    }
                default:
                    throw SelectorParseFailure(message: "found '\(nextLiteral)', expected: ',' or 'end of string'")
                }
            case .endOfString:
                return requirements
            default:
                throw SelectorParseFailure(message: "found '\(literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    private mutating func parseRequirement() throws(SelectorParseFailure) -> LabelSelector.Requirement {
        let (key, inferred) = try parseKeyAndInferOperator()
        let op: LabelSelector.Operator
        var values: [String] = []
        if let inferred {
            op = inferred
        } else {
            op = try parseOperator()
            switch op {
            case .in, .notIn: values = try parseValueSet()
            default: values = try parseExactValue()
            }
        }
        let problems = LabelSelector.requirementProblems(key: key, op: op, values: values, valuesAreNil: false)
        if !problems.isEmpty { throw SelectorParseFailure(message: LabelSelectorError(aggregate: problems).message) }
        return LabelSelector.Requirement(key: key, operator: op, values: values)
    }

    /// Reads `[!]KEY`; infers `exists`/`doesNotExist` when no operator follows.
    private mutating func parseKeyAndInferOperator() throws(SelectorParseFailure) -> (String, LabelSelector.Operator?) {
        var op: LabelSelector.Operator? = nil
        var (token, literal) = consume(values: true)
        if token == .doesNotExist {
            op = .doesNotExist
            (token, literal) = consume(values: true)
        }
        guard token == .identifier else {
            throw SelectorParseFailure(message: "found '\(literal)', expected: identifier")
        }
        let keyErrors = NameValidation.labelKey(literal)
        if !keyErrors.isEmpty {
            // The parser validates with no field path, which Go prints as "<nil>".
            throw SelectorParseFailure(message: "<nil>: Invalid value: \(GoFormat.quote(literal)): " + keyErrors.joined(separator: "; "))
        }
        let (next, _) = lookahead(values: true)
        if next == .endOfString || next == .comma {
            if op != .doesNotExist { op = .exists }
        }
        return (literal, op)
    }

    private mutating func parseOperator() throws(SelectorParseFailure) -> LabelSelector.Operator {
        let (token, literal) = consume(values: false)
        switch token {
        case .in: return .in
        case .equals: return .equals
        case .doubleEquals: return .doubleEquals
        case .greaterThan: return .greaterThan
        case .lessThan: return .lessThan
        case .notIn: return .notIn
        case .notEquals: return .notEquals
        default:
            throw SelectorParseFailure(message: "found '\(literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
    }

    /// `( v1, v2 )`: empty entries stand for the empty value; the result is a sorted set.
    private mutating func parseValueSet() throws(SelectorParseFailure) -> [String] {
        let (open, openLiteral) = consume(values: true)
        guard open == .openParen else { throw SelectorParseFailure(message: "found '\(openLiteral)' expected: '('") }
        let (token, literal) = lookahead(values: true)
        switch token {
        case .identifier, .comma:
            let set = try parseIdentifierList()
            let (close, _) = consume(values: true)
            guard close == .closedParen else { throw SelectorParseFailure(message: "found '\(literal)', expected: ')'") }
            return LabelSelector.sortedBytewise(Array(set))
        case .closedParen:
            _ = consume(values: true)
            return [""]
        default:
            throw SelectorParseFailure(message: "found '\(literal)', expected: ',', ')' or identifier")
        }
    }

    private mutating func parseIdentifierList() throws(SelectorParseFailure) -> Set<String> {
        var set = Set<String>()
        while true {
            let (token, literal) = consume(values: true)
            switch token {
            case .identifier:
                set.insert(literal)
                let (next, nextLiteral) = lookahead(values: true)
                switch next {
                case .comma: continue
                case .closedParen: return set
                default: throw SelectorParseFailure(message: "found '\(nextLiteral)', expected: ',' or ')'")
                }
            case .comma:
                if set.isEmpty { set.insert("") }  // "(," starts with an empty value
                let (next, _) = lookahead(values: true)
                if next == .closedParen {
                    set.insert("")  // ",)" ends with one
                    return set
                }
                if next == .comma { set.insert("") }  // ",," has one in between
            default:
                throw SelectorParseFailure(message: "found '\(literal)', expected: ',', or identifier")
            }
        }
    }

    private mutating func parseExactValue() throws(SelectorParseFailure) -> [String] {
        let (next, _) = lookahead(values: true)
        if next == .endOfString || next == .comma { return [""] }
        let (token, literal) = consume(values: true)
        guard token == .identifier else { throw SelectorParseFailure(message: "found '\(literal)', expected: identifier") }
        return [literal]
    }
}
