/// CapstanNode — the node agent (a kubelet) with a pluggable container runtime.
///
/// Owns: registering the Node (capacity, labels, addresses, pod CIDR), renewing its Lease in
/// `kube-node-lease`, the Ready condition, watching the pods bound to it, pod IPs from its CIDR,
/// turning runtime snapshots into pod status (containers, restarts, probes, conditions), and
/// graceful deletion ending with the final DELETE (grace 0, uid precondition).
///
/// Must not: talk to anything but `Client`; decide where pods go (the scheduler does); keep
/// behaviour in code paths that a pod's annotations should drive (the simulated runtime is data).
import CapstanClient
import CapstanModel
import Synchronization

/// One node. `start()` registers and runs the loops in background tasks; `stop()` ends them.
///
/// Thread-safety: per-pod bookkeeping sits behind one `Mutex`; the loops are tasks owned here.
public final class NodeAgent: Sendable {
    public let client: any Client
    public let config: NodeConfig
    public let runtime: any ContainerRuntime

    struct PodRecord {
        var start: Timestamp
        var ip: String
        var lastStatus: Value = .null
        /// What the last sync saw: the runtime's snapshot, against this pod resourceVersion.
        /// When both are unchanged the status would render the same: a resync skips it.
        var lastSnapshot: PodSnapshot?
        var lastSeenVersion: String?
        var deleting = false
        var reportedProblems = false
    }

    private struct State {
        var records: [String: PodRecord] = [:]   // by pod uid
        var usedIPs: Set<Int> = []
        var heartbeatsPaused = false
        var tasks: [Task<Void, Never>] = []
        var informer: SharedInformer?
        var queue: WorkQueue<String>?
        var nodeStatus: Value = .null
        var kubelet: KubeletServer?
        /// The bound port of the kubelet endpoint (10250, the kubelet's, when none is served).
        var kubeletPort = 10250
    }

    private let state = Mutex(State())

    public init(client: any Client, config: NodeConfig, runtime: any ContainerRuntime = SimulatedRuntime()) {
        self.client = client
        self.config = config
        self.runtime = runtime
    }

    /// Stops renewing the Lease and posting node status (the node looks dead to the control
    /// plane) while pods keep running — for demos and tests of the lifecycle controller.
    public func setHeartbeatsPaused(_ paused: Bool) { state.withLock { $0.heartbeatsPaused = paused } }

    /// Registers the node, renews the lease once, starts the loops.
    ///
    /// Pods are driven by their watch: every add or change of a pod bound here queues its key,
    /// and `config.podWorkers` workers sync keys concurrently (one key at a time each, so status
    /// writes of different pods overlap). A resync every `syncInterval` re-queues every pod for
    /// what only time changes (start delays, probes, exits); a pod being deleted is re-queued
    /// when its grace period work is due.
    public func start() async throws(APIError) {
        if let address = config.kubeletAddress { try await serveKubelet(on: address) }
        try await register()
        try await renewLease()
        let informer = SharedInformer(client: client, resource: .pods,
                                      fieldSelector: FieldSelector(matching: ["spec.nodeName": config.name]))
        let queue = WorkQueue<String>()
        informer.addEventHandler(EventHandler(
            onAdd: { queue.add(Indexer.key(of: $0)) },
            onUpdate: { _, new in queue.add(Indexer.key(of: new)) },
            onDelete: { [self] old in forget(old) }))
        informer.start()
        let tasks = [
            Task { [self] in await heartbeatLoop() },
            Task { [self] in
                await queue.run(workers: config.podWorkers) { [self] key in
                    if let pod = informer.cache.get(key: key) { await sync(pod, queue: queue) }
                }
            },
            Task { [self] in await resyncLoop(informer, queue) },
        ]
        state.withLock {
            $0.informer = informer
            $0.queue = queue
            $0.tasks = tasks
        }
    }

    public func stop() {
        let (tasks, informer, queue, kubelet) = state.withLock { s in (s.tasks, s.informer, s.queue, s.kubelet) }
        kubelet?.stop()
        for t in tasks { t.cancel() }
        queue?.shutDown()
        informer?.stop()
    }

    func setKubelet(_ server: KubeletServer, port: Int) {
        state.withLock {
            $0.kubelet = server
            $0.kubeletPort = port
        }
    }

    /// The port of the kubelet endpoint (once `start()` bound it).
    public var kubeletPort: Int { state.withLock { $0.kubeletPort } }

    /// The pods bound here, as last seen (nil before `start()`).
    var informer: SharedInformer? { state.withLock { $0.informer } }

    /// When the node admitted the pod (its containers' clock starts there); nil if not yet.
    func admissionTime(of pod: Value) -> Timestamp? {
        guard let uid = pod.uid else { return nil }
        return state.withLock { $0.records[uid]?.start }
    }

    // MARK: - Node and lease

    func register() async throws(APIError) {
        let object = config.nodeObject()
        var node: Value
        do {
            node = try await client.create(.nodes, namespace: nil, object)
        } catch where error.status.code == 409 {
            // Re-registration after a restart: keep the object, refresh labels and spec.
            node = try await client.get(.nodes, namespace: nil, name: config.name)
            var labels = node[path: ["metadata", "labels"]].objectValue ?? [:]
            for (k, v) in object[path: ["metadata", "labels"]].objectValue ?? [:] { labels[k] = v }
            node[path: ["metadata", "labels"]] = .object(labels)
            node[path: ["spec", "podCIDR"]] = object[path: ["spec", "podCIDR"]]
            node[path: ["spec", "podCIDRs"]] = object[path: ["spec", "podCIDRs"]]
            node = try await client.update(.nodes, namespace: nil, node)
        }
        try await postStatus(node)
    }

    private func postStatus(_ current: Value? = nil) async throws(APIError) {
        var node: Value
        if let current { node = current } else { node = try await client.get(.nodes, namespace: nil, name: config.name) }
        let port = state.withLock { $0.kubeletPort }
        node["status"] = StatusRender.nodeStatus(config, kubeletPort: port, now: .now(), previous: node["status"])
        let written = try await client.updateStatus(.nodes, namespace: nil, node)
        state.withLock { $0.nodeStatus = written["status"] }
    }

    func renewLease() async throws(APIError) {
        let now = Timestamp.now().rfc3339Micro
        do {
            var lease = try await client.get(.leases, namespace: "kube-node-lease", name: config.name)
            lease[path: ["spec", "renewTime"]] = .string(now)
            lease[path: ["spec", "holderIdentity"]] = .string(config.name)
            lease[path: ["spec", "leaseDurationSeconds"]] = .int(config.leaseDurationSeconds)
            _ = try await client.update(.leases, namespace: "kube-node-lease", lease)
        } catch where error.status.code == 404 {
            let lease: Value = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(config.name), "namespace": "kube-node-lease",
                             "ownerReferences": []],
                "spec": ["holderIdentity": .string(config.name), "leaseDurationSeconds": .int(config.leaseDurationSeconds),
                         "renewTime": .string(now)],
            ]
            _ = try await client.create(.leases, namespace: "kube-node-lease", lease)
        }
    }

    private func heartbeatLoop() async {
        var sinceStatus = Duration.zero
        while !Task.isCancelled {
            do { try await Task.sleep(for: config.leaseRenewInterval) } catch { return }
            if state.withLock({ $0.heartbeatsPaused }) { continue }
            _ = try? await renewLease()
            sinceStatus += config.leaseRenewInterval
            // Post status when due, or when the control plane marked the node not Ready.
            let notReady = await nodeLooksNotReady()
            if sinceStatus >= config.statusInterval || notReady {
                sinceStatus = .zero
                do { try await postStatus() } catch {}
            }
        }
    }

    private func nodeLooksNotReady() async -> Bool {
        guard let node = try? await client.get(.nodes, namespace: nil, name: config.name) else { return false }
        return !(node[path: ["status", "conditions"]].arrayValue ?? []).contains {
            $0["type"].stringValue == "Ready" && $0["status"].stringValue == "True"
        }
    }

    // MARK: - Pods

    /// Re-queues every pod bound here every `syncInterval`: the runtime's output changes with
    /// time alone (start delays, probe ticks, exits), not only with pod events.
    private func resyncLoop(_ informer: SharedInformer, _ queue: WorkQueue<String>) async {
        await informer.waitForSync()
        while !Task.isCancelled {
            do { try await Task.sleep(for: config.syncInterval) } catch { return }
            // A sync racing a delete can leave a record behind; drop what is no longer here
            // (records taken before the list, so a pod admitted meanwhile is not dropped).
            let known = state.withLock { Array($0.records.keys) }
            let pods = informer.cache.list()
            let live = Set(pods.compactMap(\.uid))
            for uid in known where !live.contains(uid) { forget(uid: uid) }
            for pod in pods { queue.add(Indexer.key(of: pod)) }
        }
    }

    /// Drops the record of a pod that left this node; its IP goes back to the pool.
    private func forget(_ pod: Value) {
        if let uid = pod.uid { forget(uid: uid) }
    }

    private func forget(uid: String) {
        state.withLock { s in
            guard let r = s.records.removeValue(forKey: uid) else { return }
            if let last = r.ip.split(separator: ".").last, let n = Int(last) { s.usedIPs.remove(n) }
        }
    }

    /// One pass over one pod: admit it, then post its status when it changed; finish deletion.
    func sync(_ pod: Value, queue: WorkQueue<String>? = nil) async {
        guard let uid = pod.uid, let ns = pod.namespace, pod.name != nil else { return }
        let phase = pod[path: ["status", "phase"]].stringValue
        let record = state.withLock { s -> PodRecord in
            if let r = s.records[uid] { return r }
            let start = Timestamp(pod[path: ["status", "startTime"]]) ?? .now()
            var ip = pod[path: ["status", "podIP"]].stringValue ?? ""
            if let n = ip.split(separator: ".").last.flatMap({ Int($0) }), !s.usedIPs.contains(n), ip.hasPrefix(ipPrefix) {
                s.usedIPs.insert(n)
            } else {
                let n = (2...254).first { !s.usedIPs.contains($0) } ?? 255
                s.usedIPs.insert(n)
                ip = ipPrefix + String(n)
            }
            let r = PodRecord(start: start, ip: ip)
            s.records[uid] = r
            return r
        }
        let now = Timestamp.now()
        if pod[path: ["metadata", "deletionTimestamp"]] != .null {
            if let wait = await finishDeletion(pod, record: record, now: now) {
                queue?.addAfter(Indexer.key(of: pod), .milliseconds(Int64(wait * 1000) + 1))
            }
            return
        }
        if phase == "Succeeded" || phase == "Failed", record.lastStatus == .null, pod["status"]["containerStatuses"] != .null {
            return
        }
        let elapsed = Double(now.nanoseconds(since: record.start)) / 1e9
        let snap = runtime.snapshot(of: pod, elapsed: elapsed)
        if snap == record.lastSnapshot && pod.resourceVersion == record.lastSeenVersion && pod.resourceVersion != nil { return }
        var status = StatusRender.podStatus(pod, snap, start: record.start, now: now, hostIP: config.internalIP, podIP: record.ip)
        status["conditions"] = mergedConditions(pod["status"]["conditions"], status["conditions"])
        // Only post what changed since our last post (the server may normalise what it stores,
        // so comparing with the stored status alone would post forever).
        if status == record.lastStatus || status == pod["status"] {
            // Nothing to post for this pod version and snapshot: remember them (only now, so a
            // failed post is retried by the next resync).
            state.withLock {
                $0.records[uid]?.lastSnapshot = snap
                $0.records[uid]?.lastSeenVersion = pod.resourceVersion
            }
            return
        }
        if let msg = snap.problems.first, !record.reportedProblems {
            state.withLock { $0.records[uid]?.reportedProblems = true }
            await event(pod, reason: "InvalidSimulation", message: msg, type: "Warning")
        }
        var next = pod
        next["status"] = status
        if (try? await client.updateStatus(.pods, namespace: ns, next)) != nil {
            state.withLock { $0.records[uid]?.lastStatus = status }
        }
    }

    private var ipPrefix: String { "10.244.\(config.index % 256)." }

    /// Keeps conditions other components own (readiness gates, DisruptionTarget) next to ours.
    private func mergedConditions(_ old: Value, _ ours: Value) -> Value {
        let mine = Set((ours.arrayValue ?? []).compactMap { $0["type"].stringValue })
        let kept = (old.arrayValue ?? []).filter { !mine.contains($0["type"].stringValue ?? "") }
        return .array((ours.arrayValue ?? []) + kept)
    }

    /// Graceful termination: preStop hooks and the containers' stop time run within the grace
    /// period; then the containers are terminated and the pod is deleted for good.
    /// Returns the seconds still to wait when the containers are not done stopping yet.
    private func finishDeletion(_ pod: Value, record: PodRecord, now: Timestamp) async -> Double? {
        guard let ns = pod.namespace, let name = pod.name, let uid = pod.uid else { return nil }
        let grace = Double(pod[path: ["metadata", "deletionGracePeriodSeconds"]].intValue ?? 30)
        let deadline = Timestamp(pod[path: ["metadata", "deletionTimestamp"]]) ?? now
        let requested = deadline.adding(seconds: -Int64(grace))
        var problems: [String] = []
        var stopTime = 0.0
        for c in pod[path: ["spec", "containers"]].arrayValue ?? [] {
            let b = SimBehaviour(annotations: pod.annotations, container: c["name"].stringValue ?? "", isInit: false, problems: &problems)
            let hook = c[path: ["lifecycle", "preStop"]] != .null ? b.preStopDuration : 0
            stopTime = max(stopTime, hook + b.terminationDelay)
        }
        let waited = Double(now.nanoseconds(since: requested)) / 1e9
        if waited < min(stopTime, grace) { return min(stopTime, grace) - waited }
        let alreadyMarked = state.withLock { s -> Bool in
            let was = s.records[uid]?.deleting ?? false
            s.records[uid]?.deleting = true
            return was
        }
        if !alreadyMarked {
            // Final container states: a clean stop exits 0; a kill at the end of the grace period 137.
            let code: Int64 = stopTime > grace ? 137 : 0
            var next = pod
            var statuses = next[path: ["status", "containerStatuses"]].arrayValue ?? []
            for i in statuses.indices {
                let started = statuses[i][path: ["state", "running", "startedAt"]]
                statuses[i]["state"] = ["terminated": ["exitCode": .int(code), "reason": code == 0 ? "Completed" : "Error",
                                                       "startedAt": started == .null ? .string(now.rfc3339) : started,
                                                       "finishedAt": .string(now.rfc3339)]]
                statuses[i]["ready"] = false
                statuses[i]["started"] = false
            }
            if !statuses.isEmpty { next[path: ["status", "containerStatuses"]] = .array(statuses) }
            _ = try? await client.updateStatus(.pods, namespace: ns, next)
        }
        do {
            _ = try await client.delete(.pods, namespace: ns, name: name,
                                        options: DeleteOptions(preconditions: Preconditions(uid: uid), gracePeriodSeconds: 0))
        } catch {
            // Gone already, or a newer pod with the same name: nothing left to do.
        }
        return nil
    }

    private func event(_ pod: Value, reason: String, message: String, type: String) async {
        let ns = pod.namespace ?? "default"
        let now = Timestamp.now()
        let event: Value = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(pod.name ?? "pod").\(String(UInt64(now.seconds) &* 1_000_000_000 &+ UInt64(now.nanoseconds), radix: 16))"),
                         "namespace": .string(ns)],
            "involvedObject": ["kind": "Pod", "apiVersion": "v1", "namespace": .string(ns), "name": .string(pod.name ?? ""),
                               "uid": .string(pod.uid ?? "")],
            "reason": .string(reason), "message": .string(message), "type": .string(type),
            "source": ["component": "kubelet", "host": .string(config.name)],
            "firstTimestamp": .string(now.rfc3339), "lastTimestamp": .string(now.rfc3339), "count": 1,
        ]
        _ = try? await client.create(.events, namespace: ns, event)
    }
}
