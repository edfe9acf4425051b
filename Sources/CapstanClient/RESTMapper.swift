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

    private let byGVK: [GroupVersionKind: Int]
    private let byGVR: [GroupVersionResource: Int]
    /// Lower-cased plural, singular, kind and short names → indices, discovery order.
    private let byName: [String: [Int]]

    public init(groups: [APIGroupInfo], resources: [ResourceInfo]) {
        self.groups = groups
        self.resources = resources
        var byGVK: [GroupVersionKind: Int] = [:]
        var byGVR: [GroupVersionResource: Int] = [:]
        var byName: [String: [Int]] = [:]
        // Preferred versions first, so a kind-only lookup lands on the preferred version.
        var rank: [GroupVersion: Int] = [:]
        for group in groups { for (i, v) in group.versions.enumerated() { rank[GroupVersion(group: group.name, version: v)] = i } }
        let order = resources.indices.sorted {
            (rank[resources[$0].gvk.groupVersion] ?? Int.max, $0) < (rank[resources[$1].gvk.groupVersion] ?? Int.max, $1)
        }
        for i in order {
            let r = resources[i]
            if byGVK[r.gvk] == nil { byGVK[r.gvk] = i }
            byGVR[r.gvr] = i
            var seen: Set<String> = []
            for name in ([r.plural, r.singular, r.gvk.kind] + r.shortNames).map({ $0.lowercased() })
            where !name.isEmpty && seen.insert(name).inserted {
                byName[name, default: []].append(i)
            }
        }
        self.byGVK = byGVK
        self.byGVR = byGVR
        self.byName = byName
    }

    /// The mapper of the built-in catalogue (what the bundled server serves before any CRD).
    public static let builtin = RESTMapper(catalogue: .builtin)

    public init(catalogue: APICatalogue) {
        self.init(groups: catalogue.groups, resources: catalogue.resources)
    }

    /// The resource serving `gvk`.
    public func mapping(for gvk: GroupVersionKind) -> ResourceInfo? {
        byGVK[gvk].map { resources[$0] }
    }

    /// The resource serving `kind` in `group`, preferring `version` when given, else the
    /// group's preferred version.
    public func mapping(for groupKind: GroupKind, version: String? = nil) -> ResourceInfo? {
        let hits = (byName[groupKind.kind.lowercased()] ?? []).map { resources[$0] }.filter {
            $0.gvk.group == groupKind.group && $0.gvk.kind == groupKind.kind
        }
        if let version, let exact = hits.first(where: { $0.gvk.version == version }) { return exact }
        return hits.first
    }

    public func resource(for gvr: GroupVersionResource) -> ResourceInfo? {
        byGVR[gvr].map { resources[$0] }
    }

    /// The kind a resource serves: `apps/v1 deployments` → `apps/v1, Kind=Deployment`.
    public func kind(for gvr: GroupVersionResource) -> GroupVersionKind? { resource(for: gvr)?.gvk }

    /// Whether objects of `gvk` live in namespaces; nil when the kind is not served.
    public func isNamespaced(_ gvk: GroupVersionKind) -> Bool? { mapping(for: gvk)?.namespaced }

    /// kubectl's resolution of a type name: plural, singular, kind or short name in any case,
    /// optionally qualified as `NAME.GROUP` or `NAME.VERSION.GROUP`. Best match first.
    public func resolve(_ name: String) -> [ResourceInfo] {
        let lowered = name.lowercased()
        if let hits = byName[lowered] { return hits.map { resources[$0] } }
        guard let dot = lowered.firstIndex(of: ".") else { return [] }
        let base = String(lowered[..<dot])
        let rest = String(lowered[lowered.index(after: dot)...])
        let candidates = (byName[base] ?? []).map { resources[$0] }
        let inGroup = candidates.filter { $0.gvk.group == rest }
        if !inGroup.isEmpty { return inGroup }
        if let dot2 = rest.firstIndex(of: ".") {
            let version = String(rest[..<dot2])
            let group = String(rest[rest.index(after: dot2)...])
            return candidates.filter { $0.gvk.group == group && $0.gvk.version == version }
        }
        return candidates.filter { $0.gvk.group.isEmpty && $0.gvk.version == rest }
    }

    /// Resources in a category such as `all`, one version per group-resource.
    public func resources(inCategory category: String) -> [ResourceInfo] {
        var seen: Set<String> = []
        return resources.filter { $0.categories.contains(category) && seen.insert($0.gvr.groupResource).inserted }
    }
}
