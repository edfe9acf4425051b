import CapstanModel
import Testing

@testable import CapstanPatch

/// Applying patches: every directive, every list strategy, null handling and each error path
/// (the kubectl table covers the built-in kinds; these use the small test schema).
@Suite struct StrategicApplyTests {
    @Test func nullsDeleteAndUnmatchedNullsVanish() throws {
        #expect(try apply(#"{"a":null,"b":{"c":null},"n":null,"new":{"x":null,"y":1}}"#, to: #"{"a":1,"b":{"c":1,"d":2}}"#)
                == json(#"{"b":{"d":2},"new":{"y":1}}"#))
    }

    @Test func mapDirectives() throws {
        #expect(try apply(#"{"spec":{"$patch":"replace","replicas":3}}"#, to: #"{"spec":{"replicas":1,"tags":["a"]}}"#) == json(#"{"spec":{"replicas":3}}"#))
        // delete on an existing map leaves it empty (as Kubernetes does); on a missing one, nothing.
        #expect(try apply(#"{"spec":{"$patch":"delete"}}"#, to: #"{"spec":{"replicas":1}}"#) == json(#"{"spec":{}}"#))
        #expect(try apply(#"{"status":{"$patch":"delete"}}"#, to: #"{"spec":{}}"#) == json(#"{"spec":{}}"#))
        #expect(try apply(#"{"$patch":"replace","kind":"X"}"#, to: #"{"kind":"Y","spec":{}}"#) == json(#"{"kind":"X"}"#))
        let merge = patchError { _ = try apply(#"{"spec":{"$patch":"merge"}}"#, to: #"{"spec":{}}"#) }
        #expect(merge?.kind == .invalidPatch)
        #expect(merge?.path == "spec")
    }

    @Test func replaceStrategyMapsAndAtomicLists() throws {
        #expect(try apply(#"{"spec":{"whole":{"b":"2"}}}"#, to: #"{"spec":{"whole":{"a":"1"}}}"#) == json(#"{"spec":{"whole":{"b":"2"}}}"#))
        #expect(try apply(#"{"spec":{"atomic":[{"name":"b"}]}}"#, to: #"{"spec":{"atomic":[{"name":"a"}]}}"#) == json(#"{"spec":{"atomic":[{"name":"b"}]}}"#))
        // No schema: plain JSON rules.
        #expect(try StrategicMerge.apply(patch: json(#"{"l":[2]}"#), to: json(#"{"l":[1]}"#)) == json(#"{"l":[2]}"#))
    }

    @Test func mergeListsByKey() throws {
        let object = #"{"spec":{"items":[{"name":"a","image":"1","env":[{"name":"X","value":"1"}]},{"name":"b","image":"1"}]}}"#
        let result = try apply(#"{"spec":{"items":[{"name":"b","image":"2"},{"name":"c"},{"name":"a","env":[{"name":"Y","value":"2"}]}]}}"#, to: object)
        #expect(result == json("""
        {"spec":{"items":[{"name":"b","image":"2"},{"name":"c"},{"name":"a","image":"1","env":[{"name":"Y","value":"2"},{"name":"X","value":"1"}]}]}}
        """))
    }

    @Test func listElementDirectives() throws {
        let object = #"{"spec":{"items":[{"name":"a"},{"name":"b"},{"name":"a","dup":true}]}}"#
        #expect(try apply(#"{"spec":{"items":[{"$patch":"delete","name":"a"}]}}"#, to: object) == json(#"{"spec":{"items":[{"name":"b"}]}}"#))
        #expect(try apply(#"{"spec":{"items":[{"name":"z"},{"$patch":"replace"}]}}"#, to: object) == json(#"{"spec":{"items":[{"name":"z"}]}}"#))
        let merge = patchError { _ = try apply(#"{"spec":{"items":[{"$patch":"merge","name":"a"}]}}"#, to: object) }
        #expect(merge?.kind == .invalidPatch)
        #expect(merge?.path == "spec.items")
        let unknown = patchError { _ = try apply(#"{"spec":{"items":[{"$patch":"nope","name":"a"}]}}"#, to: object) }
        #expect(unknown?.kind == .invalidPatch)
        let noKey = patchError { _ = try apply(#"{"spec":{"items":[{"$patch":"delete"}]}}"#, to: object) }
        #expect(noKey?.kind == .missingMergeKey)
    }

    @Test func primitiveMergeListsAreSets() throws {
        let object = #"{"metadata":{"finalizers":["a","b"]}}"#
        #expect(try apply(#"{"metadata":{"finalizers":["c","a"]}}"#, to: object) == json(#"{"metadata":{"finalizers":["c","a","b"]}}"#))
        #expect(try apply(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a","zz"]}}"#, to: object) == json(#"{"metadata":{"finalizers":["b"]}}"#))
        // Deleting from a list the object lacks is a no-op.
        #expect(try apply(#"{"spec":{"$deleteFromPrimitiveList/tags":["a"]}}"#, to: #"{"spec":{}}"#) == json(#"{"spec":{}}"#))
        let bad = patchError { _ = try apply(#"{"metadata":{"$deleteFromPrimitiveList":["a"]}}"#, to: object) }
        #expect(bad?.kind == .invalidPatch)
    }

    @Test func setElementOrderDecidesOrder() throws {
        let object = #"{"spec":{"items":[{"name":"a"},{"name":"live-only"},{"name":"b"},{"name":"c"}]}}"#
        // Order from the directive; the item it does not mention is interleaved by live order
        // (it came before "b" and "c" live, so it leads) — what kubectl does too.
        let result = try apply(#"{"spec":{"$setElementOrder/items":[{"name":"c"},{"name":"a"},{"name":"b"}]}}"#, to: object)
        #expect(result == json(#"{"spec":{"items":[{"name":"live-only"},{"name":"c"},{"name":"a"},{"name":"b"}]}}"#))
        let withChange = try apply(#"{"spec":{"$setElementOrder/items":[{"name":"b"},{"name":"new"},{"name":"a"}],"items":[{"name":"new"}]}}"#, to: #"{"spec":{"items":[{"name":"a"},{"name":"b"}]}}"#)
        #expect(withChange == json(#"{"spec":{"items":[{"name":"b"},{"name":"new"},{"name":"a"}]}}"#))
        let primitives = try apply(#"{"metadata":{"$setElementOrder/finalizers":["z","b","a"],"finalizers":["z"]}}"#, to: #"{"metadata":{"finalizers":["a","b"]}}"#)
        #expect(primitives == json(#"{"metadata":{"finalizers":["z","b","a"]}}"#))
        // A list only the patch has, with directives inside, is cleaned.
        let added = try apply(#"{"spec":{"$setElementOrder/items":[{"name":"x"}],"items":[{"name":"x"},{"$patch":"delete","name":"y"}]}}"#, to: #"{"spec":{}}"#)
        #expect(added == json(#"{"spec":{"items":[{"name":"x"}]}}"#))
    }

    @Test func setElementOrderErrors() {
        let mismatch = patchError { _ = try apply(#"{"spec":{"$setElementOrder/items":[{"name":"a"}],"items":[{"name":"b"}]}}"#, to: #"{"spec":{"items":[{"name":"a"}]}}"#) }
        #expect(mismatch?.kind == .invalidPatch)
        #expect(mismatch?.path == "spec.items")
        let notList = patchError { _ = try apply(#"{"spec":{"$setElementOrder/items":{"name":"a"}}}"#, to: #"{"spec":{"items":[{"name":"a"}]}}"#) }
        #expect(notList?.kind == .invalidPatch)
        let notObjects = patchError { _ = try apply(#"{"spec":{"$setElementOrder/items":["a"],"items":[{"name":"a"}]}}"#, to: #"{"spec":{"items":[{"name":"a"}]}}"#) }
        #expect(notObjects?.kind == .typeMismatch)
        let wrongTarget = patchError { _ = try apply(#"{"spec":{"$setElementOrder/items":[{"name":"a"}]}}"#, to: #"{"spec":{"items":"scalar"}}"#) }
        #expect(wrongTarget?.kind == .typeMismatch)
    }

    @Test func retainKeys() throws {
        let object = #"{"spec":{"strategy":{"type":"Rolling","rolling":{"max":1}}}}"#
        #expect(try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#, to: object) == json(#"{"spec":{"strategy":{"type":"Recreate"}}}"#))
        // Keys listed but not set are kept from the object.
        #expect(try apply(#"{"spec":{"strategy":{"$retainKeys":["type","rolling"]}}}"#, to: object) == json(object))
        let unlisted = patchError { _ = try apply(#"{"spec":{"strategy":{"$retainKeys":["type"],"rolling":{"max":2}}}}"#, to: object) }
        #expect(unlisted?.kind == .invalidPatch)
        #expect(unlisted?.path == "spec.strategy.$retainKeys")
        let notList = patchError { _ = try apply(#"{"spec":{"strategy":{"$retainKeys":"type"}}}"#, to: object) }
        #expect(notList?.kind == .invalidPatch)
        // On merge-list elements.
        let volumes = try apply(#"{"spec":{"volumes":[{"name":"v","secret":{"s":1},"$retainKeys":["name","secret"]}]}}"#, to: #"{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}"#)
        #expect(volumes == json(#"{"spec":{"volumes":[{"name":"v","secret":{"s":1}}]}}"#))
    }

    @Test func typeErrors() {
        let mixed = patchError { _ = try apply(#"{"metadata":{"finalizers":[1]}}"#, to: #"{"metadata":{"finalizers":["a"]}}"#) }
        #expect(mixed?.kind == .typeMismatch)
        #expect(mixed?.path == "metadata.finalizers")
        let nulls = patchError { _ = try apply(#"{"metadata":{"finalizers":[null]}}"#, to: #"{"metadata":{"finalizers":["a"]}}"#) }
        #expect(nulls?.kind == .typeMismatch)
        let noKey = patchError { _ = try apply(#"{"spec":{"items":[{"image":"x"}]}}"#, to: #"{"spec":{"items":[{"name":"a"}]}}"#) }
        #expect(noKey?.kind == .missingMergeKey)
        #expect(noKey?.path == "spec.items")
        let notObject = patchError { _ = try StrategicMerge.apply(patch: json("[1]"), to: json("{}")) }
        #expect(notObject?.kind == .invalidPatch)
        let badTarget = patchError { _ = try StrategicMerge.apply(patch: json("{}"), to: json("3")) }
        #expect(badTarget?.kind == .invalidDocument)
        // Maps inside a merge list without a merge key in the schema.
        let noMergeKey = patchError { _ = try apply(#"{"spec":{"tags":[{"a":1}]}}"#, to: #"{"spec":{"tags":[{"a":2}]}}"#) }
        #expect(noMergeKey?.kind == .invalidPatch)
    }

    @Test func typeChangesReplace() throws {
        #expect(try apply(#"{"spec":{"replicas":"many"}}"#, to: #"{"spec":{"replicas":1}}"#) == json(#"{"spec":{"replicas":"many"}}"#))
        #expect(try apply(#"{"spec":{"items":{"x":1}}}"#, to: #"{"spec":{"items":[{"name":"a"}]}}"#) == json(#"{"spec":{"items":{"x":1}}}"#))
    }

    @Test func goOrderingQuirksForUnlistedItems() throws {
        // A replaced list whose items the live list never had: Go's stable sort with
        // Kubernetes' "not found sorts first" comparator decides; we replay it.
        var ranks = [-1, 2, -1, 0, 1]
        var values: [Value] = ["a", "b", "c", "d", "e"]
        GoStableSort.sort(&ranks, &values)
        // Insertion sort with less(x, y) = true whenever either is unranked.
        var expectRanks = [-1, 2, -1, 0, 1]
        var expectValues: [Value] = ["a", "b", "c", "d", "e"]
        for i in 1..<expectRanks.count {
            var j = i
            while j > 0 && GoStableSort.less(expectRanks, j, j - 1) {
                expectRanks.swapAt(j, j - 1)
                expectValues.swapAt(j, j - 1)
                j -= 1
            }
        }
        #expect(values == expectValues)
        // More than one block of 20 exercises the merge phase.
        var big = (0..<45).map { $0 % 7 == 0 ? -1 : 45 - $0 }
        var bigValues = big.map { Value.int(Int64($0)) }
        GoStableSort.sort(&big, &bigValues)
        #expect(bigValues.count == 45)
        #expect(Set(bigValues).count == Set((0..<45).map { $0 % 7 == 0 ? -1 : 45 - $0 }).count)
    }

    @Test func goTextMatchesFmtV() {
        #expect(String(decoding: Value.double(1e6).goText, as: UTF8.self) == "1e+06")
        #expect(String(decoding: Value.double(123456).goText, as: UTF8.self) == "123456")
        #expect(String(decoding: Value.double(0.5).goText, as: UTF8.self) == "0.5")
        #expect(String(decoding: Value.double(1.5e-7).goText, as: UTF8.self) == "1.5e-07")
        #expect(String(decoding: Value.int(42).goText, as: UTF8.self) == "42")
        #expect(String(decoding: Value.null.goText, as: UTF8.self) == "<nil>")
        #expect(String(decoding: json(#"{"b":1,"a":[true,"x"]}"#).goText, as: UTF8.self) == "map[a:[true x] b:1]")
    }
}
