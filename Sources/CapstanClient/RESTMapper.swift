import CapstanAPI
import CapstanModel

/// What the server serves, as discovery reported it, with the lookups kubectl's REST mapper
/// offers: kind → resource (and scope), resource → kind, and name resolution (`deploy`,
/// `deployments.apps`, `Deployment`). Includes custom resources the server serves.
///
/// An immutable value; share it freely. Refreshing discovery builds a new one.
public struct RESTMapper: Sendable {
    /// Groups in discovery order; each lists its versions, preferred first.
    public let groups: [APIGroupInfo]
    /// Top-level resources (no `x/status` entries) in discovery order.
    public let resources: [ResourceInfo]

    private let index: ResourceIndex

    public init(groups: [APIGroupInfo], resources: [ResourceInfo]) {
        self.groups = groups
        self.resources = resources
        // Preferred versions first, so a kind-only lookup lands on the preferred version.
        var rank: [GroupVersion: Int] = [:]
        for group in groups { for (i, v) in group.versions.enumerated() { rank[GroupVersion(group: group.name, version: v)] = i } }
        let order = resources.indices.sorted {
            (rank[resources[$0].gvk.groupVersion] ?? Int.max, $0) < (rank[resources[$1].gvk.groupVersion] ?? Int.max, $1)
        }
        self.index = ResourceIndex(resources, order: order)
    }

    /// The mapper of the built-in catalogue (what the bundled server serves before any CRD).
    public static let builtin = RESTMapper(catalogue: .builtin)

    public init(catalogue: APICatalogue) {
        self.init(groups: catalogue.groups, resources: catalogue.resources)
    }

    /// The resource serving `gvk`.
    public func mapping(for gvk: GroupVersionKind) -> ResourceInfo? { index.resource(for: gvk) }

    /// The resource serving `kind` in `group`, preferring `version` when given, else the
    /// group's preferred version.
    public func mapping(for groupKind: GroupKind, version: String? = nil) -> ResourceInfo? {
        let hits = index.resources(forKind: groupKind.kind, group: groupKind.group).filter { $0.gvk.kind == groupKind.kind }
        if let version, let exact = hits.first(where: { $0.gvk.version == version }) { return exact }
        return hits.first
    }

    public func resource(for gvr: GroupVersionResource) -> ResourceInfo? { index.resource(for: gvr) }

    /// The kind a resource serves: `apps/v1 deployments` → `apps/v1, Kind=Deployment`.
    public func kind(for gvr: GroupVersionResource) -> GroupVersionKind? { resource(for: gvr)?.gvk }

    /// Whether objects of `gvk` live in namespaces; nil when the kind is not served.
    public func isNamespaced(_ gvk: GroupVersionKind) -> Bool? { mapping(for: gvk)?.namespaced }

    /// kubectl's resolution of a type name: plural, singular, kind or short name in any case,
    /// optionally qualified as `NAME.GROUP` or `NAME.VERSION.GROUP`. Best match first.
    public func resolve(_ name: String) -> [ResourceInfo] { index.resolve(name) }

    /// Resources in a category such as `all`, one version per group-resource.
    public func resources(inCategory category: String) -> [ResourceInfo] {
        var seen: Set<String> = []
        return resources.filter { $0.categories.contains(category) && seen.insert($0.gvr.groupResource).inserted }
    }
}
