import CapstanClient
import CapstanModel

extension Rollout {
    /// Status counts from the ReplicaSets as they stand after this pass.
    func computedCounts(newRS: Value?) -> (replicas: Int, updated: Int, ready: Int, available: Int) {
        let total = all.reduce(0) { $0 + int($1["status"]["replicas"]) }
        let ready = all.reduce(0) { $0 + int($1["status"]["readyReplicas"]) }
        let available = all.reduce(0) { $0 + int($1["status"]["availableReplicas"]) }
        let updated = newRS.map { int($0["status"]["replicas"]) } ?? 0
        return (total, updated, ready, available)
    }

    /// Every replica updated and available, and the latest spec observed.
    func isComplete(newRS: Value?) -> Bool {
        let c = computedCounts(newRS: newRS)
        return c.updated == replicas && c.replicas == replicas && c.available == replicas
            && d["status"]["observedGeneration"].intValue ?? -1 >= d.generation
    }

    /// Writes `status` and the Available/Progressing conditions; re-queues the key for the
    /// progress deadline while a rollout is under way.
    mutating func syncStatus(newRS: Value?, queue: WorkQueue<String>, key: String) async throws {
        let c = computedCounts(newRS: newRS)
        let old = d["status"]
        var status: Value = old.isNull ? .object([:]) : old
        status["observedGeneration"] = .int(d.generation)
        status["replicas"] = .int(Int64(c.replicas))
        status["updatedReplicas"] = .int(Int64(c.updated))
        status["readyReplicas"] = .int(Int64(c.ready))
        status["availableReplicas"] = .int(Int64(c.available))
        status["unavailableReplicas"] = .int(Int64(max(0, replicas - c.available)))
        var conditions = status["conditions"].arrayValue ?? []
        if c.available >= replicas - maxUnavailable {
            setCondition(&conditions, type: "Available", status: "True", reason: "MinimumReplicasAvailable",
                         message: "Deployment has minimum availability.", now: now, withUpdateTime: true)
        } else {
            setCondition(&conditions, type: "Available", status: "False", reason: "MinimumReplicasUnavailable",
                         message: "Deployment does not have minimum availability.", now: now, withUpdateTime: true)
        }
        let paused = d["spec"]["paused"].boolValue == true
        let deadline = d["spec"]["progressDeadlineSeconds"].intValue ?? 600
        let rsName = newRS?.name ?? ""
        let current = conditions.first { $0["type"].stringValue == "Progressing" }
        if paused {
            setCondition(&conditions, type: "Progressing", status: "Unknown", reason: "DeploymentPaused",
                         message: "Deployment is paused", now: now, withUpdateTime: true)
        } else if current?["reason"].stringValue == "DeploymentPaused" {
            setCondition(&conditions, type: "Progressing", status: "Unknown", reason: "DeploymentResumed",
                         message: "Deployment is resumed", now: now, withUpdateTime: true)
        } else if newRS != nil {
            let complete = c.updated == replicas && c.replicas == replicas && c.available == replicas
            let oldOld = int(old["replicas"]) - int(old["updatedReplicas"])
            let progressed = c.updated > int(old["updatedReplicas"]) || (c.replicas - c.updated) < oldOld
                || c.ready > int(old["readyReplicas"]) || c.available > int(old["availableReplicas"])
            if complete, current?["reason"].stringValue != "ProgressDeadlineExceeded" {
                setCondition(&conditions, type: "Progressing", status: "True", reason: "NewReplicaSetAvailable",
                             message: "ReplicaSet \"\(rsName)\" has successfully progressed.", now: now, withUpdateTime: true)
            } else if progressed {
                setCondition(&conditions, type: "Progressing", status: "True", reason: "ReplicaSetUpdated",
                             message: "ReplicaSet \"\(rsName)\" is progressing.", now: now, withUpdateTime: true)
                if let i = conditions.firstIndex(where: { $0["type"].stringValue == "Progressing" }) {
                    conditions[i]["lastUpdateTime"] = .string(now.rfc3339)  // progress resets the deadline
                }
            } else if let current, timedOut(current, deadline: deadline) {
                setCondition(&conditions, type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
                             message: "ReplicaSet \"\(rsName)\" has timed out progressing.", now: now, withUpdateTime: true)
            }
        }
        status["conditions"] = .array(conditions)
        if status != d["status"] || d["status"]["observedGeneration"] != status["observedGeneration"] {
            var updated = d
            updated["status"] = status
            var stored: Value?
            let client = self.client, namespace = self.namespace
            let written = await ignoringNotFound { () async throws(APIError) in
                stored = try await client.updateStatus(.deployments, namespace: namespace, updated)
            }
            if case .failure(let error) = written { throw error }
            guard let stored else { return }
            d = stored
        }
        // Come back when the deadline would pass, unless the rollout is done or already failed.
        let reason = conditions.first { $0["type"].stringValue == "Progressing" }?["reason"].stringValue
        if !paused, reason != "NewReplicaSetAvailable", reason != "ProgressDeadlineExceeded",
           let p = conditions.first(where: { $0["type"].stringValue == "Progressing" }),
           let from = Timestamp(p["lastUpdateTime"])
        {
            let due = from.adding(seconds: deadline)
            let wait = max(1, due.nanoseconds(since: now) / 1_000_000_000 + 1)
            queue.addAfter(key, .seconds(wait))
        }
    }

    func timedOut(_ progressing: Value, deadline: Int64) -> Bool {
        switch progressing["reason"].stringValue {
        case "NewReplicaSetAvailable": return false
        case "ProgressDeadlineExceeded": return true
        default: break
        }
        guard let from = Timestamp(progressing["lastUpdateTime"]) else { return false }
        return from.adding(seconds: deadline) < now
    }
}
