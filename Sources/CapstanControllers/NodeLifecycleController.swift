import CapstanClient
import CapstanModel
import Synchronization

/// Watches node Leases: a node whose Lease was not renewed within the grace period becomes
/// Ready=Unknown and gets the `node.kubernetes.io/unreachable:NoExecute` taint; pods on it that
/// do not tolerate the taint are evicted once their toleration (or the default eviction
/// timeout) has run out. When the Lease is renewed again the taint goes away (the node posts
/// Ready itself).
///
/// A polling loop rather than a `Controller`: its input is the clock (lease age), not events.
///
/// Thread-safety: immutable configuration; the loop task sits behind a `Mutex`.
public final class NodeLifecycleController: Sendable {
    public let client: any Client
    public let gracePeriod: Double
    public let evictionTimeout: Double
    public let interval: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)

    public static let unreachableTaint = "node.kubernetes.io/unreachable"

    public init(client: any Client, gracePeriod: Double = 40, evictionTimeout: Double = 300, interval: Duration = .seconds(1)) {
        self.client = client
        self.gracePeriod = gracePeriod
        self.evictionTimeout = evictionTimeout
        self.interval = interval
    }

    public func start() {
        task.withLock { t in
            guard t == nil else { return }
            t = Task { [self] in
                while !Task.isCancelled {
                    await reconcile(now: .now())
                    do { try await Task.sleep(for: interval) } catch { return }
                }
            }
        }
    }

    public func stop() { task.withLock { $0?.cancel(); $0 = nil } }

    /// One pass over all nodes.
    public func reconcile(now: Timestamp) async {
        guard let nodes = try? await client.listAll(.nodes, namespace: nil).items,
              let leases = try? await client.listAll(.leases, namespace: "kube-node-lease").items else { return }
        var renewed: [String: Timestamp] = [:]
        for l in leases {
            if let name = l.name, let t = Timestamp(l[path: ["spec", "renewTime"]]) { renewed[name] = t }
        }
        for node in nodes {
            guard let name = node.name else { continue }
            let last = renewed[name] ?? Timestamp(node[path: ["metadata", "creationTimestamp"]]) ?? now
            let silent = Double(now.nanoseconds(since: last)) / 1e9
            let taints = node[path: ["spec", "taints"]].arrayValue ?? []
            let tainted = taints.first { $0["key"].stringValue == Self.unreachableTaint && $0["effect"].stringValue == "NoExecute" }
            if silent > gracePeriod {
                await markUnreachable(node, tainted: tainted != nil, now: now)
                let since = tainted.flatMap { Timestamp($0["timeAdded"]) } ?? now
                await evictPods(on: name, taintedSince: since, now: now)
            } else if tainted != nil {
                var next = node
                next[path: ["spec", "taints"]] = .array(taints.filter { $0["key"].stringValue != Self.unreachableTaint })
                if next[path: ["spec", "taints"]].count == 0 { next["spec"].removeValue(forKey: "taints") }
                _ = try? await client.update(.nodes, namespace: nil, next)
            }
        }
    }

    private func markUnreachable(_ node: Value, tainted: Bool, now: Timestamp) async {
        guard let name = node.name else { return }
        var next = node
        var changed = false
        var conditions = next[path: ["status", "conditions"]].arrayValue ?? []
        for i in conditions.indices where conditions[i]["status"].stringValue != "Unknown" {
            conditions[i]["status"] = "Unknown"
            conditions[i]["reason"] = "NodeStatusUnknown"
            conditions[i]["message"] = "Kubelet stopped posting node status."
            conditions[i]["lastTransitionTime"] = .string(now.rfc3339)
            changed = true
        }
        if changed {
            next[path: ["status", "conditions"]] = .array(conditions)
            if let written = try? await client.updateStatus(.nodes, namespace: nil, next) { next = written }
        }
        if !tainted {
            var taints = next[path: ["spec", "taints"]].arrayValue ?? []
            taints.append(["key": .string(Self.unreachableTaint), "effect": "NoExecute", "timeAdded": .string(now.rfc3339)])
            next[path: ["spec", "taints"]] = .array(taints)
            if (try? await client.update(.nodes, namespace: nil, next)) == nil {
                // Conflict with the node's own write: the next pass tries again.
                _ = name
            }
        }
    }

    private func evictPods(on node: String, taintedSince: Timestamp, now: Timestamp) async {
        let options = ListOptions(fieldSelector: FieldSelector(matching: ["spec.nodeName": node]))
        guard let pods = try? await client.listAll(.pods, namespace: nil, options: options).items else { return }
        let waited = Double(now.nanoseconds(since: taintedSince)) / 1e9
        for pod in pods where pod[path: ["metadata", "deletionTimestamp"]] == .null {
            guard let limit = tolerationSeconds(pod) else { continue }   // tolerates forever
            if waited >= limit, let ns = pod.namespace, let name = pod.name {
                _ = try? await client.delete(.pods, namespace: ns, name: name,
                                             options: DeleteOptions(preconditions: Preconditions(uid: pod.uid)))
            }
        }
    }

    /// How long the pod tolerates an unreachable node: its matching toleration's seconds, nil
    /// for forever, else the controller's default.
    func tolerationSeconds(_ pod: Value) -> Double? {
        for t in pod[path: ["spec", "tolerations"]].arrayValue ?? [] {
            let key = t["key"].stringValue ?? ""
            let op = t["operator"].stringValue ?? "Equal"
            let effect = t["effect"].stringValue ?? ""
            guard effect.isEmpty || effect == "NoExecute" else { continue }
            guard (key.isEmpty && op == "Exists") || key == Self.unreachableTaint else { continue }
            if let s = t["tolerationSeconds"].intValue { return Double(max(0, s)) }
            return nil
        }
        return evictionTimeout
    }
}
