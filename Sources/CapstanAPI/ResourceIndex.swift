import CapstanModel

/// Lookups over a list of served resources, shared by the catalogue (what we serve) and the
/// client's REST mapper (what a server's discovery reported): by kind, by resource, and by the
/// names kubectl accepts on its command line. Built once; an immutable value.
public struct ResourceIndex: Sendable {
    public let resources: [ResourceInfo]
    private let byGVK: [GroupVersionKind: Int]
    private let byGVR: [GroupVersionResource: Int]
    /// Lower-cased plural, singular, kind and short names → indices into `resources`, best first.
    private let byName: [String: [Int]]

    /// Indexes `resources`, visiting them in `order` (indices into `resources`; default: as
    /// given) so that the first resource visited wins a kind and heads each name's list.
    public init(_ resources: [ResourceInfo], order: [Int]? = nil) {
        var byGVK: [GroupVersionKind: Int] = [:]
        var byGVR: [GroupVersionResource: Int] = [:]
        var byName: [String: [Int]] = [:]
        // Sized up front: built at every start (the built-in catalogue), where rehashing showed.
        byGVK.reserveCapacity(resources.count)
        byGVR.reserveCapacity(resources.count)
        byName.reserveCapacity(resources.count * 3)
        for i in order ?? Array(resources.indices) {
            let r = resources[i]
            if byGVK[r.gvk] == nil { byGVK[r.gvk] = i }
            byGVR[r.gvr] = i
            // A resource has a handful of names: a list finds repeats faster than a set.
            var seen: [String] = []
            seen.reserveCapacity(3 + r.shortNames.count)
            for name in [r.plural, r.singular, r.gvk.kind] + r.shortNames {
                let lowered = name.lowercased()
                guard !lowered.isEmpty, !seen.contains(lowered) else { continue }
                seen.append(lowered)
                byName[lowered, default: []].append(i)
            }
        }
        self.resources = resources
        self.byGVK = byGVK
        self.byGVR = byGVR
        self.byName = byName
    }

    public func resource(for gvk: GroupVersionKind) -> ResourceInfo? { byGVK[gvk].map { resources[$0] } }

    public func resource(for gvr: GroupVersionResource) -> ResourceInfo? { byGVR[gvr].map { resources[$0] } }

    /// Resources whose kind is `kind` (case-insensitive), best first; `group` narrows the search.
    public func resources(forKind kind: String, group: String? = nil) -> [ResourceInfo] {
        let k = kind.lowercased()
        return (byName[k] ?? []).map { resources[$0] }.filter {
            $0.gvk.kind.lowercased() == k && (group == nil || $0.gvk.group == group)
        }
    }

    /// What `kubectl get NAME` resolves: a plural, singular, short name or kind (any case),
    /// optionally qualified as `NAME.GROUP` or `NAME.VERSION.GROUP`. Best match first.
    public func resolve(_ name: String) -> [ResourceInfo] {
        let lowered = name.lowercased()
        if let hits = byName[lowered] { return hits.map { resources[$0] } }
        // Qualified forms: the first dot ends the resource name; the rest is GROUP or VERSION.GROUP.
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
        // `pods.v1`: a core-group resource qualified by version only.
        return candidates.filter { $0.gvk.group.isEmpty && $0.gvk.version == rest }
    }
}
