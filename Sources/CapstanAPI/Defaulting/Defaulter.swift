import CapstanModel

/// Fills in the defaults the Kubernetes API server applies when an object is created or
/// updated, so that stored objects look like a real cluster's (`replicas: 1`, the 25 %
/// rolling-update surge, `imagePullPolicy`, `terminationMessagePath`, `targetPort`, …).
///
/// Only fields that are absent (or null) are filled; values the user gave are never changed.
/// Applying twice equals applying once. Objects of kinds without defaults pass unchanged.
/// Allocation (cluster IPs, node ports), admission plugins (service account, default
/// tolerations, priority) and controller-owned status are not defaulting and are not done here.
/// A value type with no shared state; safe to use from any task.
public struct Defaulter: Sendable {
    /// IP families of the cluster, primary first: what a Service without `ipFamilies` gets.
    public var clusterIPFamilies: [String]

    public init(clusterIPFamilies: [String] = ["IPv4"]) {
        self.clusterIPFamilies = clusterIPFamilies
    }

    /// Defaults `object` in place according to its `apiVersion` and `kind`.
    public func apply(to object: inout Value) {
        guard let gvk = object.gvk else { return }
        switch (gvk.group, gvk.kind) {
        case ("", "Pod"): PodDefaults.pod(&object)
        case ("", "PodTemplate"): object.edit("template") { PodDefaults.template(&$0) }
        case ("", "ReplicationController"): WorkloadDefaults.replicationController(&object)
        case ("", "Service"): ServiceDefaults.service(&object, families: clusterIPFamilies)
        case ("", "Namespace"): CoreDefaults.namespace(&object)
        case ("", "Secret"): CoreDefaults.secret(&object)
        case ("", "PersistentVolumeClaim"): CoreDefaults.persistentVolumeClaim(&object)
        case ("", "PersistentVolume"): CoreDefaults.persistentVolume(&object)
        case ("", "Endpoints"): CoreDefaults.endpoints(&object)
        case ("apps", "Deployment"): WorkloadDefaults.deployment(&object)
        case ("apps", "ReplicaSet"): WorkloadDefaults.replicaSet(&object)
        case ("apps", "StatefulSet"): WorkloadDefaults.statefulSet(&object)
        case ("apps", "DaemonSet"): WorkloadDefaults.daemonSet(&object)
        case ("batch", "Job"): WorkloadDefaults.job(&object)
        case ("batch", "CronJob"): WorkloadDefaults.cronJob(&object)
        case ("autoscaling", "HorizontalPodAutoscaler"): OtherDefaults.horizontalPodAutoscaler(&object, version: gvk.version)
        case ("networking.k8s.io", "NetworkPolicy"): OtherDefaults.networkPolicy(&object)
        case ("networking.k8s.io", "IngressClass"): OtherDefaults.ingressClass(&object)
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"):
            OtherDefaults.roleBinding(&object)
        case ("storage.k8s.io", "StorageClass"): OtherDefaults.storageClass(&object)
        case ("storage.k8s.io", "CSIDriver"): OtherDefaults.csiDriver(&object)
        case ("discovery.k8s.io", "EndpointSlice"): OtherDefaults.endpointSlice(&object)
        case ("scheduling.k8s.io", "PriorityClass"): OtherDefaults.priorityClass(&object)
        case ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"):
            OtherDefaults.webhookConfiguration(&object, mutating: false)
        case ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"):
            OtherDefaults.webhookConfiguration(&object, mutating: true)
        case ("apiextensions.k8s.io", "CustomResourceDefinition"): OtherDefaults.customResourceDefinition(&object)
        default: break
        }
    }

    /// A defaulted copy of `object`.
    public func defaulted(_ object: Value) -> Value {
        var copy = object
        apply(to: &copy)
        return copy
    }

    /// The selector and template labels the API server gives a new Job (unless
    /// `spec.manualSelector` is true); needs the uid the server assigned. Not defaulting proper
    /// (it depends on identity), so the API server calls it on create, after `apply(to:)`.
    public static func generateJobSelector(for job: inout Value, uid: String) {
        WorkloadDefaults.generateJobSelector(&job, uid: uid)
    }

    /// Defaults `object` in place with the standard options (an IPv4 single-stack cluster).
    public static func apply(to object: inout Value) {
        Defaulter().apply(to: &object)
    }

    /// A copy of `object` defaulted with the standard options.
    public static func defaulted(_ object: Value) -> Value {
        Defaulter().defaulted(object)
    }
}

// MARK: - In-place editing helpers

extension Value {
    /// Whether `key` holds something other than null (absent and null both read as "unset",
    /// as they do when the API server decodes into Go structs). Looked at in place: defaulting
    /// asks this dozens of times per object.
    func isSet(_ key: String) -> Bool {
        guard case .object(let object) = self, let i = object.memberIndex(key) else { return false }
        return !object.values[i].isNull
    }

    /// Sets `key` to `value` when it is unset. No-op on non-objects.
    mutating func setDefault(_ key: String, _ value: @autoclosure () -> Value) {
        guard !isSet(key), case .object(var object) = self else { return }
        self = .null  // `object` is now the only reference: the insert does not copy it
        object[key] = value()
        self = .object(object)
    }

    /// Runs `body` on the object or array at `key`, when there is one, without copying it:
    /// the child is moved out, edited, and put back in its place (key order is kept).
    mutating func edit(_ key: String, _ body: (inout Value) -> Void) {
        guard case .object(var object) = self, let i = object.memberIndex(key),
              object.values[i].isObject || object.values[i].isArray else { return }
        self = .null
        var child = object.values[i]
        object.values[i] = .null
        body(&child)
        object.values[i] = child
        self = .object(object)
    }

    /// Like `edit`, but creates `{}` first when `key` is unset.
    mutating func editCreating(_ key: String, _ body: (inout Value) -> Void) {
        guard case .object = self else { return }
        setDefault(key, [:])
        edit(key, body)
    }

    /// Runs `body` on every element of the array at `key`.
    mutating func editEach(_ key: String, _ body: (inout Value) -> Void) {
        edit(key) { list in
            guard case .array(var items) = list else { return }
            list = .null
            for i in items.indices { body(&items[i]) }
            list = .array(items)
        }
    }
}
