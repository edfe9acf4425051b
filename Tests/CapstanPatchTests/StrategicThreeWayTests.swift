import CapstanModel
import Testing

@testable import CapstanPatch

/// Three-way creation (what `kubectl apply` sends): intent wins over last-applied, fields only
/// the live object has survive, conflicts are reported when asked.
@Suite struct StrategicThreeWayTests {
    static let deploymentMeta = PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) ?? .none

    static func deployment(image: String = "nginx:1.27", replicas: Int64? = nil, extraContainer: Bool = true, mode: String = "blue") -> Value {
        var containers: [Value] = [["name": "nginx", "image": .string(image), "env": [["name": "MODE", "value": .string(mode)]]]]
        if extraContainer { containers.append(["name": "sidecar", "image": "busybox"]) }
        var spec: Value = [
            "selector": ["matchLabels": ["app": "web"]],
            "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": .array(containers)]],
        ]
        if let replicas { spec["replicas"] = .int(replicas) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "demo"], "spec": spec]
    }

    /// What the server holds after applying `manifest`: defaults filled in, status written.
    static func live(from manifest: Value, replicas: Int64 = 1) -> Value {
        var v = manifest
        if v[path: ["spec", "replicas"]].isNull { v[path: ["spec", "replicas"]] = .int(replicas) }
        v[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]
        v[path: ["spec", "revisionHistoryLimit"]] = 10
        v[path: ["metadata", "uid"]] = "1234"
        v[path: ["status"]] = ["replicas": .int(replicas), "readyReplicas": .int(replicas)]
        var containers = v[path: ["spec", "template", "spec", "containers"]].arrayValue ?? []
        for i in containers.indices {
            containers[i]["imagePullPolicy"] = "IfNotPresent"
            containers[i]["terminationMessagePath"] = "/dev/termination-log"
        }
        v[path: ["spec", "template", "spec", "containers"]] = .array(containers)
        return v
    }

    func threeWay(_ original: Value, _ modified: Value, _ current: Value, overwrite: Bool = true) throws(PatchError) -> Value {
        try StrategicMerge.createThreeWay(original: original, modified: modified, current: current, meta: Self.deploymentMeta, overwrite: overwrite)
    }

    func applied(_ patch: Value, _ current: Value) throws(PatchError) -> Value {
        try StrategicMerge.apply(patch: patch, to: current, meta: Self.deploymentMeta)
    }

    /// The kubectl apply of a changed Deployment: container image and env change, the sidecar
    /// is dropped, a label and replicas are added.
    @Test func kubectlApplyShapedPatch() throws {
        let original = Self.deployment()
        var modified = Self.deployment(image: "nginx:1.28", replicas: 3, extraContainer: false, mode: "green")
        modified[path: ["metadata", "labels"]] = ["tier": "frontend"]
        let current = Self.live(from: original)
        let patch = try threeWay(original, modified, current)
        #expect(patch == json("""
        {"metadata":{"labels":{"tier":"frontend"}},
         "spec":{"replicas":3,"template":{"spec":{
           "$setElementOrder/containers":[{"name":"nginx"}],
           "containers":[{"$setElementOrder/env":[{"name":"MODE"}],"env":[{"name":"MODE","value":"green"}],"image":"nginx:1.28","name":"nginx"},
                         {"$patch":"delete","name":"sidecar"}]}}}}
        """))
        let result = try applied(patch, current)
        #expect(result[path: ["spec", "template", "spec", "containers"]].count == 1)
        #expect(result[path: ["spec", "template", "spec", "containers"]][0]["imagePullPolicy"] == "IfNotPresent")
        #expect(result[path: ["spec", "replicas"]] == 3)
    }

    /// (a) A field removed from the manifest is removed from the live object.
    @Test func fieldRemovedFromManifestIsRemovedLive() throws {
        var original = Self.deployment(replicas: 3)
        original[path: ["metadata", "labels"]] = ["app": "web", "team": "a"]
        var modified = Self.deployment()  // no replicas any more, no sidecar change
        modified[path: ["metadata", "labels"]] = ["app": "web"]
        let current = Self.live(from: original)
        let patch = try threeWay(original, modified, current)
        #expect(patch == json(#"{"metadata":{"labels":{"team":null}},"spec":{"replicas":null}}"#))
        let result = try applied(patch, current)
        #expect(result[path: ["metadata", "labels"]] == ["app": "web"])
        #expect(!result["spec"].has("replicas"))
    }

    /// (b) Fields the manifest never set — replicas scaled by an autoscaler, the defaulted
    /// strategy, status — survive an apply that changes something else.
    @Test func controllerOwnedFieldsSurvive() throws {
        let original = Self.deployment()
        let modified = Self.deployment(image: "nginx:1.28")
        let current = Self.live(from: original, replicas: 7)
        let patch = try threeWay(original, modified, current)
        #expect(patch == json("""
        {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
          "containers":[{"image":"nginx:1.28","name":"nginx"}]}}}}
        """))
        let result = try applied(patch, current)
        #expect(result[path: ["spec", "replicas"]] == 7)
        #expect(result[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == "25%")
        #expect(result["status"] == current["status"])
        #expect(result[path: ["spec", "template", "spec", "containers"]][0]["terminationMessagePath"] == "/dev/termination-log")
        // Re-applying the same manifest: nothing to send.
        #expect(try threeWay(modified, modified, result) == json("{}"))
    }

    /// (c) A reordered container list round-trips: the patch carries the new order and the
    /// live list ends in that order with server-set fields intact.
    @Test func reorderedContainersRoundTrip() throws {
        let original = Self.deployment()
        var modified = original
        let containers = original[path: ["spec", "template", "spec", "containers"]].arrayValue ?? []
        modified[path: ["spec", "template", "spec", "containers"]] = .array(containers.reversed())
        let current = Self.live(from: original)
        let patch = try threeWay(original, modified, current)
        #expect(patch == json(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"nginx"}]}}}}"#))
        let result = try applied(patch, current)
        let names = (result[path: ["spec", "template", "spec", "containers"]].arrayValue ?? []).map { $0["name"] }
        #expect(names == ["sidecar", "nginx"])
        #expect(result[path: ["spec", "template", "spec", "containers"]][1]["imagePullPolicy"] == "IfNotPresent")
        #expect(try threeWay(modified, modified, result) == json("{}"))
    }

    @Test func noLastAppliedMeansNoDeletions() throws {
        let modified = Self.deployment(extraContainer: false)
        let current = Self.live(from: Self.deployment())
        let patch = try threeWay(.null, modified, current)
        // Without an original, the sidecar is not ours to delete; only order is asserted.
        #expect(patch == json(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}]}}}}"#))
    }

    @Test func conflictsAreReportedWhenNotOverwriting() throws {
        let original = Self.deployment()
        let modified = Self.deployment(image: "nginx:1.28")
        var current = Self.live(from: original)
        current[path: ["spec", "template", "spec", "containers"]][0]["image"] = "nginx:hotfix"
        // Default: the manifest wins.
        let patch = try threeWay(original, modified, current)
        #expect(try applied(patch, current)[path: ["spec", "template", "spec", "containers"]][0]["image"] == "nginx:1.28")
        // overwrite: false: a typed conflict naming the field.
        let e = patchError { _ = try threeWay(original, modified, current, overwrite: false) }
        #expect(e?.kind == .conflict)
        #expect(e?.path == "spec.template.spec.containers[name=nginx].image")
        #expect(e?.description.contains("conflict") == true)
        // A live change the manifest does not touch is no conflict.
        var other = Self.live(from: original)
        other[path: ["metadata", "labels"]] = ["added-by": "someone"]
        _ = try threeWay(original, modified, other, overwrite: false)
        // The same change on both sides is no conflict either.
        var same = Self.live(from: original)
        same[path: ["spec", "template", "spec", "containers"]][0]["image"] = "nginx:1.28"
        _ = try threeWay(original, modified, same, overwrite: false)
    }

    @Test func conflictOnScalarAndListChanges() throws {
        let meta = TestSchema.meta
        let original = json(#"{"spec":{"replicas":1,"tags":["a"],"atomic":[{"name":"x"}]}}"#)
        let modified = json(#"{"spec":{"replicas":2,"tags":["a","b"],"atomic":[{"name":"y"}]}}"#)
        let scaled = json(#"{"spec":{"replicas":5,"tags":["a"],"atomic":[{"name":"x"}]}}"#)
        let e = patchError { _ = try StrategicMerge.createThreeWay(original: original, modified: modified, current: scaled, meta: meta, overwrite: false) }
        #expect(e?.path == "spec.replicas")
        let listChanged = json(#"{"spec":{"replicas":1,"tags":["a"],"atomic":[{"name":"z"}]}}"#)
        let e2 = patchError { _ = try StrategicMerge.createThreeWay(original: original, modified: modified, current: listChanged, meta: meta, overwrite: false) }
        #expect(e2?.path == "spec.atomic[0].name")
        // Primitive merge lists never conflict.
        let tagged = json(#"{"spec":{"replicas":1,"tags":["a","c"],"atomic":[{"name":"x"}]}}"#)
        let p = try StrategicMerge.createThreeWay(original: original, modified: modified, current: tagged, meta: meta, overwrite: false)
        let result = try StrategicMerge.apply(patch: p, to: tagged, meta: meta)
        #expect(result == json(#"{"spec":{"replicas":2,"tags":["a","b","c"],"atomic":[{"name":"y"}]}}"#))
    }

    @Test func primitiveListDeletionsComeFromOriginalOnly() throws {
        let meta = TestSchema.meta
        let original = json(#"{"metadata":{"finalizers":["mine","shared"]}}"#)
        let modified = json(#"{"metadata":{"finalizers":["shared"]}}"#)
        let current = json(#"{"metadata":{"finalizers":["controller","mine","shared"]}}"#)
        let patch = try StrategicMerge.createThreeWay(original: original, modified: modified, current: current, meta: meta)
        #expect(patch == json(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["mine"],"$setElementOrder/finalizers":["shared"]}}"#))
        let result = try StrategicMerge.apply(patch: patch, to: current, meta: meta)
        #expect(result == json(#"{"metadata":{"finalizers":["controller","shared"]}}"#))
    }

    @Test func retainKeysInThreeWay() throws {
        let meta = TestSchema.meta
        let original = json(#"{"spec":{"strategy":{"type":"Rolling","rolling":{"max":1}}}}"#)
        let modified = json(#"{"spec":{"strategy":{"type":"Recreate"}}}"#)
        let current = json(#"{"spec":{"strategy":{"type":"Rolling","rolling":{"max":1}}}}"#)
        let patch = try StrategicMerge.createThreeWay(original: original, modified: modified, current: current, meta: meta)
        #expect(patch == json(#"{"spec":{"strategy":{"$retainKeys":["type"],"rolling":null,"type":"Recreate"}}}"#))
        #expect(try StrategicMerge.apply(patch: patch, to: current, meta: meta) == modified)
    }

    /// Three-way round trip over the kubectl table: applying create(object, target, live)
    /// to live (object plus server-only fields) gives target plus those fields.
    @Test func threeWayRoundTripOverTheKubectlTable() throws {
        var failures: [String] = []
        for c in try KubectlTable.load() {
            guard case .some(let target) = c.expected, let meta = PatchMeta.builtin(c.gvk) else { continue }
            guard case .object = target, target["metadata"]["name"] == c.object["metadata"]["name"] else { continue }
            var live = c.object
            live[path: ["metadata", "uid"]] = "server-uid"
            live[path: ["metadata", "resourceVersion"]] = "42"
            var expected = target
            expected[path: ["metadata", "uid"]] = "server-uid"
            expected[path: ["metadata", "resourceVersion"]] = "42"
            do {
                let patch = try StrategicMerge.createThreeWay(original: c.object, modified: target, current: live, meta: meta)
                let back = try StrategicMerge.apply(patch: patch, to: live, meta: meta)
                if back != expected { failures.append("\(c.name): \(patch.jsonString(.goMarshal)) gives \(back.jsonString(.goMarshal))") }
            } catch {
                failures.append("\(c.name): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
