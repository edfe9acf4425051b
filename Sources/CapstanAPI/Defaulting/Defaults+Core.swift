import CapstanModel

/// Core kinds other than pods and services: namespaces, secrets, volumes and claims, endpoints.
enum CoreDefaults {
    /// Every namespace is labelled with its own name, gets the `kubernetes` finalizer, and
    /// starts `Active`.
    static func namespace(_ object: inout Value) {
        if let name = object["metadata"]["name"].stringValue, !name.isEmpty {
            object.editCreating("metadata") { meta in
                meta.editCreating("labels") { $0["kubernetes.io/metadata.name"] = .string(name) }
            }
        }
        object.editCreating("spec") { $0.setDefault("finalizers", ["kubernetes"]) }
        object.editCreating("status") { $0.setDefault("phase", "Active") }
    }

    static func secret(_ object: inout Value) {
        object.setDefault("type", "Opaque")
    }

    static func persistentVolumeClaim(_ object: inout Value) {
        persistentVolumeClaimBody(&object)
    }

    /// A claim or a claim template: spec defaults plus a `Pending` phase.
    static func persistentVolumeClaimBody(_ claim: inout Value) {
        claim.editCreating("spec") { persistentVolumeClaimSpec(&$0) }
        claim.editCreating("status") { $0.setDefault("phase", "Pending") }
    }

    static func persistentVolumeClaimSpec(_ spec: inout Value) {
        spec.setDefault("volumeMode", "Filesystem")
    }

    static func persistentVolume(_ object: inout Value) {
        object.editCreating("spec") { spec in
            spec.setDefault("persistentVolumeReclaimPolicy", "Retain")
            spec.setDefault("volumeMode", "Filesystem")
            spec.edit("hostPath") { $0.setDefault("type", "") }
        }
        object.editCreating("status") { $0.setDefault("phase", "Pending") }
    }

    static func endpoints(_ object: inout Value) {
        object.editEach("subsets") { subset in subset.editEach("ports") { $0.setDefault("protocol", "TCP") } }
    }
}
