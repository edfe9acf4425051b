import Testing
import CapstanModel
@testable import CapstanTemplate

/// Go-shaped error texts (`TemplateError.description`), checked against what Go's
/// text/template prints (the oracle shows them inside Helm's messages).
@Suite struct ErrorTests {
    func render(_ source: String, _ data: TemplateValue = .dict([:]), options: TemplateOptions = .helm) -> TemplateError? {
        var set = TemplateSet(options: options)
        do {
            try set.add(name: "f.yaml", source: source)
            _ = try set.render("f.yaml", data: data)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("{{ }", #"template: f.yaml:1: unexpected "}" in command"#),
        ("{{ if }}", "template: f.yaml:1: missing value for if"),
        ("{{ nope 1 }}", #"template: f.yaml:1: function "nope" not defined"#),
        ("{{ end }}", "template: f.yaml:1: unexpected {{end}}"),
        ("{{ else }}", "template: f.yaml:1: unexpected {{else}}"),
        ("{{ $x }}", #"template: f.yaml:1: undefined variable "$x""#),
        ("{{ 3x }}", #"template: f.yaml:1: bad number syntax: "3x""#),
        ("{{ \"abc }}", "template: f.yaml:1: unterminated quoted string"),
        ("a\n{{ .x\n", "template: f.yaml:3: unclosed action started at f.yaml:2"),
        ("{{ break }}", "template: f.yaml:1: {{break}} outside {{range}}"),
        ("{{ 1 | 2 }}", "template: f.yaml:1: non executable command in pipeline stage 2"),
        ("{{ ) }}", "template: f.yaml:1: unexpected right paren"),
        ("{{ if 1 }}", "template: f.yaml:1: unexpected EOF"),
        ("{{/* x", "template: f.yaml:1: unclosed comment"),
        ("{{ .a | | }}", #"template: f.yaml:1: unexpected "|" in command"#),
        ("{{ define \"a\" }}x{{ end }}{{ define \"a\" }}y{{ end }}", #"template: f.yaml:1: template: multiple definition of template "a""#),
        ("{{ \"a\".b }}", #"template: f.yaml:1: unexpected . after term "\"a\"""#),
    ])
    func parseErrors(_ source: String, _ expected: String) {
        let e = render(source)
        #expect(e?.kind == .parse)
        #expect(e?.description == expected)
    }

    @Test(arguments: [
        ("{{ .Values.x.y }}", #"template: f.yaml:1:10: executing "f.yaml" at <.Values.x.y>: nil pointer evaluating interface {}.y"#),
        ("{{ .Values.a.b.c }}", #"template: f.yaml:1:10: executing "f.yaml" at <.Values.a.b.c>: can't evaluate field c in type interface {}"#),
        ("{{ index .Values.l 5 }}", #"template: f.yaml:1:3: executing "f.yaml" at <index .Values.l 5>: error calling index: index out of range: 5"#),
        ("{{ template \"zz\" }}", #"template: f.yaml:1:12: executing "f.yaml" at <{{template "zz"}}>: template "zz" not defined"#),
        ("{{ include \"zz\" . }}", #"template: f.yaml:1:3: executing "f.yaml" at <include "zz" .>: error calling include: template: no template "zz" associated with template "gotpl""#),
        ("{{ upper .Values.missing }}", #"template: f.yaml:1:16: executing "f.yaml" at <.Values.missing>: wrong type for value; expected string; got interface {}"#),
        ("{{ .Values.missing | upper }}", #"template: f.yaml:1:21: executing "f.yaml" at <upper>: invalid value; expected string"#),
        ("{{ upper 3 }}", #"template: f.yaml:1:9: executing "f.yaml" at <3>: expected string; found 3"#),
        ("{{ trunc .Values.a.b \"abc\" }}", #"template: f.yaml:1:16: executing "f.yaml" at <.Values.a.b>: wrong type for value; expected int; got float64"#),
        ("{{ eq .Values.a.b 1 }}", #"template: f.yaml:1:3: executing "f.yaml" at <eq .Values.a.b 1>: error calling eq: incompatible types for comparison: float64 and int"#),
        ("{{ range .Values.a.b }}{{ end }}", #"template: f.yaml:1:16: executing "f.yaml" at <.Values.a.b>: range can't iterate over 1"#),
        ("{{ include \"x\" }}", #"template: f.yaml:1:3: executing "f.yaml" at <include>: wrong number of args for include: want 2 got 1"#),
        ("{{ index .Values \"zz\" \"b\" }}", #"template: f.yaml:1:3: executing "f.yaml" at <index .Values "zz" "b">: error calling index: index of nil pointer"#),
        ("{{ len .Values.missing }}", #"template: f.yaml:1:3: executing "f.yaml" at <len .Values.missing>: error calling len: len of nil pointer"#),
        ("{{ .Values.a 1 }}", #"template: f.yaml:1:10: executing "f.yaml" at <.Values.a>: a is not a method but has arguments"#),
        ("{{ div 1 0 }}", #"template: f.yaml:1:3: executing "f.yaml" at <div 1 0>: error calling div: runtime error: integer divide by zero"#),
        ("{{ fail \"boom\" }}", #"template: f.yaml:1:3: executing "f.yaml" at <fail "boom">: error calling fail: boom"#),
    ])
    func executionErrors(_ source: String, _ expected: String) {
        let data: TemplateValue = .dict(["Values": TemplateValue(["a": ["b": 1], "l": [1]] as Value)])
        let e = render(source, data)
        #expect(e?.description == expected)
    }

    @Test func errorCarriesLocation() throws {
        let e = try #require(render("line1\n  {{ .Values.x.y }}", .dict(["Values": .dict([:])])))
        #expect(e.kind == .execution)
        #expect(e.file == "f.yaml")
        #expect(e.line == 2)
        #expect(e.column == 12)
        #expect(e.executing == "f.yaml")
        #expect(e.context == ".Values.x.y")
        #expect(e.message == "nil pointer evaluating interface {}.y")
    }

    @Test func errorInsideDefineNamesTheDefine() throws {
        var set = TemplateSet()
        try set.add(name: "h.tpl", source: "{{ define \"x\" }}\n{{ .a.b }}{{ end }}")
        try set.add(name: "f.yaml", source: "{{ include \"x\" . }}")
        do {
            _ = try set.render("f.yaml", data: .dict([:]))
            Issue.record("expected an error")
        } catch {
            #expect(error.description == #"template: f.yaml:1:3: executing "f.yaml" at <include "x" .>: error calling include: template: h.tpl:2:5: executing "x" at <.a.b>: nil pointer evaluating interface {}.b"#)
            #expect(error.nested.first?.file == "h.tpl")
            #expect(error.helmDescription == """
                f.yaml:1:3
                  executing "f.yaml" at <include "x" .>:
                    error calling include:
                h.tpl:2:5
                  executing "x" at <.a.b>:
                    nil pointer evaluating interface {}.b
                """)
        }
    }

    @Test func renderUnknownTemplate() {
        let set = TemplateSet()
        #expect(throws: TemplateError.self) { try set.render("nope", data: .null) }
    }

    @Test func strictModeMissingKey() {
        let e = render("{{ .Values.nope }}", .dict(["Values": .dict([:])]), options: .helmStrict)
        #expect(e?.description == #"template: f.yaml:1:10: executing "f.yaml" at <.Values.nope>: map has no entry for key "nope""#)
    }

    @Test func goDefaultMissingKeyIsSilent() throws {
        var set = TemplateSet(options: .goDefault)
        try set.add(name: "f", source: "{{ .a.b.c }}|{{ .a }}")
        #expect(try set.render("f", data: .dict([:])) == "<no value>|<no value>")
    }

    @Test func lintModeRequired() throws {
        var options = TemplateOptions.helm
        options.lintMode = true
        var set = TemplateSet(options: options)
        try set.add(name: "f", source: "[{{ required \"x\" .nope }}]")
        #expect(try set.render("f", data: .dict([:])) == "[]")
    }
}

/// sprig's certificate functions exist (charts using them parse and check their arguments as
/// Go does) but fail until the project has a crypto library: the error names the function,
/// in Go's function-error shape that Helm prints unchanged.
@Suite struct UnsupportedCryptoTests {
    @Test(arguments: [
        ("genCA", #"genCA "ca" 365"#),
        ("genCAWithKey", #"genCAWithKey "ca" 365 "k""#),
        ("genSelfSignedCert", #"genSelfSignedCert "x" nil nil 365"#),
        ("genSelfSignedCertWithKey", #"genSelfSignedCertWithKey "x" (list "10.0.0.1") (list "a.b") 365 "k""#),
        ("genSignedCert", #"genSignedCert "x" nil nil 365 .ca"#),
        ("genSignedCertWithKey", #"genSignedCertWithKey "x" nil nil 365 .ca "k""#),
        ("genPrivateKey", #"genPrivateKey "rsa""#),
        ("buildCustomCert", #"buildCustomCert "Y2VydA==" "a2V5""#),
    ])
    func failsNamingTheFunction(_ name: String, _ call: String) throws {
        var set = TemplateSet(options: .helm)
        try set.add(name: "c/templates/t.yaml", source: "{{ " + call + " }}")
        do {
            _ = try set.render("c/templates/t.yaml", data: .dict(["ca": .dict([:])]))
            Issue.record("\(name) should fail")
        } catch {
            #expect(error.kind == .execution)
            #expect(error.description == "template: c/templates/t.yaml:1:3: executing \"c/templates/t.yaml\" at <\(call)>: error calling \(name): \(name) is not supported yet")
        }
    }

    @Test func argumentsAreCheckedFirst() throws {
        var set = TemplateSet(options: .helm)
        try set.add(name: "t", source: #"{{ genCA "ca" }}"#)
        #expect(throws: TemplateError.self) { try set.render("t", data: .null) }
        do { _ = try set.render("t", data: .null) } catch {
            #expect(error.message == "wrong number of args for genCA: want 2 got 1")
        }
    }
}
