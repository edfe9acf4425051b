/// The order objects are applied in: Namespaces, then CustomResourceDefinitions (the engine waits
/// until they are Established), then kinds in Helm's install order; kinds Helm does not list go
/// last. Objects of one tier do not depend on each other and are applied in parallel.
public enum ApplyOrder {
    /// Helm's `InstallOrder` (pkg/release/util/kind_sorter.go), as facts; Namespace and CRDs are
    /// lifted to the front because everything else may need them.
    static let kinds: [String] = [
        "Namespace", "CustomResourceDefinition",
        "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
        "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
        "PersistentVolumeClaim", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
        "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
        "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler",
        "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ]

    private static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: kinds.enumerated().map { ($1, $0) })

    /// The tier of a kind; unknown kinds (custom resources) share the last tier.
    public static func tier(of kind: String) -> Int { rank[kind] ?? kinds.count }

    /// Groups `items` into tiers in apply order, keeping input order inside each tier.
    public static func tiers<T>(_ items: [T], kind: (T) -> String) -> [[T]] {
        var byTier: [Int: [T]] = [:]
        for item in items { byTier[tier(of: kind(item)), default: []].append(item) }
        return byTier.keys.sorted().compactMap { byTier[$0] }
    }
}
