import CapstanAPI
import CapstanModel
import CapstanStore

/// The rules Kubernetes' registry strategies apply on create and update: identity metadata,
/// status reset, defaults, validation with `fieldValidation`, pruning, generation, immutable
/// fields. Pure functions of their inputs (plus the clock and random uids).
enum RegistryRules {
    /// Fills `apiVersion`/`kind` from the URL when absent; refuses a body of another kind.
    static func checkKind(_ object: inout Value, _ req: ResourceRequest, expected: GroupVersionKind? = nil) throws {
        guard object.isObject else { throw StatusError.badRequest("the body of the request must be a JSON object") }
        let gvk = expected ?? req.info.gvk
        if object["apiVersion"] == .null { object["apiVersion"] = .string(gvk.apiVersion) }
        if object["kind"] == .null { object["kind"] = .string(gvk.kind) }
        guard object.kind == gvk.kind, object.apiVersion == gvk.apiVersion else {
            throw StatusError.badRequest("the API version in the data (\(object.apiVersion ?? "")) does not match the expected API version (\(gvk.apiVersion))")
                .withMessage(object.kind != gvk.kind
                    ? "\(object.kind ?? "") in version \"\(gvk.version)\" cannot be handled as a \(gvk.kind): the object kind does not match the resource (\(gvk.kind))"
                    : nil)
        }
    }

    /// Sets `metadata.namespace` from the URL (or checks that it agrees).
    static func checkNamespace(_ object: inout Value, _ req: ResourceRequest) throws {
        if let ns = req.namespace {
            if let given = object[path: ["metadata", "namespace"]].stringValue, !given.isEmpty, given != ns {
                throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.editMetadata { $0["namespace"] = .string(ns) }
        } else {
            object[path: ["metadata"]].removeValue(forKey: "namespace")
        }
    }

    /// Whether objects of this resource carry `metadata.generation`.
    static func tracksGeneration(_ info: ResourceInfo) -> Bool {
        switch (info.gvk.group, info.plural) {
        case ("", "configmaps"), ("", "secrets"), ("", "namespaces"), ("", "events"), ("", "endpoints"),
            ("", "serviceaccounts"), ("", "services"), ("", "nodes"), ("coordination.k8s.io", "leases"),
            ("events.k8s.io", "events"), ("discovery.k8s.io", "endpointslices"):
            return false
        default:
            return true
        }
    }

    /// Identity and bookkeeping a new object gets from the server.
    static func prepareCreate(_ object: inout Value, _ req: ResourceRequest) {
        var meta = object["metadata"].isObject ? object["metadata"] : .object([:])
        object["metadata"] = .null  // keeps the key's place; `meta` is now the only reference (no copy)
        meta["uid"] = .string(Identifiers.uid())
        meta["creationTimestamp"] = .string(WallClock.now())
        meta.removeValue(forKey: "resourceVersion")
        meta.removeValue(forKey: "deletionTimestamp")
        meta.removeValue(forKey: "deletionGracePeriodSeconds")
        meta.removeValue(forKey: "managedFields")
        meta.removeValue(forKey: "selfLink")
        if tracksGeneration(req.info) { meta["generation"] = 1 } else { meta.removeValue(forKey: "generation") }
        object["metadata"] = meta
        if req.info.subresource("status") != nil && !(req.group.isEmpty && req.plural == "nodes") {
            object["status"] = .object([:])
        }
        switch (req.group, req.plural) {
        case ("", "pods"):
            object["status"] = ["phase": "Pending", "qosClass": .string(qosClass(object["spec"]))]
        case ("", "namespaces"):
            object["status"] = ["phase": "Active"]
            let name = object.name ?? ""
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
        case ("", "services"):
            object["status"] = ["loadBalancer": .object([:])]
        case ("apps", "replicasets"), ("apps", "statefulsets"):
            // Their status.replicas has no omitempty in Kubernetes: a fresh object shows 0,
            // and the schema requires it (wip/cluster fix; the controllers create ReplicaSets).
            object["status"] = ["replicas": 0]
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            let names = object[path: ["spec", "names"]]
            let now = WallClock.now()
            object["status"] = ["acceptedNames": names, "storedVersions": .array(storedVersions(object)),
                                "conditions": [
                                    ["type": "NamesAccepted", "status": "True", "lastTransitionTime": .string(now),
                                     "reason": "NoConflicts", "message": "no conflicts found"],
                                    ["type": "Established", "status": "True", "lastTransitionTime": .string(now),
                                     "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"],
                                ]]
        default:
            break
        }
    }

    static func storedVersions(_ crd: Value) -> [Value] {
        (crd[path: ["spec", "versions"]].arrayValue ?? []).filter { $0["storage"].boolValue == true }.compactMap { v in
            v["name"].stringValue.map(Value.string)
        }
    }

    /// Pod QoS class from requests and limits.
    static func qosClass(_ spec: Value) -> String {
        let containers = (spec["containers"].arrayValue ?? []) + (spec["initContainers"].arrayValue ?? [])
        var any = false
        var guaranteed = true
        for c in containers {
            let req = c[path: ["resources", "requests"]], lim = c[path: ["resources", "limits"]]
            if req.count > 0 || lim.count > 0 { any = true }
            for r in ["cpu", "memory"] {
                let l = lim[r]
                let q = req[r] == .null ? l : req[r]
                if l == .null || q != l { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// The result of an update of `old` to `new` through the main resource (`status == false`)
    /// or the status subresource.
    static func mergeUpdate(old: Value, new: Value, req: ResourceRequest, statusSubresource: Bool) -> Value {
        var result: Value
        if statusSubresource {
            result = old
            result["status"] = new["status"]
            // Status writers may not touch spec, but may move metadata labels/annotations? Kubernetes ignores them too.
        } else {
            result = new
            if req.info.subresource("status") != nil {
                if old.has("status") { result["status"] = old["status"] } else { result.removeValue(forKey: "status") }
            }
        }
        var meta = result["metadata"].isObject ? result["metadata"] : .object([:])
        let oldMeta = old["metadata"]
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "name", "namespace"] {
            if oldMeta.has(key) { meta[key] = oldMeta[key] } else { meta.removeValue(forKey: key) }
        }
        meta.removeValue(forKey: "managedFields")
        meta.removeValue(forKey: "resourceVersion")
        result["metadata"] = meta
        if req.group.isEmpty && req.plural == "namespaces" && !statusSubresource && req.path.subresource != "finalize" {
            // spec.finalizers change only through the finalize subresource.
            result[path: ["spec", "finalizers"]] = old[path: ["spec", "finalizers"]]
            if old[path: ["spec", "finalizers"]] == .null { result["spec"].removeValue(forKey: "finalizers") }
        }
        if req.group.isEmpty && req.plural == "services" && !statusSubresource {
            ServiceAllocator.carryOver(old: old, new: &result)
        }
        return result
    }

    /// The spec-like part of an object: everything but metadata and status.
    static func specPart(_ object: Value) -> Value {
        var copy = object
        copy.removeValue(forKey: "metadata")
        copy.removeValue(forKey: "status")
        copy.removeValue(forKey: "apiVersion")
        copy.removeValue(forKey: "kind")
        return copy
    }

    /// Bumps `metadata.generation` when the spec changed (never for metadata or status).
    static func bumpGeneration(old: Value, new: inout Value, req: ResourceRequest) {
        guard tracksGeneration(req.info) else { return }
        let oldGen = old[path: ["metadata", "generation"]].intValue ?? 1
        if specPart(old) != specPart(new) {
            new[path: ["metadata", "generation"]] = .int(oldGen + 1)
        } else {
            new[path: ["metadata", "generation"]] = .int(oldGen)
        }
    }

    /// Fields that may not change after creation.
    static func immutableFieldErrors(old: Value, new: Value, req: ResourceRequest) -> [FieldError] {
        var errors: [FieldError] = []
        func same(_ path: [String], _ field: String) {
            if old[path: path] != new[path: path] {
                errors.append(.invalid(FieldPath(field), new[path: path], "field is immutable"))
            }
        }
        switch (req.group, req.plural) {
        case ("apps", "deployments"), ("apps", "replicasets"), ("apps", "daemonsets"):
            same(["spec", "selector"], "spec.selector")
        case ("apps", "statefulsets"):
            same(["spec", "selector"], "spec.selector")
            same(["spec", "serviceName"], "spec.serviceName")
            same(["spec", "volumeClaimTemplates"], "spec.volumeClaimTemplates")
        case ("batch", "jobs"):
            same(["spec", "selector"], "spec.selector")
            same(["spec", "completionMode"], "spec.completionMode")
        case ("", "services"):
            if let oldIP = old[path: ["spec", "clusterIP"]].stringValue, !oldIP.isEmpty {
                let newIP = new[path: ["spec", "clusterIP"]].stringValue ?? ""
                if !newIP.isEmpty && newIP != oldIP { errors.append(.invalid("spec.clusterIP", .string(newIP), "field is immutable")) }
            }
        case ("", "configmaps"), ("", "secrets"):
            if old["immutable"].boolValue == true {
                if old["data"] != new["data"] || old["binaryData"] != new["binaryData"] || old["stringData"] != .null && new["stringData"] != .null {
                    errors.append(.forbidden("data", "field is immutable when `immutable` is set"))
                }
                if new["immutable"].boolValue != true {
                    errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
                }
            }
        case ("", "persistentvolumeclaims"):
            var o = old["spec"], n = new["spec"]
            o.removeValue(forKey: "resources"); n.removeValue(forKey: "resources")
            o.removeValue(forKey: "volumeName"); n.removeValue(forKey: "volumeName")
            o.removeValue(forKey: "volumeAttributesClassName"); n.removeValue(forKey: "volumeAttributesClassName")
            if o != n { errors.append(.forbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims")) }
        default:
            break
        }
        return errors
    }
}

extension Value {
    /// Runs `body` on `metadata` (created as `{}` when absent or not an object, as a path
    /// assignment would) without copying it: the key keeps its place, the value is moved out,
    /// edited and put back.
    mutating func editMetadata(_ body: (inout Value) -> Void) {
        var meta = self["metadata"].isObject ? self["metadata"] : .object([:])
        self["metadata"] = .null
        body(&meta)
        self["metadata"] = meta
    }
}

extension StatusError {
    func withMessage(_ message: String?) -> StatusError {
        guard let message else { return self }
        var copy = self
        copy.message = message
        return copy
    }
}
