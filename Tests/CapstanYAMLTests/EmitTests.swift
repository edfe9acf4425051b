import Testing
import CapstanModel
@testable import CapstanYAML

@Suite struct EmitTests {
    /// Parse the fixture and print it: the bytes must equal what kubectl 1.37 printed for it
    /// with `-o yaml` (sorted keys, quoting, literal blocks, folding at 80 columns, floats).
    @Test func emissionMatchesKubectlGolden() throws {
        let value = try YAML.parse(fixture("emit.yaml"))
        #expect(YAML.emit(value) == (try fixture("emit.kubectl.yaml")))
    }

    @Test func roundTripPreservesValues() throws {
        let value: Value = [
            "s": ["yes", "no", "1", "1.5", "", "~", " x", "a: b", "#", "line\nbreak", "tab\there", "é"],
            "n": [1, -2, 2.5, 1e-9, 1e30, .int(Int64.max)],
            "b": [true, false, nil],
            "nested": ["a": [["b": [:]], []]],
        ]
        let text = YAML.emit(value)
        #expect(try YAML.parse(text) == value)
    }

    @Test func keepsSourceOrderWhenAsked() {
        let value: Value = ["z": 1, "a": 2]
        #expect(YAML.emit(value, options: YAMLEmitOptions(sortKeys: false)) == "z: 1\na: 2\n")
        #expect(YAML.emit(value) == "a: 2\nz: 1\n")
    }

    @Test func multipleDocumentsAreSeparated() {
        #expect(YAML.emitDocuments([["a": 1], ["b": 2]]) == "a: 1\n---\nb: 2\n")
    }

    @Test func goKeyOrder() {
        let keys = ["b", "a10", "a9", "A", "9", "_x", "-", "a"]
        #expect(keys.sorted(by: goYAMLKeyLess) == ["-", "_x", "9", "A", "a", "a9", "a10", "b"])
    }

    @Test(arguments: [(1.5, "1.5"), (1e-7, "1e-07"), (123456789.5, "1.234567895e+08"), (3.0, "3"), (0.0001, "0.0001"), (1e21, "1e+21")])
    func numbersPrintLikeGoYAML(value: Double, expected: String) {
        #expect(formatYAMLNumber(value) == expected)
    }
}
