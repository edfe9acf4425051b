import CapstanModel

/// Nodes whose Ready condition is not True take no new pods.
public struct NodeReadyFilter: FilterPlugin {
    public var name: String { "NodeReady" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        node.ready ? nil : ["node(s) were not ready"]
    }
}

/// `spec.unschedulable` (kubectl cordon) and its taint, unless tolerated.
public struct NodeUnschedulableFilter: FilterPlugin {
    public var name: String { "NodeUnschedulable" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        guard node.unschedulable else { return nil }
        let taint = Taint(key: "node.kubernetes.io/unschedulable", effect: "NoSchedule")
        return pod.tolerations.contains { $0.tolerates(taint) } ? nil : ["node(s) were unschedulable"]
    }
}

public struct NodeNameFilter: FilterPlugin {
    public var name: String { "NodeName" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        pod.nodeName.isEmpty || pod.nodeName == node.name ? nil : ["node(s) didn't match the requested node name"]
    }
}

/// NoSchedule and NoExecute taints must be tolerated.
public struct TaintTolerationFilter: FilterPlugin {
    public var name: String { "TaintToleration" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        for taint in node.taints where taint.effect == "NoSchedule" || taint.effect == "NoExecute" {
            if !pod.tolerations.contains(where: { $0.tolerates(taint) }) {
                return ["node(s) had untolerated taint {\(taint.key): \(taint.value)}"]
            }
        }
        return nil
    }
}

/// `spec.nodeSelector` and required node affinity (terms OR-ed, expressions AND-ed).
public struct NodeAffinityFilter: FilterPlugin {
    public var name: String { "NodeAffinity" }
    public init() {}
    static func matches(_ pod: PodInfo, _ node: NodeInfo) -> Bool {
        for (k, v) in pod.nodeSelector where node.labels[k] != v { return false }
        if let terms = pod.requiredNodeTerms {
            return NodeSelectorTerm.anyMatches(terms, nodeName: node.name, labels: node.labels)
        }
        return true
    }
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        Self.matches(pod, node) ? nil : ["node(s) didn't match Pod's node affinity/selector"]
    }
}

public struct NodePortsFilter: FilterPlugin {
    public var name: String { "NodePorts" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        for want in pod.hostPorts where node.usedPorts.contains(where: { $0.conflicts(with: want) }) {
            return ["node(s) didn't have free ports for the requested pod ports"]
        }
        return nil
    }
}

/// Requests against allocatable minus what the node's pods already request. Every shortfall
/// is reported, as Kubernetes does ("Insufficient cpu", "Insufficient memory").
public struct NodeResourcesFitFilter: FilterPlugin {
    public var name: String { "NodeResourcesFit" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        var reasons: [String] = []
        let a = node.allocatable, used = node.requested, want = pod.requests
        if used.pods + 1 > a.pods { reasons.append("Too many pods") }
        if want.milliCPU > 0 && used.milliCPU + want.milliCPU > a.milliCPU { reasons.append("Insufficient cpu") }
        if want.memory > 0 && used.memory + want.memory > a.memory { reasons.append("Insufficient memory") }
        if want.ephemeralStorage > 0 && used.ephemeralStorage + want.ephemeralStorage > a.ephemeralStorage {
            reasons.append("Insufficient ephemeral-storage")
        }
        return reasons.isEmpty ? nil : reasons
    }
}

/// `whenUnsatisfiable: DoNotSchedule` constraints: placing the pod must keep
/// count(domain) + 1 − min ≤ maxSkew. Nodes without the topology label do not qualify.
public struct PodTopologySpreadFilter: FilterPlugin {
    public var name: String { "PodTopologySpread" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        for (i, c) in pod.spreadConstraints.enumerated() where c.whenUnsatisfiable == "DoNotSchedule" {
            guard let value = node.labels[c.topologyKey], i < state.spreadCounts.count else {
                return ["node(s) didn't match pod topology spread constraints (missing required label)"]
            }
            let selfMatch: Int64 = c.selector.matches(pod.labels) ? 1 : 0
            let count = Int64(state.spreadCounts[i][value] ?? 0)
            if count + selfMatch - Int64(state.spreadMin[i]) > c.maxSkew {
                return ["node(s) didn't match pod topology spread constraints"]
            }
        }
        return nil
    }
}

/// Required pod affinity and anti-affinity, both the pod's own and existing pods' anti-affinity.
public struct InterPodAffinityFilter: FilterPlugin {
    public var name: String { "InterPodAffinity" }
    public init() {}
    public func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]? {
        for (key, values) in state.forbiddenByExisting {
            if let v = node.labels[key], values.contains(v) { return ["node(s) didn't satisfy existing pods anti-affinity rules"] }
        }
        for (i, t) in pod.antiAffinity.enumerated() {
            if let v = node.labels[t.topologyKey], i < state.antiAffinityDomains.count, state.antiAffinityDomains[i].contains(v) {
                return ["node(s) didn't match pod anti-affinity rules"]
            }
        }
        if !pod.affinity.isEmpty {
            var ok = true
            for (i, t) in pod.affinity.enumerated() {
                guard let v = node.labels[t.topologyKey] else { ok = false; break }
                if i >= state.affinityCounts.count || (state.affinityCounts[i][v] ?? 0) == 0 { ok = false; break }
            }
            // The first pod of a group that matches its own affinity may go anywhere with the keys.
            if !ok && !state.affinityMatchesAnywhere && pod.affinity.allSatisfy({ $0.matches(pod) })
                && pod.affinity.allSatisfy({ node.labels[$0.topologyKey] != nil }) { ok = true }
            if !ok { return ["node(s) didn't match pod affinity rules"] }
        }
        return nil
    }
}
