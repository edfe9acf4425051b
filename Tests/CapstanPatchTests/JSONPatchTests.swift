import CapstanModel
import Testing

@testable import CapstanPatch

@Suite struct JSONPatchTests {
    func run(_ patch: String, _ doc: String) throws(PatchError) -> Value {
        try JSONPatch.apply(patch: json(patch), to: json(doc))
    }

    @Test func addToObjectsAndArrays() throws {
        #expect(try run(#"[{"op":"add","path":"/b","value":2}]"#, #"{"a":1}"#) == json(#"{"a":1,"b":2}"#))
        #expect(try run(#"[{"op":"add","path":"/a/1","value":"x"}]"#, #"{"a":[1,2]}"#) == json(#"{"a":[1,"x",2]}"#))
        #expect(try run(#"[{"op":"add","path":"/a/-","value":3}]"#, #"{"a":[1,2]}"#) == json(#"{"a":[1,2,3]}"#))
        #expect(try run(#"[{"op":"add","path":"/a/2","value":3}]"#, #"{"a":[1,2]}"#) == json(#"{"a":[1,2,3]}"#))
        #expect(try run(#"[{"op":"add","path":"","value":[1]}]"#, #"{"a":1}"#) == json("[1]"))
        // add replaces an existing member
        #expect(try run(#"[{"op":"add","path":"/a","value":{"b":1}}]"#, #"{"a":1}"#) == json(#"{"a":{"b":1}}"#))
    }

    @Test func removeAndReplace() throws {
        #expect(try run(#"[{"op":"remove","path":"/a/0"}]"#, #"{"a":[1,2]}"#) == json(#"{"a":[2]}"#))
        #expect(try run(#"[{"op":"remove","path":"/a"}]"#, #"{"a":1,"b":2}"#) == json(#"{"b":2}"#))
        #expect(try run(#"[{"op":"replace","path":"/a/1","value":9}]"#, #"{"a":[1,2,3]}"#) == json(#"{"a":[1,9,3]}"#))
        #expect(try run(#"[{"op":"replace","path":"","value":{"x":1}}]"#, #"{"a":1}"#) == json(#"{"x":1}"#))
    }

    @Test func moveAndCopy() throws {
        #expect(try run(#"[{"op":"move","from":"/a/b","path":"/c"}]"#, #"{"a":{"b":1}}"#) == json(#"{"a":{},"c":1}"#))
        #expect(try run(#"[{"op":"move","from":"/l/0","path":"/l/-"}]"#, #"{"l":[1,2,3]}"#) == json(#"{"l":[2,3,1]}"#))
        #expect(try run(#"[{"op":"copy","from":"/a","path":"/b"}]"#, #"{"a":{"x":[1]}}"#) == json(#"{"a":{"x":[1]},"b":{"x":[1]}}"#))
        #expect(try run(#"[{"op":"move","from":"/a","path":"/a"}]"#, #"{"a":1}"#) == json(#"{"a":1}"#))
    }

    @Test func testOperation() throws {
        #expect(try run(#"[{"op":"test","path":"/a","value":{"b":[1,"x"]}}]"#, #"{"a":{"b":[1,"x"]}}"#) == json(#"{"a":{"b":[1,"x"]}}"#))
        // Numbers compare by value.
        _ = try run(#"[{"op":"test","path":"/n","value":1.0}]"#, #"{"n":1}"#)
        let e = patchError { _ = try run(#"[{"op":"add","path":"/x","value":1},{"op":"test","path":"/a","value":2}]"#, #"{"a":1}"#) }
        #expect(e?.kind == .testFailed)
        #expect(e?.operationIndex == 1)
        #expect(e?.path == "/a")
        #expect(e?.description.hasPrefix("operation 1: /a:") == true)
    }

    @Test func pointerEscaping() throws {
        #expect(try run(#"[{"op":"add","path":"/a~1b","value":1}]"#, "{}") == json(#"{"a/b":1}"#))
        #expect(try run(#"[{"op":"add","path":"/m~0n","value":1}]"#, "{}") == json(#"{"m~n":1}"#))
        #expect(try run(#"[{"op":"replace","path":"/~01","value":2}]"#, #"{"~1":1}"#) == json(#"{"~1":2}"#))
        #expect(try run(#"[{"op":"add","path":"/","value":2}]"#, "{}") == json(#"{"":2}"#))
        let bad = patchError { _ = try run(#"[{"op":"add","path":"/a~2","value":1}]"#, "{}") }
        #expect(bad?.kind == .invalidPointer)
        let noSlash = patchError { _ = try run(#"[{"op":"add","path":"a","value":1}]"#, "{}") }
        #expect(noSlash?.kind == .invalidPointer)
    }

    @Test func errorsNameOperationAndPath() {
        let cases: [(String, String, PatchError.Kind, Int)] = [
            (#"[{"op":"remove","path":"/missing"}]"#, #"{"a":1}"#, .pathNotFound, 0),
            (#"[{"op":"add","path":"/a/b/c","value":1}]"#, #"{"a":{}}"#, .pathNotFound, 0),
            (#"[{"op":"replace","path":"/nope","value":1}]"#, #"{"a":1}"#, .pathNotFound, 0),
            (#"[{"op":"add","path":"/l/5","value":1}]"#, #"{"l":[1]}"#, .invalidPointer, 0),
            (#"[{"op":"add","path":"/l/01","value":1}]"#, #"{"l":[1,2]}"#, .invalidPointer, 0),
            (#"[{"op":"remove","path":"/l/-"}]"#, #"{"l":[1]}"#, .invalidPointer, 0),
            (#"[{"op":"add","path":"/a","value":1},{"op":"frobnicate","path":"/a"}]"#, "{}", .invalidPatch, 1),
            (#"[{"op":"add","path":"/a"}]"#, "{}", .invalidPatch, 0),
            (#"[{"op":"copy","path":"/a"}]"#, "{}", .invalidPatch, 0),
            (#"[{"path":"/a"}]"#, "{}", .invalidPatch, 0),
            (#"[1]"#, "{}", .invalidPatch, 0),
            (#"[{"op":"move","from":"/a","path":"/a/b"}]"#, #"{"a":{}}"#, .invalidPatch, 0),
            (#"[{"op":"remove","path":""}]"#, #"{"a":1}"#, .invalidPointer, 0),
            (#"[{"op":"add","path":"/s/x","value":1}]"#, #"{"s":"str"}"#, .pathNotFound, 0),
        ]
        for (patch, doc, kind, index) in cases {
            let e = patchError { _ = try run(patch, doc) }
            #expect(e?.kind == kind, "\(patch)")
            #expect(e?.operationIndex == index, "\(patch)")
        }
        let notArray = patchError { _ = try run(#"{"op":"add"}"#, "{}") }
        #expect(notArray?.kind == .invalidPatch)
        #expect(notArray?.operationIndex == nil)
    }

    @Test func failedPatchLeavesInputUntouched() throws {
        let doc = json(#"{"a":[1,2]}"#)
        _ = patchError { _ = try JSONPatch.apply(patch: json(#"[{"op":"add","path":"/a/-","value":3},{"op":"remove","path":"/x"}]"#), to: doc) }
        #expect(doc == json(#"{"a":[1,2]}"#))
    }
}
