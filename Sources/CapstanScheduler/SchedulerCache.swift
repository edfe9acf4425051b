import CapstanModel

/// The scheduler's view of the cluster: every node with the pods on it, and the decision
/// function. A plain value; `Scheduler` keeps it behind its lock.
public struct SchedulerCache: Sendable {
    public private(set) var nodes: [String: NodeInfo] = [:]
    /// Node names in a stable order (rebuilt when nodes come and go, which is rare).
    private var order: [String] = []
    /// Where each known pod sits, by uid.
    private var placement: [String: String] = [:]
    /// Pods that carry required anti-affinity, by uid (their terms constrain newcomers).
    private var antiAffinityPods: [String: (PodInfo, String)] = [:]
    /// Rotates ties between equally good nodes.
    private var tieBreak = 0

    public let filters: [any FilterPlugin]
    public let scores: [any ScorePlugin]

    public init(filters: [any FilterPlugin] = DefaultPlugins.filters, scores: [any ScorePlugin] = DefaultPlugins.scores) {
        self.filters = filters
        self.scores = scores
    }

    public enum Decision: Sendable, Equatable {
        case node(String)
        /// Fits nowhere; the message is Kubernetes' ("0/3 nodes are available: 3 Insufficient cpu.").
        case unschedulable(String)
    }

    // MARK: - Updates

    public mutating func upsertNode(_ node: Value) {
        guard let name = node.name else { return }
        if nodes[name] != nil { nodes[name]!.replaceNode(node) } else {
            nodes[name] = NodeInfo(node)
            order = nodes.keys.sorted()
        }
    }

    public mutating func removeNode(_ name: String) {
        guard let info = nodes.removeValue(forKey: name) else { return }
        for uid in info.pods.keys { placement.removeValue(forKey: uid); antiAffinityPods.removeValue(forKey: uid) }
        order = nodes.keys.sorted()
    }

    /// Records a bound (or assumed) pod on its node; terminal pods free their resources.
    public mutating func upsertPod(_ pod: PodInfo) {
        if let old = placement[pod.uid], old != pod.nodeName || pod.isTerminal {
            nodes[old]?.remove(uid: pod.uid)
            placement.removeValue(forKey: pod.uid)
            antiAffinityPods.removeValue(forKey: pod.uid)
        }
        guard !pod.nodeName.isEmpty, !pod.isTerminal else { return }
        placement[pod.uid] = pod.nodeName
        nodes[pod.nodeName]?.add(pod)
        if !pod.antiAffinity.isEmpty { antiAffinityPods[pod.uid] = (pod, pod.nodeName) }
    }

    public mutating func removePod(uid: String) {
        guard let node = placement.removeValue(forKey: uid) else { return }
        nodes[node]?.remove(uid: uid)
        antiAffinityPods.removeValue(forKey: uid)
    }

    /// Places `pod` on `node` before the binding lands, so the next pod sees the space taken.
    public mutating func assume(_ pod: PodInfo, on node: String) {
        var p = pod
        p.nodeName = node
        upsertPod(p)
    }

    // MARK: - Decision

    /// Filters every node (O(nodes) with O(1) plugins), scores the feasible ones, picks the best.
    public mutating func decide(_ pod: PodInfo) -> Decision {
        let all = order.compactMap { nodes[$0] }
        let state = CycleState.build(for: pod, nodes: all, existingAntiAffinity: Array(antiAffinityPods.values),
                                     labelsOf: { nodes[$0]?.labels })
        var feasible: [NodeInfo] = []
        var reasons: [String: Int] = [:]
        for node in all {
            var failed: [String]? = nil
            for f in filters {
                if let why = f.filter(pod, node, state) { failed = why; break }
            }
            if let failed { for r in failed { reasons[r, default: 0] += 1 } } else { feasible.append(node) }
        }
        guard !feasible.isEmpty else {
            return .unschedulable(Self.message(total: all.count, reasons: reasons))
        }
        var best: [String] = []
        var bestScore = Int64.min
        for node in feasible {
            var total: Int64 = 0
            for s in scores { total += s.score(pod, node, state) * s.weight }
            if total > bestScore { bestScore = total; best = [node.name] } else if total == bestScore { best.append(node.name) }
        }
        tieBreak &+= 1
        return .node(best[abs(tieBreak) % best.count])
    }

    /// "0/N nodes are available: " + sorted "count reason" parts + "."
    public static func message(total: Int, reasons: [String: Int]) -> String {
        if total == 0 { return "no nodes available to schedule pods" }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(total) nodes are available: \(parts.joined(separator: ", "))."
    }
}
