import CapstanModel
import CapstanPatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Three-way strategic merge creation speed: one Deployment with 200 containers, and 10,000
/// small Deployments (`capstan-bench patch [--iterations N] [--objects N]`). Release builds only
/// give meaningful numbers. Times are the thread's CPU time (shared machines are noisy; CPU
/// time does not count waiting for a core), with wall time beside it.
func runPatchBench(arguments: [String]) async throws {
    var iterations = 50
    var objects = 10_000
    var i = 0
    while i < arguments.count {
        if arguments[i] == "--iterations", i + 1 < arguments.count, let n = Int(arguments[i + 1]) { iterations = n; i += 1 }
        if arguments[i] == "--objects", i + 1 < arguments.count, let n = Int(arguments[i + 1]) { objects = n; i += 1 }
        i += 1
    }
    guard let meta = PatchMeta.builtin(GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) else {
        print("patch: no built-in Deployment schema")
        return
    }

    // 1. One big object.
    let big = PatchBenchData.bigDeployment(containers: 200, generation: 0)
    let bigModified = PatchBenchData.bigDeployment(containers: 200, generation: 1)
    let bigLive = PatchBenchData.live(big)
    var samples: [Double] = []
    var patchSize = 0
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        let start = PatchBenchData.cpuSeconds()
        let patch = try StrategicMerge.createThreeWay(original: big, modified: bigModified, current: bigLive, meta: meta)
        samples.append(PatchBenchData.cpuSeconds() - start)
        patchSize = patch.jsonBytes().count
    }
    samples.sort()
    print("patch: three-way, 200-container Deployment: median \(PatchBenchData.ms(samples[samples.count / 2])) ms CPU over \(iterations) runs (patch \(patchSize) bytes)")

    let bigPatch = try StrategicMerge.createThreeWay(original: big, modified: bigModified, current: bigLive, meta: meta)
    var applySamples: [Double] = []
    for _ in 0..<iterations {
        let start = PatchBenchData.cpuSeconds()
        _ = try StrategicMerge.apply(patch: bigPatch, to: bigLive, meta: meta)
        applySamples.append(PatchBenchData.cpuSeconds() - start)
    }
    applySamples.sort()
    print("patch: apply to the 200-container Deployment: median \(PatchBenchData.ms(applySamples[applySamples.count / 2])) ms CPU")

    // 2. Many small objects (inputs built beforehand; only patch creation is timed).
    var inputs: [(Value, Value, Value)] = []
    inputs.reserveCapacity(objects)
    for n in 0..<objects {
        let original = PatchBenchData.smallDeployment(n, generation: 0)
        let modified = PatchBenchData.smallDeployment(n, generation: n % 3 == 0 ? 1 : 0)
        inputs.append((original, modified, PatchBenchData.live(original)))
    }
    var nonEmpty = 0
    let start = clock.now
    let cpuStart = PatchBenchData.cpuSeconds()
    for (o, m, c) in inputs {
        let patch = try StrategicMerge.createThreeWay(original: o, modified: m, current: c, meta: meta)
        if patch.count > 0 { nonEmpty += 1 }
    }
    let cpu = PatchBenchData.cpuSeconds() - cpuStart
    let elapsed = clock.now - start
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("patch: three-way, \(objects) small Deployments: \(PatchBenchData.ms(cpu)) ms CPU (\(PatchBenchData.ms(wall)) ms wall), \(Int(Double(objects) / cpu)) patches/s per core (\(nonEmpty) non-empty; target >= 20000/s)")
}

enum PatchBenchData {
    static func ms(_ seconds: Double) -> String {
        String(Double(Int(seconds * 1_000_000)) / 1000)
    }

    /// CPU time of the calling thread, in seconds.
    static func cpuSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func container(_ i: Int, generation: Int) -> Value {
        [
            "name": .string("c\(i)"),
            "image": .string("registry.example/app-\(i):\(i % 10 == 0 ? generation : 0)"),
            "args": ["--port", .string("\(8000 + i)")],
            "env": [["name": "A", "value": "1"], ["name": "B", "value": .string("\(i)")], ["name": "C", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
            "ports": [["containerPort": .int(Int64(8000 + i)), "protocol": "TCP"]],
            "resources": ["limits": ["cpu": "100m", "memory": "64Mi"]],
            "volumeMounts": [["name": "data", "mountPath": .string("/data/\(i)")]],
        ]
    }

    /// Generation 1 changes every tenth image, drops c0…c4 and adds d0…d4.
    static func bigDeployment(containers: Int, generation: Int) -> Value {
        var list: [Value] = []
        for i in 0..<containers where generation == 0 || i >= 5 { list.append(container(i, generation: generation)) }
        if generation == 1 { for i in 0..<5 { list.append(["name": .string("d\(i)"), "image": "added:1"]) } }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "big", "namespace": "bench", "labels": ["app": "big", "gen": .string("\(generation)")]],
            "spec": [
                "selector": ["matchLabels": ["app": "big"]],
                "template": ["metadata": ["labels": ["app": "big"]], "spec": ["containers": .array(list), "volumes": [["name": "data", "emptyDir": [:]]]]],
            ],
        ]
    }

    static func smallDeployment(_ n: Int, generation: Int) -> Value {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string("app-\(n)"), "namespace": "bench", "labels": ["app": .string("app-\(n)")]],
            "spec": [
                "replicas": 2,
                "selector": ["matchLabels": ["app": .string("app-\(n)")]],
                "template": [
                    "metadata": ["labels": ["app": .string("app-\(n)")]],
                    "spec": ["containers": [["name": "app", "image": .string("app:\(generation)"), "ports": [["containerPort": 8080]],
                                             "env": [["name": "MODE", "value": .string(generation == 0 ? "a" : "b")]]]]],
                ],
            ],
        ]
    }

    /// The object as a server would hold it: defaults, identity and status added.
    static func live(_ manifest: Value) -> Value {
        var v = manifest
        v[path: ["metadata", "uid"]] = "0f7c6a4e-0000-4000-8000-000000000000"
        v[path: ["metadata", "resourceVersion"]] = "12345"
        v[path: ["metadata", "generation"]] = 1
        v[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": "25%"]]
        v[path: ["spec", "revisionHistoryLimit"]] = 10
        v[path: ["spec", "progressDeadlineSeconds"]] = 600
        var containers = v[path: ["spec", "template", "spec", "containers"]].arrayValue ?? []
        for i in containers.indices {
            containers[i]["imagePullPolicy"] = "IfNotPresent"
            containers[i]["terminationMessagePath"] = "/dev/termination-log"
            containers[i]["terminationMessagePolicy"] = "File"
        }
        v[path: ["spec", "template", "spec", "containers"]] = .array(containers)
        v[path: ["spec", "template", "spec", "restartPolicy"]] = "Always"
        v[path: ["spec", "template", "spec", "dnsPolicy"]] = "ClusterFirst"
        v["status"] = ["observedGeneration": 1, "replicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                       "conditions": [["type": "Available", "status": "True"], ["type": "Progressing", "status": "True"]]]
        return v
    }
}
