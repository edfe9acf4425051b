import CapstanClient
import CapstanModel

/// One reconcile of one Deployment: the Deployment and its ReplicaSets as read from the caches,
/// updated in place as this pass writes them, so later steps see the writes.
struct Rollout {
    typealias D = DeploymentController
    var d: Value
    var all: [Value]
    let client: any Client
    let pods: SharedInformer?
    let events: EventRecorder
    let now = Timestamp.now()

    init(deployment: Value, replicaSets: [Value], client: any Client, pods: SharedInformer?, events: EventRecorder) {
        self.d = deployment
        self.all = replicaSets.sorted { a, b in
            a.creationTime != b.creationTime ? a.creationTime < b.creationTime : (a.name ?? "") < (b.name ?? "")
        }
        self.client = client
        self.pods = pods
        self.events = events
    }

    // MARK: - Facts

    var replicas: Int { max(0, int(d["spec"]["replicas"], 1)) }
    var namespace: String? { d.namespace }
    var isRolling: Bool { d["spec"]["strategy"]["type"].stringValue != "Recreate" }

    /// (maxSurge, maxUnavailable) as counts: surge rounds up, unavailable down; both zero
    /// becomes unavailable 1 (Kubernetes' ResolveFenceposts).
    var fenceposts: (surge: Int, unavailable: Int) {
        guard isRolling else { return (0, 0) }
        let ru = d["spec"]["strategy"]["rollingUpdate"]
        let surge = resolveIntOrPercent(ru["maxSurge"].isNull ? "25%" : ru["maxSurge"], total: replicas, roundUp: true, default: 0)
        var unavailable = resolveIntOrPercent(ru["maxUnavailable"].isNull ? "25%" : ru["maxUnavailable"],
                                              total: replicas, roundUp: false, default: 0)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, min(unavailable, replicas))
    }
    var maxSurge: Int { fenceposts.surge }
    var maxUnavailable: Int { fenceposts.unavailable }

    static func revision(_ rs: Value) -> Int64 { Int64(rs.annotations[D.revisionAnnotation] ?? "") ?? 0 }
    static func specReplicas(_ rs: Value) -> Int { int(rs["spec"]["replicas"], 0) }
    static func templateMatches(_ rs: Value, _ template: Value) -> Bool {
        PodTemplateHash.canonical(rs["spec"]["template"]) == PodTemplateHash.canonical(template)
    }

    func findNew() -> Value? {
        all.first { Self.templateMatches($0, d["spec"]["template"]) }
    }
    func olds(excluding newRS: Value?) -> [Value] { all.filter { $0.uid != newRS?.uid } }
    var totalSpecReplicas: Int { all.reduce(0) { $0 + Self.specReplicas($1) } }

    /// True when an active ReplicaSet was sized for a different `spec.replicas`.
    func isScalingEvent() -> Bool {
        let newRS = findNew()
        var candidates = olds(excluding: newRS).filter { Self.specReplicas($0) > 0 }
        if let newRS { candidates.append(newRS) }
        for rs in candidates {
            guard let desired = rs.annotations[D.desiredReplicasAnnotation].flatMap({ Int($0) }) else { continue }
            if desired != replicas { return true }
        }
        return false
    }

    // MARK: - Writes

    mutating func replace(_ rs: Value) {
        if let i = all.firstIndex(where: { $0.uid == rs.uid }) { all[i] = rs } else { all.append(rs) }
    }

    /// Sets a ReplicaSet's `spec.replicas` and its desired/max annotations; returns whether it changed.
    @discardableResult
    mutating func scale(_ rs: Value, to count: Int) async throws -> Bool {
        var updated = rs
        updated["spec"]["replicas"] = .int(Int64(count))
        updated["metadata"]["annotations"][D.desiredReplicasAnnotation] = .string(String(replicas))
        updated["metadata"]["annotations"][D.maxReplicasAnnotation] = .string(String(replicas + maxSurge))
        if updated == rs { return false }
        let stored = try await client.update(.replicaSets, namespace: namespace, updated)
        replace(stored)
        let from = Self.specReplicas(rs)
        if from != count {
            events.record(about: d, reason: "ScalingReplicaSet",
                          message: "Scaled \(count > from ? "up" : "down") replica set \(rs.name ?? "") from \(from) to \(count)")
        }
        return from != count
    }

    // MARK: - The new ReplicaSet

    /// The ReplicaSet of the current template, annotated with the highest revision; created
    /// when `create` and missing.
    mutating func newReplicaSet(create: Bool) async throws -> Value? {
        let existing = findNew()
        let oldRevisions = olds(excluding: existing).map(Self.revision)
        let newRevision = (oldRevisions.max() ?? 0) + 1
        if var rs = existing {
            let before = rs
            let oldRevision = Self.revision(rs)
            var annotations = rs["metadata"]["annotations"].objectValue ?? [:]
            for (k, v) in d["metadata"]["annotations"].objectValue ?? [:] where !D.uncopied.contains(k) { annotations[k] = v }
            if oldRevision < newRevision {
                annotations[D.revisionAnnotation] = .string(String(newRevision))
                if oldRevision > 0 {
                    let history = annotations[D.revisionHistoryAnnotation]?.stringValue ?? ""
                    annotations[D.revisionHistoryAnnotation] = .string(history.isEmpty ? String(oldRevision) : "\(history),\(oldRevision)")
                }
            }
            if annotations[D.desiredReplicasAnnotation] == nil {
                annotations[D.desiredReplicasAnnotation] = .string(String(replicas))
                annotations[D.maxReplicasAnnotation] = .string(String(replicas + maxSurge))
            }
            rs["metadata"]["annotations"] = .object(annotations)
            rs["spec"]["minReadySeconds"] = d["spec"]["minReadySeconds"].isNull ? .int(0) : d["spec"]["minReadySeconds"]
            if rs != before {
                rs = try await client.update(.replicaSets, namespace: namespace, rs)
                replace(rs)
            }
            try await setDeploymentRevision(Self.revision(rs))
            if condition(d, "Progressing") == nil {
                setProgressing("True", "FoundNewReplicaSet", "Found new replica set \"\(rs.name ?? "")\"")
            }
            return rs
        }
        guard create else { return nil }
        return try await createNew(revision: newRevision)
    }

    private mutating func createNew(revision: Int64) async throws -> Value? {
        let collisions = d["status"]["collisionCount"].intValue
        let hash = PodTemplateHash.compute(template: d["spec"]["template"], collisionCount: collisions)
        let name = "\(d.name ?? "")-\(hash)"
        var template = d["spec"]["template"]
        template["metadata"]["labels"][D.hashLabel] = .string(hash)
        var selector = d["spec"]["selector"]
        selector["matchLabels"][D.hashLabel] = .string(hash)
        var annotations: ValueObject = [:]
        for (k, v) in d["metadata"]["annotations"].objectValue ?? [:] where !D.uncopied.contains(k) { annotations[k] = v }
        annotations[D.revisionAnnotation] = .string(String(revision))
        annotations[D.desiredReplicasAnnotation] = .string(String(replicas))
        annotations[D.maxReplicasAnnotation] = .string(String(replicas + maxSurge))
        var labels = template["metadata"]["labels"]
        labels[D.hashLabel] = .string(hash)
        let size = newReplicaSetTarget(current: 0)
        var metadata: Value = ["name": .string(name), "labels": labels, "annotations": .object(annotations),
                               "ownerReferences": [OwnerReference.controlling(d, apiVersion: "apps/v1", kind: "Deployment").value]]
        if let namespace { metadata["namespace"] = .string(namespace) }
        let rs: Value = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": metadata,
                         "spec": ["replicas": .int(Int64(size)),
                                  "minReadySeconds": d["spec"]["minReadySeconds"].isNull ? .int(0) : d["spec"]["minReadySeconds"],
                                  "selector": selector, "template": template],
                         // The API server's schema requires status.replicas even on create.
                         "status": ["replicas": 0]]
        do {
            let created = try await client.create(.replicaSets, namespace: namespace, rs)
            replace(created)
            if size > 0 {
                events.record(about: d, reason: "ScalingReplicaSet", message: "Scaled up replica set \(name) from 0 to \(size)")
            }
            try await setDeploymentRevision(revision)
            setProgressing("True", "NewReplicaSetCreated", "Created new replica set \"\(name)\"")
            return created
        } catch { guard let error = error as? APIError, error.isAlreadyExists else { throw error }; 
            // Ours already (a stale cache)? Then use it; otherwise a hash collision: count it and retry.
            let live = try await client.get(.replicaSets, namespace: namespace, name: name)
            if live.controllerRef?.uid == d.uid, Self.templateMatches(live, d["spec"]["template"]) {
                replace(live)
                return live
            }
            var status = d["status"]
            status["collisionCount"] = .int((collisions ?? 0) + 1)
            var updated = d
            updated["status"] = status
            d = try await client.updateStatus(.deployments, namespace: namespace, updated)
            throw error
        }
    }

    /// Records the new ReplicaSet's revision on the Deployment (what `rollout history` reads).
    mutating func setDeploymentRevision(_ revision: Int64) async throws {
        let text = String(revision)
        guard d.annotations[D.revisionAnnotation] != text else { return }
        var updated = d
        updated["metadata"]["annotations"][D.revisionAnnotation] = .string(text)
        let status = d["status"]
        d = try await client.update(.deployments, namespace: namespace, updated)
        d["status"] = status  // keep conditions set earlier in this pass
    }

    /// How big the new ReplicaSet may be now (Kubernetes' NewRSNewReplicas).
    func newReplicaSetTarget(current: Int) -> Int {
        guard isRolling else { return replicas }
        if current >= replicas { return replicas }
        let maxTotal = replicas + maxSurge
        let total = totalSpecReplicas
        if total >= maxTotal { return current }
        return current + min(maxTotal - total, replicas - current)
    }

    // MARK: - Conditions

    mutating func setProgressing(_ status: String, _ reason: String, _ message: String) {
        var conditions = d["status"]["conditions"].arrayValue ?? []
        setCondition(&conditions, type: "Progressing", status: status, reason: reason, message: message, now: now,
                     withUpdateTime: true)
        d["status"]["conditions"] = .array(conditions)
    }
}
