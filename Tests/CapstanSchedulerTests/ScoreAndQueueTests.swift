import CapstanClient
import CapstanModel
import CapstanScheduler
import Testing

@Suite struct ScoreTests {
    let none = CycleState()

    @Test func leastAllocatedPrefersEmptierNode() {
        var busy = info(node("busy"))
        busy.add(PodInfo(pod("x", cpu: "3", memory: "6Gi", nodeName: "busy")))
        let idle = info(node("idle"))
        let p = PodInfo(pod("p", cpu: "500m", memory: "512Mi"))
        #expect(LeastAllocatedScore().score(p, idle, none) > LeastAllocatedScore().score(p, busy, none))
        #expect(decide(pod("p", cpu: "500m"), nodes: [node("busy"), node("idle")],
                       placed: [pod("x", cpu: "3", memory: "6Gi", nodeName: "busy")]) == .node("idle"))
    }

    @Test func balancedAllocationPrefersEvenUse() {
        var cpuHeavy = info(node("a"))
        cpuHeavy.add(PodInfo(pod("x", cpu: "3", memory: "100Mi", nodeName: "a")))
        let even = info(node("b"))
        let p = PodInfo(pod("p", cpu: "1", memory: "2Gi"))
        #expect(BalancedAllocationScore().score(p, even, none) > BalancedAllocationScore().score(p, cpuHeavy, none))
    }

    @Test func preferredNodeAffinity() {
        let p = PodInfo(pod("p", extraSpec: ["affinity": ["nodeAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
            ["weight": 80, "preference": ["matchExpressions": [["key": "disk", "operator": "In", "values": ["ssd"]]]]],
            ["weight": 20, "preference": ["matchExpressions": [["key": "gpu", "operator": "Exists"]]]]]]]]))
        #expect(NodeAffinityScore().score(p, info(node("a", labels: ["disk": "ssd"])), none) == 80)
        #expect(NodeAffinityScore().score(p, info(node("b", labels: ["disk": "ssd", "gpu": "1"])), none) == 100)
        #expect(NodeAffinityScore().score(p, info(node("c")), none) == 0)
    }

    @Test func preferNoScheduleTaintScoresLower() {
        let p = PodInfo(pod("p"))
        let soft = info(node("a", taints: [["key": "x", "effect": "PreferNoSchedule"]]))
        #expect(TaintTolerationScore().score(p, soft, none) < TaintTolerationScore().score(p, info(node("b")), none))
        #expect(decide(pod("p"), nodes: [node("a", taints: [["key": "x", "effect": "PreferNoSchedule"]]), node("b")]) == .node("b"))
    }

    @Test func preferredPodAntiAffinitySpreads() {
        let spec: Value = ["affinity": ["podAntiAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
            ["weight": 100, "podAffinityTerm": ["labelSelector": ["matchLabels": ["app": "web"]], "topologyKey": "kubernetes.io/hostname"]]]]]]
        let placed = [pod("w1", labels: ["app": "web"], nodeName: "a")]
        #expect(decide(pod("w2", labels: ["app": "web"], extraSpec: spec), nodes: [node("a"), node("b")], placed: placed) == .node("b"))
    }

    @Test func scheduleAnywaySpread() {
        let spec: Value = ["topologySpreadConstraints": [["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
                                                           "labelSelector": ["matchLabels": ["app": "web"]]]]]
        let nodes = [node("a", labels: ["zone": "z1"]), node("b", labels: ["zone": "z2"])]
        let placed = [pod("w1", labels: ["app": "web"], nodeName: "a"), pod("w0", labels: ["app": "web"], nodeName: "a")]
        #expect(decide(pod("w2", labels: ["app": "web"], extraSpec: spec), nodes: nodes, placed: placed) == .node("b"))
    }

    @Test func failureMessageShape() {
        #expect(decide(pod("big", cpu: "64"), nodes: [node("a"), node("b"), node("c")])
                == .unschedulable("0/3 nodes are available: 3 Insufficient cpu."))
        let mixed = decide(pod("big", cpu: "8"), nodes: [node("a", cpu: "16", taints: [["key": "k", "value": "v", "effect": "NoSchedule"]]),
                                                         node("b"), node("c", ready: false)])
        #expect(mixed == .unschedulable("0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}, 1 node(s) were not ready."))
    }

    @Test func spreadsEqualPodsOverEqualNodes() {
        var cache = SchedulerCache()
        for n in ["a", "b", "c"] { cache.upsertNode(node(n)) }
        var counts: [String: Int] = [:]
        for i in 0..<9 {
            let p = PodInfo(pod("p\(i)", cpu: "100m", memory: "100Mi"))
            guard case .node(let n) = cache.decide(p) else { Issue.record("unschedulable"); return }
            cache.assume(p, on: n)
            counts[n, default: 0] += 1
        }
        #expect(counts == ["a": 3, "b": 3, "c": 3])
    }
}

@Suite struct QueueTests {
    @Test func priorityThenAge() {
        let q = SchedulingQueue()
        q.add(.init(key: "ns/old-low", priority: 0, created: 1))
        q.add(.init(key: "ns/new-high", priority: 100, created: 5))
        q.add(.init(key: "ns/new-low", priority: 0, created: 9))
        q.add(.init(key: "ns/old-high", priority: 100, created: 2))
        var order: [String] = []
        while let e = q.tryPop() { order.append(e.key) }
        #expect(order == ["ns/old-high", "ns/new-high", "ns/old-low", "ns/new-low"])
    }

    @Test func unschedulableWaitsForClusterChange() {
        let q = SchedulingQueue()
        q.addUnschedulable(.init(key: "ns/p", priority: 0, created: 1))
        #expect(q.tryPop() == nil)
        #expect(q.isUnschedulable("ns/p"))
        q.moveAllToActive()
        #expect(q.tryPop()?.key == "ns/p")
    }

    @Test func duplicatesAndRemoval() {
        let q = SchedulingQueue()
        q.add(.init(key: "ns/a", priority: 0, created: 1))
        q.add(.init(key: "ns/a", priority: 0, created: 1))
        q.add(.init(key: "ns/b", priority: 0, created: 2))
        q.remove("ns/a")
        #expect(q.tryPop()?.key == "ns/b")
        #expect(q.tryPop() == nil)
    }

    @Test func popWaitsForAdd() async {
        let q = SchedulingQueue()
        async let next = q.pop()
        try? await Task.sleep(for: .milliseconds(20))
        q.add(.init(key: "ns/late", priority: 0, created: 1))
        #expect(await next?.key == "ns/late")
    }
}

@Suite struct SchedulerLoopTests {
    func waitUntil(_ what: @Sendable () async -> Bool) async -> Bool {
        for _ in 0..<300 {
            if await what() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func bindsThroughBindingSubresource() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([node("n1"), node("n2"), pod("web", cpu: "100m")])
        let s = Scheduler(client: fake)
        await s.start()
        defer { s.stop() }
        let bound = await waitUntil {
            (try? await fake.get(.pods, namespace: "default", name: "web"))?[path: ["spec", "nodeName"]].stringValue?.isEmpty == false
        }
        #expect(bound)
        let actions = await fake.actions.map(\.description)
        #expect(actions.contains { $0.contains("binding") })
    }

    @Test func unschedulableGetsConditionAndEventThenRetries() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([node("n1", cpu: "1"), pod("big", cpu: "2")])
        let s = Scheduler(client: fake)
        await s.start()
        defer { s.stop() }
        let marked = await waitUntil {
            let p = try? await fake.get(.pods, namespace: "default", name: "big")
            return (p?[path: ["status", "conditions"]].arrayValue ?? []).contains {
                $0["reason"].stringValue == "Unschedulable" && $0["message"].stringValue == "0/1 nodes are available: 1 Insufficient cpu."
            }
        }
        #expect(marked)
        let events = try await fake.list(.events, namespace: "default").items
        #expect(events.contains { $0["reason"].stringValue == "FailedScheduling" && $0["type"].stringValue == "Warning" })
        // A bigger node arrives: the parked pod is retried and bound there.
        _ = try await fake.create(.nodes, namespace: nil, node("n2", cpu: "8"))
        let bound = await waitUntil {
            (try? await fake.get(.pods, namespace: "default", name: "big"))?[path: ["spec", "nodeName"]].stringValue == "n2"
        }
        #expect(bound)
    }

    @Test func ignoresOtherSchedulers() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([node("n1"), pod("mine"), pod("theirs", extraSpec: ["schedulerName": "other"])])
        let s = Scheduler(client: fake)
        await s.start()
        defer { s.stop() }
        #expect(await waitUntil { s.stats.bound == 1 })
        try? await Task.sleep(for: .milliseconds(50))
        let theirs = try await fake.get(.pods, namespace: "default", name: "theirs")
        #expect(theirs[path: ["spec", "nodeName"]] == .null)
    }
}
