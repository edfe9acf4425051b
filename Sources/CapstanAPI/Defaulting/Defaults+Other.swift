import CapstanModel

/// Autoscaling, networking, RBAC, storage, discovery, scheduling, admission and CRD defaults.
enum OtherDefaults {
    static func horizontalPodAutoscaler(_ object: inout Value, version: String) {
        object.edit("spec") { spec in
            spec.setDefault("minReplicas", 1)
            guard version == "v2" else { return }  // v1 leaves the CPU target to the controller
            if spec["metrics"].count == 0 {
                spec["metrics"] = [[
                    "type": "Resource",
                    "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]],
                ]]
            }
            // A behavior that is present is completed rule by rule; an absent one stays absent.
            spec.edit("behavior") { behavior in
                behavior.editCreating("scaleUp") { rules in
                    rules.setDefault("stabilizationWindowSeconds", 0)
                    rules.setDefault("selectPolicy", "Max")
                    rules.setDefault("policies", [
                        ["type": "Pods", "value": 4, "periodSeconds": 15],
                        ["type": "Percent", "value": 100, "periodSeconds": 15],
                    ])
                }
                behavior.editCreating("scaleDown") { rules in
                    // The stabilization window is left to the controller's flag (300 s by default).
                    rules.setDefault("selectPolicy", "Max")
                    rules.setDefault("policies", [["type": "Percent", "value": 100, "periodSeconds": 15]])
                }
            }
        }
    }

    static func networkPolicy(_ object: inout Value) {
        object.edit("spec") { spec in
            if spec["policyTypes"].count == 0 {
                spec["policyTypes"] = spec["egress"].count > 0 ? ["Ingress", "Egress"] : ["Ingress"]
            }
            for direction in ["ingress", "egress"] {
                spec.editEach(direction) { rule in rule.editEach("ports") { $0.setDefault("protocol", "TCP") } }
            }
        }
    }

    static func ingressClass(_ object: inout Value) {
        object.edit("spec") { spec in spec.edit("parameters") { $0.setDefault("scope", "Cluster") } }
    }

    static func roleBinding(_ object: inout Value) {
        object.edit("roleRef") { $0.setDefault("apiGroup", "rbac.authorization.k8s.io") }
        object.editEach("subjects") { subject in
            guard (subject["apiGroup"].stringValue ?? "").isEmpty else { return }
            switch subject["kind"].stringValue {
            case "User", "Group": subject["apiGroup"] = "rbac.authorization.k8s.io"
            case "ServiceAccount": subject["apiGroup"] = ""
            default: break
            }
        }
    }

    static func storageClass(_ object: inout Value) {
        object.setDefault("reclaimPolicy", "Delete")
        object.setDefault("volumeBindingMode", "Immediate")
    }

    static func csiDriver(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.setDefault("attachRequired", true)
            spec.setDefault("podInfoOnMount", false)
            spec.setDefault("storageCapacity", false)
            spec.setDefault("fsGroupPolicy", "ReadWriteOnceWithFSType")
            spec.setDefault("volumeLifecycleModes", ["Persistent"])
            spec.setDefault("requiresRepublish", false)
        }
    }

    static func endpointSlice(_ object: inout Value) {
        object.editEach("ports") { port in
            port.setDefault("name", "")
            port.setDefault("protocol", "TCP")
        }
    }

    static func priorityClass(_ object: inout Value) {
        object.setDefault("preemptionPolicy", "PreemptLowerPriority")
    }

    static func webhookConfiguration(_ object: inout Value, mutating: Bool) {
        object.editEach("webhooks") { hook in
            hook.setDefault("failurePolicy", "Fail")
            hook.setDefault("matchPolicy", "Equivalent")
            hook.setDefault("namespaceSelector", [:])
            hook.setDefault("objectSelector", [:])
            hook.setDefault("timeoutSeconds", 10)
            if mutating { hook.setDefault("reinvocationPolicy", "Never") }
            hook.editEach("rules") { $0.setDefault("scope", "*") }
            hook.edit("clientConfig") { config in config.edit("service") { $0.setDefault("port", 443) } }
        }
    }

    static func customResourceDefinition(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.edit("names") { names in
                if let kind = names["kind"].stringValue, !kind.isEmpty {
                    names.setDefault("singular", .string(kind.lowercased()))
                    names.setDefault("listKind", .string(kind + "List"))
                }
            }
            spec.editCreating("conversion") { conversion in
                conversion.setDefault("strategy", "None")
                conversion.edit("webhook") { webhook in
                    webhook.edit("clientConfig") { config in config.edit("service") { $0.setDefault("port", 443) } }
                }
            }
        }
    }
}
