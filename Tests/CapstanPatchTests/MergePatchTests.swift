import CapstanModel
import Testing

@testable import CapstanPatch

@Suite struct MergePatchTests {
    /// The examples of RFC 7386 appendix A.
    @Test func rfc7386Examples() throws {
        let examples: [(String, String, String)] = [
            (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
            (#"{"a":"b"}"#, #"{"a":null}"#, "{}"),
            (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
            (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
            (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
            (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
            (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
            (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
            (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
            (#"{"a":"foo"}"#, "null", "null"),
            (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
            (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
            (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
            ("{}", #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
        ]
        for (target, patch, result) in examples {
            #expect(try MergePatch.apply(patch: json(patch), to: json(target)) == json(result), "\(target) + \(patch)")
        }
    }

    @Test func twoWay() throws {
        let p = try MergePatch.createTwoWay(original: json(#"{"a":1,"b":{"c":1,"d":[1]},"x":true}"#),
                                            modified: json(#"{"a":2,"b":{"c":1,"d":[1,2]},"y":{}}"#))
        #expect(p == json(#"{"a":2,"b":{"d":[1,2]},"x":null,"y":{}}"#))
        #expect(try MergePatch.createTwoWay(original: json("[1]"), modified: json("[2]")) == json("[2]"))
        // Round trip.
        let o = json(#"{"spec":{"list":[{"n":1}],"m":{"k":"v","gone":1}}}"#)
        let m = json(#"{"spec":{"list":[{"n":2}],"m":{"k":"w"}},"status":{}}"#)
        #expect(try MergePatch.apply(patch: try MergePatch.createTwoWay(original: o, modified: m), to: o) == m)
    }

    /// kubectl's three-way merge patch for custom resources.
    @Test func threeWayKeepsLiveOnlyFields() throws {
        let original = json(#"{"spec":{"size":1,"color":"red","list":[1]}}"#)
        let modified = json(#"{"spec":{"size":2,"list":[1,2]}}"#)
        let current = json(#"{"spec":{"size":1,"color":"red","list":[1],"defaulted":true},"status":{"ok":true}}"#)
        let p = try MergePatch.createThreeWay(original: original, modified: modified, current: current)
        #expect(p == json(#"{"spec":{"color":null,"list":[1,2],"size":2}}"#))
        let result = try MergePatch.apply(patch: p, to: current)
        #expect(result == json(#"{"spec":{"size":2,"list":[1,2],"defaulted":true},"status":{"ok":true}}"#))
        // Nothing changed: empty patch.
        #expect(try MergePatch.createThreeWay(original: modified, modified: modified, current: result) == json("{}"))
        // No last-applied: nothing is deleted.
        #expect(try MergePatch.createThreeWay(original: .null, modified: modified, current: current) == json(#"{"spec":{"list":[1,2],"size":2}}"#))
    }

    @Test func threeWayEmptyObjectsAreValues() throws {
        let p = try MergePatch.createThreeWay(original: json("{}"), modified: json(#"{"spec":{"opts":{}}}"#), current: json(#"{"spec":{}}"#))
        #expect(p == json(#"{"spec":{"opts":{}}}"#))
    }

    @Test func deepNestingIsRefused() {
        var deep: Value = 1
        for _ in 0..<(maxPatchDepth + 5) { deep = ["a": deep] }
        let e = patchError { _ = try MergePatch.apply(patch: deep, to: deep) }
        #expect(e?.kind == .tooDeep)
    }
}
