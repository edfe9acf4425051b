#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits template source into tokens, as Go's `text/template/parse` lexer does: text between
/// actions, and inside `{{ … }}` identifiers, fields, variables, literals and punctuation.
/// `{{- ` and ` -}}` trim the whitespace of the adjacent text; `{{/* … */}}` comments vanish.
struct Token: Sendable {
    enum Kind: UInt8, Sendable, Equatable {
        case text, leftDelim, rightDelim, space
        case identifier, field, variable, keyword
        case string, rawString, char, number, bool, nilLiteral
        case dot, pipe, leftParen, rightParen, assign, declare, comma, punct
        case eof, error
    }
    /// Which keyword a `.keyword` token is (`.none` for every other kind), so the parser
    /// dispatches on it without reading the word's text.
    enum Keyword: UInt8, Sendable, Equatable {
        case none, block, breakKeyword, continueKeyword, define, elseKeyword, end, ifKeyword, range, template, with
    }
    var kind: Kind
    var keyword: Keyword = .none
    /// Byte offset in the source.
    var pos: Int
    /// Byte offset just past the token (for `.text`: past the text after trimming).
    var end: Int
    var line: Int

    /// A token holds no text of its own (no `String` built per token, and the token array
    /// needs no clean-up): `Parser.value(_:)` reads it from the source when needed.
    init(_ kind: Kind, pos: Int, end: Int, line: Int, keyword: Keyword = .none) {
        self.kind = kind; self.pos = pos; self.end = end; self.line = line; self.keyword = keyword
    }
}

struct Lexer {
    static let keywords: Set<String> = ["block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"]

    /// The source, borrowed for the lexer's lifetime (`withLexer` scopes it): reading bytes
    /// through the buffer skips the array's checks in the inner loops; every read is guarded
    /// by an explicit `< src.count` test.
    let src: UnsafeBufferPointer<UInt8>
    var pos = 0
    var line = 1
    var tokens: [Token] = []
    var parenDepth = 0
    /// The message of the `.error` token that ends `tokens` (the lexer stops at its first error).
    var errorMessage = ""

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        src = bytes
        // Action-dense sources (helpers) have about one token per four bytes; a smaller
        // guess made the array regrow, copying every token lexed so far.
        tokens.reserveCapacity(bytes.count / 4 + 16)
    }

    /// Runs `body` with a lexer over `bytes`; the lexer must not escape it.
    static func withLexer<T>(_ bytes: [UInt8], _ body: (inout Lexer) -> T) -> T {
        bytes.withUnsafeBufferPointer { buf in
            var lx = Lexer(buf)
            return body(&lx)
        }
    }

    /// The tokens of `bytes`, and the message of the final `.error` token if there is one.
    static func tokenize(_ bytes: [UInt8]) -> (tokens: [Token], errorMessage: String) {
        withLexer(bytes) { lx in
            lx.run()
            return (lx.tokens, lx.errorMessage)
        }
    }

    func at(_ i: Int) -> UInt8 { i < src.count ? src[i] : 0 }
    /// Inlined, with the literal read through its start pointer: the delimiter and keyword
    /// tests fold into a few byte compares (through `withUTF8Buffer` each was a call).
    @inline(__always) func hasPrefix(_ s: StaticString, at i: Int) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i >= 0, i + n <= src.count else { return false }
        let p = s.utf8Start
        for k in 0..<n where src[i + k] != p[k] { return false }
        return true
    }
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
    static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c >= 0x80
    }
    /// `isAlnum` as two bit masks (bytes below 0x80): one shift and test per byte in the
    /// word loops, which run over every identifier, field and variable name.
    static let alnumLow: UInt64 = 0x03FF_0000_0000_0000  // 0-9
    static let alnumHigh: UInt64 = 0x07FF_FFFE_87FF_FFFE  // A-Z, _, a-z
    @inline(__always) static func isWordByte(_ c: UInt8) -> Bool {
        if c >= 0x80 { return true }
        return c < 64 ? (alnumLow >> UInt64(c)) & 1 != 0 : (alnumHigh >> UInt64(c - 64)) & 1 != 0
    }
    /// The end of the run of word bytes starting at `i` (kept in a local, not in `pos`).
    @inline(__always) func wordEnd(from i: Int) -> Int {
        var j = i
        let n = src.count
        while j < n && Lexer.isWordByte(src[j]) { j += 1 }
        return j
    }
    func text(_ a: Int, _ b: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: src[a..<b]), as: UTF8.self) }
    func countLines(_ a: Int, _ b: Int) -> Int {
        let end = min(b, src.count)
        guard a < end else { return 0 }
        var n = 0
        for i in a..<end where src[i] == 0x0A { n += 1 }
        return n
    }

    /// Offset of the next `{{` at or after `i`, or `src.count` (memchr for the `{`: text is
    /// most of a chart).
    func nextLeftDelim(from i: Int) -> Int {
        let buf = src
        guard let base = buf.baseAddress else { return buf.count }
        var j = i
        while j + 1 < buf.count {
            guard let hit = memchr(base + j, 0x7B, buf.count - j - 1) else { return buf.count }
            let k = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if buf[k + 1] == 0x7B { return k }
            j = k + 1
        }
        return buf.count
    }

    mutating func emit(_ kind: Token.Kind, _ start: Int, _ end: Int, keyword: Token.Keyword = .none) {
        tokens.append(Token(kind, pos: start, end: end, line: line, keyword: keyword))
        // Only text, spaces and raw strings can span lines.
        switch kind {
        case .text, .space, .rawString: line += countLines(start, end)
        default: break
        }
    }
    mutating func fail(_ message: String, at p: Int) {
        errorMessage = message
        tokens.append(Token(.error, pos: p, end: p, line: line))
    }

    /// Left delimiter with optional trim marker at `i`: returns (trim).
    func leftDelim(at i: Int) -> Bool? {
        guard hasPrefix("{{", at: i) else { return nil }
        if at(i + 2) == UInt8(ascii: "-") && Lexer.isSpace(at(i + 3)) { return true }
        return false
    }

    mutating func run() {
        var trimNextText = false
        while pos < src.count || trimNextText {
            // Text up to the next "{{".
            var start = pos
            if trimNextText {
                while start < src.count && Lexer.isSpace(src[start]) { line += src[start] == 0x0A ? 1 : 0; start += 1 }
                trimNextText = false
                pos = start
            }
            let i = nextLeftDelim(from: start)
            guard i < src.count else {
                if start < src.count { emit(.text, start, src.count) }
                pos = src.count
                break
            }
            let trim = leftDelim(at: i)!
            var end = i
            if trim { while end > start && Lexer.isSpace(src[end - 1]) { end -= 1 } }
            if end > start { emit(.text, start, end) }
            line += countLines(end, i)
            pos = i + (trim ? 4 : 2)
            // Comment?
            if hasPrefix("/*", at: pos) {
                let cstart = pos
                var j = pos + 2
                while j < src.count && !hasPrefix("*/", at: j) { j += 1 }
                if j >= src.count { fail("unclosed comment", at: cstart); return }
                j += 2
                line += countLines(cstart, j)
                if hasPrefix(" -}}", at: j) { pos = j + 4; trimNextText = true }
                else if hasPrefix("}}", at: j) { pos = j + 2 }
                else { fail("comment ends before closing delimiter", at: j); return }
                continue
            }
            tokens.append(Token(.leftDelim, pos: i, end: i + 2, line: line))
            guard lexInsideAction(&trimNextText) else { return }
        }
        tokens.append(Token(.eof, pos: src.count, end: src.count, line: line))
    }

    /// Lexes until the right delimiter; false on error (already emitted).
    mutating func lexInsideAction(_ trimNext: inout Bool) -> Bool {
        while true {
            if atRightDelim(pos) {
                if parenDepth > 0 { fail("unclosed left paren", at: pos); return false }
                let trimmed = !hasPrefix("}}", at: pos)
                if trimmed {
                    if src[pos] == 0x0A { line += 1 }
                    pos += 1
                }
                tokens.append(Token(.rightDelim, pos: pos, end: pos + 2, line: line))
                pos += trimmed ? 3 : 2
                trimNext = trimmed
                return true
            }
            guard pos < src.count else { fail("unclosed action", at: pos); return false }
            let c = src[pos]
            let start = pos
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                while pos < src.count && Lexer.isSpace(src[pos]) {
                    if atTrimmedRightDelim(pos) { break }
                    pos += 1
                }
                if pos > start { emit(.space, start, pos) }
                // A lone space right before " -}}" is part of the delimiter.
                if pos == start { continue }
            case UInt8(ascii: "="):
                pos += 1; emit(.assign, start, pos)
            case UInt8(ascii: ":"):
                guard at(pos + 1) == UInt8(ascii: "=") else { fail("expected :=", at: pos); return false }
                pos += 2; emit(.declare, start, pos)
            case UInt8(ascii: "|"):
                pos += 1; emit(.pipe, start, pos)
            case UInt8(ascii: ","):
                pos += 1; emit(.comma, start, pos)
            case UInt8(ascii: "\""):
                pos += 1
                while true {
                    guard pos < src.count, src[pos] != 0x0A else { fail("unterminated quoted string", at: start); return false }
                    if src[pos] == UInt8(ascii: "\\") { pos += 2; continue }
                    if src[pos] == UInt8(ascii: "\"") { pos += 1; break }
                    pos += 1
                }
                emit(.string, start, pos)
            case UInt8(ascii: "`"):
                pos += 1
                while pos < src.count && src[pos] != UInt8(ascii: "`") { pos += 1 }
                guard pos < src.count else { fail("unterminated raw quoted string", at: start); return false }
                pos += 1
                emit(.rawString, start, pos)
            case UInt8(ascii: "'"):
                pos += 1
                while true {
                    guard pos < src.count, src[pos] != 0x0A else { fail("unterminated character constant", at: start); return false }
                    if src[pos] == UInt8(ascii: "\\") { pos += 2; continue }
                    if src[pos] == UInt8(ascii: "'") { pos += 1; break }
                    pos += 1
                }
                emit(.char, start, pos)
            case UInt8(ascii: "$"):
                pos = wordEnd(from: pos + 1)
                emit(.variable, start, pos)
            case UInt8(ascii: "("):
                pos += 1; parenDepth += 1; emit(.leftParen, start, pos)
            case UInt8(ascii: ")"):
                pos += 1; parenDepth -= 1
                if parenDepth < 0 { fail("unexpected right paren", at: start); return false }
                emit(.rightParen, start, pos)
            case UInt8(ascii: "."):
                let n = at(pos + 1)
                if n >= 0x30 && n <= 0x39 {
                    guard lexNumber() else { return false }
                } else {
                    pos = wordEnd(from: pos + 1)
                    emit(pos - start == 1 ? .dot : .field, start, pos)
                }
            case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard lexNumber() else { return false }
            default:
                if Lexer.isWordByte(c) {
                    pos = wordEnd(from: pos)
                    if !atTerminator() {
                        fail("bad character \(GoFormat.unicodeDescription(at(pos)))", at: pos); return false
                    }
                    let (kind, keyword) = classifyWord(start, pos)
                    emit(kind, start, pos, keyword: keyword)
                } else if c < 0x7F && c > 0x20 {
                    pos += 1; emit(.punct, start, pos)
                } else {
                    fail("unrecognized character in action: \(GoFormat.unicodeDescription(c))", at: pos)
                    return false
                }
            }
        }
    }

    /// Keyword, `nil`, boolean or identifier: the word `src[a..<b]` compared bytewise (no
    /// String and no hashing per word; `keywords` lists the same words).
    func wordKind(_ a: Int, _ b: Int) -> Token.Kind { classifyWord(a, b).kind }

    /// `wordKind`, and for a keyword which one it is.
    func classifyWord(_ a: Int, _ b: Int) -> (kind: Token.Kind, keyword: Token.Keyword) {
        // Every keyword is at most eight bytes: the word packed into one integer (first byte
        // lowest) is compared with each keyword packed the same way (`packed`; a test holds
        // the constants to it).
        guard b - a <= 8, a >= 0, b <= src.count else { return (.identifier, .none) }
        var key: UInt64 = 0
        for i in stride(from: b - 1, through: a, by: -1) { key = key << 8 | UInt64(src[i]) }
        switch key {
        case 0x6669 /* if */: return (.keyword, .ifKeyword)
        case 0x646E65 /* end */: return (.keyword, .end)
        case 0x6C696E /* nil */: return (.nilLiteral, .none)
        case 0x65736C65 /* else */: return (.keyword, .elseKeyword)
        case 0x68746977 /* with */: return (.keyword, .with)
        case 0x65757274 /* true */, 0x65736C6166 /* false */: return (.bool, .none)
        case 0x6B636F6C62 /* block */: return (.keyword, .block)
        case 0x6B61657262 /* break */: return (.keyword, .breakKeyword)
        case 0x65676E6172 /* range */: return (.keyword, .range)
        case 0x656E69666564 /* define */: return (.keyword, .define)
        case 0x65756E69746E6F63 /* continue */: return (.keyword, .continueKeyword)
        case 0x6574616C706D6574 /* template */: return (.keyword, .template)
        default: return (.identifier, .none)
        }
    }

    /// A word of at most eight bytes packed as `classifyWord` packs source words.
    @inline(__always) static func packed(_ w: StaticString) -> UInt64 {
        var key: UInt64 = 0
        let p = w.utf8Start
        for i in stride(from: w.utf8CodeUnitCount - 1, through: 0, by: -1) { key = key << 8 | UInt64(p[i]) }
        return key
    }

    /// ` -}}` (any one space character, a dash, the delimiter) at `i`.
    @inline(__always) func atTrimmedRightDelim(_ i: Int) -> Bool {
        i + 3 < src.count && Lexer.isSpace(src[i]) && src[i + 1] == UInt8(ascii: "-")
            && src[i + 2] == UInt8(ascii: "}") && src[i + 3] == UInt8(ascii: "}")
    }

    /// `}}` or ` -}}` at `i`.
    @inline(__always) func atRightDelim(_ i: Int) -> Bool {
        guard i + 1 < src.count else { return false }
        if src[i] == UInt8(ascii: "}") { return src[i + 1] == UInt8(ascii: "}") }
        return atTrimmedRightDelim(i)
    }

    func atTerminator() -> Bool {
        let c = at(pos)
        if Lexer.isSpace(c) || c == 0 { return true }
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ")"),
             UInt8(ascii: "("), UInt8(ascii: "="):
            return true
        default:
            return hasPrefix("}}", at: pos)
        }
    }

    mutating func lexNumber() -> Bool {
        let start = pos
        if at(pos) == UInt8(ascii: "+") || at(pos) == UInt8(ascii: "-") { pos += 1 }
        var digits: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 || $0 == 0x5F }
        var hex = false
        if at(pos) == UInt8(ascii: "0") {
            let x = at(pos + 1) | 0x20
            if x == UInt8(ascii: "x") { pos += 2; hex = true; digits = { ($0 >= 0x30 && $0 <= 0x39) || (($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x66) || $0 == 0x5F } }
            else if x == UInt8(ascii: "o") || x == UInt8(ascii: "b") { pos += 2 }
        }
        while digits(at(pos)) { pos += 1 }
        if at(pos) == UInt8(ascii: ".") { pos += 1; while digits(at(pos)) { pos += 1 } }
        let e = at(pos) | 0x20
        if (!hex && e == UInt8(ascii: "e")) || (hex && e == UInt8(ascii: "p")) {
            pos += 1
            if at(pos) == UInt8(ascii: "+") || at(pos) == UInt8(ascii: "-") { pos += 1 }
            while at(pos) >= 0x30 && at(pos) <= 0x39 || at(pos) == 0x5F { pos += 1 }
        }
        if at(pos) == UInt8(ascii: "i") { pos += 1 }
        if Lexer.isAlnum(at(pos)) || at(pos) == UInt8(ascii: ".") {
            while Lexer.isAlnum(at(pos)) || at(pos) == UInt8(ascii: ".") { pos += 1 }
            fail("bad number syntax: \(GoFormat.quote(text(start, pos)))", at: start)
            return false
        }
        if pos == start + 1 && (src[start] == UInt8(ascii: "+") || src[start] == UInt8(ascii: "-")) {
            fail("bad number syntax: \(GoFormat.quote(text(start, pos)))", at: start)
            return false
        }
        emit(.number, start, pos)
        return true
    }
}
