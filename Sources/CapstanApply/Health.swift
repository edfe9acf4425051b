import CapstanModel

/// When an object counts as ready for `--wait` (kubectl rollout-status rules):
/// Deployments and StatefulSets have observed their generation and every replica is updated
/// and available/ready; DaemonSets have every scheduled pod updated and ready; Jobs are
/// Complete (Failed is an error); Pods are Ready; Services have at least one ready endpoint
/// (ExternalName and selector-less Services are ready at once). Everything else is ready as soon
/// as it exists.
public enum Health {
    public enum State: Sendable, Equatable {
        case ready
        case progressing(String)
        case failed(String)
    }

    /// The status of condition `type`, e.g. "True".
    static func condition(_ object: Value, _ type: String) -> String? {
        for c in object[path: ["status", "conditions"]].arrayValue ?? [] where c["type"].stringValue == type {
            return c["status"].stringValue
        }
        return nil
    }

    private static func int(_ v: Value) -> Int64 { v.intValue.map { Int64($0) } ?? 0 }

    /// The state of `object`; `endpoints` is the Service's Endpoints object when it has one.
    public static func state(of object: Value, endpoints: Value? = nil) -> State {
        let kind = object.kind ?? ""
        let generation = int(object[path: ["metadata", "generation"]])
        let observed = int(object[path: ["status", "observedGeneration"]])
        let wanted = object[path: ["spec", "replicas"]].intValue.map { Int64($0) } ?? 1
        switch kind {
        case "Deployment":
            if generation > observed { return .progressing("waiting for the deployment spec update to be observed") }
            let updated = int(object[path: ["status", "updatedReplicas"]])
            let replicas = int(object[path: ["status", "replicas"]])
            let available = int(object[path: ["status", "availableReplicas"]])
            if updated < wanted { return .progressing("\(updated) of \(wanted) updated replicas") }
            if replicas > updated { return .progressing("\(replicas - updated) old replicas pending termination") }
            if available < updated { return .progressing("\(available) of \(updated) updated replicas are available") }
            return .ready
        case "StatefulSet":
            if generation > observed { return .progressing("waiting for the statefulset spec update to be observed") }
            let ready = int(object[path: ["status", "readyReplicas"]])
            let updated = int(object[path: ["status", "updatedReplicas"]])
            if ready < wanted { return .progressing("\(ready) of \(wanted) pods ready") }
            let strategy = object[path: ["spec", "updateStrategy", "type"]].stringValue ?? "RollingUpdate"
            if strategy == "RollingUpdate", updated < wanted,
               object[path: ["status", "updateRevision"]] != object[path: ["status", "currentRevision"]]
            {
                return .progressing("\(updated) of \(wanted) pods updated")
            }
            return .ready
        case "DaemonSet":
            if generation > observed { return .progressing("waiting for the daemon set spec update to be observed") }
            let desired = int(object[path: ["status", "desiredNumberScheduled"]])
            let updated = int(object[path: ["status", "updatedNumberScheduled"]])
            let available = int(object[path: ["status", "numberAvailable"]])
            if updated < desired { return .progressing("\(updated) of \(desired) updated pods scheduled") }
            if available < desired { return .progressing("\(available) of \(desired) updated pods available") }
            return .ready
        case "Job":
            if condition(object, "Failed") == "True" { return .failed("job failed") }
            return condition(object, "Complete") == "True" ? .ready : .progressing("job not complete")
        case "Pod":
            let phase = object[path: ["status", "phase"]].stringValue ?? ""
            if phase == "Failed" { return .failed("pod failed") }
            if phase == "Succeeded" { return .ready }
            return condition(object, "Ready") == "True" ? .ready : .progressing("pod not ready")
        case "Service":
            let type = object[path: ["spec", "type"]].stringValue ?? "ClusterIP"
            if type == "ExternalName" { return .ready }
            guard let selector = object[path: ["spec", "selector"]].objectValue, !selector.isEmpty else { return .ready }
            let ready = (endpoints?["subsets"].arrayValue ?? []).contains { !($0["addresses"].arrayValue ?? []).isEmpty }
            return ready ? .ready : .progressing("no ready endpoints")
        default:
            return .ready
        }
    }
}
