import CapstanClient
import CapstanModel
import CapstanNode
import Testing

@Suite struct NodeAgentTests {
    func waitUntil(_ what: @Sendable () async -> Bool) async -> Bool {
        for _ in 0..<400 {
            if await what() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func config(_ name: String = "node-1") -> NodeConfig {
        var c = NodeConfig(name: name, index: 1)
        c.cpu = "2"
        c.memory = "4Gi"
        c.labels = ["tier": "web"]
        c.leaseRenewInterval = .milliseconds(50)
        c.syncInterval = .milliseconds(20)
        return c
    }

    @Test func registersNodeWithLabelsCapacityAndReady() async throws {
        let fake = FakeClient()
        let agent = NodeAgent(client: fake, config: config())
        try await agent.start()
        defer { agent.stop() }
        let node = try await fake.get(.nodes, namespace: nil, name: "node-1")
        #expect(node.labels["kubernetes.io/hostname"] == "node-1")
        #expect(node.labels["kubernetes.io/os"] == "linux")
        #expect(node.labels["node.kubernetes.io/instance-type"] == "capstan.sim")
        #expect(node.labels["tier"] == "web")
        #expect(node[path: ["spec", "podCIDR"]] == "10.244.1.0/24")
        #expect(node[path: ["status", "allocatable", "cpu"]] == "2")
        #expect(node[path: ["status", "capacity", "memory"]] == "4Gi")
        let ready = (node[path: ["status", "conditions"]].arrayValue ?? []).first { $0["type"] == "Ready" }
        #expect(ready?["status"] == "True")
        #expect((node[path: ["status", "addresses"]].arrayValue ?? []).contains { $0["type"] == "InternalIP" })
    }

    @Test func renewsLease() async throws {
        let fake = FakeClient()
        let agent = NodeAgent(client: fake, config: config())
        try await agent.start()
        defer { agent.stop() }
        let first = try await fake.get(.leases, namespace: "kube-node-lease", name: "node-1")
        #expect(first[path: ["spec", "holderIdentity"]] == "node-1")
        #expect(first[path: ["spec", "leaseDurationSeconds"]] == 40)
        let renewed = await waitUntil {
            let l = try? await fake.get(.leases, namespace: "kube-node-lease", name: "node-1")
            return l?[path: ["spec", "renewTime"]] != first[path: ["spec", "renewTime"]]
        }
        #expect(renewed)
        // Paused heartbeats leave the lease alone.
        agent.setHeartbeatsPaused(true)
        try await Task.sleep(for: .milliseconds(80))
        let a = try await fake.get(.leases, namespace: "kube-node-lease", name: "node-1")[path: ["spec", "renewTime"]]
        try await Task.sleep(for: .milliseconds(150))
        let b = try await fake.get(.leases, namespace: "kube-node-lease", name: "node-1")[path: ["spec", "renewTime"]]
        #expect(a == b)
    }

    func pod(_ name: String, node: String = "node-1", annotations: Value = .object([:])) -> Value {
        ["apiVersion": "v1", "kind": "Pod",
         "metadata": ["name": .string(name), "namespace": "default", "annotations": annotations],
         "spec": ["nodeName": .string(node), "containers": [["name": "app", "image": "nginx"]]]]
    }

    @Test func runsBoundPodsWithIPsAndConditions() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([pod("a"), pod("b"), pod("elsewhere", node: "node-2")])
        let agent = NodeAgent(client: fake, config: config())
        try await agent.start()
        defer { agent.stop() }
        let running = await waitUntil {
            let items = (try? await fake.list(.pods, namespace: "default").items) ?? []
            return items.filter { $0[path: ["status", "phase"]] == "Running" }.count == 2
        }
        #expect(running)
        let a = try await fake.get(.pods, namespace: "default", name: "a")
        let b = try await fake.get(.pods, namespace: "default", name: "b")
        let ipA = a[path: ["status", "podIP"]].stringValue ?? ""
        #expect(ipA.hasPrefix("10.244.1."))
        #expect(ipA != b[path: ["status", "podIP"]].stringValue)
        #expect(a[path: ["status", "hostIP"]] == "172.18.0.3")
        let conds = Dictionary(uniqueKeysWithValues: (a[path: ["status", "conditions"]].arrayValue ?? []).map {
            ($0["type"].stringValue ?? "", $0["status"].stringValue ?? "")
        })
        #expect(conds["Ready"] == "True" && conds["ContainersReady"] == "True" && conds["Initialized"] == "True" && conds["PodScheduled"] == "True")
        #expect(a[path: ["status", "containerStatuses"]][0][path: ["state", "running", "startedAt"]] != .null)
        let other = try await fake.get(.pods, namespace: "default", name: "elsewhere")
        #expect(other["status"] == .null)
    }

    @Test func crashingContainerCountsRestarts() async throws {
        let fake = FakeClient()
        var c = config()
        c.syncInterval = .milliseconds(10)
        _ = try await fake.seed([pod("crash", annotations: ["sim.capstan.dev/exit-after": "50ms", "sim.capstan.dev/exit-code": "1"])])
        let agent = NodeAgent(client: fake, config: c, runtime: SimulatedRuntime(backoffBase: 0.05, backoffCap: 0.1))
        try await agent.start()
        defer { agent.stop() }
        let restarted = await waitUntil {
            let p = try? await fake.get(.pods, namespace: "default", name: "crash")
            return (p?[path: ["status", "containerStatuses"]][0]["restartCount"].intValue ?? 0) >= 2
        }
        #expect(restarted)
        let p = try await fake.get(.pods, namespace: "default", name: "crash")
        #expect(p[path: ["status", "containerStatuses"]][0][path: ["lastState", "terminated", "exitCode"]] == 1)
    }

    @Test func gracefulDeletionEndsWithFinalDelete() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([pod("bye", annotations: ["sim.capstan.dev/termination-delay": "100ms"])])
        let agent = NodeAgent(client: fake, config: config())
        try await agent.start()
        defer { agent.stop() }
        #expect(await waitUntil {
            (try? await fake.get(.pods, namespace: "default", name: "bye"))?[path: ["status", "phase"]] == "Running"
        })
        // A finalizer keeps the object after the deletes, so the test can look at the final status.
        var p = try await fake.get(.pods, namespace: "default", name: "bye")
        p[path: ["metadata", "finalizers"]] = ["test.capstan.dev/hold"]
        _ = try await fake.update(.pods, namespace: "default", p)
        _ = try await fake.delete(.pods, namespace: "default", name: "bye")
        let finished = await waitUntil {
            await fake.actions.filter { $0.verb == "delete" && $0.name == "bye" }.count >= 2
        }
        #expect(finished)
        let last = try await fake.get(.pods, namespace: "default", name: "bye")
        // The in-memory client deletes with grace 0: a container that needs 100 ms to stop is killed.
        #expect(last[path: ["status", "containerStatuses"]][0][path: ["state", "terminated", "exitCode"]] == 137)
    }
}

@Suite struct SimParsingTests {
    @Test func durations() {
        #expect(SimDuration.parse("2s") == 2)
        #expect(SimDuration.parse("500ms") == 0.5)
        #expect(SimDuration.parse("1m30s") == 90)
        #expect(SimDuration.parse("3") == 3)
        #expect(SimDuration.parse("soon") == nil)
        #expect(SimDuration.parse("") == nil)
        #expect(SimDuration.parse("5x") == nil)
    }

    @Test func probeScripts() {
        #expect(ProbeScript("fail-until:30s") == .failUntil(30))
        #expect(ProbeScript("fail-after:1m") == .failAfter(60))
        #expect(ProbeScript("pass") == .pass)
        #expect(ProbeScript("sometimes") == nil)
        #expect(ProbeScript.failUntil(5).passes(at: 4.9) == false)
        #expect(ProbeScript.failUntil(5).passes(at: 5) == true)
    }
}
