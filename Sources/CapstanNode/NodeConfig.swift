import CapstanModel

/// How a node presents itself and how fast it works. A plain value.
public struct NodeConfig: Sendable {
    public var name: String
    public var cpu: String = "4"
    public var memory: String = "8Gi"
    public var pods: Int = 110
    public var ephemeralStorage: String = "100Gi"
    public var labels: [String: String] = [:]
    /// `spec.taints` entries ({key, value, effect}).
    public var taints: [Value] = []
    /// N of the node's pod CIDR 10.244.N.0/24 and of its InternalIP 172.18.0.(N+2).
    public var index: Int = 1
    public var instanceType: String = "capstan.sim"
    public var architecture: String = "amd64"
    /// How often the Lease is renewed (Kubernetes: 10 s).
    public var leaseRenewInterval: Duration = .seconds(10)
    public var leaseDurationSeconds: Int64 = 40
    /// How often the Node's status (Ready condition heartbeat) is posted even without changes.
    public var statusInterval: Duration = .seconds(60)
    /// How often every pod is re-evaluated against the runtime (pod events are handled at once;
    /// this catches what only time changes: start delays, probe ticks, exits).
    public var syncInterval: Duration = .milliseconds(200)
    /// Pods synced at the same time (their status writes overlap).
    public var podWorkers: Int = 8
    /// Where the node serves its kubelet endpoint (container logs); nil serves none. The
    /// address is published as the node's InternalIP, the port in
    /// `status.daemonEndpoints.kubeletEndpoint.Port`, which is how the API server finds it.
    public var kubeletAddress: String?
    /// The endpoint's port; 0 takes any free one.
    public var kubeletPort: Int = 0
    /// How often a followed log looks for new lines.
    public var logPollInterval: Duration = .milliseconds(100)

    public init(name: String, index: Int = 1) {
        self.name = name
        self.index = index
    }

    public var podCIDR: String { "10.244.\(index % 256).0/24" }
    /// The node's InternalIP (and its pods' hostIP): where its kubelet endpoint listens when it
    /// serves one, else a simulated 172.18.0.(N+2).
    public var internalIP: String { kubeletAddress ?? "172.18.\((index + 2) / 256).\((index + 2) % 256)" }

    /// The Node object this configuration registers.
    public func nodeObject() -> Value {
        var labels: ValueObject = [
            "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
            "kubernetes.io/arch": .string(architecture), "beta.kubernetes.io/os": "linux",
            "beta.kubernetes.io/arch": .string(architecture), "node.kubernetes.io/instance-type": .string(instanceType),
        ]
        for (k, v) in self.labels.sorted(by: { $0.key < $1.key }) { labels[k] = .string(v) }
        var spec: Value = ["podCIDR": .string(podCIDR), "podCIDRs": [.string(podCIDR)]]
        if !taints.isEmpty { spec["taints"] = .array(taints) }
        return ["apiVersion": "v1", "kind": "Node",
                "metadata": ["name": .string(name), "labels": .object(labels),
                             "annotations": ["node.alpha.kubernetes.io/ttl": "0"]],
                "spec": spec]
    }

    /// Capacity and allocatable (the same: the simulated node reserves nothing).
    public var capacity: Value {
        ["cpu": .string(cpu), "memory": .string(memory), "pods": .string(String(pods)),
         "ephemeral-storage": .string(ephemeralStorage)]
    }
}
