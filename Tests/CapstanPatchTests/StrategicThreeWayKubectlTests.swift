import CapstanModel
import CapstanTestSupport
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
        var contentType: String?
        var conflictWithoutOverwrite: Bool
    }

    static func load() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubectl-apply/threeway.json")
        let document = try Value.parseJSON([UInt8](try Data(contentsOf: url)))
        return (document["cases"].arrayValue ?? []).map {
            Case(name: $0["name"].stringValue ?? "?", live: $0["live"], manifest: $0["manifest"], patch: $0["patch"],
                 contentType: $0["contentType"].stringValue, conflictWithoutOverwrite: $0["conflictWithoutOverwrite"].boolValue ?? false)
        }
    }

    @Test func ourThreeWayPatchesAreKubectls() throws {
        let cases = try Self.load()
        #expect(cases.count >= 30)
        var failures: [String] = []
        for c in cases {
            let gvk = GroupVersionKind(apiVersion: c.manifest["apiVersion"].stringValue ?? "", kind: c.manifest["kind"].stringValue ?? "")
            let liveAnnotation = c.live[path: ["metadata", "annotations", Self.lastApplied]]
            let original = try Value.parseJSON(liveAnnotation.stringValue ?? "{}")
            // kubectl's modified document: the manifest carrying its own last-applied annotation.
            let sent = c.patch[path: ["metadata", "annotations", Self.lastApplied]]
            var modified = c.manifest
            modified[path: ["metadata", "annotations", Self.lastApplied]] = sent.isNull ? liveAnnotation : sent
            // The annotation kubectl wrote is ours byte for byte, and the one-call helper agrees.
            if !sent.isNull && sent.stringValue != LastApplied.configuration(for: c.manifest) {
                failures.append("\(c.name): last-applied differs:\n ours:    \(LastApplied.configuration(for: c.manifest))\n kubectl: \(sent.stringValue ?? "")")
            }
            let helper = try LastApplied.patch(manifest: c.manifest, live: c.live, meta: PatchMeta.builtin(gvk))
            if helper.patch != c.patch || (c.contentType != nil && helper.type.contentType != c.contentType) {
                failures.append("\(c.name): LastApplied.patch gives \(helper.type) \(helper.patch.jsonString())")
            }
            guard let meta = PatchMeta.builtin(gvk) else {
                // Kinds without strategic-merge metadata: kubectl's three-way JSON merge patch.
                if let type = c.contentType, type != PatchType.merge.contentType { failures.append("\(c.name): kubectl sent \(type)") }
                let ours = try MergePatch.createThreeWay(original: original, modified: modified, current: c.live)
                if ours != c.patch {
                    failures.append("\(c.name):\n ours:    \(ours.jsonString(.goMarshal))\n kubectl: \(c.patch.jsonString(.goMarshal))")
                }
                continue
            }
            if let type = c.contentType, type != PatchType.strategic.contentType { failures.append("\(c.name): kubectl sent \(type)") }
            let ours = try StrategicMerge.createThreeWay(original: original, modified: modified, current: c.live, meta: meta)
            if ours != c.patch {
                failures.append("\(c.name):\n ours:    \(ours.jsonString(.goMarshal))\n kubectl: \(c.patch.jsonString(.goMarshal))")
            }
            // `kubectl apply --overwrite=false`: a conflict exactly where kubectl saw one.
            let conflict: Bool
            switch Result(catching: { () throws(PatchError) -> Value in
                try StrategicMerge.createThreeWay(original: original, modified: modified, current: c.live, meta: meta, overwrite: false)
            }) {
            case .success: conflict = false
            case .failure(let e): conflict = e.kind == .conflict
            }
            if conflict != c.conflictWithoutOverwrite {
                failures.append("\(c.name): conflict \(conflict), kubectl --overwrite=false says \(c.conflictWithoutOverwrite)")
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

extension StrategicThreeWayKubectlTests {
    /// Re-records every case with the real kubectl (through the generator's stub server) and
    /// checks kubectl still sends the recorded patches. Fails when kubectl or python3 is
    /// missing and CI=true.
    @Test func liveKubectlStillSendsTheRecordedPatches() throws {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"] + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" }
        guard let kubectl = KubectlTable.findKubectl(), let python3 = python.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing("kubectl 1.37 (and python3)"))) }
            return
        }
        let generator = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/kubectl-apply/generate.py")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-threeway-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try KubectlTable.run(python3, [generator.path, kubectl, "--out", out.path])
        try #require(run.status == 0, "generator failed: \(String(decoding: run.stderr, as: UTF8.self))")
        let fresh = try Value.parseJSON([UInt8](try Data(contentsOf: out)))["cases"].arrayValue ?? []
        let golden = try Self.load()
        #expect(fresh.count == golden.count)
        for (f, g) in zip(fresh, golden) {
            #expect(f["name"].stringValue == g.name)
            #expect(f["patch"] == g.patch, "\(g.name): kubectl now sends \(f["patch"].jsonString())")
            #expect(f["conflictWithoutOverwrite"].boolValue == g.conflictWithoutOverwrite, "\(g.name): kubectl's --overwrite=false verdict changed")
        }
    }
}
