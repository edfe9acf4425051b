import CapstanModel

/// What the scheduler needs from a pod, read once from its `Value` when it enters the queue or
/// the cache, so plugins never re-parse JSON per node. A plain value.
public struct PodInfo: Sendable {
    public var pod: Value
    public var namespace: String
    public var name: String
    public var uid: String
    public var labels: [String: String]
    public var nodeName: String
    public var schedulerName: String
    public var priority: Int64
    public var created: Timestamp
    /// Effective requests: sum of containers, at least the largest init container, plus overhead.
    public var requests: Resources
    /// Whether the pod asked for nothing (then least-allocated uses Kubernetes' small defaults).
    public var requestsNothing: Bool
    public var nodeSelector: [String: String]
    public var requiredNodeTerms: [NodeSelectorTerm]?
    public var preferredNodeTerms: [(weight: Int64, term: NodeSelectorTerm)]
    public var tolerations: [Toleration]
    /// "protocol/hostIP/port" for every container host port.
    public var hostPorts: [HostPort]
    public var affinity: [PodAffinityTerm]
    public var antiAffinity: [PodAffinityTerm]
    public var preferredAffinity: [(weight: Int64, term: PodAffinityTerm)]
    public var preferredAntiAffinity: [(weight: Int64, term: PodAffinityTerm)]
    public var spreadConstraints: [SpreadConstraint]

    public var key: String { "\(namespace)/\(name)" }
    public var isTerminal: Bool {
        let phase = pod[path: ["status", "phase"]].stringValue
        return phase == "Succeeded" || phase == "Failed"
    }
    public var isDeleting: Bool { pod[path: ["metadata", "deletionTimestamp"]] != .null }

    public init(_ pod: Value) {
        self.pod = pod
        namespace = pod.namespace ?? "default"
        name = pod.name ?? ""
        uid = pod.uid ?? ""
        labels = pod.labels
        let spec = pod["spec"]
        nodeName = spec["nodeName"].stringValue ?? ""
        schedulerName = spec["schedulerName"].stringValue ?? "default-scheduler"
        priority = spec["priority"].intValue ?? 0
        created = Timestamp(pod[path: ["metadata", "creationTimestamp"]]) ?? Timestamp(seconds: 0)

        var sum = Resources()
        var any = false
        for c in spec["containers"].arrayValue ?? [] {
            let r = c[path: ["resources", "requests"]]
            if r.count > 0 { any = true }
            sum = sum + Resources(r)
        }
        for c in spec["initContainers"].arrayValue ?? [] {
            let r = c[path: ["resources", "requests"]]
            if r.count > 0 { any = true }
            // Sidecars (restartPolicy Always) keep running beside the app containers.
            if c["restartPolicy"].stringValue == "Always" { sum = sum + Resources(r) } else { sum = sum.max(Resources(r)) }
        }
        sum = sum + Resources(spec["overhead"])
        sum.pods = 1
        requests = sum
        requestsNothing = !any

        nodeSelector = pod.stringMap(at: ["spec", "nodeSelector"])
        let nodeAffinity = spec[path: ["affinity", "nodeAffinity"]]
        let required = nodeAffinity[path: ["requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]
        if let terms = required.arrayValue {
            // A term that does not parse matches nothing, as in Kubernetes.
            requiredNodeTerms = terms.map { (try? NodeSelectorTerm($0)) ?? NodeSelectorTerm() }
        } else {
            requiredNodeTerms = nil
        }
        preferredNodeTerms = (nodeAffinity["preferredDuringSchedulingIgnoredDuringExecution"].arrayValue ?? []).compactMap { p in
            guard let t = try? NodeSelectorTerm(p["preference"]) else { return nil }
            return (p["weight"].intValue ?? 0, t)
        }
        tolerations = (spec["tolerations"].arrayValue ?? []).map(Toleration.init)
        var ports: [HostPort] = []
        for c in (spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? []) {
            for p in c["ports"].arrayValue ?? [] {
                guard let hp = p["hostPort"].intValue, hp > 0 else { continue }
                ports.append(HostPort(protocol: p["protocol"].stringValue ?? "TCP", ip: p["hostIP"].stringValue ?? "0.0.0.0", port: hp))
            }
        }
        hostPorts = ports
        let ns = namespace
        func terms(_ v: Value) -> [PodAffinityTerm] { (v.arrayValue ?? []).map { PodAffinityTerm($0, podNamespace: ns) } }
        func weighted(_ v: Value) -> [(weight: Int64, term: PodAffinityTerm)] {
            (v.arrayValue ?? []).map { ($0["weight"].intValue ?? 0, PodAffinityTerm($0["podAffinityTerm"], podNamespace: ns)) }
        }
        let pa = spec[path: ["affinity", "podAffinity"]]
        let paa = spec[path: ["affinity", "podAntiAffinity"]]
        affinity = terms(pa["requiredDuringSchedulingIgnoredDuringExecution"])
        antiAffinity = terms(paa["requiredDuringSchedulingIgnoredDuringExecution"])
        preferredAffinity = weighted(pa["preferredDuringSchedulingIgnoredDuringExecution"])
        preferredAntiAffinity = weighted(paa["preferredDuringSchedulingIgnoredDuringExecution"])
        spreadConstraints = (spec["topologySpreadConstraints"].arrayValue ?? []).map(SpreadConstraint.init)
    }
}

public struct HostPort: Sendable, Hashable {
    public var `protocol`: String
    public var ip: String
    public var port: Int64

    /// Two host ports clash when protocol and port agree and either binds every address.
    public func conflicts(with o: HostPort) -> Bool {
        self.protocol == o.protocol && port == o.port && (ip == o.ip || ip == "0.0.0.0" || o.ip == "0.0.0.0")
    }
}

/// One toleration; matched as the scheduler's `ToleratesTaint` does.
public struct Toleration: Sendable, Hashable {
    public var key: String
    public var op: String
    public var value: String
    public var effect: String

    public init(_ v: Value) {
        key = v["key"].stringValue ?? ""
        op = v["operator"].stringValue ?? "Equal"
        value = v["value"].stringValue ?? ""
        effect = v["effect"].stringValue ?? ""
    }

    public func tolerates(_ taint: Taint) -> Bool {
        if !effect.isEmpty && effect != taint.effect { return false }
        // An empty key with Exists tolerates everything.
        if key.isEmpty { return op == "Exists" }
        if key != taint.key { return false }
        return op == "Exists" || value == taint.value
    }
}

public struct Taint: Sendable, Hashable {
    public var key: String
    public var value: String
    public var effect: String

    public init(key: String, value: String = "", effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    public init(_ v: Value) {
        key = v["key"].stringValue ?? ""
        value = v["value"].stringValue ?? ""
        effect = v["effect"].stringValue ?? ""
    }

    public var value_: Value {
        var v: Value = ["key": .string(key), "effect": .string(effect)]
        if !value.isEmpty { v["value"] = .string(value) }
        return v
    }
}

/// A pod (anti-)affinity term: a label selector over pods in some namespaces, and the node
/// label whose values form the topology domains.
public struct PodAffinityTerm: Sendable {
    public var selector: LabelSelector
    public var namespaces: Set<String>
    public var topologyKey: String

    public init(_ v: Value, podNamespace: String) {
        selector = (try? LabelSelector(structured: v["labelSelector"])) ?? .nothing
        if v["labelSelector"] == .null { selector = .nothing }
        let listed = (v["namespaces"].arrayValue ?? []).compactMap(\.stringValue)
        namespaces = listed.isEmpty ? [podNamespace] : Set(listed)
        topologyKey = v["topologyKey"].stringValue ?? ""
    }

    public func matches(_ other: PodInfo) -> Bool {
        namespaces.contains(other.namespace) && selector.matches(other.labels)
    }
}

public struct SpreadConstraint: Sendable {
    public var maxSkew: Int64
    public var topologyKey: String
    public var whenUnsatisfiable: String
    public var selector: LabelSelector

    public init(_ v: Value) {
        maxSkew = max(1, v["maxSkew"].intValue ?? 1)
        topologyKey = v["topologyKey"].stringValue ?? ""
        whenUnsatisfiable = v["whenUnsatisfiable"].stringValue ?? "DoNotSchedule"
        selector = (try? LabelSelector(structured: v["labelSelector"])) ?? .nothing
        if v["labelSelector"] == .null { selector = .nothing }
    }
}
