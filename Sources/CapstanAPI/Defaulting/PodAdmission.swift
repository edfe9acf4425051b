import CapstanModel

/// What the API server's default admission plugins add to a new Pod after defaulting, so a
/// stored pod looks like one from a real cluster:
/// - ServiceAccount: `serviceAccountName`/`serviceAccount` `default`, and (unless
///   `automountServiceAccountToken` is false) the projected `kube-api-access-<suffix>` volume
///   with the token, the cluster CA and the namespace, mounted read-only in every container;
/// - DefaultTolerationSeconds: tolerate `node.kubernetes.io/not-ready` and `/unreachable`
///   (NoExecute) for 300 s unless the pod already tolerates them;
/// - Priority: `priority` and `preemptionPolicy` from the priority class (`0` and
///   `PreemptLowerPriority` without one; the two built-in system classes are known).
///
/// A pure function; the caller supplies the random volume suffix so results are repeatable.
public enum PodAdmission {
    public static let tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"
    public static let defaultTolerationSeconds: Int64 = 300
    /// Priorities of the built-in classes every cluster has.
    public static let systemPriorities: [String: Int64] = [
        "system-node-critical": 2_000_001_000,
        "system-cluster-critical": 2_000_000_000,
    ]

    /// Applies the three plugins to `pod` (a v1 Pod). `priorityOf` resolves other priority
    /// classes; when it returns nil for a named class the priority is left for the caller to
    /// reject (the API server answers `no PriorityClass with name … was found`).
    public static func apply(
        to pod: inout Value, tokenVolumeSuffix: String, priorityOf: (String) -> Int64? = { _ in nil }
    ) {
        guard pod.gvk == GroupVersionKind(group: "", version: "v1", kind: "Pod") else { return }
        pod.edit("spec") { spec in
            serviceAccount(&spec, suffix: tokenVolumeSuffix)
            tolerations(&spec)
            priority(&spec, priorityOf: priorityOf)
        }
    }

    static func serviceAccount(_ spec: inout Value, suffix: String) {
        let account = spec["serviceAccountName"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
            ?? spec["serviceAccount"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        spec["serviceAccountName"] = .string(account)
        spec["serviceAccount"] = .string(account)
        guard spec["automountServiceAccountToken"].boolValue != false else { return }
        let volumeName = "kube-api-access-\(suffix)"
        let alreadyMounted = ["initContainers", "containers"].contains { list in
            (spec[list].arrayValue ?? []).contains { c in
                (c["volumeMounts"].arrayValue ?? []).contains { $0["mountPath"].stringValue == tokenMountPath }
            }
        }
        guard !alreadyMounted else { return }
        var volumes = spec["volumes"].arrayValue ?? []
        volumes.append([
            "name": .string(volumeName),
            "projected": [
                "defaultMode": 420,
                "sources": [
                    ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                    ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                    ["downwardAPI": ["items": [["path": "namespace",
                        "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
                ],
            ],
        ])
        spec["volumes"] = .array(volumes)
        for list in ["initContainers", "containers"] {
            spec.editEach(list) { container in
                var mounts = container["volumeMounts"].arrayValue ?? []
                mounts.append(["name": .string(volumeName), "mountPath": .string(tokenMountPath), "readOnly": true])
                container["volumeMounts"] = .array(mounts)
            }
        }
    }

    static func tolerations(_ spec: inout Value) {
        var list = spec["tolerations"].arrayValue ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = list.contains { t in
                let effect = t["effect"].stringValue ?? ""
                let matchesEffect = effect.isEmpty || effect == "NoExecute"
                let matchesKey = t["key"].stringValue == key || (t["key"] == .null && t["operator"].stringValue == "Exists")
                return matchesEffect && matchesKey
            }
            if !tolerated {
                list.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute",
                    "tolerationSeconds": .int(defaultTolerationSeconds)])
            }
        }
        spec["tolerations"] = .array(list)
    }

    static func priority(_ spec: inout Value, priorityOf: (String) -> Int64?) {
        if let name = spec["priorityClassName"].stringValue, !name.isEmpty {
            if let value = systemPriorities[name] ?? priorityOf(name) { spec.setDefault("priority", .int(value)) }
        } else {
            spec.setDefault("priority", 0)
        }
        spec.setDefault("preemptionPolicy", "PreemptLowerPriority")
    }
}
