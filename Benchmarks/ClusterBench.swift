import CapstanClient
import CapstanCluster
import CapstanModel
import CapstanScheduler
import Foundation

/// Cluster benchmarks (printed, not judged):
/// 1. cold start of an in-process 3-node cluster until every node is Ready;
/// 2. scheduling 10,000 pods onto 1,000 nodes (the scheduler against an in-memory client, and
///    the bare decision loop);
/// 3. 1,000 pods created through the API server until all are Ready on 10 simulated nodes.
/// Prints one line at once (stdout is block-buffered when piped; a slow phase should not hide earlier results).
private func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func runClusterBench(arguments: [String]) async throws {
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    let clock = ContinuousClock()

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

    // 3. 1,000 pods through the real API server until Ready.
    let dir2 = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-bench-\(UUID().uuidString)").path
    var config2 = ClusterConfig(dataDir: dir2)
    config2.port = 0
    config2.nodes = 10
    config2.nodeSyncInterval = .milliseconds(100)
    let big = Cluster(config: config2)
    try await big.start()
    try await big.waitForNodesReady()
    guard let client = big.client else { return }
    let replicas = 1000
    let t2 = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for w in 0..<16 {
            group.addTask {
                for i in stride(from: w, to: replicas, by: 16) {
                    var p = benchPod("web-\(i)")
                    p["metadata"].removeValue(forKey: "uid")
                    _ = try await client.create(.pods, namespace: "default", p)
                }
            }
        }
        try await group.waitForAll()
    }
    var ready = 0
    while ready < replicas && clock.now - t2 < .seconds(120) {
        try await Task.sleep(for: .milliseconds(100))
        let list = try await client.listAll(.pods, namespace: "default")
        ready = list.items.filter { p in
            (p[path: ["status", "conditions"]].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
        }.count
    }
    say("\(replicas) pods created through the API server to all Ready on 10 nodes: \(String(format: "%.2f", seconds(clock.now - t2))) s (\(ready) Ready; target < 5 s for a Deployment)")
    await big.shutdown()
    try? FileManager.default.removeItem(atPath: dir2)
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
