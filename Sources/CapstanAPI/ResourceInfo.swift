import CapstanModel

/// One API resource as discovery describes it: `deployments` in `apps/v1`, kind `Deployment`.
///
/// The fields live in one immutable box the copies share. Every resolved manifest and every
/// request carries its resource along, and a copy of a dozen strings and arrays counted each
/// of them up and down, on whichever core made the copy, while the other core counted the
/// same shared catalogue strings; now a copy counts one reference. A change makes a new box.
public struct ResourceInfo: Hashable, Sendable, CustomStringConvertible {
    public struct Fields: Hashable, Sendable {
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
    }

    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    /// All the fields at once (one copy of each).
    public var fields: Fields {
        get { box.fields }
        set { box = Box(newValue) }
    }

    public var gvk: GroupVersionKind { get { box.fields.gvk } set { fields.gvk = newValue } }
    public var plural: String { get { box.fields.plural } set { fields.plural = newValue } }
    public var singular: String { get { box.fields.singular } set { fields.singular = newValue } }
    public var namespaced: Bool { get { box.fields.namespaced } set { fields.namespaced = newValue } }
    public var verbs: [String] { get { box.fields.verbs } set { fields.verbs = newValue } }
    public var shortNames: [String] { get { box.fields.shortNames } set { fields.shortNames = newValue } }
    public var categories: [String] { get { box.fields.categories } set { fields.categories = newValue } }
    public var subresources: [SubresourceInfo] { get { box.fields.subresources } set { fields.subresources = newValue } }
    public var definition: String? { get { box.fields.definition } set { fields.definition = newValue } }
    public var fieldSelectors: [String] { get { box.fields.fieldSelectors } set { fields.fieldSelectors = newValue } }
    public var scale: ScalePaths? { get { box.fields.scale } set { fields.scale = newValue } }

    public init(
        gvk: GroupVersionKind, plural: String, singular: String, namespaced: Bool, verbs: [String],
        shortNames: [String] = [], categories: [String] = [], subresources: [SubresourceInfo] = [],
        definition: String? = nil, fieldSelectors: [String]? = nil, scale: ScalePaths? = nil
    ) {
        box = Box(Fields(
            gvk: gvk, plural: plural, singular: singular, namespaced: namespaced, verbs: verbs, shortNames: shortNames,
            categories: categories, subresources: subresources, definition: definition,
            fieldSelectors: fieldSelectors ?? (namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"]),
            scale: scale ?? (subresources.contains { $0.name == "scale" } ? .builtin : nil)))
    }

    public static func == (a: ResourceInfo, b: ResourceInfo) -> Bool { a.box === b.box || a.box.fields == b.box.fields }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.fields) }

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
