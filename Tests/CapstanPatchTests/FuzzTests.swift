import CapstanTestSupport
import CapstanModel
import Testing

@testable import CapstanPatch

/// Hostile input never crashes: random documents sprinkled with directives, fed to every
/// entry point. Errors are fine; traps are not.
@Suite struct FuzzTests {
    static let keys = ["spec", "metadata", "items", "name", "image", "env", "tags", "finalizers", "volumes", "strategy",
                       "whole", "atomic", "$patch", "$retainKeys", "$setElementOrder/items", "$setElementOrder/tags",
                       "$deleteFromPrimitiveList/tags", "$deleteFromPrimitiveList/finalizers", "$setElementOrder/env", "labels", "x"]
    static let strings: [Value] = ["a", "b", "delete", "replace", "merge", "name", "items", ""]

    static func value(_ rng: inout SplitMix, depth: Int) -> Value {
        let roll = Int.random(in: 0..<(depth > 3 ? 6 : 10), using: &rng)
        switch roll {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .int(Int64.random(in: -2...2, using: &rng))
        case 3: return .double(Double(Int.random(in: 0...4, using: &rng)) / 2)
        case 4, 5: return strings.randomElement(using: &rng) ?? "a"
        case 6, 7:
            var a: [Value] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) { a.append(value(&rng, depth: depth + 1)) }
            return .array(a)
        default:
            var o = ValueObject()
            for _ in 0..<Int.random(in: 0...4, using: &rng) {
                o[keys.randomElement(using: &rng) ?? "x"] = value(&rng, depth: depth + 1)
            }
            return .object(o)
        }
    }

    @Test func randomDocumentsNeverTrap() {
        var rng = SplitMix(state: 99)
        let metas = [TestSchema.meta, TestSchema.listMapMeta, PatchMeta.none,
                     PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) ?? .none]
        var outcomes = [0, 0]
        for _ in 0..<3000 {
            let a = Self.value(&rng, depth: 0)
            let b = Self.value(&rng, depth: 0)
            let c = Self.value(&rng, depth: 0)
            let meta = metas.randomElement(using: &rng) ?? .none
            let results: [Result<Value, PatchError>] = [
                Result { () throws(PatchError) -> Value in try StrategicMerge.apply(patch: a, to: b, meta: meta) },
                Result { () throws(PatchError) -> Value in try StrategicMerge.createTwoWay(original: a, modified: b, meta: meta) },
                Result { () throws(PatchError) -> Value in try StrategicMerge.createThreeWay(original: a, modified: b, current: c, meta: meta, overwrite: Bool.random(using: &rng)) },
                Result { () throws(PatchError) -> Value in try MergePatch.apply(patch: a, to: b) },
                Result { () throws(PatchError) -> Value in try MergePatch.createThreeWay(original: a, modified: b, current: c) },
                Result { () throws(PatchError) -> Value in try JSONPatch.apply(patch: .array([["op": "add", "path": "/items/0", "value": a], ["op": "move", "from": "/spec", "path": "/x"]]), to: b) },
            ]
            for r in results {
                if case .success = r { outcomes[0] += 1 } else { outcomes[1] += 1 }
            }
        }
        // Both outcomes occur: the generator reaches the error paths and the happy paths.
        #expect(outcomes[0] > 1000)
        #expect(outcomes[1] > 1000)
    }
}
