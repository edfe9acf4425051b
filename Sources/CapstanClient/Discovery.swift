import CapstanAPI
import CapstanModel

/// Reading discovery documents into a `RESTMapper`: aggregated discovery (`apidiscovery.k8s.io/v2
/// APIGroupDiscoveryList`, two requests) when the server answers with its content type, else
/// legacy discovery (`APIVersions`, `APIGroupList`, then one `APIResourceList` per group-version).
enum Discovery {
    /// The Accept header kubectl 1.37 sends to `/api` and `/apis`.
    static let aggregatedAccept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"

    /// The server chose aggregated discovery: its Content-Type names the list (a body of that
    /// shape with plain `application/json` is legacy, exactly as kubectl reads it).
    static func isAggregated(contentType: String?) -> Bool {
        guard let ct = contentType?.lowercased() else { return false }
        return ct.contains("as=apigroupdiscoverylist") && ct.contains("g=apidiscovery.k8s.io")
    }

    /// Groups and resources of one `APIGroupDiscoveryList`.
    static func parseAggregated(_ list: Value) -> (groups: [APIGroupInfo], resources: [ResourceInfo]) {
        var groups: [APIGroupInfo] = []
        var resources: [ResourceInfo] = []
        for item in list["items"].arrayValue ?? [] {
            let group = item["metadata"]["name"].stringValue ?? ""
            var versions: [String] = []
            for version in item["versions"].arrayValue ?? [] {
                guard let v = version["version"].stringValue else { continue }
                versions.append(v)
                for r in version["resources"].arrayValue ?? [] {
                    guard let plural = r["resource"].stringValue, let kind = r["responseKind"]["kind"].stringValue else { continue }
                    let subresources = (r["subresources"].arrayValue ?? []).compactMap { s -> SubresourceInfo? in
                        guard let name = s["subresource"].stringValue else { return nil }
                        let rk = s["responseKind"]
                        return SubresourceInfo(
                            name: name,
                            responseKind: GroupVersionKind(group: rk["group"].stringValue ?? group,
                                                           version: rk["version"].stringValue ?? v,
                                                           kind: rk["kind"].stringValue ?? kind),
                            verbs: strings(s["verbs"]))
                    }
                    let singular = r["singularResource"].stringValue ?? ""
                    resources.append(ResourceInfo(
                        gvk: GroupVersionKind(group: group, version: v, kind: kind), plural: plural,
                        singular: singular.isEmpty ? kind.lowercased() : singular,
                        namespaced: r["scope"].stringValue == "Namespaced", verbs: strings(r["verbs"]),
                        shortNames: strings(r["shortNames"]), categories: strings(r["categories"]),
                        subresources: subresources))
                }
            }
            groups.append(APIGroupInfo(name: group, versions: versions))
        }
        return (groups, resources)
    }

    /// Group-versions named by legacy `/api` (`APIVersions`) or `/apis` (`APIGroupList`).
    static func parseLegacyIndex(_ value: Value) -> [APIGroupInfo] {
        if value["kind"].stringValue == "APIVersions" || value["versions"].arrayValue != nil && value["groups"].isNull {
            return [APIGroupInfo(name: "", versions: strings(value["versions"]))]
        }
        return (value["groups"].arrayValue ?? []).compactMap { g in
            guard let name = g["name"].stringValue else { return nil }
            var versions = (g["versions"].arrayValue ?? []).compactMap { $0["version"].stringValue }
            if let preferred = g["preferredVersion"]["version"].stringValue, let i = versions.firstIndex(of: preferred) {
                versions.remove(at: i)
                versions.insert(preferred, at: 0)
            }
            return APIGroupInfo(name: name, versions: versions)
        }
    }

    /// Resources of one legacy `APIResourceList`; `x/y` entries become subresources of `x`.
    static func parseLegacyResources(_ list: Value, group: String, version: String) -> [ResourceInfo] {
        var infos: [ResourceInfo] = []
        var subs: [(parent: String, SubresourceInfo)] = []
        for r in list["resources"].arrayValue ?? [] {
            guard let name = r["name"].stringValue, let kind = r["kind"].stringValue else { continue }
            if let slash = name.firstIndex(of: "/") {
                let gvk = GroupVersionKind(group: r["group"].stringValue ?? group, version: r["version"].stringValue ?? version,
                                           kind: kind)
                subs.append((String(name[..<slash]),
                             SubresourceInfo(name: String(name[name.index(after: slash)...]), responseKind: gvk, verbs: strings(r["verbs"]))))
                continue
            }
            let singular = r["singularName"].stringValue ?? ""
            infos.append(ResourceInfo(
                gvk: GroupVersionKind(group: group, version: version, kind: kind), plural: name,
                singular: singular.isEmpty ? kind.lowercased() : singular, namespaced: r["namespaced"].boolValue ?? false,
                verbs: strings(r["verbs"]), shortNames: strings(r["shortNames"]), categories: strings(r["categories"])))
        }
        for (parent, sub) in subs {
            if let i = infos.firstIndex(where: { $0.plural == parent }) {
                infos[i].subresources.append(sub)
                if sub.name == "scale", infos[i].scale == nil { infos[i].scale = .builtin }
            }
        }
        return infos
    }

    private static func strings(_ v: Value) -> [String] { (v.arrayValue ?? []).compactMap(\.stringValue) }

    // MARK: - The cache file

    /// The mapper as one JSON document (what the disk cache stores): aggregated-discovery shape,
    /// so the same parser reads it back.
    static func encode(_ mapper: RESTMapper) -> Value {
        var items: [Value] = []
        for group in mapper.groups {
            var versions: [Value] = []
            for version in group.versions {
                let resources = mapper.resources.filter { $0.gvk.group == group.name && $0.gvk.version == version }.map { r -> Value in
                    var v: Value = [
                        "resource": .string(r.plural),
                        "responseKind": ["group": .string(r.gvk.group), "version": .string(r.gvk.version), "kind": .string(r.gvk.kind)],
                        "scope": .string(r.scope), "singularResource": .string(r.singular),
                        "verbs": .array(r.verbs.map(Value.string)),
                    ]
                    if !r.shortNames.isEmpty { v["shortNames"] = .array(r.shortNames.map(Value.string)) }
                    if !r.categories.isEmpty { v["categories"] = .array(r.categories.map(Value.string)) }
                    if !r.subresources.isEmpty {
                        v["subresources"] = .array(r.subresources.map { s in
                            ["subresource": .string(s.name),
                             "responseKind": ["group": .string(s.responseKind.group), "version": .string(s.responseKind.version),
                                              "kind": .string(s.responseKind.kind)],
                             "verbs": .array(s.verbs.map(Value.string))]
                        })
                    }
                    return v
                }
                versions.append(["version": .string(version), "resources": .array(resources)])
            }
            var item: Value = ["metadata": .object([:]), "versions": .array(versions)]
            if !group.name.isEmpty { item[path: ["metadata", "name"]] = .string(group.name) }
            items.append(item)
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .object([:]),
                "items": .array(items)]
    }
}
