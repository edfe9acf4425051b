import CapstanTestSupport
import Testing
@testable import CapstanModel

@Suite struct ValueTests {
    @Test func pathAccessReadsAndWrites() {
        var v: Value = ["spec": ["replicas": 3]]
        #expect(v["spec"]["replicas"] == 3)
        #expect(v["spec"]["missing"]["deeper"] == .null)
        v[path: ["spec", "template", "metadata", "labels", "app"]] = "web"
        #expect(v["spec"]["template"]["metadata"]["labels"]["app"] == "web")
        #expect(v.remove(path: ["spec", "replicas"]) == 3)
        #expect(!v["spec"].has("replicas"))
        #expect(v.remove(path: ["nope", "x"]) == nil)
    }

    @Test func copiesAreIndependent() {
        let a: Value = ["k": [1, 2, 3]]
        var b = a
        b["k"] = [4]
        #expect(a["k"] == [1, 2, 3])
        #expect(b["k"] == [4])
    }

    @Test func objectEqualityIgnoresKeyOrder() {
        let a: Value = ["x": 1, "y": 2]
        let b: Value = ["y": 2, "x": 1]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Value.int(1) != Value.double(1))
    }

    @Test func jsonRoundTripKeepsOrderAndIntegers() throws {
        let text = #"{"b":1,"a":[true,false,null,1.5,-9223372036854775808,9223372036854775807],"s":"x\"\\\n\u00e9\ud83d\ude00"}"#
        let v = try Value.parseJSON(text)
        #expect(v["a"][4] == .int(Int64.min))
        #expect(v["a"][5] == .int(Int64.max))
        #expect(v["a"][3] == .double(1.5))
        #expect(v["s"] == .string("x\"\\\né😀"))
        #expect(Array(v.objectValue!.keys) == ["b", "a", "s"])
        let again = try Value.parseJSON(v.jsonString())
        #expect(again == v)
        #expect(v.jsonString() == #"{"b":1,"a":[true,false,null,1.5,-9223372036854775808,9223372036854775807],"s":"x\"\\\né😀"}"#)
    }

    /// A repeated key keeps its first place and takes the last value, at every depth (objects
    /// are built when they close, from members read onto a stack shared by all levels).
    @Test func repeatedKeysKeepTheirFirstPlaceAndTheLastValue() throws {
        let v = try Value.parseJSON(#"{"a":1,"b":{"x":[1,{"y":1,"y":2}],"x":[{"z":0}],"w":3},"a":{"c":[]},"d":[[],{},[{"e":1,"e":[2]}]]}"#)
        #expect(v.jsonString() == #"{"a":{"c":[]},"b":{"x":[{"z":0}],"w":3},"d":[[],{},[{"e":[2]}]]}"#)
        let big = "{" + (0..<40).map { "\"k\($0 % 20)\":\($0)" }.joined(separator: ",") + "}"
        let parsed = try Value.parseJSON(big)
        #expect(Array(parsed.objectValue!.keys) == (0..<20).map { "k\($0)" })
        #expect(Array(parsed.objectValue!.values) == (20..<40).map { Value.int(Int64($0)) })
    }

    /// Literals follow the same rule as parsed documents.
    @Test func literalsWithRepeatedKeys() {
        let v: Value = ["a": 1, "b": 2, "a": 3, "c": ["x": 1, "x": 2]]
        #expect(v.jsonString() == #"{"a":3,"b":2,"c":{"x":2}}"#)
        let empty: Value = [:]
        #expect(empty.jsonString() == "{}")
    }

    /// Random nested documents read back exactly, key order included.
    @Test func randomDocumentsRoundTripWithTheirKeyOrder() throws {
        var random = SplitMix(seed: 7)
        func make(_ depth: Int) -> Value {
            switch Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &random) {
            case 0: return .int(Int64.random(in: -1_000...1_000, using: &random))
            case 1: return .string(String(repeating: "é\"x", count: Int.random(in: 0..<4, using: &random)))
            case 2: return .bool(Bool.random(using: &random))
            case 3: return .null
            case 4, 5:
                var object = ValueObject()
                for _ in 0..<Int.random(in: 0..<25, using: &random) {
                    object["k\(Int.random(in: 0..<30, using: &random))"] = make(depth + 1)
                }
                return .object(object)
            default: return .array((0..<Int.random(in: 0..<6, using: &random)).map { _ in make(depth + 1) })
            }
        }
        for _ in 0..<300 {
            let document = make(0)
            let text = document.jsonString()
            #expect(try Value.parseJSON(text).jsonString() == text)
        }
    }

    /// The byte split of ASCII apiVersions agrees with splitting at the first '/' Character.
    @Test func apiVersionsSplitAtTheFirstSlash() {
        for text in ["v1", "apps/v1", "a/b/c", "/v1", "apps/", "", "/", "//", "grüße.example/v1", "x/\u{301}y/v1", "é/v1",
                     "a\u{301}/v1", "networking.k8s.io/v1"] {
            let gv = GroupVersion(apiVersion: text)
            if let slash = text.firstIndex(of: "/") {
                #expect(gv.group == String(text[..<slash]) && gv.version == String(text[text.index(after: slash)...]), "\(text)")
            } else {
                #expect(gv.group == "" && gv.version == text, "\(text)")
            }
        }
        let deployment: Value = ["apiVersion": "apps/v1", "kind": "Deployment"]
        #expect(deployment.gvk == GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
    }

    @Test func integerOverflowBecomesDouble() throws {
        #expect(try Value.parseJSON("9223372036854775808") == .double(9223372036854775808))
        #expect(try Value.parseJSON("1e3") == .double(1000))
        #expect(try Value.parseJSON("-0") == .int(0))
    }

    @Test(arguments: [
        (1e-7, "1e-7"), (100.0, "100"), (1.5, "1.5"), (1e21, "1e+21"), (123456789.125, "123456789.125"),
        (0.000001, "0.000001"), (-2.5e-10, "-2.5e-10"), (1e20, "100000000000000000000"), (0.1, "0.1"),
    ])
    func floatsPrintLikeGo(value: Double, expected: String) {
        #expect(formatGoFloat(value) == expected)
    }

    /// Sorted output (skipping the sort when keys are already in order) equals a plain
    /// bytewise sort of every level, and the writer's literals match the general route.
    @Test func sortedKeysMatchAReferenceSortAtEveryLevel() throws {
        let cases: [Value] = [
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "b", "labels": ["z": "1", "a": "2"]]],
            ["b": ["y": [["k": true, "c": false], .null]], "a": 1, "B": 2.5, "é": "x", "e": "y", "": []],
            ["only": ["one": [:]]],
        ]
        func reference(_ v: Value) -> String {
            switch v {
            case .object(let o):
                let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                return "{" + keys.map { Value.string($0).jsonString() + ":" + reference(o[$0]!) }.joined(separator: ",") + "}"
            case .array(let a): return "[" + a.map(reference).joined(separator: ",") + "]"
            default: return v.jsonString()
            }
        }
        for v in cases {
            #expect(v.jsonString(JSONOptions(sortKeys: true)) == reference(v))
            #expect(try Value.parseJSON(v.jsonString(JSONOptions(indent: 2, sortKeys: true))) == v)
        }
        #expect(Value.array([.null, true, false, 0, -12, "s"]).jsonString() == #"[null,true,false,0,-12,"s"]"#)
        #expect(Value.object(["a": [], "b": [:]]).jsonString(JSONOptions(indent: 2)) == "{\n  \"a\": [],\n  \"b\": {}\n}")
    }

    @Test func goMarshalEscapesHTMLAndSortsKeys() {
        let v: Value = ["z": "<a&b>", "a": 1]
        #expect(v.jsonString(.goMarshal) == #"{"a":1,"z":"\u003ca\u0026b\u003e"}"#)
    }

    @Test func prettyPrinting() {
        let v: Value = ["a": [1, 2], "b": [:], "c": []]
        #expect(v.jsonString(JSONOptions(indent: 4)) == "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {},\n    \"c\": []\n}")
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "01x", "{\"a\":1}x", "\"\\q\"", "1.", "-"])
    func malformedJSONIsRejectedWithPosition(text: String) {
        #expect(throws: JSONError.self) { try Value.parseJSON(text) }
    }

    @Test func errorsCarryLineAndColumn() {
        do {
            _ = try Value.parseJSON("{\n  \"a\": x\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(throws: JSONError.self) { try Value.parseJSON(text) }
    }
}
