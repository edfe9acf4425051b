import CapstanModel

/// Why a catalogue could not be built or extended; `field` is the path inside the offending
/// object (`spec.versions[0].name`), empty when the problem is the whole document.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var field: String
    public init(_ message: String, field: String = "") {
        self.message = message
        self.field = field
    }
    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// The API groups, versions, resources and schemas a server serves: what discovery lists and
/// what `kubectl get deploy` resolves.
///
/// Immutable after construction, so one instance is shared freely across tasks. Adding custom
/// resources builds a new catalogue (`adding(customResourceDefinition:)`); `APIRegistry` holds
/// the current one behind a lock for servers whose CRDs change at run time.
/// `builtin` is compiled from the Kubernetes OpenAPI data by `tools/gen_api_catalogue.py`.
public final class APICatalogue: Sendable {
    /// The schemas of every served kind, by definition name.
    public let schemas: OpenAPISchemas
    /// Served groups in discovery order; each lists its versions, preferred first.
    public let groups: [APIGroupInfo]
    /// Every resource, in discovery order (group order, then version order, then plural).
    public let resources: [ResourceInfo]

    /// Lookups by kind, resource and command-line name.
    public let index: ResourceIndex
    /// Indices into `resources` per group-version, in discovery order.
    let byGV: [GroupVersion: [Int]]
    /// Names of the custom resource definitions added on top of the built-ins, by `group/plural`.
    let customResources: Set<String>

    init(schemas: OpenAPISchemas, groups: [APIGroupInfo], resources: [ResourceInfo], customResources: Set<String> = []) {
        self.schemas = schemas
        self.groups = groups
        // Discovery order: groups as listed, versions preferred first, resources by plural.
        var groupRank: [String: Int] = [:]
        var versionRank: [GroupVersion: Int] = [:]
        // Sized up front: built at every start, where growing the tables showed.
        groupRank.reserveCapacity(groups.count)
        versionRank.reserveCapacity(groups.reduce(0) { $0 + $1.versions.count })
        for (gi, group) in groups.enumerated() {
            groupRank[group.name] = gi
            for (vi, version) in group.versions.enumerated() {
                versionRank[GroupVersion(group: group.name, version: version)] = vi
            }
        }
        let sorted = resources.enumerated().sorted { a, b in
            let ga = groupRank[a.element.gvk.group] ?? Int.max, gb = groupRank[b.element.gvk.group] ?? Int.max
            if ga != gb { return ga < gb }
            let va = versionRank[a.element.gvk.groupVersion] ?? Int.max
            let vb = versionRank[b.element.gvk.groupVersion] ?? Int.max
            if va != vb { return va < vb }
            if a.element.plural != b.element.plural { return a.element.plural < b.element.plural }
            return a.offset < b.offset
        }.map(\.element)
        self.resources = sorted
        var byGV: [GroupVersion: [Int]] = [:]
        byGV.reserveCapacity(versionRank.count)
        for (i, r) in sorted.enumerated() { byGV[r.gvk.groupVersion, default: []].append(i) }
        self.index = ResourceIndex(sorted)
        self.byGV = byGV
        self.customResources = customResources
    }

    // MARK: - Lookups

    /// The schema of a kind: a precomputed map lookup, not a scan.
    public func schema(for gvk: GroupVersionKind) -> Schema? {
        schemas.schema(for: gvk)
    }

    public func resource(for gvk: GroupVersionKind) -> ResourceInfo? { index.resource(for: gvk) }

    public func resource(for gvr: GroupVersionResource) -> ResourceInfo? { index.resource(for: gvr) }

    /// Whether objects of `gvk` live in namespaces; nil when the kind is not served.
    public func isNamespaced(_ gvk: GroupVersionKind) -> Bool? {
        resource(for: gvk)?.namespaced
    }

    /// Resources of one group-version, in discovery order.
    public func resources(inGroupVersion gv: GroupVersion) -> [ResourceInfo] {
        (byGV[gv] ?? []).map { resources[$0] }
    }

    public func group(named name: String) -> APIGroupInfo? {
        groups.first { $0.name == name }
    }

    /// The preferred version of `group`, e.g. `v2` for `autoscaling`.
    public func preferredVersion(ofGroup name: String) -> String? {
        group(named: name)?.preferredVersion
    }

    /// Resources whose kind is `kind` (case-insensitive), best first (group order, then
    /// preferred version); `group` narrows the search when given.
    public func resources(forKind kind: String, group: String? = nil) -> [ResourceInfo] {
        index.resources(forKind: kind, group: group)
    }

    /// What `kubectl get NAME` resolves (see `ResourceIndex.resolve`); core first, so `events`
    /// is core/v1.
    public func resolve(_ name: String) -> [ResourceInfo] { index.resolve(name) }

    /// The best match of `resolve(_:)`, or nil when the name is unknown.
    public func resource(named name: String) -> ResourceInfo? {
        resolve(name).first
    }

    /// Resources in a category such as `all`, best version of each only.
    public func resources(inCategory category: String) -> [ResourceInfo] {
        var seen: Set<String> = []
        return resources.filter {
            $0.categories.contains(category) && seen.insert("\($0.gvk.group)/\($0.plural)").inserted
        }
    }

    /// True when `group/plural` was added from a CustomResourceDefinition.
    public func isCustomResource(group: String, plural: String) -> Bool {
        // Asked twice per validated object; without CRDs, skip building the key.
        !customResources.isEmpty && customResources.contains("\(group)/\(plural)")
    }
}
