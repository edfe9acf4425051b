import CapstanModel
import Foundation
import Testing

@testable import CapstanPatch

/// What kubectl 1.37 actually sent for `kubectl apply` (recorded by
/// `Fixtures/kubectl-apply/generate.py` against a stub API server): our three-way patch from the
/// same last-applied, manifest and live object must be the same patch.
@Suite struct StrategicThreeWayKubectlTests {
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    struct Case {
        var name: String
        var live: Value
        var manifest: Value
        var patch: Value
    }

    static func load() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubectl-apply/threeway.json")
        let document = try Value.parseJSON([UInt8](try Data(contentsOf: url)))
        return (document["cases"].arrayValue ?? []).map {
            Case(name: $0["name"].stringValue ?? "?", live: $0["live"], manifest: $0["manifest"], patch: $0["patch"])
        }
    }

    @Test func ourThreeWayPatchesAreKubectls() throws {
        let cases = try Self.load()
        #expect(cases.count >= 30)
        var failures: [String] = []
        for c in cases {
            let gvk = GroupVersionKind(apiVersion: c.manifest["apiVersion"].stringValue ?? "", kind: c.manifest["kind"].stringValue ?? "")
            let meta = try #require(PatchMeta.builtin(gvk))
            let liveAnnotation = c.live[path: ["metadata", "annotations", Self.lastApplied]]
            let original = try Value.parseJSON(liveAnnotation.stringValue ?? "{}")
            // kubectl's modified document: the manifest carrying its own last-applied annotation.
            let sent = c.patch[path: ["metadata", "annotations", Self.lastApplied]]
            var modified = c.manifest
            modified[path: ["metadata", "annotations", Self.lastApplied]] = sent.isNull ? liveAnnotation : sent
            let ours = try StrategicMerge.createThreeWay(original: original, modified: modified, current: c.live, meta: meta)
            if ours != c.patch {
                failures.append("\(c.name):\n ours:    \(ours.jsonString(.goMarshal))\n kubectl: \(c.patch.jsonString(.goMarshal))")
            }
            // Applying it settles the object: a second apply changes nothing more (it may still
            // send a `$setElementOrder` when live holds items the manifest does not, as kubectl does).
            let result = try StrategicMerge.apply(patch: ours, to: c.live, meta: meta)
            let again = try StrategicMerge.createThreeWay(original: modified, modified: modified, current: result, meta: meta)
            if try StrategicMerge.apply(patch: again, to: result, meta: meta) != result {
                failures.append("\(c.name): a second apply changes the object again: \(again.jsonString())")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
