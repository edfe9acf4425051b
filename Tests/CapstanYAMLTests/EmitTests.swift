import Testing
import CapstanModel
import CapstanTestSupport
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

    /// The byte comparison used for ASCII keys orders exactly like the code-point one.
    @Test func asciiKeyOrderAgreesWithTheGeneralOrder() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("aAzZ09_-.:/ 0123456789bB".utf8)
        for _ in 0..<20_000 {
            func key() -> String {
                String(decoding: (0..<Int(rng.next() % 6)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self)
            }
            let (a, b) = (key(), key())
            let general = goYAMLKeyLess(Array(a.unicodeScalars), Array(b.unicodeScalars), value: \.value,
                                        isLetter: \.properties.isAlphabetic)
            #expect(goYAMLKeyLess(a, b) == general, "\(a.debugDescription) < \(b.debugDescription)")
        }
        #expect(goYAMLKeyLess("é", "z") == !goYAMLKeyLess("z", "é"))
    }

    /// `readsAsString` answers what `resolvePlain` would, without building the string.
    @Test func readsAsStringAgreesWithResolvePlain() {
        var words = ["", "y", "Y", "yes", "Yes", "YES", "n", "no", "NO", "on", "Off", "true", "False", "null", "Null", "~",
                     "~x", ".inf", "-.Inf", ".5", "1", "0x1F", "0o17", "1_000", "1e3", "2001-12-14", "1:20", "+1", "-",
                     "yess", "nullx", "tru", "o", "onn", "abc", "éa", "0b101", "-0b1", "18446744073709551616", "1.5.5"]
        var rng = SplitMix(seed: 11)
        let alphabet = Array("ynNtTfFoOlsure0123456789.-+_:~xe".utf8)
        for _ in 0..<20_000 {
            words.append(String(decoding: (0..<Int(rng.next() % 7)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }, as: UTF8.self))
        }
        for word in words {
            var expected = false
            if case .value(.string) = ScalarResolver.resolvePlain(word) { expected = true }
            #expect(ScalarResolver.readsAsString(word) == expected, "\(word.debugDescription)")
        }
    }

    /// The byte route of `resolvePlain` (which settles digit-led quantities such as `100m` as
    /// strings at the first letter no number can hold) agrees with the general one.
    @Test func byteResolutionAgreesWithTheGeneralRoute() {
        var words = ["100m", "64Mi", "1Gi", "8080", "1e3", "1E3", "0x1F", "0o17", "0b11", "1_000", "2001-12-14t21:59:43.10-05:00",
                     "2001-12-14 21:59:43.10 -5", "2002-12-14", "12:30", "1.5", "1.5.5", "1p3", "1x", "9z", "1 2", "3\t4"]
        var rng = SplitMix(seed: 23)
        let alphabet = Array("0123456789abcdefxXoOeEmMiGKkpPtTzZ.-+_: ".utf8)
        for _ in 0..<30_000 {
            let length = 1 + Int(rng.next() % 10)
            let first = UInt8(ascii: "1") + UInt8(rng.next() % 9)
            let rest = (1..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            words.append(String(decoding: [first] + rest, as: UTF8.self))
        }
        for word in words {
            var bytes = Array(word.utf8)
            let byByte = bytes.withUnsafeMutableBufferPointer { ScalarResolver.resolvePlain(UnsafeBufferPointer($0)) }
            #expect(byByte == ScalarResolver.resolvePlain(word), "\(word.debugDescription)")
        }
    }

    @Test(arguments: [(1.5, "1.5"), (1e-7, "1e-07"), (123456789.5, "1.234567895e+08"), (3.0, "3"), (0.0001, "0.0001"), (1e21, "1e+21")])
    func numbersPrintLikeGoYAML(value: Double, expected: String) {
        #expect(formatYAMLNumber(value) == expected)
    }
}
