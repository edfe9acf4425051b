import CapstanModel
import Testing

@testable import CapstanPatch

/// Two-way creation: each list strategy and directive, null handling, errors, and the
/// round trip apply(create(o, m), o) == m.
@Suite struct StrategicCreateTests {
    @Test func scalarsMapsAndNulls() throws {
        let p = try twoWay(#"{"a":1,"b":{"c":1,"d":2},"gone":true,"same":"x"}"#,
                           #"{"a":2,"b":{"c":1,"e":3},"new":[1],"same":"x"}"#)
        #expect(p == json(#"{"a":2,"b":{"d":null,"e":3},"gone":null,"new":[1]}"#))
    }

    @Test func identicalDocumentsGiveAnEmptyPatch() throws {
        let doc = #"{"spec":{"items":[{"name":"a","env":[{"name":"X"}]}],"tags":["t"],"replicas":1}}"#
        #expect(try twoWay(doc, doc) == json("{}"))
    }

    @Test func typeChangeReplaces() throws {
        #expect(try twoWay(#"{"a":{"b":1}}"#, #"{"a":"s"}"#) == json(#"{"a":"s"}"#))
        // Kubernetes decodes 1 and 1.0 as different types (int64, float64).
        #expect(try twoWay(#"{"a":1}"#, #"{"a":1.0}"#) == json(#"{"a":1.0}"#))
    }

    @Test func mergeListChangesCarryMergeKeyAndOrder() throws {
        let p = try twoWay(#"{"spec":{"items":[{"name":"a","image":"1"},{"name":"b","image":"1"}]}}"#,
                           #"{"spec":{"items":[{"name":"a","image":"2"},{"name":"b","image":"1"}]}}"#)
        #expect(p == json(#"{"spec":{"$setElementOrder/items":[{"name":"a"},{"name":"b"}],"items":[{"name":"a","image":"2"}]}}"#))
    }

    @Test func mergeListDeletionBecomesDeleteDirective() throws {
        let p = try twoWay(#"{"spec":{"items":[{"name":"a"},{"name":"b"}]}}"#, #"{"spec":{"items":[{"name":"a"}]}}"#)
        #expect(p == json(#"{"spec":{"$setElementOrder/items":[{"name":"a"}],"items":[{"$patch":"delete","name":"b"}]}}"#))
    }

    @Test func mergeListReorderOnlySetsOrder() throws {
        let p = try twoWay(#"{"spec":{"items":[{"name":"a"},{"name":"b"}]}}"#, #"{"spec":{"items":[{"name":"b"},{"name":"a"}]}}"#)
        #expect(p == json(#"{"spec":{"$setElementOrder/items":[{"name":"b"},{"name":"a"}]}}"#))
    }

    @Test func mergeListAdditionsFollowModifiedOrder() throws {
        let p = try twoWay(#"{"spec":{"items":[{"name":"m"}]}}"#, #"{"spec":{"items":[{"name":"z"},{"name":"m"},{"name":"a"}]}}"#)
        #expect(p == json(#"{"spec":{"$setElementOrder/items":[{"name":"z"},{"name":"m"},{"name":"a"}],"items":[{"name":"z"},{"name":"a"}]}}"#))
    }

    @Test func listFromEmptyIsSentWhole() throws {
        #expect(try twoWay(#"{"spec":{"items":[]}}"#, #"{"spec":{"items":[{"name":"a"}]}}"#) == json(#"{"spec":{"items":[{"name":"a"}]}}"#))
        #expect(try twoWay(#"{"spec":{"items":[{"name":"a"}]}}"#, #"{"spec":{"items":[]}}"#) == json(#"{"spec":{"items":[{"$patch":"delete","name":"a"}]}}"#))
    }

    @Test func nestedMergeListsGetTheirOwnOrder() throws {
        let p = try twoWay(#"{"spec":{"items":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"1"}]}]}}"#,
                           #"{"spec":{"items":[{"name":"a","env":[{"name":"X","value":"2"}]}]}}"#)
        #expect(p == json("""
        {"spec":{"$setElementOrder/items":[{"name":"a"}],"items":[{"name":"a","$setElementOrder/env":[{"name":"X"}],
          "env":[{"name":"X","value":"2"},{"$patch":"delete","name":"Y"}]}]}}
        """))
    }

    @Test func primitiveMergeListUsesParallelLists() throws {
        let p = try twoWay(#"{"metadata":{"finalizers":["a","b","c"]}}"#, #"{"metadata":{"finalizers":["c","d","a"]}}"#)
        #expect(p == json(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],"$setElementOrder/finalizers":["c","d","a"],"finalizers":["d"]}}"#))
    }

    @Test func atomicListsAreReplacedWhole() throws {
        let p = try twoWay(#"{"spec":{"atomic":[{"name":"a"},{"name":"b"}],"items":[{"name":"a","args":["x","y"]}]}}"#,
                           #"{"spec":{"atomic":[{"name":"a"}],"items":[{"name":"a","args":["y"]}]}}"#)
        #expect(p == json(#"{"spec":{"atomic":[{"name":"a"}],"$setElementOrder/items":[{"name":"a"}],"items":[{"name":"a","args":["y"]}]}}"#))
    }

    @Test func replaceStrategyMapIsSentWhole() throws {
        let p = try twoWay(#"{"spec":{"whole":{"a":"1","b":"2"}}}"#, #"{"spec":{"whole":{"a":"1"}}}"#)
        #expect(p == json(#"{"spec":{"whole":{"a":"1"}}}"#))
    }

    @Test func retainKeysListsEveryKeptField() throws {
        let p = try twoWay(#"{"spec":{"strategy":{"type":"Rolling","rolling":{"max":1}}}}"#, #"{"spec":{"strategy":{"type":"Recreate"}}}"#)
        #expect(p == json(#"{"spec":{"strategy":{"$retainKeys":["type"],"rolling":null,"type":"Recreate"}}}"#))
        // Unchanged: no directive at all.
        #expect(try twoWay(#"{"spec":{"strategy":{"type":"R"}}}"#, #"{"spec":{"strategy":{"type":"R"}}}"#) == json("{}"))
    }

    @Test func retainKeysOnMergeListElements() throws {
        let p = try twoWay(#"{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}"#, #"{"spec":{"volumes":[{"name":"v","secret":{"s":"x"}}]}}"#)
        #expect(p == json("""
        {"spec":{"$setElementOrder/volumes":[{"name":"v"}],
          "volumes":[{"$retainKeys":["name","secret"],"emptyDir":null,"name":"v","secret":{"s":"x"}}]}}
        """))
    }

    @Test func directiveMarkersInDocumentsAreDiffed() throws {
        #expect(try twoWay(#"{"$patch":"replace","a":1}"#, #"{"$patch":"delete","a":1}"#) == json(#"{"$patch":"delete"}"#))
        let e = patchError { _ = try twoWay(#"{"$patch":1}"#, #"{"$patch":"x"}"#) }
        #expect(e?.kind == .invalidPatch)
    }

    @Test func errorsNameThePath() {
        let missing = patchError { _ = try twoWay(#"{"spec":{"items":[{"name":"a"}]}}"#, #"{"spec":{"items":[{"image":"x"}]}}"#) }
        #expect(missing?.kind == .missingMergeKey)
        #expect(missing?.path == "spec.items")
        let mixed = patchError { _ = try twoWay(#"{"metadata":{"finalizers":["a"]}}"#, #"{"metadata":{"finalizers":[1]}}"#) }
        #expect(mixed?.kind == .typeMismatch)
        #expect(mixed?.path == "metadata.finalizers")
        let nested = patchError { _ = try twoWay(#"{"metadata":{"finalizers":[["a"]]}}"#, #"{"metadata":{"finalizers":[["b"]]}}"#) }
        #expect(nested?.kind == .typeMismatch)
        let notObject = patchError { _ = try StrategicMerge.createTwoWay(original: json("[]"), modified: json("{}")) }
        #expect(notObject?.kind == .invalidDocument)
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        func nest(_ leaf: Value) -> Value {
            var v = leaf
            for _ in 0..<(maxPatchDepth + 5) { v = ["a": v] }
            return v
        }
        let e = patchError { _ = try StrategicMerge.createTwoWay(original: nest(1), modified: nest(2)) }
        #expect(e?.kind == .tooDeep)
        let e2 = patchError { _ = try StrategicMerge.apply(patch: nest(1), to: nest(2)) }
        #expect(e2?.kind == .tooDeep)
    }

    /// For every recorded kubectl pair: create(object, kubectl's result) applied to the object
    /// gives kubectl's result back, list order included.
    @Test func roundTripOverTheKubectlTable() throws {
        var failures: [String] = []
        for c in try KubectlTable.load() {
            guard case .some(let target) = c.expected, let meta = PatchMeta.builtin(c.gvk) else { continue }
            do {
                let patch = try StrategicMerge.createTwoWay(original: c.object, modified: target, meta: meta)
                let back = try StrategicMerge.apply(patch: patch, to: c.object, meta: meta)
                if back != target { failures.append("\(c.name): \(patch.jsonString(.goMarshal)) gives \(back.jsonString(.goMarshal))") }
            } catch {
                failures.append("\(c.name): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
