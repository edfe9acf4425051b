import CapstanModel

extension APICatalogue {
    /// A new catalogue that also serves the resource a `CustomResourceDefinition`
    /// (`apiextensions.k8s.io/v1`) declares: every served version, its scope, names, the
    /// `status`/`scale` subresources, and each version's `openAPIV3Schema` as a schema named
    /// like the API server names CRD schemas (`com.example.v1.Widget` for `example.com`).
    ///
    /// Re-adding a CRD of the same `group/plural` replaces the earlier one. `self` is unchanged:
    /// catalogues are immutable, which is what makes them safe to share; see `APIRegistry` for
    /// the lock-protected swap a server does when CRDs change.
    public func adding(customResourceDefinition crd: Value) throws(CatalogueError) -> APICatalogue {
        let def = try CustomResourceDefinitionFacts(crd)
        if let builtin = resources.first(where: { $0.gvk.group == def.group && $0.plural == def.plural }),
            !isCustomResource(group: def.group, plural: def.plural)
        {
            throw CatalogueError("\(def.plural).\(def.group) is a built-in resource (\(builtin.gvk))", field: "spec.names.plural")
        }
        let base = removingCustomResource(group: def.group, plural: def.plural)

        var newResources = base.resources
        var newDefinitions: [String: Value] = [:]
        for version in def.servedVersions {
            let gvk = GroupVersionKind(group: def.group, version: version.name, kind: def.kind)
            var subresources: [SubresourceInfo] = []
            if version.hasStatus {
                subresources.append(SubresourceInfo(name: "status", responseKind: gvk, verbs: ["get", "patch", "update"]))
            }
            if version.hasScale {
                subresources.append(SubresourceInfo(
                    name: "scale", responseKind: GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"),
                    verbs: ["get", "patch", "update"]))
            }
            var definitionName: String?
            if let schema = version.schema {
                let name = Self.customSchemaName(group: def.group, version: version.name, kind: def.kind)
                newDefinitions[name] = Self.customSchema(schema, gvk: gvk)
                definitionName = name
            }
            var selectors = def.namespaced ? ["metadata.name", "metadata.namespace"] : ["metadata.name"]
            selectors += version.selectableFields
            newResources.append(ResourceInfo(
                gvk: gvk, plural: def.plural, singular: def.singular, namespaced: def.namespaced,
                verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                shortNames: def.shortNames, categories: def.categories, subresources: subresources,
                definition: definitionName, fieldSelectors: selectors, scale: version.scale))
        }

        var newGroups = base.groups
        let versions = Set(newResources.filter { $0.gvk.group == def.group }.map(\.gvk.version))
        let ordered = versions.sorted(by: kubeVersionPrecedes)
        if let i = newGroups.firstIndex(where: { $0.name == def.group }) {
            newGroups[i].versions = ordered
        } else if !ordered.isEmpty {
            newGroups.append(APIGroupInfo(name: def.group, versions: ordered))
        }
        var custom = base.customResources
        custom.insert("\(def.group)/\(def.plural)")
        return APICatalogue(
            schemas: base.schemas.merging(newDefinitions), groups: newGroups, resources: newResources,
            customResources: custom)
    }

    /// A new catalogue without the custom resource `group/plural` (and its schemas, and its
    /// group when nothing else is left in it). Built-in resources are never removed.
    public func removingCustomResource(group: String, plural: String) -> APICatalogue {
        guard isCustomResource(group: group, plural: plural) else { return self }
        let dropped = resources.filter { $0.gvk.group == group && $0.plural == plural }
        let kept = resources.filter { !($0.gvk.group == group && $0.plural == plural) }
        var groups = self.groups
        if let i = groups.firstIndex(where: { $0.name == group }) {
            let remaining = Set(kept.filter { $0.gvk.group == group }.map(\.gvk.version))
            if remaining.isEmpty {
                groups.remove(at: i)
            } else {
                groups[i].versions = groups[i].versions.filter { remaining.contains($0) }
            }
        }
        var custom = customResources
        custom.remove("\(group)/\(plural)")
        return APICatalogue(
            schemas: schemas.removing(Set(dropped.compactMap(\.definition))), groups: groups, resources: kept,
            customResources: custom)
    }

    /// `example.com`, `v1`, `Widget` → `com.example.v1.Widget`, the API server's spelling.
    static func customSchemaName(group: String, version: String, kind: String) -> String {
        let reversed = group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(version).\(kind)"
    }

    /// The CRD's structural schema, completed the way the API server publishes it: tagged with
    /// its kind, and with `apiVersion`, `kind` and `metadata` (ObjectMeta) always declared.
    static func customSchema(_ schema: Value, gvk: GroupVersionKind) -> Value {
        var node = schema
        if node["type"] == .null { node["type"] = "object" }
        var properties = node["properties"].objectValue ?? [:]
        if properties["apiVersion"] == nil { properties["apiVersion"] = ["type": "string"] }
        if properties["kind"] == nil { properties["kind"] = ["type": "string"] }
        properties["metadata"] = ["$ref": "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
        node["properties"] = .object(properties)
        node["x-kubernetes-group-version-kind"] = [
            ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)],
        ]
        return node
    }
}

/// The parts of a CustomResourceDefinition the catalogue needs, checked.
struct CustomResourceDefinitionFacts {
    struct Version {
        var name: String
        var schema: Value?
        var hasStatus: Bool
        var hasScale: Bool
        var scale: ScalePaths?
        /// `selectableFields` as field labels (`.spec.color` → `spec.color`).
        var selectableFields: [String]
    }

    var group: String
    var plural: String
    var singular: String
    var kind: String
    var shortNames: [String]
    var categories: [String]
    var namespaced: Bool
    var servedVersions: [Version]

    init(_ crd: Value) throws(CatalogueError) {
        guard crd["kind"].stringValue == "CustomResourceDefinition" else {
            throw CatalogueError("not a CustomResourceDefinition (kind \(crd["kind"].stringValue ?? "missing"))", field: "kind")
        }
        let spec = crd["spec"]
        guard let group = spec["group"].stringValue, !group.isEmpty else {
            throw CatalogueError("Required value", field: "spec.group")
        }
        guard let plural = spec["names"]["plural"].stringValue, !plural.isEmpty else {
            throw CatalogueError("Required value", field: "spec.names.plural")
        }
        guard let kind = spec["names"]["kind"].stringValue, !kind.isEmpty else {
            throw CatalogueError("Required value", field: "spec.names.kind")
        }
        self.group = group
        self.plural = plural
        self.kind = kind
        singular = spec["names"]["singular"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? kind.lowercased()
        shortNames = APICatalogue.strings(spec["names"]["shortNames"])
        categories = APICatalogue.strings(spec["names"]["categories"])
        switch spec["scope"].stringValue {
        case "Namespaced": namespaced = true
        case "Cluster": namespaced = false
        case let other:
            throw CatalogueError("Unsupported value: \"\(other ?? "")\": supported values: \"Cluster\", \"Namespaced\"", field: "spec.scope")
        }
        guard let versions = spec["versions"].arrayValue, !versions.isEmpty else {
            throw CatalogueError("Required value: must have exactly one version marked as storage version", field: "spec.versions")
        }
        var served: [Version] = []
        for (i, v) in versions.enumerated() {
            guard let name = v["name"].stringValue, !name.isEmpty else {
                throw CatalogueError("Required value", field: "spec.versions[\(i)].name")
            }
            guard v["served"].boolValue ?? false else { continue }
            let schema = v["schema"]["openAPIV3Schema"]
            let scale = v["subresources"]["scale"]
            var scalePaths: ScalePaths?
            if scale.isObject {
                scalePaths = ScalePaths(
                    specReplicasPath: scale["specReplicasPath"].stringValue ?? ".spec.replicas",
                    statusReplicasPath: scale["statusReplicasPath"].stringValue ?? ".status.replicas",
                    labelSelectorPath: scale["labelSelectorPath"].stringValue)
            }
            let selectable = (v["selectableFields"].arrayValue ?? []).compactMap { field -> String? in
                guard let path = field["jsonPath"].stringValue else { return nil }
                return path.hasPrefix(".") ? String(path.dropFirst()) : path
            }
            served.append(Version(
                name: name, schema: schema.isObject ? Optional(schema) : Optional.none,  // `nil` alone would be Value.null
                hasStatus: v["subresources"].has("status"), hasScale: scale.isObject, scale: scalePaths,
                selectableFields: selectable))
        }
        servedVersions = served
    }
}

/// Kubernetes' version priority: GA before beta before alpha, higher numbers first within a
/// level, and names that do not look like versions last, alphabetically.
/// `v2, v1, v1beta2, v1beta1, v1alpha1, foo`.
func kubeVersionPrecedes(_ a: String, _ b: String) -> Bool {
    let pa = KubeVersion(a), pb = KubeVersion(b)
    switch (pa, pb) {
    case (nil, nil): return a < b
    case (nil, _): return false
    case (_, nil): return true
    case let (x?, y?):
        if x.level != y.level { return x.level > y.level }
        if x.major != y.major { return x.major > y.major }
        return x.minor > y.minor
    }
}

struct KubeVersion {
    var major: Int
    var level: Int  // 2 GA, 1 beta, 0 alpha
    var minor: Int

    init?(_ text: String) {
        guard text.first == "v" else { return nil }
        var rest = Substring(text.dropFirst())
        let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
        guard let major = Int(digits), major > 0 else { return nil }
        rest = rest.dropFirst(digits.count)
        self.major = major
        if rest.isEmpty {
            level = 2
            minor = 0
            return
        }
        if rest.hasPrefix("beta") {
            level = 1
            rest = rest.dropFirst(4)
        } else if rest.hasPrefix("alpha") {
            level = 0
            rest = rest.dropFirst(5)
        } else {
            return nil
        }
        guard let minor = Int(rest), minor > 0 else { return nil }
        self.minor = minor
    }
}
