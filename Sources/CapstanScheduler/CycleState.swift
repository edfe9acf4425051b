import CapstanModel

/// Per-pod facts computed once before the node loop (one pass over the cached pods, only when
/// the pod or an existing pod uses inter-pod affinity or spreading), so every plugin stays O(1)
/// per node. A plain value.
public struct CycleState: Sendable {
    /// For each required affinity term: matching pods per topology value.
    var affinityCounts: [[String: Int]] = []
    /// Whether any pod at all matches every required affinity term (Kubernetes lets the first
    /// pod of a self-affine group schedule).
    var affinityMatchesAnywhere = false
    /// For each required anti-affinity term: topology values holding a matching pod.
    var antiAffinityDomains: [Set<String>] = []
    /// Existing pods' required anti-affinity that matches this pod: topologyKey → values.
    var forbiddenByExisting: [String: Set<String>] = [:]
    /// For each spread constraint: matching pods per topology value, over eligible nodes.
    var spreadCounts: [[String: Int]] = []
    /// For each spread constraint: the smallest count over eligible domains.
    var spreadMin: [Int] = []
    /// Preferred (anti-)affinity: score contribution per "topologyKey=value".
    var preferredPodScore: [String: Int64] = [:]
    var preferredKeys: Set<String> = []

    public init() {}

    /// Builds the state for `pod` over `nodes`. O(pods in cluster) when the pod has inter-pod
    /// terms, O(1) otherwise (`existingAntiAffinity` lists only pods that carry such terms).
    public static func build(for pod: PodInfo, nodes: [NodeInfo], existingAntiAffinity: [(PodInfo, String)],
                             labelsOf: (String) -> [String: String]?) -> CycleState
    {
        var s = CycleState()
        for (other, nodeName) in existingAntiAffinity {
            guard let nodeLabels = labelsOf(nodeName) else { continue }
            for term in other.antiAffinity where term.matches(pod) {
                if let v = nodeLabels[term.topologyKey] { s.forbiddenByExisting[term.topologyKey, default: []].insert(v) }
            }
        }
        let needsScan = !pod.affinity.isEmpty || !pod.antiAffinity.isEmpty || !pod.spreadConstraints.isEmpty
            || !pod.preferredAffinity.isEmpty || !pod.preferredAntiAffinity.isEmpty
        guard needsScan else { return s }
        s.affinityCounts = Array(repeating: [:], count: pod.affinity.count)
        s.antiAffinityDomains = Array(repeating: [], count: pod.antiAffinity.count)
        s.spreadCounts = Array(repeating: [:], count: pod.spreadConstraints.count)
        var anyMatchAll = false
        for node in nodes {
            let eligibleForSpread = NodeAffinityFilter.matches(pod, node)
            for (i, c) in pod.spreadConstraints.enumerated() where eligibleForSpread {
                if let v = node.labels[c.topologyKey] { s.spreadCounts[i][v, default: 0] += 0 }
            }
            for other in node.pods.values where !other.isTerminal && !other.isDeleting {
                if !pod.affinity.isEmpty && pod.affinity.allSatisfy({ $0.matches(other) }) { anyMatchAll = true }
                for (i, t) in pod.affinity.enumerated() where t.matches(other) {
                    if let v = node.labels[t.topologyKey] { s.affinityCounts[i][v, default: 0] += 1 }
                }
                for (i, t) in pod.antiAffinity.enumerated() where t.matches(other) {
                    if let v = node.labels[t.topologyKey] { s.antiAffinityDomains[i].insert(v) }
                }
                for (i, c) in pod.spreadConstraints.enumerated() where eligibleForSpread {
                    if other.namespace == pod.namespace, c.selector.matches(other.labels), let v = node.labels[c.topologyKey] {
                        s.spreadCounts[i][v, default: 0] += 1
                    }
                }
                for (w, t) in pod.preferredAffinity where t.matches(other) {
                    if let v = node.labels[t.topologyKey] { s.preferredPodScore["\(t.topologyKey)=\(v)", default: 0] += w }
                    s.preferredKeys.insert(t.topologyKey)
                }
                for (w, t) in pod.preferredAntiAffinity where t.matches(other) {
                    if let v = node.labels[t.topologyKey] { s.preferredPodScore["\(t.topologyKey)=\(v)", default: 0] -= w }
                    s.preferredKeys.insert(t.topologyKey)
                }
            }
        }
        s.affinityMatchesAnywhere = anyMatchAll
        s.spreadMin = s.spreadCounts.map { $0.values.min() ?? 0 }
        return s
    }
}
