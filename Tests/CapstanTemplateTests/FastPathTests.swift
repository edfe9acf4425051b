import Testing
@testable import CapstanTemplate

/// The parser's and lexer's fast paths give what the general routes give.
@Suite struct FastPathTests {
    /// `GoNumbers.parseInt`'s plain-decimal shortcut against `strconv.ParseInt(s, 0, 64)` rules
    /// spelled out by hand (the general route handles the rest).
    @Test func parseIntShortcutMatchesGeneralRules() {
        let cases: [(String, Int64?)] = [
            ("0", 0), ("7", 7), ("42", 42), ("123456789012345678", 123_456_789_012_345_678),
            ("9223372036854775807", Int64.max), ("9223372036854775808", nil), ("-9223372036854775808", Int64.min),
            ("010", 8), ("0x1F", 31), ("0b101", 5), ("0o17", 15), ("1_000", 1000), ("1__0", nil),
            ("_1", nil), ("1_", nil), ("", nil), ("12a", nil), ("+5", 5), ("-5", -5), ("08", nil),
        ]
        for (text, expected) in cases {
            #expect(GoNumbers.parseInt(text) == expected, "parseInt(\(text))")
        }
    }

    /// Every word the lexer treats as special, and words close to them, lexed bytewise.
    @Test func wordKindsMatchTheKeywordList() {
        var words = Array(Lexer.keywords) + ["true", "false", "iff", "en", "ends", "nill", "True", "defines", "templates",
                                             "rangeX", "withx", "elsE", "blocks", "breaks", "continues", "x", "include"]
        words.append("template")
        for word in words {
            let lexer = Lexer(Array(word.utf8))
            let expected: Token.Kind
            if word == "nil" { expected = .nilLiteral }
            else if Lexer.keywords.contains(word) { expected = .keyword }
            else if word == "true" || word == "false" { expected = .bool }
            else { expected = .identifier }
            #expect(lexer.wordKind(0, word.utf8.count) == expected, "\(word)")
        }
    }

    /// Text scanning finds `{{` after lone braces, at the very end, and not at all.
    @Test func textScanFindsDelimiters() {
        for (source, expected) in [("a{b{{x}}", 3), ("{", 1), ("ab{", 3), ("{{", 0), ("abc", 3), ("a{ {b{{", 5), ("", 0)] {
            let lexer = Lexer(Array(source.utf8))
            #expect(lexer.nextLeftDelim(from: 0) == expected, "\(source)")
        }
    }

    /// One-pass `indent`/`nindent` against the plain definition (pad, then pad after every
    /// newline), with multi-byte text, empty lines and a trailing newline.
    @Test func indentMatchesPlainDefinition() {
        for text in ["", "a", "a\nb", "\n", "x\n\ny\n", "héllo\n✓ wörld", "\r\n"] {
            for n in [0, 1, 4] {
                let pad = String(repeating: " ", count: n)
                let plain = pad + text.replacingAll("\n", with: "\n" + pad)
                #expect(Text.indent(text, n) == plain)
                #expect(Text.indent(text, n, leadingNewline: true) == "\n" + plain)
            }
        }
    }

    /// String literals with and without escapes decode alike whichever route they take.
    @Test func stringLiteralsDecode() throws {
        var set = TemplateSet(options: .goDefault)
        try set.add(name: "t", source: #"{{ "plain" }}|{{ `raw` }}|{{ "a\"b" }}|{{ "tab\t" }}|{{ `x"y` }}|{{ "é✓" }}|{{ "" }}|{{ `` }}"#)
        #expect(try set.render("t", data: .null) == "plain|raw|a\"b|tab\t|x\"y|é✓||")
    }

    /// `include` remembers the set's templates per render; names `tpl` defines are still
    /// found inside it, and the set's own stay visible there.
    @Test func includeSeesSetAndTplTemplates() throws {
        var set = TemplateSet(options: .helm)
        try set.add(name: "t", source: #"{{ define "b" }}B{{ end }}{{ include "b" . }}|{{ tpl "{{ define \"c\" }}C{{ end }}{{ include \"c\" . }}{{ include \"b\" . }}" . }}|{{ include "b" . }}"#)
        #expect(try set.render("t", data: .dict([:])) == "B|CB|B")
    }
}
