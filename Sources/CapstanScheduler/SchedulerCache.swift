import CapstanModel

/// The scheduler's view of the cluster: every node with the pods on it, and the decision
/// function. A plain value; `Scheduler` keeps it behind its lock.
public struct SchedulerCache: Sendable {
    /// Nodes in a stable order, and where each name sits; decisions walk the array in place.
    private var infos: [NodeInfo] = []
    private var index: [String: Int] = [:]
    /// Where the next decision starts, so that early stopping does not always favour the first nodes.
    private var nextStart = 0
    /// Where each known pod sits, by uid.
    private var placement: [String: String] = [:]
    /// Pods that carry required anti-affinity, by uid (their terms constrain newcomers).
    private var antiAffinityPods: [String: (PodInfo, String)] = [:]
    /// Rotates ties between equally good nodes.
    private var tieBreak = 0
    /// Like kube-scheduler's percentageOfNodesToScore: in big clusters stop filtering once this
    /// many feasible nodes were found (0 = adaptive: 50% − nodes/125, at least 5%, at least 100 nodes).
    public var percentageOfNodesToScore = 0

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

    /// The node named `name`, with its pods.
    public func node(_ name: String) -> NodeInfo? { index[name].map { infos[$0] } }
    public var nodeCount: Int { infos.count }

    public mutating func upsertNode(_ node: Value) {
        guard let name = node.name else { return }
        if let i = index[name] { infos[i].replaceNode(node) } else {
            index[name] = infos.count
            infos.append(NodeInfo(node))
        }
    }

    public mutating func removeNode(_ name: String) {
        guard let i = index.removeValue(forKey: name) else { return }
        let info = infos.remove(at: i)
        for uid in info.pods.keys { placement.removeValue(forKey: uid); antiAffinityPods.removeValue(forKey: uid) }
        for j in i..<infos.count { index[infos[j].name] = j }
    }

    /// Records a bound (or assumed) pod on its node; terminal pods free their resources.
    public mutating func upsertPod(_ pod: PodInfo) {
        if let old = placement[pod.uid], old != pod.nodeName || pod.isTerminal {
            if let i = index[old] { infos[i].remove(uid: pod.uid) }
            placement.removeValue(forKey: pod.uid)
            antiAffinityPods.removeValue(forKey: pod.uid)
        }
        guard !pod.nodeName.isEmpty, !pod.isTerminal else { return }
        placement[pod.uid] = pod.nodeName
        if let i = index[pod.nodeName] { infos[i].add(pod) }
        if !pod.antiAffinity.isEmpty { antiAffinityPods[pod.uid] = (pod, pod.nodeName) }
    }

    public mutating func removePod(uid: String) {
        guard let node = placement.removeValue(forKey: uid) else { return }
        if let i = index[node] { infos[i].remove(uid: uid) }
        antiAffinityPods.removeValue(forKey: uid)
    }

    /// Places `pod` on `node` before the binding lands, so the next pod sees the space taken.
    public mutating func assume(_ pod: PodInfo, on node: String) {
        var p = pod
        p.nodeName = node
        upsertPod(p)
    }

    // MARK: - Decision

    /// Filters nodes (O(nodes) with O(1) plugins) starting where the last decision stopped,
    /// scores the feasible ones, picks the best (ties rotate).
    public mutating func decide(_ pod: PodInfo) -> Decision {
        let n = infos.count
        guard n > 0 else { return .unschedulable(Self.message(total: 0, reasons: [:])) }
        let state = CycleState.build(for: pod, nodes: infos, existingAntiAffinity: Array(antiAffinityPods.values),
                                     labelsOf: { name in index[name].map { infos[$0].labels } })
        let wanted = feasibleWanted(n)
        var feasible: [Int] = []
        feasible.reserveCapacity(min(n, wanted))
        var reasons: [String: Int] = [:]
        var visited = 0
        while visited < n && feasible.count < wanted {
            let i = (nextStart + visited) % n
            visited += 1
            var failed: [String]? = nil
            for f in filters {
                if let why = f.filter(pod, infos[i], state) { failed = why; break }
            }
            if let failed { for r in failed { reasons[r, default: 0] += 1 } } else { feasible.append(i) }
        }
        nextStart = (nextStart + visited) % n
        guard !feasible.isEmpty else {
            return .unschedulable(Self.message(total: n, reasons: reasons))
        }
        var best: [Int] = []
        var bestScore = Int64.min
        for i in feasible {
            var total: Int64 = 0
            for s in scores { total += s.score(pod, infos[i], state) * s.weight }
            if total > bestScore { bestScore = total; best = [i] } else if total == bestScore { best.append(i) }
        }
        tieBreak &+= 1
        return .node(infos[best[abs(tieBreak) % best.count]].name)
    }

    /// How many feasible nodes are enough (kube-scheduler's numFeasibleNodesToFind).
    func feasibleWanted(_ n: Int) -> Int {
        if n < 100 { return n }
        var pct = percentageOfNodesToScore
        if pct <= 0 { pct = max(5, 50 - n / 125) }
        return min(n, max(100, n * pct / 100))
    }

    /// "0/N nodes are available: " + sorted "count reason" parts + "."
    public static func message(total: Int, reasons: [String: Int]) -> String {
        if total == 0 { return "no nodes available to schedule pods" }
        let parts = reasons.map { "\($0.value) \($0.key)" }.sorted()
        return "0/\(total) nodes are available: \(parts.joined(separator: ", "))."
    }
}
