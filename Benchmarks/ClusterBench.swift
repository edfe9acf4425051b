import CapstanClient
import CapstanCluster
import CapstanModel
import CapstanScheduler
import Foundation
import Synchronization

/// Cluster benchmarks (printed, not judged):
/// 1. cold start of an in-process 3-node cluster until every node is Ready;
/// 2. scheduling 10,000 pods onto 1,000 nodes (the scheduler against an in-memory client, and
///    the bare decision loop);
/// 3. a 1,000-replica Deployment from create to every pod Ready on 10 simulated nodes, with each
///    component transport (loopback HTTP, in-process).
/// Prints one line at once (stdout is block-buffered when piped; a slow phase should not hide earlier results).
private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func runClusterBench(arguments: [String]) async throws {
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let clock = ContinuousClock()
    // CLUSTER_BENCH=deploy runs only the Deployment part; CLUSTER_TRANSPORT=http|in-process one transport.
    if ProcessInfo.processInfo.environment["CLUSTER_BENCH"] == "deploy" {
        let only = ProcessInfo.processInfo.environment["CLUSTER_TRANSPORT"].flatMap(ClusterConfig.ComponentTransport.init(rawValue:))
        for transport in ClusterConfig.ComponentTransport.allCases where only == nil || only == transport {
            try await deploymentBench(transport: transport, replicas: 1000, nodes: 10)
        }
        return
    }

    // 1. Cold start.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-bench-\(UUID().uuidString)").path
    var config = ClusterConfig(dataDir: dir)
    config.port = 0
    config.nodes = 3
    let start = clock.now
    let cluster = Cluster(config: config)
    try await cluster.start()
    try await cluster.waitForNodesReady()
    let cold = clock.now - start
    say("cluster up --nodes 3 (in-process, cold store) to all Ready: \(String(format: "%.3f", seconds(cold))) s (target < 1 s)")
    await cluster.shutdown()
    try? FileManager.default.removeItem(atPath: dir)

    // 2a. The decision loop alone.
    let nodeCount = 1000, podCount = 10_000
    var cache = SchedulerCache()
    for i in 0..<nodeCount { cache.upsertNode(benchNode("node-\(i)")) }
    let pods = (0..<podCount).map { PodInfo(benchPod("p-\($0)")) }
    let t0 = clock.now
    var placed = 0
    for p in pods {
        if case .node(let n) = cache.decide(p) { cache.assume(p, on: n); placed += 1 }
    }
    let decideTime = seconds(clock.now - t0)
    say("decisions: \(placed) pods on \(nodeCount) nodes in \(String(format: "%.2f", decideTime)) s = \(Int(Double(placed) / decideTime)) pods/s")

    // 2b. The full scheduler (informers, queue, bindings) against the in-memory client.
    let fake = FakeClient()
    _ = try await fake.seed((0..<nodeCount).map { benchNode("node-\($0)") })
    _ = try await fake.seed((0..<podCount).map { benchPod("p-\($0)") })
    let scheduler = Scheduler(client: fake)
    let t1 = clock.now
    await scheduler.start()
    while scheduler.stats.bound < podCount {
        try await Task.sleep(for: .milliseconds(5))
        if clock.now - t1 > .seconds(300) { break }
    }
    let schedTime = seconds(clock.now - t1)
    scheduler.stop()
    say("scheduler (FakeClient): \(scheduler.stats.bound) pods bound on \(nodeCount) nodes in \(String(format: "%.2f", schedTime)) s = \(Int(Double(scheduler.stats.bound) / schedTime)) pods/s (target ≥ 1000)")

    // 3. A 1,000-replica Deployment through the real API server until every pod is Ready.
    for transport in ClusterConfig.ComponentTransport.allCases {
        try await deploymentBench(transport: transport, replicas: 1000, nodes: 10)
    }
}

/// Creates one Deployment and times, from the create call, when all of its pods exist, are
/// bound, run and are Ready (seen through a pod watch, so the measuring adds no polling load).
func deploymentBench(transport: ClusterConfig.ComponentTransport, replicas: Int, nodes: Int) async throws {
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let clock = ContinuousClock()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-bench-\(UUID().uuidString)").path
    var config = ClusterConfig(dataDir: dir)
    config.port = 0
    config.nodes = nodes
    config.nodePods = 1000
    config.transport = transport
    let cluster = Cluster(config: config)
    try await cluster.start()
    try await cluster.waitForNodesReady()
    guard let client = cluster.client else { return }
    let phases = PhaseClock(total: replicas)
    let informer = SharedInformer(client: client, resource: .pods, namespace: "default")
    informer.addEventHandler(EventHandler(onAdd: { phases.observe($0) }, onUpdate: { _, p in phases.observe(p) }))
    informer.start()
    await informer.waitForSync()
    let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "default"],
        "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": "web"]],
                 "template": ["metadata": ["labels": ["app": "web"]],
                              "spec": ["containers": [["name": "c", "image": "x",
                                                       "resources": ["requests": ["cpu": "10m", "memory": "16Mi"]]]]]]],
    ]
    let t0 = clock.now
    phases.start(at: t0)
    _ = try await client.create(.deployments, namespace: "default", deployment)
    while phases.at(.ready) == nil && clock.now - t0 < .seconds(120) {
        try await Task.sleep(for: .milliseconds(10))
    }
    func mark(_ p: PhaseClock.Phase) -> String {
        phases.at(p).map { String(format: "%.2f", seconds($0 - t0)) } ?? "—"
    }
    let total = phases.at(.ready).map { seconds($0 - t0) }
    say("Deployment of \(replicas) replicas on \(nodes) nodes (\(transport) transport) apply → all Ready: "
        + (total.map { String(format: "%.2f s", $0) } ?? "not within 120 s (\(phases.counts))")
        + " (target < 5 s); all created \(mark(.created)) s, scheduled \(mark(.scheduled)) s, running \(mark(.running)) s, ready \(mark(.ready)) s")
    informer.stop()
    await cluster.shutdown()
    try? FileManager.default.removeItem(atPath: dir)
}

/// When the number of pods in each phase first reached the total. Lock-protected: informer
/// handlers write, the bench loop reads.
final class PhaseClock: Sendable {
    enum Phase: Int, CaseIterable { case created, scheduled, running, ready }
    private struct State {
        var start: ContinuousClock.Instant?
        var seen: [Set<String>] = Array(repeating: [], count: Phase.allCases.count)
        var reached: [ContinuousClock.Instant?] = Array(repeating: nil, count: Phase.allCases.count)
    }
    private let state = Mutex(State())
    let total: Int

    init(total: Int) { self.total = total }

    func start(at t: ContinuousClock.Instant) { state.withLock { $0.start = t } }

    func at(_ p: Phase) -> ContinuousClock.Instant? { state.withLock { $0.reached[p.rawValue] } }

    var counts: [Int] { state.withLock { $0.seen.map(\.count) } }

    func observe(_ pod: Value) {
        guard let name = pod.name else { return }
        let now = ContinuousClock.now
        var phases: [Phase] = [.created]
        if pod[path: ["spec", "nodeName"]].stringValue?.isEmpty == false { phases.append(.scheduled) }
        if pod[path: ["status", "phase"]] == "Running" { phases.append(.running) }
        if (pod[path: ["status", "conditions"]].arrayValue ?? []).contains(where: { $0["type"] == "Ready" && $0["status"] == "True" }) {
            phases.append(.ready)
        }
        state.withLock { s in
            guard s.start != nil else { return }
            for p in phases {
                s.seen[p.rawValue].insert(name)
                if s.reached[p.rawValue] == nil && s.seen[p.rawValue].count >= total { s.reached[p.rawValue] = now }
            }
        }
    }
}

private func benchNode(_ name: String) -> Value {
    let alloc: Value = ["cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "100Gi"]
    return ["apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
            "status": ["allocatable": alloc, "capacity": alloc, "conditions": [["type": "Ready", "status": "True"]]]]
}

private func benchPod(_ name: String) -> Value {
    ["apiVersion": "v1", "kind": "Pod",
     "metadata": ["name": .string(name), "namespace": "default", "uid": .string("uid-" + name), "labels": ["app": "bench"],
                  "creationTimestamp": "2026-01-01T00:00:00Z"],
     "spec": ["containers": [["name": "c", "image": "x", "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]]]]]]
}
