import CapstanModel

/// The discovery documents a Kubernetes API server serves, built from the catalogue: the
/// aggregated form (`/api`, `/apis` with `apidiscovery.k8s.io/v2`) and the legacy forms
/// (`APIVersions`, `APIGroupList`, `APIResourceList`). Shapes follow what kubectl 1.37 accepts
/// (see the project's kubectl wire notes, section 1).
extension APICatalogue {
    /// The Content-Type that tells kubectl a body is aggregated discovery; without it kubectl
    /// parses the body as legacy discovery and finds no resources.
    public static let aggregatedDiscoveryContentType =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// `GET /api` (`core: true`, the core group only) or `GET /apis` (`core: false`, every
    /// named group), as an `APIGroupDiscoveryList`. Versions are listed preferred first.
    public func aggregatedDiscovery(core: Bool) -> Value {
        var items: [Value] = []
        for group in groups where group.name.isEmpty == core {
            var metadata: Value = ["creationTimestamp": nil]
            if !core { metadata = ["name": .string(group.name), "creationTimestamp": nil] }
            let versions: [Value] = group.versions.map { version in
                let resources = resources(inGroupVersion: GroupVersion(group: group.name, version: version))
                return ["version": .string(version), "resources": .array(resources.map(Self.discoveryEntry)), "freshness": "Current"]
            }
            items.append(["metadata": metadata, "versions": .array(versions)])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": .array(items)]
    }

    static func discoveryEntry(_ r: ResourceInfo) -> Value {
        var entry: Value = [
            "resource": .string(r.plural),
            "responseKind": kindValue(r.gvk),
            "scope": .string(r.scope),
            "singularResource": .string(r.singular),
            "verbs": .array(r.verbs.map { .string($0) }),
        ]
        if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
        if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
        if !r.subresources.isEmpty {
            entry["subresources"] = .array(r.subresources.map { s in
                ["subresource": .string(s.name), "responseKind": kindValue(s.responseKind), "verbs": .array(s.verbs.map { .string($0) })]
            })
        }
        return entry
    }

    static func kindValue(_ gvk: GroupVersionKind) -> Value {
        ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]
    }

    /// Legacy `GET /api`: the core versions and the address clients should use.
    public func legacyAPIVersions(serverAddress: String) -> Value {
        let core = group(named: "")?.versions ?? []
        return [
            "kind": "APIVersions",
            "versions": .array(core.map { .string($0) }),
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// Legacy `GET /apis`: the named groups with their versions and preferred version.
    public func legacyAPIGroupList() -> Value {
        let list: [Value] = groups.filter { !$0.name.isEmpty }.map { group in
            let versions: [Value] = group.groupVersions.map { gv in
                ["groupVersion": .string(gv.apiVersion), "version": .string(gv.version)]
            }
            var entry: Value = ["name": .string(group.name), "versions": .array(versions)]
            if let preferred = versions.first { entry["preferredVersion"] = preferred }
            return entry
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(list)]
    }

    /// Legacy `GET /api/v1` or `/apis/GROUP/VERSION`: each resource followed by its
    /// subresources (`deployments/scale`, which names its own group and version when they
    /// differ from the list's). Nil when the group-version is not served.
    public func apiResourceList(for gv: GroupVersion) -> Value? {
        guard group(named: gv.group)?.versions.contains(gv.version) == true else { return nil }
        var list: [Value] = []
        for r in resources(inGroupVersion: gv) {
            var entry: Value = [
                "name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                "kind": .string(r.gvk.kind), "verbs": .array(r.verbs.map { .string($0) }),
            ]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            list.append(entry)
            for s in r.subresources {
                var sub: Value = [
                    "name": .string("\(r.plural)/\(s.name)"), "singularName": "", "namespaced": .bool(r.namespaced),
                    "kind": .string(s.responseKind.kind), "verbs": .array(s.verbs.map { .string($0) }),
                ]
                if s.responseKind.groupVersion != gv {
                    sub["group"] = .string(s.responseKind.group)
                    sub["version"] = .string(s.responseKind.version)
                }
                list.append(sub)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv.apiVersion), "resources": .array(list)]
    }
}
