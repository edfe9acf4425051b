import CapstanModel
import CapstanScheduler
import Testing

@Suite struct FilterTests {
    let none = CycleState()

    @Test func readyAndUnschedulable() {
        #expect(NodeReadyFilter().filter(PodInfo(pod("p")), info(node("n", ready: false)), none) == ["node(s) were not ready"])
        #expect(NodeReadyFilter().filter(PodInfo(pod("p")), info(node("n")), none) == nil)
        let cordoned = info(node("n", unschedulable: true))
        #expect(NodeUnschedulableFilter().filter(PodInfo(pod("p")), cordoned, none) == ["node(s) were unschedulable"])
        let tolerant = pod("p", extraSpec: ["tolerations": [["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]]])
        #expect(NodeUnschedulableFilter().filter(PodInfo(tolerant), cordoned, none) == nil)
    }

    @Test func resourcesFitCountsBoundPods() {
        var n = info(node("n", cpu: "1", memory: "1Gi", pods: 2))
        #expect(NodeResourcesFitFilter().filter(PodInfo(pod("a", cpu: "600m")), n, none) == nil)
        n.add(PodInfo(pod("a", cpu: "600m", nodeName: "n")))
        #expect(NodeResourcesFitFilter().filter(PodInfo(pod("b", cpu: "500m")), n, none) == ["Insufficient cpu"])
        #expect(NodeResourcesFitFilter().filter(PodInfo(pod("b", cpu: "400m", memory: "2Gi")), n, none) == ["Insufficient memory"])
        n.add(PodInfo(pod("c", nodeName: "n")))
        #expect(NodeResourcesFitFilter().filter(PodInfo(pod("d")), n, none) == ["Too many pods"])
        n.remove(uid: "uid-default-a")
        #expect(NodeResourcesFitFilter().filter(PodInfo(pod("b", cpu: "1")), n, none) == nil)
    }

    @Test func initContainersCountAsMaximum() {
        let p = PodInfo(pod("p", cpu: "100m", extraSpec: ["initContainers": [["name": "i", "image": "x", "resources": ["requests": ["cpu": "2"]]]]]))
        #expect(p.requests.milliCPU == 2000)
    }

    @Test func nodeName() {
        #expect(NodeNameFilter().filter(PodInfo(pod("p", extraSpec: ["nodeName": "a"])), info(node("b")), none) != nil)
        #expect(NodeNameFilter().filter(PodInfo(pod("p", extraSpec: ["nodeName": "a"])), info(node("a")), none) == nil)
    }

    @Test func nodeSelectorAndRequiredAffinity() {
        let ssd = info(node("a", labels: ["disk": "ssd", "gen": "5"]))
        let hdd = info(node("b", labels: ["disk": "hdd", "gen": "3"]))
        let selected = PodInfo(pod("p", extraSpec: ["nodeSelector": ["disk": "ssd"]]))
        #expect(NodeAffinityFilter().filter(selected, ssd, none) == nil)
        #expect(NodeAffinityFilter().filter(selected, hdd, none) == ["node(s) didn't match Pod's node affinity/selector"])
        func affinity(_ exprs: Value) -> PodInfo {
            PodInfo(pod("p", extraSpec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution":
                ["nodeSelectorTerms": [["matchExpressions": exprs]]]]]]))
        }
        let cases: [(Value, Bool, Bool)] = [
            ([["key": "disk", "operator": "In", "values": ["ssd"]]], true, false),
            ([["key": "disk", "operator": "NotIn", "values": ["ssd"]]], false, true),
            ([["key": "gen", "operator": "Gt", "values": ["4"]]], true, false),
            ([["key": "gen", "operator": "Lt", "values": ["4"]]], false, true),
            ([["key": "disk", "operator": "Exists"]], true, true),
            ([["key": "gpu", "operator": "DoesNotExist"]], true, true),
            ([["key": "gpu", "operator": "Exists"]], false, false),
        ]
        for (exprs, onA, onB) in cases {
            #expect((NodeAffinityFilter().filter(affinity(exprs), ssd, none) == nil) == onA, "\(exprs)")
            #expect((NodeAffinityFilter().filter(affinity(exprs), hdd, none) == nil) == onB, "\(exprs)")
        }
    }

    @Test func taintsAndTolerations() {
        let tainted = info(node("n", taints: [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]))
        #expect(TaintTolerationFilter().filter(PodInfo(pod("p")), tainted, none) == ["node(s) had untolerated taint {dedicated: db}"])
        let equal = pod("p", extraSpec: ["tolerations": [["key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"]]])
        #expect(TaintTolerationFilter().filter(PodInfo(equal), tainted, none) == nil)
        let wrongValue = pod("p", extraSpec: ["tolerations": [["key": "dedicated", "value": "web"]]])
        #expect(TaintTolerationFilter().filter(PodInfo(wrongValue), tainted, none) != nil)
        let all = pod("p", extraSpec: ["tolerations": [["operator": "Exists"]]])
        #expect(TaintTolerationFilter().filter(PodInfo(all), tainted, none) == nil)
        let noExec = info(node("n", taints: [["key": "node.kubernetes.io/unreachable", "effect": "NoExecute"]]))
        #expect(TaintTolerationFilter().filter(PodInfo(pod("p")), noExec, none) != nil)
        let soft = info(node("n", taints: [["key": "x", "effect": "PreferNoSchedule"]]))
        #expect(TaintTolerationFilter().filter(PodInfo(pod("p")), soft, none) == nil)
    }

    @Test func hostPorts() {
        var n = info(node("n"))
        let withPort = pod("a", extraSpec: ["containers": [["name": "c", "image": "x", "ports": [["containerPort": 80, "hostPort": 8080]]]]])
        n.add(PodInfo(withPort))
        let same = pod("b", extraSpec: ["containers": [["name": "c", "image": "x", "ports": [["containerPort": 80, "hostPort": 8080]]]]])
        let udp = pod("c", extraSpec: ["containers": [["name": "c", "image": "x", "ports": [["containerPort": 80, "hostPort": 8080, "protocol": "UDP"]]]]])
        #expect(NodePortsFilter().filter(PodInfo(same), n, none) == ["node(s) didn't have free ports for the requested pod ports"])
        #expect(NodePortsFilter().filter(PodInfo(udp), n, none) == nil)
    }

    @Test func podAntiAffinityByHostname() {
        let anti: Value = ["affinity": ["podAntiAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            ["labelSelector": ["matchLabels": ["app": "web"]], "topologyKey": "kubernetes.io/hostname"]]]]]
        let nodes = [node("a"), node("b")]
        let placed = [pod("w1", labels: ["app": "web"], nodeName: "a")]
        #expect(decide(pod("w2", labels: ["app": "web"], extraSpec: anti), nodes: nodes, placed: placed) == .node("b"))
        let two = placed + [pod("w3", labels: ["app": "web"], nodeName: "b")]
        #expect(decide(pod("w2", labels: ["app": "web"], extraSpec: anti), nodes: nodes, placed: two)
                == .unschedulable("0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules."))
    }

    @Test func existingPodsAntiAffinityIsSymmetric() {
        let anti: Value = ["affinity": ["podAntiAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            ["labelSelector": ["matchLabels": ["app": "web"]], "topologyKey": "kubernetes.io/hostname"]]]]]
        let placed = [pod("loner", nodeName: "a", extraSpec: anti)]
        #expect(decide(pod("w", labels: ["app": "web"]), nodes: [node("a"), node("b")], placed: placed) == .node("b"))
    }

    @Test func podAffinityFollowsPeers() {
        let aff: Value = ["affinity": ["podAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            ["labelSelector": ["matchLabels": ["app": "db"]], "topologyKey": "zone"]]]]]
        let nodes = [node("a", labels: ["zone": "z1"]), node("b", labels: ["zone": "z2"]), node("c", labels: ["zone": "z2"])]
        let placed = [pod("db", labels: ["app": "db"], nodeName: "b")]
        for i in 0..<4 {
            let d = decide(pod("web\(i)", extraSpec: aff), nodes: nodes, placed: placed)
            #expect(d == .node("b") || d == .node("c"))
        }
        #expect(decide(pod("web", extraSpec: aff), nodes: nodes)
                == .unschedulable("0/3 nodes are available: 3 node(s) didn't match pod affinity rules."))
    }

    @Test func topologySpreadDoNotSchedule() {
        let spread: Value = ["topologySpreadConstraints": [["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                                             "labelSelector": ["matchLabels": ["app": "web"]]]]]
        let nodes = [node("a", labels: ["zone": "z1"]), node("b", labels: ["zone": "z2"])]
        let placed = [pod("w1", labels: ["app": "web"], nodeName: "a")]
        // z1 has 1, z2 has 0: another pod in z1 would make skew 2.
        #expect(decide(pod("w2", labels: ["app": "web"], extraSpec: spread), nodes: nodes, placed: placed) == .node("b"))
    }
}
