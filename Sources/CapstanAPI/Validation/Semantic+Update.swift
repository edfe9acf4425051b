import CapstanModel

/// What an update may not change: identity, selectors, and the fields each kind freezes
/// after creation. Applied in addition to the create rules by `ObjectValidator.validateUpdate`.
enum UpdateRules {
    static let immutable = "field is immutable"

    static func validate(_ new: Value, old: Value, gvk: GroupVersionKind, into errors: inout [FieldError]) {
        let start = errors.count
        let oldMeta = old["metadata"], newMeta = new["metadata"]
        for field in ["name", "namespace", "uid", "creationTimestamp"] {
            let a = oldMeta[field], b = newMeta[field]
            // Unset in the update means "keep"; only a different value is a change.
            if a != .null, b != .null, a != b {
                errors.append(.invalid(FieldPath("metadata").child(field), b, immutable))
            }
        }
        let newSpec = new["spec"], oldSpec = old["spec"]
        switch (gvk.group, gvk.kind) {
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"):
            errors += unchanged(newSpec["selector"], oldSpec["selector"], at: "spec.selector")
        case ("apps", "StatefulSet"):
            errors += unchanged(newSpec["selector"], oldSpec["selector"], at: "spec.selector")
            let mutable: Set<String> = ["replicas", "ordinals", "template", "updateStrategy",
                "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]
            if errors.count == start, !sameExcept(newSpec, oldSpec, mutable.union(["selector"])) {
                errors.append(.forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
            }
        case ("batch", "Job"):
            errors += unchanged(newSpec["selector"], oldSpec["selector"], at: "spec.selector")
            errors += unchanged(newSpec["completionMode"], oldSpec["completionMode"], at: "spec.completionMode")
            if newSpec["suspend"].boolValue != true || oldSpec["suspend"].boolValue != true {
                errors += unchanged(newSpec["template"], oldSpec["template"], at: "spec.template")
            }
        case ("", "Service"):
            if let oldIP = oldSpec["clusterIP"].stringValue, !oldIP.isEmpty, let newIP = newSpec["clusterIP"].stringValue,
                !newIP.isEmpty, oldIP != newIP, newSpec["type"].stringValue != "ExternalName"
            {
                errors.append(.invalid("spec.clusterIP", .string(newIP), immutable))
            }
        case ("", "PersistentVolumeClaim"):
            if !sameExcept(newSpec, oldSpec, ["resources", "volumeAttributesClassName", "volumeName"]) {
                errors.append(.forbidden(
                    "spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"))
            }
        case ("", "Secret"), ("", "ConfigMap"):
            if old["immutable"].boolValue == true {
                if new["immutable"].boolValue != true {
                    errors.append(.forbidden("immutable", "field is immutable when `immutable` is set"))
                }
                for field in ["data", "binaryData", "stringData"] where new[field] != old[field] && new.has(field) {
                    errors.append(.forbidden(FieldPath(field), "field is immutable when `immutable` is set"))
                }
            }
            if gvk.kind == "Secret" { errors += unchanged(new["type"], old["type"], at: "type") }
        case ("", "Pod"):
            if !podSpecUpdateAllowed(newSpec, oldSpec) {
                errors.append(.forbidden(
                    "spec",
                    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"))
            }
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            if new["roleRef"] != old["roleRef"], new["roleRef"] != .null {
                errors.append(.invalid("roleRef", new["roleRef"], "cannot change roleRef"))
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            errors += unchanged(newSpec["scope"], oldSpec["scope"], at: "spec.scope")
            errors += unchanged(newSpec["group"], oldSpec["group"], at: "spec.group")
        default:
            break
        }
    }

    /// `path` is read only for an error (updates rarely change what they may not).
    private static func unchanged(_ new: Value, _ old: Value, at path: @autoclosure () -> FieldPath) -> [FieldError] {
        guard old != .null, new != old else { return [] }
        return [.invalid(path(), new, immutable)]
    }

    /// Whether two objects agree on every key but `except`.
    private static func sameExcept(_ a: Value, _ b: Value, _ except: Set<String>) -> Bool {
        var x = a.objectValue ?? [:], y = b.objectValue ?? [:]
        for key in except {
            x.removeValue(forKey: key)
            y.removeValue(forKey: key)
        }
        return Value.object(x) == Value.object(y)
    }

    /// A running pod's spec may change only its images, its active deadline, additional
    /// tolerations and (from negative) its grace period.
    private static func podSpecUpdateAllowed(_ new: Value, _ old: Value) -> Bool {
        var a = new, b = old
        for list in ["containers", "initContainers"] {
            let newList = a[list].arrayValue ?? [], oldList = b[list].arrayValue ?? []
            guard newList.count == oldList.count else { return false }
            a[list] = .array(newList.map { var c = $0; c["image"] = .null; return c })
            b[list] = .array(oldList.map { var c = $0; c["image"] = .null; return c })
        }
        let oldTolerations = b["tolerations"].arrayValue ?? []
        let newTolerations = a["tolerations"].arrayValue ?? []
        guard oldTolerations.allSatisfy({ newTolerations.contains($0) }) else { return false }
        for field in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] {
            a[field] = .null
            b[field] = .null
        }
        return a == b
    }
}
