import CapstanClient
import CapstanModel

/// One entry of `metadata.ownerReferences`.
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool
    public var blockOwnerDeletion: Bool

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool = false,
                blockOwnerDeletion: Bool = false)
    {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }

    init?(_ v: Value) {
        guard let uid = v["uid"].stringValue, let name = v["name"].stringValue, let kind = v["kind"].stringValue else { return nil }
        self.init(apiVersion: v["apiVersion"].stringValue ?? "", kind: kind, name: name, uid: uid,
                  controller: v["controller"].boolValue ?? false, blockOwnerDeletion: v["blockOwnerDeletion"].boolValue ?? false)
    }

    /// A controller reference to `owner` (controller and blockOwnerDeletion true).
    static func controlling(_ owner: Value, apiVersion: String, kind: String) -> OwnerReference {
        OwnerReference(apiVersion: apiVersion, kind: kind, name: owner.name ?? "", uid: owner.uid ?? "",
                       controller: true, blockOwnerDeletion: true)
    }

    public var value: Value {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
         "controller": .bool(controller), "blockOwnerDeletion": .bool(blockOwnerDeletion)]
    }
}

extension Value {
    var ownerReferences: [OwnerReference] {
        (self["metadata"]["ownerReferences"].arrayValue ?? []).compactMap(OwnerReference.init)
    }
    /// The owner reference with `controller: true`, if any.
    var controllerRef: OwnerReference? { ownerReferences.first { $0.controller } }
    var isBeingDeleted: Bool { !self["metadata"]["deletionTimestamp"].isNull }
    var creationTime: Timestamp { Timestamp(self["metadata"]["creationTimestamp"]) ?? Timestamp(seconds: 0) }
    var finalizers: [String] { (self["metadata"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue) }
    var generation: Int64 { self["metadata"]["generation"].intValue ?? 0 }
}

// MARK: - Pods

enum PodState {
    /// Not terminated and not being deleted: counts towards replicas.
    static func isActive(_ pod: Value) -> Bool {
        let phase = pod["status"]["phase"].stringValue
        return phase != "Succeeded" && phase != "Failed" && !pod.isBeingDeleted
    }
    static func readyCondition(_ pod: Value) -> Value? {
        (pod["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
    }
    static func isReady(_ pod: Value) -> Bool {
        readyCondition(pod)?["status"].stringValue == "True"
    }
    /// Ready for at least `minReadySeconds` at `now` (Kubernetes' IsPodAvailable).
    static func isAvailable(_ pod: Value, minReadySeconds: Int64, now: Timestamp) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = readyCondition(pod).flatMap({ Timestamp($0["lastTransitionTime"]) }) else { return false }
        return since.adding(seconds: minReadySeconds) <= now
    }
    /// Seconds until a ready pod becomes available (nil when it already is or is not ready).
    static func secondsUntilAvailable(_ pod: Value, minReadySeconds: Int64, now: Timestamp) -> Int64? {
        guard minReadySeconds > 0, isReady(pod),
              let since = readyCondition(pod).flatMap({ Timestamp($0["lastTransitionTime"]) }) else { return nil }
        let due = since.adding(seconds: minReadySeconds)
        if due <= now { return nil }
        return max(1, due.nanoseconds(since: now) / 1_000_000_000 + 1)
    }
}

// MARK: - Selectors and conditions

/// `spec.selector` of a workload as a `LabelSelector`; a missing or invalid one selects nothing
/// (Kubernetes never adopts with an empty selector).
func workloadSelector(_ object: Value) -> LabelSelector {
    let s = object["spec"]["selector"]
    guard !s.isNull, let selector = try? LabelSelector(structured: s), !selector.isEmpty else { return .nothing }
    return selector
}

/// The condition of `type` in `status.conditions`.
func condition(_ object: Value, _ type: String) -> Value? {
    (object["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
}

/// Sets a condition in a conditions array, keeping `lastTransitionTime` when the status did
/// not change (and `lastUpdateTime` too when nothing at all changed).
func setCondition(_ conditions: inout [Value], type: String, status: String, reason: String, message: String,
                  now: Timestamp, withUpdateTime: Bool)
{
    let stamp = Value.string(now.rfc3339)
    var c: Value = ["type": .string(type), "status": .string(status)]
    if withUpdateTime { c["lastUpdateTime"] = stamp }
    c["lastTransitionTime"] = stamp
    c["reason"] = .string(reason)
    c["message"] = .string(message)
    if let i = conditions.firstIndex(where: { $0["type"].stringValue == type }) {
        let old = conditions[i]
        if old["status"].stringValue == status {
            c["lastTransitionTime"] = old["lastTransitionTime"]
            if old["reason"].stringValue == reason, old["message"].stringValue == message, withUpdateTime {
                c["lastUpdateTime"] = old["lastUpdateTime"]
            }
        }
        conditions[i] = c
    } else {
        conditions.append(c)
    }
}

/// An int-or-string (`3` or `"25%"`) resolved against `total`, rounding up or down.
func resolveIntOrPercent(_ v: Value, total: Int, roundUp: Bool, default def: Int) -> Int {
    if let i = v.intValue { return Int(i) }
    guard let s = v.stringValue else { return def }
    if s.hasSuffix("%"), let p = Int(s.dropLast()) {
        let product = p * total
        return roundUp ? (product + 99) / 100 : product / 100
    }
    return Int(s) ?? def
}

func int(_ v: Value, _ def: Int = 0) -> Int { v.intValue.map(Int.init) ?? def }

extension APIError {
    /// True when a retry cannot succeed for this object in its current shape.
    var isInvalid: Bool { code == 422 || code == 400 }
}

/// Runs a write; `.success(false)` when the object was gone (404), `.failure` for other errors.
func ignoringNotFound(_ body: () async throws(APIError) -> Void) async -> Result<Bool, APIError> {
    do {
        try await body()
        return .success(true)
    } catch {
        return error.isNotFound ? .success(false) : .failure(error)
    }
}
