import CapstanModel

/// Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController, Job and CronJob.
enum WorkloadDefaults {
    static func deployment(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.editCreating("strategy") { strategy in
                strategy.setDefault("type", "RollingUpdate")
                if strategy["type"].stringValue == "RollingUpdate" {
                    strategy.editCreating("rollingUpdate") { rolling in
                        rolling.setDefault("maxUnavailable", "25%")
                        rolling.setDefault("maxSurge", "25%")
                    }
                }
            }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.setDefault("progressDeadlineSeconds", 600)
            spec.edit("template") { PodDefaults.template(&$0) }
        }
    }

    static func replicaSet(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.edit("template") { PodDefaults.template(&$0) }
        }
    }

    static func statefulSet(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.setDefault("podManagementPolicy", "OrderedReady")
            spec.editCreating("updateStrategy") { strategy in
                if !strategy.isSet("type") {
                    strategy["type"] = "RollingUpdate"
                    strategy.setDefault("rollingUpdate", [:])
                }
                // The partition is defaulted only inside a rollingUpdate that exists.
                if strategy["type"].stringValue == "RollingUpdate" {
                    strategy.edit("rollingUpdate") { $0.setDefault("partition", 0) }
                }
            }
            spec.editCreating("persistentVolumeClaimRetentionPolicy") { policy in
                policy.setDefault("whenDeleted", "Retain")
                policy.setDefault("whenScaled", "Retain")
            }
            spec.setDefault("replicas", 1)
            spec.setDefault("revisionHistoryLimit", 10)
            spec.edit("template") { PodDefaults.template(&$0) }
            // Claim templates are defaulted as claims: a real server stores them with
            // `volumeMode: Filesystem` and `status.phase: Pending`.
            spec.editEach("volumeClaimTemplates") { CoreDefaults.persistentVolumeClaimBody(&$0) }
        }
    }

    static func daemonSet(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.editCreating("updateStrategy") { strategy in
                strategy.setDefault("type", "RollingUpdate")
                if strategy["type"].stringValue == "RollingUpdate" {
                    strategy.editCreating("rollingUpdate") { rolling in
                        rolling.setDefault("maxUnavailable", 1)
                        rolling.setDefault("maxSurge", 0)
                    }
                }
            }
            spec.setDefault("revisionHistoryLimit", 10)
            spec.edit("template") { PodDefaults.template(&$0) }
        }
    }

    /// A ReplicationController takes its selector and its own labels from the template's
    /// labels when it has none.
    static func replicationController(_ object: inout Value) {
        let templateLabels = object["spec"]["template"]["metadata"]["labels"]
        if templateLabels.isObject {
            object.edit("spec") { spec in
                if spec["selector"].count == 0 { spec["selector"] = templateLabels }
            }
            if object["metadata"]["labels"].count == 0 {
                object.editCreating("metadata") { $0["labels"] = templateLabels }
            }
        }
        object.edit("spec") { spec in
            spec.setDefault("replicas", 1)
            spec.edit("template") { PodDefaults.template(&$0) }
        }
    }

    static func job(_ object: inout Value) {
        let templateLabels = object["spec"]["template"]["metadata"]["labels"]
        if templateLabels.isObject, object["metadata"]["labels"].count == 0 {
            object.editCreating("metadata") { $0["labels"] = templateLabels }
        }
        object.edit("spec") { jobSpec(&$0) }
    }

    static func jobSpec(_ spec: inout Value) {
        // Neither count given: one pod, run once.
        if !spec.isSet("completions") && !spec.isSet("parallelism") {
            spec["completions"] = 1
            spec["parallelism"] = 1
        }
        spec.setDefault("parallelism", 1)
        // With per-index limits the global limit is effectively unbounded.
        let backoffLimit: Value = spec.isSet("backoffLimitPerIndex") ? .int(Int64(Int32.max)) : 6
        spec.setDefault("backoffLimit", backoffLimit)
        spec.setDefault("completionMode", "NonIndexed")
        spec.setDefault("suspend", false)
        let replacement: Value = spec.isSet("podFailurePolicy") ? "Failed" : "TerminatingOrFailed"
        spec.setDefault("podReplacementPolicy", replacement)
        spec.edit("template") { PodDefaults.template(&$0) }
    }

    /// What the API server does to a new Job unless `spec.manualSelector` is true: select its
    /// pods by the Job's uid and label the template so the pods match.
    static func generateJobSelector(_ job: inout Value, uid: String) {
        guard job["spec"]["manualSelector"].boolValue != true else { return }
        let name = job["metadata"]["name"].stringValue ?? ""
        job.edit("spec") { spec in
            spec["manualSelector"] = false
            spec["selector"] = ["matchLabels": ["batch.kubernetes.io/controller-uid": .string(uid)]]
            spec.editCreating("template") { template in
                template.editCreating("metadata") { meta in
                    meta.editCreating("labels") { labels in
                        labels["batch.kubernetes.io/controller-uid"] = .string(uid)
                        labels["batch.kubernetes.io/job-name"] = .string(name)
                        labels["controller-uid"] = .string(uid)
                        labels["job-name"] = .string(name)
                    }
                }
            }
        }
    }

    static func cronJob(_ object: inout Value) {
        object.edit("spec") { spec in
            spec.setDefault("concurrencyPolicy", "Allow")
            spec.setDefault("suspend", false)
            spec.setDefault("successfulJobsHistoryLimit", 3)
            spec.setDefault("failedJobsHistoryLimit", 1)
            // The job template's pod spec is defaulted; the Job-level counts are set when the
            // controller creates each Job from it.
            spec.edit("jobTemplate") { jt in
                jt.edit("spec") { $0.edit("template") { PodDefaults.template(&$0) } }
            }
        }
    }
}
