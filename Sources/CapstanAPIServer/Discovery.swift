import CapstanAPI
import CapstanModel

/// The discovery documents: aggregated v2 (`/api`, `/apis` with the exact Content-Type
/// kubectl checks) and the legacy `APIVersions`, `APIGroupList`, `APIGroup` and
/// `APIResourceList` documents. All are built from the current catalogue on each request
/// (they are small), so CRDs show up as soon as they are registered.
enum Discovery {
    /// The Content-Type that tells kubectl the body is aggregated discovery (kubectl-wire.md §1.1).
    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    /// Whether the client asked for aggregated discovery.
    static func wantsAggregated(_ accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.containsBytes("as=APIGroupDiscoveryList") && accept.containsBytes("v=v2")
    }

    static func version() -> Value {
        ["major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
         "minCompatibilityMajor": "1", "minCompatibilityMinor": "36",
         "gitVersion": "v1.37.0-capstan", "gitCommit": "0000000000000000000000000000000000000000",
         "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25.0",
         "compiler": "gc", "platform": "linux/amd64"]
    }

    // MARK: - Aggregated (v2)

    /// `/api` (core only) or `/apis` (every other group).
    static func aggregated(_ served: ServedAPI, core: Bool) -> Value {
        var items: [Value] = []
        for group in served.groups where group.name.isEmpty == core {
            var metadata: Value = ["creationTimestamp": .null]
            if !core { metadata = ["name": .string(group.name), "creationTimestamp": .null] }
            var versions: [Value] = []
            for version in group.versions {
                let resources = served.resources(in: GroupVersion(group: group.name, version: version)).map(aggregatedResource)
                versions.append(["version": .string(version), "resources": .array(resources), "freshness": "Current"])
            }
            items.append(["metadata": metadata, "versions": .array(versions)])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .object([:]),
                "items": .array(items)]
    }

    static func kindRef(_ gvk: GroupVersionKind) -> Value {
        ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]
    }

    static func aggregatedResource(_ r: ResourceInfo) -> Value {
        var v: Value = ["resource": .string(r.plural), "responseKind": kindRef(r.gvk), "scope": .string(r.scope),
                        "singularResource": .string(r.singular), "verbs": .array(r.verbs.map(Value.string))]
        if !r.shortNames.isEmpty { v["shortNames"] = .array(r.shortNames.map(Value.string)) }
        if !r.categories.isEmpty { v["categories"] = .array(r.categories.map(Value.string)) }
        if !r.subresources.isEmpty {
            v["subresources"] = .array(r.subresources.map { s in
                ["subresource": .string(s.name), "responseKind": kindRef(s.responseKind), "verbs": .array(s.verbs.map(Value.string))]
            })
        }
        return v
    }

    // MARK: - Legacy

    static func apiVersions(serverAddress: String) -> Value {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    static func groupDocument(_ group: APIGroupInfo) -> Value {
        let versions: [Value] = group.versions.map {
            ["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]
        }
        var g: Value = ["name": .string(group.name), "versions": .array(versions)]
        if let first = versions.first { g["preferredVersion"] = first }
        return g
    }

    static func groupList(_ served: ServedAPI) -> Value {
        ["kind": "APIGroupList", "apiVersion": "v1",
         "groups": .array(served.groups.filter { !$0.name.isEmpty }.map(groupDocument))]
    }

    static func group(_ served: ServedAPI, name: String) -> Value? {
        guard let g = served.groups.first(where: { $0.name == name && !name.isEmpty }) else { return nil }
        var doc = groupDocument(g)
        doc["kind"] = "APIGroup"
        doc["apiVersion"] = "v1"
        return doc
    }

    static func resourceList(_ served: ServedAPI, _ gv: GroupVersion) -> Value? {
        let resources = served.resources(in: gv)
        guard served.groups.contains(where: { $0.name == gv.group && $0.versions.contains(gv.version) }) else { return nil }
        var list: [Value] = []
        for r in resources {
            var v: Value = ["name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                            "kind": .string(r.gvk.kind), "verbs": .array(r.verbs.map(Value.string))]
            if !r.shortNames.isEmpty { v["shortNames"] = .array(r.shortNames.map(Value.string)) }
            if !r.categories.isEmpty { v["categories"] = .array(r.categories.map(Value.string)) }
            list.append(v)
            for s in r.subresources {
                var sv: Value = ["name": .string("\(r.plural)/\(s.name)"), "singularName": "", "namespaced": .bool(r.namespaced),
                                 "kind": .string(s.responseKind.kind), "verbs": .array(s.verbs.map(Value.string))]
                if s.responseKind.groupVersion != r.gvk.groupVersion {
                    sv["group"] = .string(s.responseKind.group)
                    sv["version"] = .string(s.responseKind.version)
                }
                list.append(sv)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv.apiVersion), "resources": .array(list)]
    }
}

/// The part of a catalogue this server serves: the groups the issue lists plus a few that
/// need no special behaviour, and every custom resource. One snapshot per request.
struct ServedAPI: Sendable {
    let catalogue: APICatalogue
    let groups: [APIGroupInfo]

    static let builtinGroups: Set<String> = [
        "", "apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io", "coordination.k8s.io",
        "discovery.k8s.io", "policy", "storage.k8s.io", "events.k8s.io", "apiextensions.k8s.io",
        "autoscaling", "scheduling.k8s.io", "node.k8s.io",
    ]

    /// Resources that only exist as special endpoints, not stored collections.
    static let hidden: Set<String> = ["componentstatuses"]

    init(_ catalogue: APICatalogue) {
        self.catalogue = catalogue
        var groups: [APIGroupInfo] = []
        for g in catalogue.groups {
            // Built once per catalogue (`APIServer.servedAPI`): test the cheap set first, scan resources only for other groups.
            if Self.builtinGroups.contains(g.name)
                || catalogue.resources.contains(where: { $0.gvk.group == g.name && catalogue.isCustomResource(group: g.name, plural: $0.plural) })
            {
                groups.append(g)
            }
        }
        self.groups = groups
    }

    func resources(in gv: GroupVersion) -> [ResourceInfo] {
        catalogue.resources(inGroupVersion: gv).filter { !Self.hidden.contains($0.plural) }
    }

    func isServed(_ gv: GroupVersion) -> Bool {
        groups.contains { $0.name == gv.group && $0.versions.contains(gv.version) }
    }

    /// The resource a path names, when it is served.
    func resource(_ gv: GroupVersion, _ plural: String) -> ResourceInfo? {
        guard isServed(gv) else { return nil }
        return catalogue.resource(for: GroupVersionResource(group: gv.group, version: gv.version, resource: plural))
    }
}
