import CapstanModel
import Testing

@testable import CapstanPatch

@Suite struct PatchTypeTests {
    @Test func contentTypes() {
        #expect(PatchType(contentType: "application/strategic-merge-patch+json") == .strategic)
        #expect(PatchType(contentType: "application/merge-patch+json; charset=utf-8") == .merge)
        #expect(PatchType(contentType: "Application/JSON-Patch+JSON") == .json)
        #expect(PatchType(contentType: "application/apply-patch+yaml") == nil)
        #expect(PatchType(contentType: "") == nil)
        for t in PatchType.allCases { #expect(PatchType(contentType: t.contentType) == t) }
    }

    @Test func dispatchesByType() throws {
        let object = json(#"{"spec":{"items":[{"name":"a","image":"1"}]}}"#)
        #expect(try PatchType.json.apply(json(#"[{"op":"replace","path":"/spec/items/0/image","value":"2"}]"#), to: object)
                == json(#"{"spec":{"items":[{"name":"a","image":"2"}]}}"#))
        // Merge patch replaces lists; strategic merges them by key.
        let patch = json(#"{"spec":{"items":[{"name":"b"}]}}"#)
        #expect(try PatchType.merge.apply(patch, to: object) == json(#"{"spec":{"items":[{"name":"b"}]}}"#))
        #expect(try PatchType.strategic.apply(patch, to: object, meta: TestSchema.meta)
                == json(#"{"spec":{"items":[{"name":"b"},{"name":"a","image":"1"}]}}"#))
    }

    @Test func errorDescriptions() {
        #expect(PatchError(.conflict, path: "spec.replicas", "x").description == "conflict at spec.replicas: x")
        #expect(PatchError(.testFailed, path: "/a", "y", operationIndex: 2).description == "operation 2: /a: y")
        #expect(PatchPath.root.description == "<root>")
        #expect(PatchPath.root.appending("spec").appending(mergeKey: "name", value: "web").appending("ports").appending(index: 0).description
                == "spec[name=web].ports[0]")
        #expect(PatchPath.root.appending(mergeKey: "containerPort", value: 80).description == "[containerPort=80]")
    }
}
