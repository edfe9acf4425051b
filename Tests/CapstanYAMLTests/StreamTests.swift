import Testing
import CapstanModel
@testable import CapstanYAML

@Suite struct StreamTests {
    @Test func multiDocumentStreamsKeepEmptyDocumentsAndLines() throws {
        let text = "a: 1\n---\n---\n# comment\nb: 2\n---\n- x\n"
        let docs = try YAML.parseAll(text)
        #expect(docs.map(\.value) == [["a": 1], nil, ["b": 2], ["x"]])
        #expect(docs.map(\.index) == [0, 1, 2, 3])
        #expect(docs[0].line == 1)
        #expect(docs[2].line == 5)
        #expect(docs[3].line == 7)
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = """
        base: &base {a: 1, b: 2}
        other: &other {c: 3}
        one:
          <<: *base
          b: 20
        two:
          x: 0
          <<: [*other, *base]
        list: &l [1, 2]
        again: *l
        """
        let doc = try YAML.parse(text)
        #expect(doc["one"] == ["a": 1, "b": 20])
        #expect(doc["two"] == ["x": 0, "c": 3, "a": 1, "b": 2])
        #expect(doc["again"] == [1, 2])
    }

    @Test func unknownAliasIsAnError() {
        #expect(throws: YAMLError.self) { try YAML.parse("a: *nope\n") }
    }

    @Test func aliasBombIsBounded() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            text += "a\(i): &a\(i) [\(refs)]\n"
        }
        #expect(throws: YAMLError.self) { try YAML.parse(text) }
    }

    @Test func syntaxErrorsCarryFileLineAndColumn() {
        do {
            _ = try YAML.parseAll("a: 1\nb: [1, 2\nc: 3\n", file: "bad.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "bad.yaml")
            #expect(error.line >= 2)
            #expect(error.description.hasPrefix("bad.yaml:"))
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: YAMLError.self) { try YAML.parse(text) }
    }
}
