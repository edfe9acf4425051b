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

    public init(
        gvk: GroupVersionKind, plural: String, singular: String, namespaced: Bool, verbs: [String],
        shortNames: [String] = [], categories: [String] = [], subresources: [SubresourceInfo] = [],
        definition: String? = nil
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
