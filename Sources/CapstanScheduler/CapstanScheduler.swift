/// CapstanScheduler — assigns pending pods to nodes, like kube-scheduler.
///
/// Owns: the scheduling queue (priority, then age), the cache of nodes and the pods on them
/// (kept incrementally from informers), filter and score plugins (`Plugins+Filter.swift`,
/// `Plugins+Score.swift`), binding through `pods/NAME/binding`, and reporting pods that fit
/// nowhere (`PodScheduled=False`, reason Unschedulable, plus a FailedScheduling Event).
///
/// Must not: talk to anything but `Client` (never the API server or store directly), or scan
/// all pods per node — per-pod work is O(nodes), with one O(pods) pass only for pods that use
/// inter-pod affinity or spreading.
import CapstanClient
import CapstanModel
import Synchronization

/// A running scheduler.
///
/// Thread-safety: the cache sits behind a `Mutex`; the queue has its own lock. Informer
/// handlers update both; one loop task pops and decides; bindings run concurrently.
public final class Scheduler: Sendable {
    public let client: any Client
    public let schedulerName: String
    public let queue = SchedulingQueue()
    private let cache: Mutex<SchedulerCache>
    private let informers: Mutex<(nodes: SharedInformer?, pods: SharedInformer?, loop: Task<Void, Never>?)> = Mutex((nil, nil, nil))
    /// Bindings in flight, bounded so a burst of pods does not open unbounded requests.
    private let maxInFlight: Int
    private let inFlight = Mutex(0)
    private let counters = Mutex((bound: 0, failed: 0))

    public init(client: any Client, schedulerName: String = "default-scheduler",
                filters: [any FilterPlugin] = DefaultPlugins.filters, scores: [any ScorePlugin] = DefaultPlugins.scores,
                maxInFlightBindings: Int = 64)
    {
        self.client = client
        self.schedulerName = schedulerName
        self.cache = Mutex(SchedulerCache(filters: filters, scores: scores))
        self.maxInFlight = maxInFlightBindings
    }

    /// How many pods this scheduler has bound, and how many attempts found no node.
    public var stats: (bound: Int, unschedulable: Int) { counters.withLock { ($0.bound, $0.failed) } }

    /// Starts the informers and the scheduling loop; returns once the caches have synced.
    public func start() async {
        let nodes = SharedInformer(client: client, resource: .nodes)
        let pods = SharedInformer(client: client, resource: .pods)
        nodes.addEventHandler(EventHandler(
            onAdd: { [self] n in nodeChanged(n) },
            onUpdate: { [self] _, n in nodeChanged(n) },
            onDelete: { [self] n in
                if let name = n.name { cache.withLock { $0.removeNode(name) } }
            }))
        pods.addEventHandler(EventHandler(
            onAdd: { [self] p in podChanged(p) },
            onUpdate: { [self] _, p in podChanged(p) },
            onDelete: { [self] p in podDeleted(p) }))
        nodes.start()
        pods.start()
        await nodes.waitForSync()
        await pods.waitForSync()
        let loop = Task { [self] in await self.loop(pods: pods) }
        informers.withLock { $0 = (nodes, pods, loop) }
    }

    public func stop() {
        let (n, p, loop) = informers.withLock { $0 }
        queue.close()
        loop?.cancel()
        n?.stop()
        p?.stop()
    }

    // MARK: - Events

    private func nodeChanged(_ node: Value) {
        cache.withLock { $0.upsertNode(node) }
        queue.moveAllToActive()
    }

    private func podChanged(_ pod: Value) {
        let info = PodInfo(pod)
        if info.nodeName.isEmpty {
            guard info.schedulerName == schedulerName, !info.isDeleting, !info.isTerminal else { return }
            // Parked pods stay parked on their own status updates (ours); other changes retry.
            if queue.isUnschedulable(info.key) { return }
            queue.add(entry(info))
        } else {
            queue.remove(info.key)
            cache.withLock { $0.upsertPod(info) }
        }
    }

    private func podDeleted(_ pod: Value) {
        let info = PodInfo(pod)
        queue.remove(info.key)
        cache.withLock { $0.removePod(uid: info.uid) }
        queue.moveAllToActive()
    }

    private func entry(_ p: PodInfo) -> SchedulingQueue.Entry {
        SchedulingQueue.Entry(key: p.key, priority: p.priority,
                              created: p.created.seconds * 1_000_000_000 + Int64(p.created.nanoseconds))
    }

    // MARK: - Loop

    private func loop(pods: SharedInformer) async {
        while let next = await queue.pop() {
            guard let object = pods.cache.get(key: next.key) else { continue }
            let pod = PodInfo(object)
            guard pod.nodeName.isEmpty, !pod.isDeleting else { continue }
            await scheduleOne(pod)
        }
    }

    /// Decides for one pod and acts: assume + bind, or report it unschedulable.
    func scheduleOne(_ pod: PodInfo) async {
        let decision = cache.withLock { $0.decide(pod) }
        switch decision {
        case .node(let name):
            cache.withLock { $0.assume(pod, on: name) }
            while inFlight.withLock({ $0 }) >= maxInFlight { try? await Task.sleep(for: .milliseconds(1)) }
            inFlight.withLock { $0 += 1 }
            Task { [self] in
                defer { inFlight.withLock { $0 -= 1 } }
                await bind(pod, to: name)
            }
        case .unschedulable(let message):
            counters.withLock { $0.failed += 1 }
            queue.addUnschedulable(entry(pod))
            await reportUnschedulable(pod, message: message)
        }
    }

    private func bind(_ pod: PodInfo, to node: String) async {
        do {
            _ = try await client.bind(namespace: pod.namespace, pod: pod.name, node: node, podUID: pod.uid)
            counters.withLock { $0.bound += 1 }
        } catch {
            // Forget the assumption; a pod still pending is tried again after a short pause.
            cache.withLock { $0.removePod(uid: pod.uid) }
            if error.status.code == 404 || error.status.code == 409 { return }
            try? await Task.sleep(for: .milliseconds(200))
            queue.add(entry(pod))
        }
    }

    private func reportUnschedulable(_ pod: PodInfo, message: String) async {
        let now = Timestamp.now().rfc3339
        var object = pod.pod
        var conditions = (object[path: ["status", "conditions"]].arrayValue ?? []).filter { $0["type"].stringValue != "PodScheduled" }
        let old = (pod.pod[path: ["status", "conditions"]].arrayValue ?? []).first { $0["type"].stringValue == "PodScheduled" }
        if old?["message"].stringValue == message && old?["status"].stringValue == "False" { return }
        conditions.append(["type": "PodScheduled", "status": "False", "lastProbeTime": .null,
                           "lastTransitionTime": .string(now), "reason": "Unschedulable", "message": .string(message)])
        object[path: ["status", "conditions"]] = .array(conditions)
        if object[path: ["status", "phase"]] == .null { object[path: ["status", "phase"]] = "Pending" }
        _ = try? await client.updateStatus(.pods, namespace: pod.namespace, object)
        let event: Value = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string("\(pod.name).\(Self.eventSuffix())"), "namespace": .string(pod.namespace)],
            "involvedObject": ["kind": "Pod", "apiVersion": "v1", "namespace": .string(pod.namespace),
                               "name": .string(pod.name), "uid": .string(pod.uid)],
            "reason": "FailedScheduling", "message": .string(message), "type": "Warning",
            "source": ["component": .string(schedulerName)], "reportingComponent": .string(schedulerName),
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
        ]
        _ = try? await client.create(.events, namespace: pod.namespace, event)
    }

    /// Kubernetes names events NAME.<hex nanoseconds>.
    static func eventSuffix() -> String {
        let t = Timestamp.now()
        return String(UInt64(t.seconds) &* 1_000_000_000 &+ UInt64(t.nanoseconds), radix: 16)
    }
}
