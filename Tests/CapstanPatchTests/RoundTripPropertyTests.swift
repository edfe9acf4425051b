import CapstanTestSupport
import CapstanModel
import Testing

@testable import CapstanPatch

/// Deterministic pseudo-random Deployments (SplitMix64), so a failure is reproducible.
enum RandomDeployment {
    static func subset(_ names: [String], _ rng: inout SplitMix) -> [String] {
        names.filter { _ in Bool.random(using: &rng) }.shuffled(using: &rng)
    }

    static func make(_ rng: inout SplitMix) -> Value {
        var containers: [Value] = []
        for name in subset(["a", "b", "c", "d", "e"], &rng) {
            var c: Value = ["name": .string(name), "image": .string("img-\(Int.random(in: 0..<3, using: &rng))")]
            let env = subset(["A", "B", "C", "D"], &rng).map { Value.object(["name": .string($0), "value": .string("\(Int.random(in: 0..<2, using: &rng))")]) }
            if !env.isEmpty || Bool.random(using: &rng) { c["env"] = .array(env) }
            let ports = subset(["80", "443", "8080"], &rng).map { Value.object(["containerPort": .int(Int64($0) ?? 0), "protocol": "TCP"]) }
            if !ports.isEmpty { c["ports"] = .array(ports) }
            if Bool.random(using: &rng) { c["args"] = .array(subset(["-v", "-q", "-x"], &rng).map { .string($0) }) }
            containers.append(c)
        }
        var spec: Value = ["template": ["spec": ["containers": .array(containers)]]]
        if Bool.random(using: &rng) { spec["replicas"] = .int(Int64.random(in: 1...3, using: &rng)) }
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: spec["strategy"] = ["type": "Recreate"]
        case 1: spec["strategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": .int(Int64.random(in: 0...2, using: &rng))]]
        default: break
        }
        var metadata: Value = ["name": "web"]
        let finalizers = subset(["f/one", "f/two", "f/three"], &rng)
        if !finalizers.isEmpty { metadata["finalizers"] = .array(finalizers.map { .string($0) }) }
        var labels = ValueObject()
        for k in subset(["app", "tier", "track"], &rng) { labels[k] = .string("v\(Int.random(in: 0..<2, using: &rng))") }
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec]
    }
}

@Suite struct RoundTripPropertyTests {
    static let meta = PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) ?? .none

    /// apply(createTwoWay(o, m), o) == m, list order included, for 300 random pairs.
    @Test func twoWayRoundTrips() throws {
        var rng = SplitMix(state: 7)
        var failures: [String] = []
        for n in 0..<300 {
            let o = RandomDeployment.make(&rng)
            let m = RandomDeployment.make(&rng)
            do {
                let p = try StrategicMerge.createTwoWay(original: o, modified: m, meta: Self.meta)
                let back = try StrategicMerge.apply(patch: p, to: o, meta: Self.meta)
                if back != m {
                    failures.append("#\(n)\n o: \(o.jsonString(.goMarshal))\n m: \(m.jsonString(.goMarshal))\n p: \(p.jsonString(.goMarshal))\n got: \(back.jsonString(.goMarshal))")
                }
                // Nothing to do twice: the patch from m to m is empty.
                if try StrategicMerge.createTwoWay(original: m, modified: m, meta: Self.meta) != [:] { failures.append("#\(n): non-empty self patch") }
            } catch {
                failures.append("#\(n): \(error)")
            }
            if failures.count > 3 { break }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// With last-applied == live (nobody else touched the object), three-way equals two-way
    /// in effect: applying it to live gives the manifest.
    @Test func threeWayWithUntouchedLiveReachesTheManifest() throws {
        var rng = SplitMix(state: 11)
        var failures: [String] = []
        for n in 0..<200 {
            let o = RandomDeployment.make(&rng)
            let m = RandomDeployment.make(&rng)
            do {
                let p = try StrategicMerge.createThreeWay(original: o, modified: m, current: o, meta: Self.meta, overwrite: false)
                let back = try StrategicMerge.apply(patch: p, to: o, meta: Self.meta)
                if back != m { failures.append("#\(n): o \(o.jsonString()) m \(m.jsonString()) p \(p.jsonString()) got \(back.jsonString())") }
            } catch {
                failures.append("#\(n): \(error)")
            }
            if failures.count > 3 { break }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
