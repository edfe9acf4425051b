import Testing
import CapstanModel
import CapstanYAML
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
            let expected: Token.Kind
            if word == "nil" { expected = .nilLiteral }
            else if Lexer.keywords.contains(word) { expected = .keyword }
            else if word == "true" || word == "false" { expected = .bool }
            else { expected = .identifier }
            let kind = Lexer.withLexer(Array(word.utf8)) { $0.wordKind(0, word.utf8.count) }
            #expect(kind == expected, "\(word)")
        }
        // Words longer than any keyword but sharing its first eight bytes stay identifiers.
        for word in ["continue1", "templateX"] {
            #expect(Lexer.withLexer(Array(word.utf8)) { $0.wordKind(0, word.utf8.count) } == .identifier)
        }
    }

    /// A string literal's text (Go prints it as written in error messages) is the source text,
    /// whether the literal kept it (escapes) or rebuilds it from its value (no escapes).
    @Test func stringLiteralTextIsAsWritten() throws {
        let literals = [#""plain""#, "`raw`", #""a\"b""#, #""tab\t""#, "`x\"y`", #""é✓""#, #""""#, "``"]
        for literal in literals {
            let trees = try Parser.parse(name: "t", source: "{{ \(literal) }}", functions: FunctionTable([:]), options: .goDefault)
            guard case .action(_, let pipe)? = trees.first?.root.first else { Issue.record("no action for \(literal)"); continue }
            #expect(pipe.commands.first?.head.text == literal)
        }
    }

    /// `toYaml` (direct writer over an unordered tree) gives libyaml's text of the sorted
    /// tree, for random values with keys inserted in random order.
    @Test func toYamlMatchesTheGeneralRoute() {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let words = ["a", "b", "B", "a1", "a10", "a2", "x-y", "true", "1", "", "a b", "é", "line\nbreak", "-x", "#c", "z: z"]
        func value(_ depth: Int) -> TemplateValue {
            switch next(depth > 3 ? 5 : 8) {
            case 0: return .null
            case 1: return .bool(next(2) == 0)
            case 2: return .float64([1, 1.5, 1e6, -3, 1e21][next(5)])
            case 3: return .int(next(100))
            case 4: return .string(words[next(words.count)])
            case 5: return .list((0..<next(3)).map { _ in value(depth + 1) })
            case 6: return .bytes(Array("hi".utf8))
            default:
                var m: [String: TemplateValue] = [:]
                for _ in 0..<next(6) { m[words[next(words.count)]] = value(depth + 1) }
                return .dict(m)
            }
        }
        for _ in 0..<3000 {
            let v = value(0)
            // The plain route: the sorted tree through libyaml.
            var general = YAML.emit(v.jsonValue)
            if general.hasSuffix("\n") { general.removeLast() }
            #expect(Library.toYAML(v) == general, "\(v.jsonValue)")
        }
    }

    /// The lexer's keyword classification names the keyword it read.
    @Test func keywordsAreClassified() {
        let expected: [String: Token.Keyword] = [
            "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define, "else": .elseKeyword,
            "end": .end, "if": .ifKeyword, "range": .range, "template": .template, "with": .with,
        ]
        for word in Lexer.keywords where word != "nil" {
            let got = Lexer.withLexer(Array(word.utf8)) { $0.classifyWord(0, word.utf8.count) }
            #expect(got.kind == .keyword && got.keyword == expected[word], "\(word)")
        }
        for word in ["nil", "true", "x", "defines"] {
            #expect(Lexer.withLexer(Array(word.utf8)) { $0.classifyWord(0, word.utf8.count) }.keyword == Token.Keyword.none)
        }
    }

    /// Text scanning finds `{{` after lone braces, at the very end, and not at all.
    @Test func textScanFindsDelimiters() {
        for (source, expected) in [("a{b{{x}}", 3), ("{", 1), ("ab{", 3), ("{{", 0), ("abc", 3), ("a{ {b{{", 5), ("", 0)] {
            #expect(Lexer.withLexer(Array(source.utf8)) { $0.nextLeftDelim(from: 0) } == expected, "\(source)")
        }
    }

    /// One-pass `indent`/`nindent` against the plain definition (pad, then pad after every
    /// newline), with multi-byte text, empty lines and a trailing newline.
    @Test func indentMatchesPlainDefinition() {
        for text in ["", "a", "a\nb", "\n", "x\n\ny\n", "héllo\n✓ wörld", "\r\n", "\n\n", "ab\n\ncd\nef"] {
            for n in [0, 1, 4] {
                let pad = String(repeating: " ", count: n)
                let plain = pad + text.replacingAll("\n", with: "\n" + pad)
                #expect(Text.indent(text, n) == plain)
                #expect(Text.indent(text, n, leadingNewline: true) == "\n" + plain)
                #expect(Text.indentGeneral(text, n, leadingNewline: false) == plain)
                #expect(Text.indentGeneral(text, n, leadingNewline: true) == "\n" + plain)
            }
        }
    }

    /// String literals with and without escapes decode alike whichever route they take.
    @Test func stringLiteralsDecode() throws {
        var set = TemplateSet(options: .goDefault)
        try set.add(name: "t", source: #"{{ "plain" }}|{{ `raw` }}|{{ "a\"b" }}|{{ "tab\t" }}|{{ `x"y` }}|{{ "é✓" }}|{{ "" }}|{{ `` }}"#)
        #expect(try set.render("t", data: .null) == "plain|raw|a\"b|tab\t|x\"y|é✓||")
        // Template names take the same two routes.
        var names = TemplateSet(options: .goDefault)
        try names.add(name: "n", source: #"{{ define "p" }}P{{ end }}{{ define `r` }}R{{ end }}{{ define "q\"x" }}Q{{ end }}{{ define "é" }}E{{ end }}{{ template "p" }}{{ template `r` }}{{ template "q\"x" }}{{ template "\u00e9" }}"#)
        #expect(try names.render("n", data: .null) == "PRQE")
        #expect(names.contains("q\"x") && names.contains("é"))
    }

    /// `include` remembers the set's templates per render; names `tpl` defines are still
    /// found inside it, and the set's own stay visible there.
    @Test func includeSeesSetAndTplTemplates() throws {
        var set = TemplateSet(options: .helm)
        try set.add(name: "t", source: #"{{ define "b" }}B{{ end }}{{ include "b" . }}|{{ tpl "{{ define \"c\" }}C{{ end }}{{ include \"c\" . }}{{ include \"b\" . }}" . }}|{{ include "b" . }}"#)
        #expect(try set.render("t", data: .dict([:])) == "B|CB|B")
    }

    /// `%v` of whole floats below 10⁶ (the shortcut) against CapstanModel's general
    /// `strconv.FormatFloat(d, 'g', -1, 64)`, including the edges where Go switches to `e+06`.
    @Test func wholeFloatShortcutMatchesGeneralFormat() {
        var samples: [Double] = [1, -1, 2, 80, 443, 8080, 65535, 99_999, 100_000, 999_999, -999_999, 1e6, -1e6,
                                 1_000_001, 1e7, 0.5, -0.5, 1.5, 999_999.5, 0, -0.0, 1e21, 123_456, .infinity, .nan]
        samples += stride(from: -2000.0, through: 2000.0, by: 7)
        for d in samples {
            #expect(GoFormat.formatFloatG(d) == formatGoFloatG(d), "\(d)")
        }
    }

    /// `quote`'s plain-ASCII shortcut against the general `strconv.Quote`, for text that takes
    /// the shortcut and text that must not (quotes, backslashes, controls, DEL, non-ASCII).
    @Test func quoteShortcutMatchesGoQuote() {
        for s in ["", "plain", "with space", "~!@#$%^&*()_+`{}|[]:;'<>?,./", "a\"b", "back\\slash", "tab\t",
                  "nl\n", "\u{7F}", "\u{1F}", "é", "✓", "\u{200B}", "x\u{0}y"] {
            #expect(GoFormat.quote(s) == goQuote(s), "\(s)")
        }
    }

    /// Field chains parse into one node with every name, positioned like Go's (at the first
    /// chained field), for fields, variables and chains on parenthesized pipelines.
    @Test func fieldChainsParseWhole() throws {
        let trees = try Parser.parse(name: "t", source: "{{ .A.B.C }}{{ $.X.Y }}{{ .Z }}{{ (.P).Q.R }}",
                                     functions: FunctionTable([:]), options: .goDefault)
        var args: [ArgNode] = []
        for node in trees[0].root {
            if case .action(_, let pipe) = node { args.append(pipe.commands[0].head) }
        }
        guard args.count == 4 else { Issue.record("expected 4 actions"); return }
        guard case .field(let p0, let n0) = args[0], case .variable(let p1, let n1) = args[1],
              case .field(let p2, let n2) = args[2], case .chain(let p3, _, let f3) = args[3] else {
            Issue.record("unexpected node kinds"); return
        }
        #expect(n0 == ["A", "B", "C"] && p0 == 5)
        #expect(n1 == ["$", "X", "Y"] && p1 == 16)
        #expect(n2 == ["Z"] && p2 == 26)
        #expect(f3 == ["Q", "R"] && p3 == 38)
        var set = TemplateSet(options: .goDefault)
        try set.add(name: "t", source: "{{ .A.B.C }}|{{ $.A.B.C }}|{{ with .A }}{{ .B.C }}{{ end }}")
        #expect(try set.render("t", data: ["A": ["B": ["C": "c"]]]) == "c|c|c")
    }

    /// Output buffers reused across `include`s: nested and repeated includes of short and
    /// long text come out whole and in order.
    @Test func includeBuffersAreReusedSafely() throws {
        var set = TemplateSet(options: .helm)
        let long = String(repeating: "0123456789", count: 500)
        try set.add(name: "t", source: """
            {{ define "long" }}\(long){{ end }}{{ define "short" }}s{{ include "long" . | len }}{{ end }}\
            {{ define "outer" }}<{{ include "short" . }}|{{ include "long" . | len }}|{{ include "short" . }}>{{ end }}\
            {{ range until 3 }}{{ include "outer" . }}{{ end }}|{{ include "long" . | trunc 3 }}
            """)
        let outer = "<s5000|5000|s5000>"
        #expect(try set.render("t", data: .dict([:])) == outer + outer + outer + "|012")
    }

    /// Commands are slices of one argument array per pipeline: multi-command pipelines,
    /// multi-argument commands and nested parenthesized pipelines keep their own arguments,
    /// and the stage checks still see each command's first operand.
    @Test func pipelineCommandsKeepTheirArguments() throws {
        var set = TemplateSet(options: .helm)
        try set.add(name: "t", source: #"{{ "a" | printf "%s-%s" "b" | upper }}|{{ printf "%d-%s" (print 1 2 | len) (printf "%s" "x" | upper) }}|{{ $v := list 1 2 | len }}{{ $v }}"#)
        #expect(try set.render("t", data: .dict([:])) == "B-A|3-X|2")
        let trees = try Parser.parse(name: "t", source: #"{{ printf "%s" "x" | upper | quote }}"#, functions: set.functionTable, options: .helm)
        guard case .action(_, let pipe)? = trees[0].root.first else { Issue.record("no action"); return }
        #expect(pipe.commands.map { $0.args.count } == [3, 1, 1])
        #expect(pipe.text == #"printf "%s" "x" | upper | quote"#)
        var bad = TemplateSet(options: .helm)
        #expect(throws: TemplateError.self) { try bad.add(name: "b", source: "{{ .X | 3 }}") }
    }

    /// printf's byte scan of ASCII formats gives what the character scan gives: flags, widths,
    /// precisions, `*`, bad and missing verbs, extra arguments, literal runs.
    @Test func printfASCIIScanMatchesCharacterScan() {
        let formats = ["%s-%s", "plain", "", "%", "%%", "a%%b%s", "%5d|%-5d|%05d|%+d|% d", "%.2f %8.3f %-8.3f|", "%*d", "%-*d",
                       "%.*f", "%x %X %o %b %q %v %T", "%!", "%d %d %d", "%s", "x%", "%10", "%.", "%99999999999999999999d",
                       "%#v %#x", "%c", "%t", "%e %E %g %G", "tab\there", "%[1]d", "%é"]
        let args: [[TemplateValue]] = [[], ["a", "b"], [1, 2, 3], [3, 1.5, "x"], [.null, true], [255, "hi", 2.5, -7]]
        for format in formats {
            for a in args {
                let fast = Printf.formatASCII(format, a)
                if format.utf8.allSatisfy({ $0 < 0x80 }) {
                    #expect(fast == Printf.formatCharacters(format, a), "\(format) \(a)")
                } else {
                    #expect(fast == nil)
                }
            }
        }
        #expect(Printf.formatASCII("a\r\nb%s", ["x"]) == nil)
    }

    /// The lexer's bit-mask word test agrees with the plain one on every byte.
    @Test func wordByteMasksMatchIsAlnum() {
        for b in 0...255 {
            #expect(Lexer.isWordByte(UInt8(b)) == Lexer.isAlnum(UInt8(b)), "byte \(b)")
        }
    }

    /// Calls are resolved when parsing (a slot of the set's function table, or a builtin), and
    /// run the function the set has when executing: a copy given other functions after the
    /// parse (even ones that shadow builtins) looks the names up again, as Go's late `Funcs` does.
    @Test func resolvedCallsFollowLaterFunctions() throws {
        var set = TemplateSet(options: .helm, functions: ["greet": .simple([]) { _ in "hi" }])
        try set.add(name: "t", source: #"{{ greet }} {{ "x" | upper }} {{ and 1 0 }} {{ or 0 2 }} {{ len "abc" }} {{ (greet) | len }}"#)
        #expect(try set.render("t", data: .dict([:])) == "hi X 0 2 3 2")
        var later = set
        later.addFunctions(["greet": .simple([]) { _ in "hello" }, "upper": .simple([.string]) { _ in "U" },
                            "len": .simple([.any]) { _ in 9 }])
        #expect(try later.render("t", data: .dict([:])) == "hello U 0 2 9 9")
        #expect(try set.render("t", data: .dict([:])) == "hi X 0 2 3 2")
    }

    /// Lazily converted values read, print, range, encode and mutate exactly like eagerly
    /// converted ones.
    @Test func lazyValuesMatchEagerConversion() throws {
        let values: Value = [
            "image": ["repository": "nginx", "tag": "1.25", "pullPolicy": .null],
            "replicas": 3, "ratio": 0.5, "enabled": true,
            "ports": [["name": "http", "port": 80], ["name": "https", "port": 443]],
            "labels": ["b": "2", "a": "1"], "empty": [:], "list": [1, "x", [2]],
        ]
        var set = TemplateSet(options: .helm)
        try set.add(name: "t", source: """
            {{ .image.repository }}:{{ .image.tag }} {{ .replicas }} {{ .ratio }} {{ .image.pullPolicy }} {{ .missing }}
            {{ range $k, $v := .labels }}{{ $k }}={{ $v }};{{ end }} {{ range .ports }}{{ .name }}/{{ .port }} {{ end }}
            {{ len .labels }} {{ if .empty }}x{{ else }}empty{{ end }} {{ .list }} {{ typeOf .replicas }} {{ kindOf .image }}
            {{ toYaml . }}
            {{ toJson .ports }} {{ $_ := set .labels "c" "3" }}{{ $_ := unset .image "tag" }}{{ toJson .labels }} {{ toJson .image }}
            {{ hasKey .image "tag" }} {{ keys .labels | sortAlpha }} {{ dig "image" "repository" "none" . }} {{ .labels | deepCopy | len }}
            """)
        for numbers in [NumberConversion.float64, .typed] {
            let eager = try set.render("t", data: TemplateValue(values, numbers: numbers))
            let lazy = try set.render("t", data: .lazy(values, numbers: numbers))
            #expect(lazy == eager)
            #expect(TemplateValue.lazy(values, numbers: numbers).jsonValue == TemplateValue(values, numbers: numbers).jsonValue)
        }
    }
}
