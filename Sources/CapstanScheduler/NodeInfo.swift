import CapstanModel

/// A node and what is already placed on it (bound and assumed pods), kept up to date
/// incrementally so a filter or score is O(1) per node. A plain value owned by `SchedulerCache`.
public struct NodeInfo: Sendable {
    public var node: Value
    public var name: String
    public var labels: [String: String]
    public var taints: [Taint]
    public var allocatable: Resources
    public var requested = Resources()
    /// Requests with Kubernetes' non-zero defaults (100m / 200Mi) for pods that ask for nothing,
    /// which is what the spreading scores count.
    public var nonZeroRequested = Resources()
    public var ready: Bool
    public var unschedulable: Bool
    public var usedPorts: [HostPort] = []
    /// Pods on the node, by uid.
    public var pods: [String: PodInfo] = [:]

    public init(_ node: Value) {
        self.node = node
        name = node.name ?? ""
        labels = node.labels
        taints = (node[path: ["spec", "taints"]].arrayValue ?? []).map(Taint.init)
        let alloc = node[path: ["status", "allocatable"]]
        allocatable = Resources(alloc == .null ? node[path: ["status", "capacity"]] : alloc)
        unschedulable = node[path: ["spec", "unschedulable"]].boolValue ?? false
        ready = (node[path: ["status", "conditions"]].arrayValue ?? []).contains {
            $0["type"].stringValue == "Ready" && $0["status"].stringValue == "True"
        }
    }

    /// Keeps the pods when the node object changes.
    mutating func replaceNode(_ node: Value) {
        let pods = self.pods, requested = self.requested, nonZero = self.nonZeroRequested, ports = self.usedPorts
        self = NodeInfo(node)
        self.pods = pods
        self.requested = requested
        self.nonZeroRequested = nonZero
        self.usedPorts = ports
    }

    static let defaultMilliCPU: Int64 = 100
    static let defaultMemory: Int64 = 200 * 1024 * 1024

    public mutating func add(_ pod: PodInfo) {
        if pods[pod.uid] != nil { remove(uid: pod.uid) }
        pods[pod.uid] = pod
        requested = requested + pod.requests
        nonZeroRequested = nonZeroRequested + Self.nonZero(pod)
        usedPorts += pod.hostPorts
    }

    public mutating func remove(uid: String) {
        guard let pod = pods.removeValue(forKey: uid) else { return }
        requested = requested - pod.requests
        nonZeroRequested = nonZeroRequested - Self.nonZero(pod)
        for p in pod.hostPorts { if let i = usedPorts.firstIndex(of: p) { usedPorts.remove(at: i) } }
    }

    static func nonZero(_ pod: PodInfo) -> Resources {
        var r = pod.requests
        if r.milliCPU == 0 { r.milliCPU = defaultMilliCPU }
        if r.memory == 0 { r.memory = defaultMemory }
        return r
    }
}
