import CapstanModel

/// A filter plugin: says whether a pod may go on a node, and if not, why — in the words
/// `kubectl describe` shows in the FailedScheduling event.
public protocol FilterPlugin: Sendable {
    var name: String { get }
    /// nil when the node fits; otherwise the reason ("Insufficient cpu").
    func filter(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> [String]?
}

/// A score plugin: 0…100 per feasible node (normalised by the plugin itself), times `weight`.
public protocol ScorePlugin: Sendable {
    var name: String { get }
    var weight: Int64 { get }
    func score(_ pod: PodInfo, _ node: NodeInfo, _ state: CycleState) -> Int64
}


/// The default plugin sets, in Kubernetes' order.
public enum DefaultPlugins {
    public static let filters: [any FilterPlugin] = [
        NodeReadyFilter(), NodeUnschedulableFilter(), NodeNameFilter(), TaintTolerationFilter(), NodeAffinityFilter(),
        NodePortsFilter(), NodeResourcesFitFilter(), PodTopologySpreadFilter(), InterPodAffinityFilter(),
    ]
    public static let scores: [any ScorePlugin] = [
        TaintTolerationScore(), NodeAffinityScore(), LeastAllocatedScore(), BalancedAllocationScore(),
        InterPodAffinityScore(), PodTopologySpreadScore(),
    ]
}
