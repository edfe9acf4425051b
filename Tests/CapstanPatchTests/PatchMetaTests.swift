import CapstanModel
import Testing

@testable import CapstanPatch

@Suite struct PatchMetaTests {
    @Test func readsStrategiesAndMergeKeysFromTheSchema() throws {
        let meta = TestSchema.meta
        let items = meta.field("spec").field("items")
        #expect(items.strategies == ["merge"])
        #expect(items.mergeKey == "name")
        #expect(items.items.field("env").mergeKey == "name")
        #expect(meta.field("spec").field("volumes").strategies == ["merge", "retainKeys"])
        // Strategy written next to an allOf reference.
        #expect(meta.field("spec").field("strategy").strategies == ["retainKeys"])
        #expect(meta.field("metadata").field("labels").field("anything").strategies == [])
        // Unknown fields fall back to plain JSON rules.
        #expect(meta.field("nope").field("deeper") === PatchMeta.none)
    }

    @Test func listMapKeysOnlyWhenAskedFor() {
        #expect(TestSchema.meta.field("spec").field("ports").mergeKey == nil)
        let ports = TestSchema.listMapMeta.field("spec").field("ports")
        #expect(ports.mergeKey == "port")
        #expect(ports.strategies == ["merge"])
    }

    @Test func listMapsMergeWithTheOption() throws {
        let object = #"{"spec":{"ports":[{"port":80,"name":"a"},{"port":81}]}}"#
        let patch = #"{"spec":{"ports":[{"port":80,"name":"b"}]}}"#
        #expect(try apply(patch, to: object) == json(#"{"spec":{"ports":[{"port":80,"name":"b"}]}}"#))
        #expect(try apply(patch, to: object, meta: TestSchema.listMapMeta) == json(#"{"spec":{"ports":[{"port":80,"name":"b"},{"port":81}]}}"#))
    }

    @Test func builtinKindsComeFromTheCatalogue() throws {
        let deployment = try #require(PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        let podSpec = deployment.field("spec").field("template").field("spec")
        #expect(podSpec.field("containers").mergeKey == "name")
        #expect(podSpec.field("containers").items.field("ports").mergeKey == "containerPort")
        #expect(podSpec.field("containers").items.field("volumeMounts").mergeKey == "mountPath")
        #expect(podSpec.field("volumes").strategies.contains("retainKeys"))
        #expect(deployment.field("spec").field("strategy").strategies == ["retainKeys"])
        #expect(deployment.field("metadata").field("ownerReferences").mergeKey == "uid")
        let service = try #require(PatchMeta.builtin(GroupVersionKind(group: "", version: "v1", kind: "Service")))
        #expect(service.field("spec").field("ports").mergeKey == "port")
        #expect(PatchMeta.builtin(GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")) == nil)
        // Shared, built once.
        #expect(PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) === deployment)
    }

    @Test func badStrategyIsATypedError() {
        let e = patchError { _ = try apply(#"{"spec":{"bad":["x"]}}"#, to: #"{"spec":{"bad":["y"]}}"#) }
        #expect(e?.kind == .invalidDocument)
        #expect(e?.path == "spec.bad")
    }
}

extension PatchMetaTests {
    @Test func openAPIv3DocumentsWork() throws {
        let doc = json("""
        {"openapi":"3.0.0","components":{"schemas":{
          "w.Widget":{"type":"object","properties":{"spec":{"allOf":[{"$ref":"#/components/schemas/w.Spec"}]}}},
          "w.Spec":{"type":"object","properties":{"parts":{"type":"array","items":{"$ref":"#/components/schemas/w.Part"},
            "x-kubernetes-patch-strategy":"merge","x-kubernetes-patch-merge-key":"id"}}},
          "w.Part":{"type":"object","properties":{"id":{"type":"integer"},"size":{"type":"integer"}}}}}}
        """)
        let meta = try #require(try PatchMeta.fromOpenAPI(doc, definition: "w.Widget"))
        #expect(meta.field("spec").field("parts").mergeKey == "id")
        let result = try StrategicMerge.apply(patch: json(#"{"spec":{"parts":[{"id":2,"size":9},{"id":3}]}}"#),
                                              to: json(#"{"spec":{"parts":[{"id":1,"size":1},{"id":2,"size":2}]}}"#), meta: meta)
        #expect(result == json(#"{"spec":{"parts":[{"id":1,"size":1},{"id":2,"size":9},{"id":3}]}}"#))
        #expect(try PatchMeta.fromOpenAPI(doc, definition: "w.Missing") == nil)
        #expect(throws: (any Error).self) { _ = try PatchMeta.fromOpenAPI(json("{}"), definition: "x") }
    }
}
