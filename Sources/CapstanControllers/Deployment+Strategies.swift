import CapstanClient
import CapstanModel

extension Rollout {
    // MARK: - Scaling without rolling (paused, or spec.replicas changed)

    mutating func sync(queue: WorkQueue<String>, key: String) async throws {
        let newRS = try await newReplicaSet(create: false)
        try await scaleProportionally(newRS: newRS)
        if d["spec"]["paused"].boolValue == true {
            setProgressing("Unknown", "DeploymentPaused", "Deployment is paused")
            try await cleanup(newRS: newRS)
        }
        try await syncStatus(newRS: newRS, queue: queue, key: key)
    }

    /// Spreads a change of `spec.replicas` over the active ReplicaSets in proportion to their
    /// sizes (Kubernetes' proportional scaling), so a rollout in progress keeps its ratio.
    mutating func scaleProportionally(newRS: Value?) async throws {
        let active = all.filter { Self.specReplicas($0) > 0 }
        if active.count <= 1 {
            // One (or no) active ReplicaSet: it — or the newest — takes the whole size.
            guard let target = active.first ?? newRS ?? all.last else { return }
            if Self.specReplicas(target) != replicas || target.annotations[D.desiredReplicasAnnotation] != String(replicas) {
                try await scale(target, to: replicas)
            }
            return
        }
        if let newRS, Self.specReplicas(newRS) == replicas, newRS.annotations[D.desiredReplicasAnnotation] == String(replicas) {
            for rs in olds(excluding: newRS) where Self.specReplicas(rs) > 0 { try await scale(rs, to: 0) }
            return
        }
        guard isRolling else { return }
        let allowed = replicas + maxSurge
        let toAdd = allowed - totalSpecReplicas
        // Largest first; on ties the newest first when growing, the oldest first when shrinking.
        let ordered = active.sorted { a, b in
            let sa = Self.specReplicas(a), sb = Self.specReplicas(b)
            if sa != sb { return sa > sb }
            return toAdd > 0 ? a.creationTime > b.creationTime : a.creationTime < b.creationTime
        }
        var sizes: [Int] = ordered.map(Self.specReplicas)
        if toAdd != 0 {
            var added = 0
            for (i, rs) in ordered.enumerated() {
                let annotated = rs.annotations[D.maxReplicasAnnotation].flatMap { Int($0) } ?? max(1, int(d["status"]["replicas"], 1))
                let size = Self.specReplicas(rs)
                var share = replicas == 0 ? -size
                    : Int((Double(size * allowed) / Double(max(1, annotated))).rounded()) - size
                // Never overshoot what is left to add or remove.
                share = toAdd > 0 ? min(share, toAdd - added) : max(share, toAdd - added)
                sizes[i] = size + share
                added += share
            }
            if added != toAdd, !sizes.isEmpty { sizes[0] += toAdd - added }
        }
        for (rs, size) in zip(ordered, sizes) { try await scale(rs, to: max(0, size)) }
    }

    // MARK: - RollingUpdate

    mutating func rolling(queue: WorkQueue<String>, key: String) async throws {
        guard let newRS = try await newReplicaSet(create: true) else { return }
        // Scale the new ReplicaSet up within maxSurge.
        let current = Self.specReplicas(newRS)
        let target: Int
        if current > replicas {
            target = replicas
        } else {
            target = newReplicaSetTarget(current: current)
        }
        if target != current {
            try await scale(newRS, to: target)
            try await syncStatus(newRS: findNew(), queue: queue, key: key)
            return
        }
        if try await scaleDownOld(newRS: findNew() ?? newRS) {
            try await syncStatus(newRS: findNew(), queue: queue, key: key)
            return
        }
        if isComplete(newRS: findNew()) { try await cleanup(newRS: findNew()) }
        try await syncStatus(newRS: findNew(), queue: queue, key: key)
    }

    /// Scales old ReplicaSets down as far as maxUnavailable allows: unhealthy replicas first,
    /// then the oldest ReplicaSets first (Kubernetes' reconcileOldReplicaSets).
    mutating func scaleDownOld(newRS: Value) async throws -> Bool {
        let oldRSs = olds(excluding: newRS)
        if oldRSs.reduce(0, { $0 + Self.specReplicas($1) }) == 0 { return false }
        let minAvailable = replicas - maxUnavailable
        let newUnavailable = Self.specReplicas(newRS) - int(newRS["status"]["availableReplicas"])
        let maxScaledDown = totalSpecReplicas - minAvailable - newUnavailable
        if maxScaledDown <= 0 { return false }
        var scaled = false
        // 1. Replicas that are not available anyway.
        var budget = maxScaledDown
        for rs in oldRSs where budget > 0 {
            let size = Self.specReplicas(rs)
            let unhealthy = size - int(rs["status"]["availableReplicas"])
            if size == 0 || unhealthy <= 0 { continue }
            let cut = min(budget, unhealthy)
            if try await scale(rs, to: size - cut) { scaled = true }
            budget -= cut
        }
        // 2. Available replicas, oldest ReplicaSets first, keeping minAvailable available.
        let available = all.reduce(0) { $0 + int($1["status"]["availableReplicas"]) }
        var remaining = min(available - minAvailable, budget)
        for old in oldRSs where remaining > 0 {
            guard let rs = all.first(where: { $0.uid == old.uid }) else { continue }
            let size = Self.specReplicas(rs)
            if size == 0 { continue }
            let cut = min(size, remaining)
            if try await scale(rs, to: size - cut) { scaled = true }
            remaining -= cut
        }
        return scaled
    }

    // MARK: - Recreate

    mutating func recreate(queue: WorkQueue<String>, key: String) async throws {
        var newRS = try await newReplicaSet(create: false)
        var scaledDown = false
        for rs in olds(excluding: newRS) where Self.specReplicas(rs) > 0 {
            if try await scale(rs, to: 0) { scaledDown = true }
        }
        if scaledDown || oldPodsRunning(newRS: newRS) {
            try await syncStatus(newRS: newRS, queue: queue, key: key)
            return
        }
        if newRS == nil { newRS = try await newReplicaSet(create: true) }
        if let rs = newRS, Self.specReplicas(rs) != replicas { try await scale(rs, to: replicas) }
        if isComplete(newRS: findNew()) { try await cleanup(newRS: findNew()) }
        try await syncStatus(newRS: findNew(), queue: queue, key: key)
    }

    /// True while any pod of an old ReplicaSet has not terminated.
    func oldPodsRunning(newRS: Value?) -> Bool {
        let oldRSs = olds(excluding: newRS)
        if oldRSs.contains(where: { int($0["status"]["replicas"]) > 0 }) { return true }
        let uids = Set(oldRSs.compactMap(\.uid))
        for pod in pods?.cache.list(namespace: namespace ?? "default") ?? [] {
            guard let ref = pod.controllerRef, uids.contains(ref.uid) else { continue }
            let phase = pod["status"]["phase"].stringValue
            if phase != "Succeeded" && phase != "Failed" { return true }
        }
        return false
    }

    // MARK: - History

    /// Deletes the oldest idle ReplicaSets beyond `revisionHistoryLimit` (default 10).
    mutating func cleanup(newRS: Value?) async throws {
        let limit = int(d["spec"]["revisionHistoryLimit"], 10)
        let idle = olds(excluding: newRS).filter {
            Self.specReplicas($0) == 0 && int($0["status"]["replicas"]) == 0 && !$0.isBeingDeleted
        }.sorted { Self.revision($0) < Self.revision($1) }
        guard idle.count > limit else { return }
        for rs in idle.prefix(idle.count - limit) {
            do {
                _ = try await client.delete(.replicaSets, namespace: namespace, name: rs.name ?? "",
                                            options: DeleteOptions(preconditions: Preconditions(uid: rs.uid)))
            } catch { guard error.isNotFound || error.isConflict else { throw error }; }
            all.removeAll { $0.uid == rs.uid }
        }
    }
}
