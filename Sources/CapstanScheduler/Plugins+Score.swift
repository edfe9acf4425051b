import CapstanModel

/// Prefers nodes with the most free cpu and memory after placing the pod (equal weights).
public struct LeastAllocatedScore: ScorePlugin {
    public var name: String { "NodeResourcesFit" }
    public var weight: Int64 { 1 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        let want = NodeInfo.nonZero(pod), used = node.nonZeroRequested, a = node.allocatable
        func part(_ req: Int64, _ cap: Int64) -> Int64 {
            guard cap > 0, req <= cap else { return 0 }
            return (cap - req) * 100 / cap
        }
        return (part(used.milliCPU + want.milliCPU, a.milliCPU) + part(used.memory + want.memory, a.memory)) / 2
    }
}

/// Prefers nodes where cpu and memory fractions stay close to each other.
public struct BalancedAllocationScore: ScorePlugin {
    public var name: String { "NodeResourcesBalancedAllocation" }
    public var weight: Int64 { 1 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        let want = NodeInfo.nonZero(pod), used = node.nonZeroRequested, a = node.allocatable
        guard a.milliCPU > 0, a.memory > 0 else { return 0 }
        let cpu = min(1.0, Double(used.milliCPU + want.milliCPU) / Double(a.milliCPU))
        let mem = min(1.0, Double(used.memory + want.memory) / Double(a.memory))
        // Standard deviation of two fractions is |a−b|/2.
        return Int64((1 - abs(cpu - mem) / 2) * 100)
    }
}

/// Sum of the weights of matching preferred node-affinity terms, scaled to 0…100 by the maximum possible.
public struct NodeAffinityScore: ScorePlugin {
    public var name: String { "NodeAffinity" }
    public var weight: Int64 { 2 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        let total = pod.preferredNodeTerms.reduce(Int64(0)) { $0 + max(0, $1.weight) }
        guard total > 0 else { return 0 }
        var sum: Int64 = 0
        for (w, t) in pod.preferredNodeTerms where t.matches(nodeName: node.name, labels: node.labels) { sum += w }
        return sum * 100 / total
    }
}

/// Fewer untolerated PreferNoSchedule taints score higher.
public struct TaintTolerationScore: ScorePlugin {
    public var name: String { "TaintToleration" }
    public var weight: Int64 { 3 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        var bad: Int64 = 0
        for t in node.taints where t.effect == "PreferNoSchedule" && !pod.tolerations.contains(where: { $0.tolerates(t) }) {
            bad += 1
        }
        return max(0, 100 - bad * 25)
    }
}

/// Preferred pod affinity (+weight) and anti-affinity (−weight) per topology domain, mapped to 0…100.
public struct InterPodAffinityScore: ScorePlugin {
    public var name: String { "InterPodAffinity" }
    public var weight: Int64 { 2 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        guard !state.preferredKeys.isEmpty else { return 50 }
        var raw: Int64 = 0
        for key in state.preferredKeys { if let v = node.labels[key] { raw += state.preferredPodScore["\(key)=\(v)"] ?? 0 } }
        let total = (pod.preferredAffinity + pod.preferredAntiAffinity).reduce(Int64(0)) { $0 + max(1, $1.weight) }
        // Clamp to ±total·10 so that a few matching pods move the score visibly.
        let bound = max(1, total * 10)
        let clamped = max(-bound, min(bound, raw))
        return 50 + clamped * 50 / bound
    }
}

/// ScheduleAnyway constraints: fewer matching pods in the node's domain score higher.
public struct PodTopologySpreadScore: ScorePlugin {
    public var name: String { "PodTopologySpread" }
    public var weight: Int64 { 2 }
    public init() {}
    public func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64 {
        var penalty: Int64 = 0
        var any = false
        for (i, c) in pod.spreadConstraints.enumerated() where c.whenUnsatisfiable == "ScheduleAnyway" && i < state.spreadCounts.count {
            any = true
            guard let v = node.labels[c.topologyKey] else { penalty += 100; continue }
            let count = Int64(state.spreadCounts[i][v] ?? 0) - Int64(state.spreadMin[i])
            penalty += min(100, count * 100 / max(1, c.maxSkew * 4))
        }
        return any ? max(0, 100 - penalty) : 50
    }
}
