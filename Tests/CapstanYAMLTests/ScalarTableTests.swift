import Foundation
import Testing
import CapstanModel
import CapstanTestSupport
@testable import CapstanYAML

/// One case per rule of the go-yaml v2 / sigs.k8s.io/yaml scalar table.
@Suite struct ScalarTableTests {
    static let table: [(String, Value)] = [
        ("yes", true), ("Yes", true), ("YES", true), ("no", false), ("NO", false),
        ("on", true), ("On", true), ("off", false), ("OFF", false), ("y", true), ("Y", true), ("n", false), ("N", false),
        ("true", true), ("False", false), ("TRUE", true),
        ("yEs", "yEs"),                         // mixed case is not in go-yaml's table
        ("0777", 511), ("0o17", 15), ("0x1F", 31), ("-0x1F", -31), ("0b101", 5), ("08", 8),
        ("1e3", 1000), ("3.0", 3), ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("1_000", 1000), ("+12", 12),
        ("1e21", .double(1e21)), ("1e-7", .double(1e-7)),
        ("9223372036854775807", .int(Int64.max)), ("9223372036854775808", .double(9223372036854775808)),
        ("~", nil), ("null", nil), ("Null", nil), ("NULL", nil), ("", nil),
        ("2001-12-14", "2001-12-14"), ("1:20", "1:20"), ("1e400x", "1e400x"), ("0x", "0x"), ("-x", "-x"),
        ("abc", "abc"), ("12abc", "12abc"),
    ]

    @Test func plainScalarsResolveLikeKubernetes() throws {
        for (text, expected) in Self.table {
            let doc = try YAML.parse("v: \(text)\n")
            #expect(doc["v"] == expected, "plain scalar \(text.debugDescription)")
        }
    }

    @Test func quotedAndTaggedScalarsStayStrings() throws {
        let doc = try YAML.parse("a: \"yes\"\nb: '123'\nc: !!str 0x10\nd: |\n  text\ne: >-\n  folded\n  line\n")
        #expect(doc["a"] == "yes")
        #expect(doc["b"] == "123")
        #expect(doc["c"] == "0x10")
        #expect(doc["d"] == "text\n")
        #expect(doc["e"] == "folded line")
    }

    @Test func keysAreConvertedToStrings() throws {
        let doc = try YAML.parse("n: key\n7: int\n1.5: float\ntrue: bool\n")
        #expect(Array(doc.objectValue!.keys) == ["false", "7", "1.5", "true"])
    }

    @Test func infinityIsRejectedWithPosition() {
        do {
            _ = try YAML.parse("a: 1\nb: .inf\n", file: "x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 4)
            #expect(error.description.hasPrefix("x.yaml:2:4:"))
        }
    }

    @Test func nullKeysAreRejected() {
        #expect(throws: YAMLError.self) { try YAML.parse("~: x\n") }
    }

    /// The committed answer of kubectl 1.37 for the fixture (`kubectl patch --local -o json`).
    @Test func fixtureMatchesKubectlGolden() throws {
        let source = try fixture("scalars.yaml")
        let expected = try Value.parseJSON(fixture("scalars.kubectl.json"))
        let ours = try YAML.parse(source)
        #expect(ours["t"] == expected["t"])
    }

    /// The same comparison against the live oracle, so the golden file cannot drift.
    @Test func fixtureMatchesLiveKubectl() throws {
        guard let kubectl = Oracle.kubectl else {
            if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing("kubectl 1.37"))) }
            return
        }
        let path = try #require(Bundle.module.path(forResource: "scalars", ofType: "yaml", inDirectory: "Fixtures"))
        let out = try Oracle.run(kubectl, ["patch", "--local", "-f", path, "--type", "merge", "-p", "{}", "-o", "json"],
                                 environment: ["KUBECONFIG": "/dev/null"])
        #expect(out.status == 0, "\(out.stderr)")
        let expected = try Value.parseJSON(out.stdout)
        #expect(try YAML.parse(fixture("scalars.yaml"))["t"] == expected["t"])
    }
}

func fixture(_ name: String) throws -> String {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8)
}
