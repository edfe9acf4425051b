@testable import CapstanChart
import CapstanModel
import CapstanYAML
import Testing

/// Coalescing user values over chart defaults, globals, and dependency processing.
@Suite struct ValuesTests {
    private func chart(_ name: String, values: ValueObject = ValueObject(), deps: [Chart] = [],
                       declared: [ChartDependency] = []) -> Chart {
        Chart(metadata: ChartMetadata(name: name, version: "1.0.0", dependencies: declared), values: values, dependencies: deps)
    }

    /// A single values document is taken as is (no merge into the empty map); the result,
    /// key order included, is the general merge's, and later documents still merge into it.
    @Test func singleValuesDocumentEqualsMerge() throws {
        let text = "b: 1\na:\n  z: [1, 2.5, x]\n  w: {q: 3}\nc: null\n"
        let single = try ChartLoader.parseValuesDocument(text, file: "values.yaml", context: "ctx")
        let doc = try #require(try YAML.parseValues(text, file: "values.yaml").first)
        guard case .object(let merged) = mergeMaps(.object([:]), floatNumbers(doc)) else { Issue.record("not a map"); return }
        #expect(Array(single.keys) == Array(merged.keys))
        #expect(Value.object(single).jsonString() == Value.object(merged).jsonString())
        let two = try ChartLoader.parseValuesDocument(text + "---\na:\n  w: {r: 4}\nd: 5\n", file: "values.yaml", context: "ctx")
        #expect(Value.object(two).jsonString() == #"{"b":1,"a":{"z":[1,2.5,"x"],"w":{"q":3,"r":4}},"c":null,"d":5}"#)
    }

    /// `Coalesce.tables` against the earlier formulation that collected the given source's
    /// non-null keys up front: nulls on either side, nested maps, merge on and off.
    @Test func coalesceTablesMatchesReference() throws {
        func reference(_ dst: ValueObject, _ src: ValueObject, merge: Bool) -> ValueObject {
            var dst = dst
            var srcNonNil = Set<String>()
            for (k, v) in src where !v.isNull { srcNonNil.insert(k) }
            var src = src
            for (k, v) in dst where v.isNull { src[k] = .null }
            for (key, val) in src {
                let dv = dst[key]
                if let dv, !merge, dv.isNull, srcNonNil.contains(key) {
                    dst.removeValue(forKey: key)
                } else if dv == nil {
                    dst[key] = val
                } else if case .object(let so) = val, case .object(let dvo)? = dv {
                    dst[key] = .object(reference(dvo, so, merge: merge))
                }
            }
            return dst
        }
        let maps: [ValueObject] = [
            [:], ["a": 1], ["a": .null], ["a": .null, "b": 2], ["b": .null, "c": ["x": .null, "y": 1]],
            ["a": ["x": 1, "y": .null], "c": ["x": 2, "z": .null]], ["a": "s", "c": .null, "d": [1, 2]],
        ]
        for dst in maps {
            for src in maps {
                for merge in [false, true] {
                    let got = Coalesce.tables(dst, src, merge: merge)
                    let want = reference(dst, src, merge: merge)
                    #expect(Array(got.keys) == Array(want.keys))
                    #expect(Value.object(got).jsonString() == Value.object(want).jsonString())
                }
            }
        }
    }

    /// With nothing given for a chart, coalescing returns its defaults (cleaned of nulls below
    /// the top when not merging) without inserting them one by one: same keys, same order.
    @Test func emptyGivenValuesAgreeWithKeyByKey() throws {
        let defaults = try ChartLoader.parseValuesDocument("""
            z: 1
            a: null
            m:
              y: null
              b: [1, null]
              n: {x: null, k: v}
            s: text
            """, file: "values.yaml", context: "test")
        let c = chart("c", values: defaults, deps: [chart("m")])
        for prefix in ["", "parent"] {
            for merge in [false, true] {
                let fast = Coalesce.coalesceValues(c, ValueObject(), prefix: prefix, merge: merge)
                let general = Coalesce.coalesceValuesKeyByKey(c, ValueObject(), prefix: prefix, merge: merge)
                #expect(Value.object(fast).jsonString() == Value.object(general).jsonString(), "prefix \(prefix) merge \(merge)")
            }
        }
        #expect(Array(Coalesce.coalesceValues(c, ValueObject(), prefix: "p", merge: false).keys) == ["z", "m", "s"])
    }

    /// The in-place float conversion gives what rebuilding the tree gives: same keys in the
    /// same order, every integer a double, shared inputs left untouched.
    @Test func floatNumbersInPlaceAgreesWithRebuild() throws {
        func rebuilt(_ v: Value) -> Value {
            switch v {
            case .int(let i): return .double(Double(i))
            case .array(let a): return .array(a.map(rebuilt))
            case .object(let o):
                var out = ValueObject()
                for (k, x) in o { out[k] = rebuilt(x) }
                return .object(out)
            default: return v
            }
        }
        let doc = try YAML.parse("""
            z: 1
            a: [1, 2.5, {b: 3, c: [4, x]}, null]
            m: {q: -7, n: {k: 9007199254740993}}
            s: "5"
            t: true
            """, file: "v.yaml")
        let shared = doc
        let converted = floatNumbers(doc)
        #expect(converted.jsonString() == rebuilt(doc).jsonString())
        #expect(converted["m"]["q"] == .double(-7))
        #expect(shared["z"] == .int(1) && doc["a"][0] == .int(1), "the caller's copy keeps its integers")
        #expect(floatNumbers(.int(3)) == .double(3) && floatNumbers(.string("x")) == .string("x"))
    }

    @Test func userValuesOverrideAndNullDeletes() throws {
        let c = chart("top", values: ["a": 1, "b": ["x": 1, "y": 2], "keep": "k"])
        let out = try Coalesce.values(c, ["a": 5, "b": ["y": .null, "z": 3], "keep": .null], merge: false)
        #expect(out["a"] == .int(5))
        #expect(out["b"] == ["x": 1, "z": 3])
        #expect(out["keep"] == nil)
    }

    @Test func subchartDefaultsAndGlobals() throws {
        let sub = chart("sub", values: ["port": 80, "global": ["env": "dev", "own": "o"]])
        let top = chart("top", values: ["global": ["env": "prod"], "sub": ["port": 90]], deps: [sub])
        let out = try Coalesce.values(top, ValueObject(), merge: false)
        #expect(out["sub"]?["port"] == .int(90))
        #expect(out["sub"]?["global"] == ["env": "prod", "own": "o"])
    }

    @Test func typeMismatchOnSubchartKey() {
        let top = chart("top", deps: [chart("sub")])
        #expect(throws: ChartError.self) { try Coalesce.values(top, ["sub": "scalar"], merge: false) }
    }

    @Test func conditionsTagsAndAliases() throws {
        let sub = chart("db", values: ["enabled": false])
        var top = chart("app", values: ["tags": ["t": false], "first": ["enabled": true]], deps: [sub], declared: [
            ChartDependency(name: "db", version: "1.x", condition: "first.enabled", alias: "first"),
            ChartDependency(name: "db", version: "1.x", tags: ["t"], alias: "second"),
            ChartDependency(name: "db", version: "1.x", condition: "third.enabled", alias: "third"),
        ])
        try Dependencies.process(&top, values: ValueObject())
        #expect(top.dependencies.map(\.name) == ["first"])
    }

    @Test func importValuesBothForms() throws {
        let sub = chart("child", values: ["data": ["a": 1], "exports": ["ex": ["b": 2]]])
        var top = chart("parent", values: ["imported": ["a": 9]], deps: [sub], declared: [
            ChartDependency(name: "child", version: "1.0.0",
                            importValues: [["child": "data", "parent": "imported"], "ex"]),
        ])
        try Dependencies.process(&top, values: ValueObject())
        #expect(top.values["imported"] == ["a": 9])
        #expect(top.values["b"] == .int(2))
    }

    @Test func missingDependencyMessage() {
        let top = chart("app", declared: [ChartDependency(name: "redis", version: "1.0.0"), ChartDependency(name: "pg")])
        do {
            try Dependencies.check(top)
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasSuffix("found in Chart.yaml, but missing in charts/ directory: redis, pg"))
        }
    }
}
