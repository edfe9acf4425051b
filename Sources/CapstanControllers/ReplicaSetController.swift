import CapstanClient
import CapstanModel
import Synchronization

/// Keeps `spec.replicas` active pods matching each ReplicaSet's selector.
///
/// Reconcile: claim pods (adopt matching orphans with a controller owner reference, release
/// owned pods that no longer match), then — unless earlier creates/deletes are still
/// unobserved — create the missing pods in slow-start batches (1, 2, 4, …; a failing batch
/// stops the rest) or delete the surplus (unscheduled, then not ready, then newest first),
/// and finally write `status` (replicas, fullyLabeledReplicas, readyReplicas,
/// availableReplicas with minReadySeconds, observedGeneration) when it changed.
public final class ReplicaSetController: Controller {
    public let name = "replicaset"
    public let workers: Int
    let client: any Client
    let expectations = Expectations()
    /// The most pods created or deleted in one reconcile (Kubernetes' burstReplicas).
    let burst: Int
    /// SuccessfulCreate / SuccessfulDelete (and their failures), written in the background.
    public let events: EventRecorder
    private let refs = InformerRefs()

    public init(client: any Client, workers: Int = 4, burst: Int = 500) {
        self.client = client
        self.workers = workers
        self.burst = burst
        self.events = EventRecorder(client: client, component: "replicaset-controller")
    }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let rsInformer = informers.informer(for: .replicaSets)
        let podInformer = informers.informer(for: .pods)
        refs.set(primary: rsInformer, pods: podInformer)
        rsInformer.addEventHandler(.enqueue(into: queue))
        podInformer.addEventHandler(EventHandler(
            onAdd: { [self] pod in
                if let ref = pod.controllerRef, ref.kind == "ReplicaSet" {
                    let key = Indexer.key(namespace: pod.namespace, name: ref.name)
                    expectations.creationObserved(key)
                    queue.add(key)
                } else {
                    enqueueMatching(pod, rsInformer: rsInformer, queue: queue)
                }
            },
            onUpdate: { [self] old, new in
                if old == new { return }
                let oldRef = old.controllerRef, newRef = new.controllerRef
                if let oldRef, oldRef.kind == "ReplicaSet", oldRef != newRef {
                    queue.add(Indexer.key(namespace: old.namespace, name: oldRef.name))
                }
                if let newRef, newRef.kind == "ReplicaSet" {
                    queue.add(Indexer.key(namespace: new.namespace, name: newRef.name))
                } else if old.labels != new.labels || newRef == nil {
                    enqueueMatching(new, rsInformer: rsInformer, queue: queue)
                }
            },
            onDelete: { [self] pod in
                if let ref = pod.controllerRef, ref.kind == "ReplicaSet" {
                    let key = Indexer.key(namespace: pod.namespace, name: ref.name)
                    expectations.deletionObserved(key)
                    queue.add(key)
                }
            }))
    }

    private func enqueueMatching(_ pod: Value, rsInformer: SharedInformer, queue: WorkQueue<String>) {
        for rs in rsInformer.cache.list(namespace: pod.namespace ?? "") where workloadSelector(rs).matches(object: pod) {
            queue.add(Indexer.key(of: rs))
        }
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let rsInformer = refs.primary, let podInformer = refs.pods else { return }
        guard let rs = rsInformer.cache.get(key: key) else {
            expectations.forget(key)
            return
        }
        let namespace = rs.namespace ?? "default"
        let selector = workloadSelector(rs)
        let ownerRef = OwnerReference.controlling(rs, apiVersion: "apps/v1", kind: "ReplicaSet")
        let pods = try await claimPods(owner: rs, ownerRef: ownerRef, selector: selector,
                                       candidates: podInformer.cache.list(namespace: namespace), resource: .pods)
        let active = pods.filter(PodState.isActive)
        var createdOrDeleted = false
        if !rs.isBeingDeleted, expectations.satisfied(key) {
            let want = max(0, int(rs["spec"]["replicas"], 1))
            let diff = want - active.count
            if diff > 0 {
                try await createPods(rs: rs, ownerRef: ownerRef, count: min(diff, burst), key: key)
                createdOrDeleted = true
            } else if diff < 0 {
                try await deletePods(rank(active).prefix(min(-diff, burst)), of: rs, key: key)
                createdOrDeleted = true
            }
        }
        _ = createdOrDeleted
        try await updateStatus(rs: rs, pods: active, key: key, queue: queue)
    }

    // MARK: - Claiming

    /// The pods `owner` controls after adopting matching orphans and releasing owned pods that no
    /// longer match (Kubernetes' ControllerRefManager).
    func claimPods(owner: Value, ownerRef: OwnerReference, selector: LabelSelector, candidates: [Value],
                   resource: GroupVersionResource) async throws -> [Value]
    {
        var claimed: [Value] = []
        for pod in candidates {
            let matches = selector.matches(object: pod)
            if let ref = pod.controllerRef {
                guard ref.uid == ownerRef.uid else { continue }
                if matches || owner.isBeingDeleted { claimed.append(pod); continue }
                try await release(pod, ownerUID: ownerRef.uid, resource: resource)
                continue
            }
            guard matches, !owner.isBeingDeleted, !pod.isBeingDeleted else { continue }
            if let adopted = try await adopt(pod, ownerRef: ownerRef, resource: resource) { claimed.append(adopted) }
        }
        return claimed
    }

    func adopt(_ object: Value, ownerRef: OwnerReference, resource: GroupVersionResource) async throws -> Value? {
        var refs = object["metadata"]["ownerReferences"].arrayValue ?? []
        refs.append(ownerRef.value)
        let patch: Value = ["metadata": ["ownerReferences": .array(refs), "uid": .string(object.uid ?? "")]]
        do {
            return try await client.patch(resource, namespace: object.namespace, name: object.name ?? "",
                                          type: .merge, patch)
        } catch {
            // Gone, or changed under us: the next sync sees the object as it is now.
            guard error.isNotFound || error.isConflict else { throw error }
            return nil
        }
    }

    func release(_ object: Value, ownerUID: String, resource: GroupVersionResource) async throws {
        let refs = (object["metadata"]["ownerReferences"].arrayValue ?? []).filter { $0["uid"].stringValue != ownerUID }
        let patch: Value = ["metadata": ["ownerReferences": refs.isEmpty ? .null : .array(refs),
                                         "uid": .string(object.uid ?? "")]]
        do {
            _ = try await client.patch(resource, namespace: object.namespace, name: object.name ?? "", type: .merge, patch)
        } catch {
            guard error.isNotFound || error.isConflict else { throw error }
        }
    }

    // MARK: - Sizing

    /// Creates `count` pods in batches of 1, 2, 4, …; stops at the first failing batch.
    func createPods(rs: Value, ownerRef: OwnerReference, count: Int, key: String) async throws {
        expectations.expect(key, adds: count)
        let pod = Self.podFromTemplate(rs, ownerRef: ownerRef)
        let namespace = rs.namespace
        var remaining = count
        var batch = 1
        while remaining > 0 {
            let size = min(batch, remaining)
            let failures = await withTaskGroup(of: APIError?.self) { group in
                for _ in 0..<size {
                    group.addTask { [client, events] in
                        do throws(APIError) {
                            let created = try await client.create(.pods, namespace: namespace, pod)
                            events.record(about: rs, reason: "SuccessfulCreate", message: "Created pod: \(created.name ?? "")")
                            return nil
                        } catch {
                            events.record(about: rs, type: "Warning", reason: "FailedCreate", message: "Error creating: \(error)")
                            return error
                        }
                    }
                }
                var errors: [APIError] = []
                for await e in group { if let e { errors.append(e) } }
                return errors
            }
            for _ in failures { expectations.creationObserved(key) }
            remaining -= size
            if let first = failures.first {
                // The ones never attempted will not be observed either.
                for _ in 0..<remaining { expectations.creationObserved(key) }
                throw first
            }
            batch *= 2
        }
    }

    func deletePods<S: Sequence>(_ pods: S, of rs: Value, key: String) async throws where S.Element == Value {
        let victims = Array(pods)
        expectations.expect(key, deletes: victims.count)
        let failures = await withTaskGroup(of: APIError?.self) { group in
            for pod in victims {
                group.addTask { [client, events] in
                    do throws(APIError) {
                        _ = try await client.delete(.pods, namespace: pod.namespace, name: pod.name ?? "")
                        events.record(about: rs, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name ?? "")")
                        return nil
                    } catch {
                        if error.isNotFound { return nil }
                        events.record(about: rs, type: "Warning", reason: "FailedDelete", message: "Error deleting: \(error)")
                        return error
                    }
                }
            }
            var errors: [APIError] = []
            for await e in group { if let e { errors.append(e) } }
            return errors
        }
        for _ in failures { expectations.deletionObserved(key) }
        if let first = failures.first { throw first }
    }

    /// Pods in the order they should go: unscheduled before scheduled, pending before running,
    /// not ready before ready, then the newest first.
    func rank(_ pods: [Value]) -> [Value] {
        func phaseRank(_ p: Value) -> Int {
            switch p["status"]["phase"].stringValue {
            case "Pending": return 1
            case "Running": return 2
            default: return 0
            }
        }
        return pods.sorted { a, b in
            let sa = (a["spec"]["nodeName"].stringValue ?? "").isEmpty ? 0 : 1
            let sb = (b["spec"]["nodeName"].stringValue ?? "").isEmpty ? 0 : 1
            if sa != sb { return sa < sb }
            if phaseRank(a) != phaseRank(b) { return phaseRank(a) < phaseRank(b) }
            let ra = PodState.isReady(a) ? 1 : 0, rb = PodState.isReady(b) ? 1 : 0
            if ra != rb { return ra < rb }
            if a.creationTime != b.creationTime { return a.creationTime > b.creationTime }
            return (a.name ?? "") < (b.name ?? "")
        }
    }

    /// A pod built from the ReplicaSet's template: `generateName` `RS-`, the template's labels,
    /// annotations and spec, and a controller reference.
    static func podFromTemplate(_ rs: Value, ownerRef: OwnerReference) -> Value {
        let template = rs["spec"]["template"]
        var metadata: Value = ["generateName": .string("\(rs.name ?? "pod")-")]
        if let ns = rs.namespace { metadata["namespace"] = .string(ns) }
        if !template["metadata"]["labels"].isNull { metadata["labels"] = template["metadata"]["labels"] }
        if !template["metadata"]["annotations"].isNull { metadata["annotations"] = template["metadata"]["annotations"] }
        if !template["metadata"]["finalizers"].isNull { metadata["finalizers"] = template["metadata"]["finalizers"] }
        metadata["ownerReferences"] = [ownerRef.value]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": template["spec"]]
    }

    // MARK: - Status

    func updateStatus(rs: Value, pods: [Value], key: String, queue: WorkQueue<String>) async throws {
        let now = Timestamp.now()
        let minReady = rs["spec"]["minReadySeconds"].intValue ?? 0
        let templateLabels = rs["spec"]["template"]["metadata"]["labels"].objectValue ?? [:]
        var fully = 0, ready = 0, available = 0
        var recheck: Int64?
        for pod in pods {
            let labels = pod["metadata"]["labels"]
            if templateLabels.allSatisfy({ labels[$0.key] == $0.value }) { fully += 1 }
            if PodState.isReady(pod) {
                ready += 1
                if PodState.isAvailable(pod, minReadySeconds: minReady, now: now) {
                    available += 1
                } else if let s = PodState.secondsUntilAvailable(pod, minReadySeconds: minReady, now: now) {
                    recheck = min(recheck ?? s, s)
                }
            }
        }
        var status: Value = rs["status"].isNull ? .object([:]) : rs["status"]
        status["replicas"] = .int(Int64(pods.count))
        status["fullyLabeledReplicas"] = .int(Int64(fully))
        status["readyReplicas"] = .int(Int64(ready))
        status["availableReplicas"] = .int(Int64(available))
        status["observedGeneration"] = .int(rs.generation)
        if status != rs["status"] {
            var updated = rs
            updated["status"] = status
            let written = await ignoringNotFound { () async throws(APIError) in
                _ = try await self.client.updateStatus(.replicaSets, namespace: rs.namespace, updated)
            }
            if case .failure(let error) = written { throw error }
            if case .success(false) = written { return }
        }
        if let recheck { queue.addAfter(key, .seconds(recheck)) }
    }
}

/// Late-bound references to the informers a controller reads (set once in `setUp`).
/// Protected by a `Mutex`.
final class InformerRefs: Sendable {
    private let refs = Mutex<(SharedInformer?, SharedInformer?)>((nil, nil))
    func set(primary: SharedInformer, pods: SharedInformer?) { refs.withLock { $0 = (primary, pods) } }
    var primary: SharedInformer? { refs.withLock { $0.0 } }
    var pods: SharedInformer? { refs.withLock { $0.1 } }
}
