import CapstanModel

extension APICatalogue {
    /// The built-in Kubernetes API, loaded once on first use from the generated catalogue
    /// embedded in the binary (`BuiltinCatalogue+Data.swift`, written by
    /// `tools/gen_api_catalogue.py`). Embedding keeps the one `capstan` binary self-contained:
    /// no resource bundle has to travel beside it.
    ///
    /// Should the embedded data ever fail to decode (a broken regeneration), this is an empty
    /// catalogue rather than a crash; `loadBuiltin()` reports the error (the whole text is
    /// checked at load, though definitions are decoded on first use), and the test suite
    /// checks that the built-in catalogue is complete and equals the resource file.
    public static let builtin: APICatalogue = (try? loadBuiltin()) ?? APICatalogue(
        schemas: OpenAPISchemas(definitions: [:]), groups: [], resources: [])

    /// Reads the embedded catalogue afresh (what `builtin` does once).
    ///
    /// The whole text is checked as `Value.parseJSON` would check it, but only `groups` and
    /// `resources` are decoded now: each definition is remembered as its bytes and decoded
    /// the first time it is used (most runs need the schemas of a handful of kinds), and the
    /// kind index comes from each definition's `x-kubernetes-group-version-kind` alone.
    public static func loadBuiltin() throws(CatalogueError) -> APICatalogue {
        try load(catalogueText: .literal(builtinCatalogueJSON))
    }

    /// A catalogue from the generator's document as JSON text, definitions decoded lazily.
    static func load(catalogueText text: RawJSON) throws(CatalogueError) -> APICatalogue {
        // `withBytes` takes no throwing closure, so the outcome travels as a Result.
        let scanned = text.withBytes { bytes in
            Result { () throws(CatalogueError) -> ScannedCatalogue in try ScannedCatalogue(bytes, text: text) }
        }
        let catalogue = try scanned.get()
        guard let groups = catalogue.groups, let resources = catalogue.resources, let definitions = catalogue.definitions
        else {
            throw CatalogueError("not an API catalogue: `groups`, `resources` and `definitions` are required")
        }
        return APICatalogue(schemas: OpenAPISchemas(entries: definitions), groups: try Self.groups(groups),
                            resources: try Self.resources(resources))
    }

    /// Builds a catalogue from the generator's document: `groups`, `resources`, `definitions`.
    public convenience init(catalogueDocument doc: Value) throws(CatalogueError) {
        guard let groupList = doc["groups"].arrayValue, let resourceList = doc["resources"].arrayValue,
            let definitions = doc["definitions"].objectValue
        else {
            throw CatalogueError("not an API catalogue: `groups`, `resources` and `definitions` are required")
        }
        var defs: [String: Value] = [:]
        defs.reserveCapacity(definitions.count)
        for (name, node) in definitions { defs[name] = node }
        self.init(schemas: OpenAPISchemas(definitions: defs), groups: try Self.groups(groupList),
                  resources: try Self.resources(resourceList))
    }

    static func groups(_ groupList: [Value]) throws(CatalogueError) -> [APIGroupInfo] {
        var groups: [APIGroupInfo] = []
        for (i, g) in groupList.enumerated() {
            guard let name = g["name"].stringValue, let versions = g["versions"].arrayValue?.compactMap(\.stringValue)
            else { throw CatalogueError("group needs `name` and `versions`", field: "groups[\(i)]") }
            groups.append(APIGroupInfo(name: name, versions: versions))
        }
        return groups
    }

    static func resources(_ resourceList: [Value]) throws(CatalogueError) -> [ResourceInfo] {
        var resources: [ResourceInfo] = []
        resources.reserveCapacity(resourceList.count)
        for (i, r) in resourceList.enumerated() {
            guard let version = r["version"].stringValue, let kind = r["kind"].stringValue,
                let plural = r["resource"].stringValue
            else { throw CatalogueError("resource needs `version`, `kind` and `resource`", field: "resources[\(i)]") }
            let group = r["group"].stringValue ?? ""
            let subresources = (r["subresources"].arrayValue ?? []).compactMap { s -> SubresourceInfo? in
                guard let name = s["name"].stringValue, let v = s["version"].stringValue, let k = s["kind"].stringValue
                else { return nil }
                return SubresourceInfo(
                    name: name, responseKind: GroupVersionKind(group: s["group"].stringValue ?? "", version: v, kind: k),
                    verbs: Self.strings(s["verbs"]))
            }
            resources.append(ResourceInfo(
                gvk: GroupVersionKind(group: group, version: version, kind: kind),
                plural: plural,
                singular: r["singular"].stringValue ?? kind.lowercased(),
                namespaced: r["namespaced"].boolValue ?? false,
                verbs: Self.strings(r["verbs"]),
                shortNames: Self.strings(r["shortNames"]),
                categories: Self.strings(r["categories"]),
                subresources: subresources,
                definition: r["definition"].stringValue,
                fieldSelectors: r["fieldSelectors"].arrayValue.map { $0.compactMap(\.stringValue) }))
        }
        return resources
    }

    static func strings(_ v: Value) -> [String] { (v.arrayValue ?? []).compactMap(\.stringValue) }
}
