import CapstanModel

/// One API resource as discovery describes it: `deployments` in `apps/v1`, kind `Deployment`.
public struct ResourceInfo: Hashable, Sendable, CustomStringConvertible {
    /// Group, version and kind of the objects this resource serves.
    public var gvk: GroupVersionKind
    /// The plural path segment: `deployments`.
    public var plural: String
    /// The singular name: `deployment` (the lower-cased kind for built-ins).
    public var singular: String
    public var namespaced: Bool
    /// Sorted verbs: create, delete, deletecollection, get, list, patch, update, watch.
    public var verbs: [String]
    public var shortNames: [String]
    public var categories: [String]
    public var subresources: [SubresourceInfo]
    /// Name of the schema definition of `gvk`, when one exists.
    public var definition: String?
    /// Field labels list and watch accept in `fieldSelector` (`metadata.name`,
    /// `status.phase` …); anything else is answered `field label not supported: …`.
    public var fieldSelectors: [String]
    /// Where the `scale` subresource reads and writes replicas, when there is one.
    public var scale: ScalePaths?

    public init(
        gvk: GroupVersionKind, plural: String, singular: String, namespaced: Bool, verbs: [String],
        shortNames: [String] = [], categories: [String] = [], subresources: [SubresourceInfo] = [],
        definition: String? = nil, fieldSelectors: [String]? = nil, scale: ScalePaths? = nil
    ) {
        self.gvk = gvk
        self.plural = plural
        self.singular = singular
        self.namespaced = namespaced
        self.verbs = verbs
        self.shortNames = shortNames
        self.categories = categories
        self.subresources = subresources
        self.definition = definition
        self.fieldSelectors = fieldSelectors ?? (namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"])
        self.scale = scale ?? (subresources.contains { $0.name == "scale" } ? .builtin : nil)
    }

    public var gvr: GroupVersionResource {
        GroupVersionResource(group: gvk.group, version: gvk.version, resource: plural)
    }

    /// `Namespaced` or `Cluster`, the aggregated-discovery spelling.
    public var scope: String { namespaced ? "Namespaced" : "Cluster" }

    public func supports(_ verb: String) -> Bool { verbs.contains(verb) }

    public func subresource(_ name: String) -> SubresourceInfo? { subresources.first { $0.name == name } }

    /// `deployments.apps/v1`, or `pods/v1` for the core group.
    public var description: String { "\(gvr.groupResource)/\(gvk.version)" }
}

/// JSON paths (`.spec.replicas`) of what the `scale` subresource maps: desired replicas,
/// observed replicas, and the label selector (as a string) when the kind publishes one.
public struct ScalePaths: Hashable, Sendable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?

    public init(specReplicasPath: String, statusReplicasPath: String, labelSelectorPath: String? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    /// Deployments, ReplicaSets, StatefulSets, ReplicationControllers: the selector comes from
    /// `spec.selector` itself, so there is no selector path.
    public static let builtin = ScalePaths(specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas")
}

/// A subresource such as `status`, `scale` or `log`, with the kind its requests and responses
/// carry (`scale` speaks `autoscaling/v1 Scale` whatever the parent's group).
public struct SubresourceInfo: Hashable, Sendable {
    public var name: String
    public var responseKind: GroupVersionKind
    public var verbs: [String]

    public init(name: String, responseKind: GroupVersionKind, verbs: [String]) {
        self.name = name
        self.responseKind = responseKind
        self.verbs = verbs
    }
}

/// An API group with its served versions; the first is the preferred version.
public struct APIGroupInfo: Hashable, Sendable {
    /// "" for the core group.
    public var name: String
    public var versions: [String]

    public init(name: String, versions: [String]) {
        self.name = name
        self.versions = versions
    }

    public var preferredVersion: String? { versions.first }
    public var groupVersions: [GroupVersion] { versions.map { GroupVersion(group: name, version: $0) } }
}
