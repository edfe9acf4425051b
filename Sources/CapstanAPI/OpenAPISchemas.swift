/// CapstanAPI: what the Kubernetes API is made of — groups, versions, kinds, resources, scope,
/// short names, verbs — and the schema facts of every field (type, patch strategy, merge key,
/// list type), read from OpenAPI documents; plus what follows from those facts alone:
/// validation (`ObjectValidator`, `SchemaValidator`, `SchemaPruner`), defaulting
/// (`Defaulter`), and the discovery and OpenAPI documents a server publishes.
///
/// The built-in catalogue (`APICatalogue.builtin`) is compiled from the Kubernetes OpenAPI
/// data by `tools/gen_api_catalogue.py` into `Resources/api-catalogue.json` and embedded in the
/// binary as `Generated/BuiltinCatalogue+Data.swift`; custom resources join through
/// `APICatalogue.adding(customResourceDefinition:)` or `APIRegistry`. Everything here is a
/// pure function of its inputs: this module knows nothing of transports, storage or patch
/// algorithms, and must not grow any — it only answers questions about shapes.
import CapstanModel
import Synchronization

public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The named schemas of one OpenAPI document: v2 (`definitions`) or v3 (`components.schemas`).
///
/// Immutable after construction, so it is shared freely across tasks. Two parts fill in on
/// first use, each guarding itself: definitions of the built-in catalogue are decoded from
/// their bytes when first read (`LazyDefinition`: published once through an atomic reference,
/// later reads take no lock), and the compiled validation nodes are cached behind their `Mutex`.
public final class OpenAPISchemas: Sendable {
    /// Every definition by name; sets built from documents hold decoded values, the built-in
    /// catalogue holds lazily decoded ones.
    let definitions: [String: SchemaDefinition]
    /// `x-kubernetes-group-version-kind` entries → definition name, so `schema(for:)` is a
    /// lookup. When several definitions claim one kind the smallest name wins (deterministic).
    let kindIndex: [GroupVersionKind: String]
    /// Schema nodes compiled for validation, kept for the life of this set (`CompiledSchema`).
    let compiledCache = Mutex(CompiledCache())

    public convenience init(document: Value) throws(SchemaError) {
        if let defs = document["definitions"].objectValue {
            self.init(definitions: Dictionary(defs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        } else if let defs = document["components"]["schemas"].objectValue {
            self.init(definitions: Dictionary(defs.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }))
        } else {
            throw SchemaError("not an OpenAPI document: neither `definitions` (v2) nor `components.schemas` (v3) is present")
        }
    }

    /// Merges several documents (e.g. the per-group-version v3 files); later names win.
    public convenience init(documents: [Value]) throws(SchemaError) {
        var all: [String: SchemaDefinition] = [:]
        for document in documents {
            let one = try OpenAPISchemas(document: document)
            all.merge(one.definitions) { _, new in new }
        }
        self.init(entries: all)
    }

    convenience init(definitions: [String: Value]) {
        self.init(entries: definitions.mapValues { .decoded($0) })
    }

    init(entries definitions: [String: SchemaDefinition]) {
        self.definitions = definitions
        var index: [GroupVersionKind: String] = [:]
        index.reserveCapacity(definitions.count)
        for (name, definition) in definitions {
            for gvk in definition.kinds {
                if let existing = index[gvk], existing < name { continue }
                index[gvk] = name
            }
        }
        self.kindIndex = index
    }

    /// A new set with `extra` added; names in `extra` replace existing ones. Definitions not
    /// yet decoded stay so (the new set shares them).
    public func merging(_ extra: [String: Value]) -> OpenAPISchemas {
        var all = definitions
        for (name, value) in extra { all[name] = .decoded(value) }
        return OpenAPISchemas(entries: all)
    }

    /// A new set without the named definitions.
    public func removing(_ names: Set<String>) -> OpenAPISchemas {
        OpenAPISchemas(entries: definitions.filter { !names.contains($0.key) })
    }

    /// The raw (unresolved) definition named `name`.
    public func definition(named name: String) -> Value? { definitions[name]?.value }

    /// Every definition, decoded (decodes those not yet used; for tests and whole-set checks).
    var allDefinitions: [String: Value] { definitions.compactMapValues(\.value) }

    /// The definition name that carries `gvk` in its `x-kubernetes-group-version-kind`.
    public func definitionName(for gvk: GroupVersionKind) -> String? { kindIndex[gvk] }

    /// The names of every definition.
    public var names: some Collection<String> { definitions.keys }

    /// The schema named `name`, e.g. `io.k8s.api.apps.v1.Deployment`.
    public func schema(named name: String) -> Schema? {
        guard let node = definitions[name]?.value else { return nil }
        return Schema(node: node, schemas: self, depth: 0)
    }

    /// The definition whose `x-kubernetes-group-version-kind` lists `gvk` (an index lookup).
    public func schema(for gvk: GroupVersionKind) -> Schema? {
        guard let name = kindIndex[gvk] else { return nil }
        return schema(named: name)
    }

    /// Follows `$ref` and single-element `allOf` wrappers; keys written next to the reference
    /// (patch strategy, merge key, list type on a property) override the target's.
    func resolve(_ node: Value, depth: Int) -> Value {
        guard depth < 64, case .object(let local) = node else { return node }
        var target: Value?
        if let ref = local["$ref"] {
            if case .string(let r) = ref { target = referenced(r) }
        } else if let allOf = local["allOf"], case .array(let parts) = allOf, parts.count == 1,
            case .string(let r) = parts[0]["$ref"]
        {
            target = referenced(r)
        }
        guard let resolvedTarget = target else { return node }
        var resolved = resolve(resolvedTarget, depth: depth + 1)
        if local.count > 1 {
            for (key, value) in local where key != "$ref" && key != "allOf" && key != "description" {
                resolved[key] = value
            }
        }
        return resolved
    }

    static let v2Prefix = "#/definitions/"
    static let v3Prefix = "#/components/schemas/"

    /// The definition a `$ref` names: `#/definitions/X` or `#/components/schemas/X` names X;
    /// failing that, the last segment is the name. (Cut here rather than looked up whole in a
    /// table of every reference string: that table cost more to build at each start than
    /// the lookups it saves.)
    private func referenced(_ ref: String) -> Value? {
        if let name = Self.name(in: ref, after: Self.v2Prefix) ?? Self.name(in: ref, after: Self.v3Prefix),
            let target = definitions[name]
        {
            return target.value
        }
        return definitions[Self.definitionName(ref)]?.value
    }

    /// What follows `prefix` (ASCII) in `ref`, when `ref` starts with it.
    private static func name(in ref: String, after prefix: String) -> String? {
        guard ref.hasPrefix(prefix) else { return nil }
        return String(Substring(ref.utf8.dropFirst(prefix.utf8.count)))
    }

    static func definitionName(_ ref: String) -> String {
        if let slash = ref.lastIndex(of: "/") { return String(ref[ref.index(after: slash)...]) }
        return ref
    }
}

/// One node of a schema, with references resolved. Navigation returns nil where the schema
/// says nothing (unknown field, free-form object): callers then fall back to plain JSON rules.
public struct Schema: Sendable {
    /// The resolved schema object (no `$ref` at this level).
    public let node: Value
    let schemas: OpenAPISchemas
    let depth: Int

    init(node: Value, schemas: OpenAPISchemas, depth: Int) {
        self.node = schemas.resolve(node, depth: depth)
        self.schemas = schemas
        self.depth = depth
    }

    private func child(_ raw: Value) -> Schema? {
        guard depth < 128, raw.isObject else { return nil }
        return Schema(node: raw, schemas: schemas, depth: depth + 1)
    }

    /// `object`, `array`, `string`, `integer`, `number`, `boolean`, or nil when unspecified.
    public var type: String? { node["type"].stringValue }
    public var format: String? { node["format"].stringValue }

    public func property(_ name: String) -> Schema? {
        if let p = child(node["properties"][name]) { return p }
        return additionalProperties
    }

    public var properties: [String: Schema] {
        var result: [String: Schema] = [:]
        for (key, raw) in node["properties"].objectValue ?? [:] {
            if let s = child(raw) { result[key] = s }
        }
        return result
    }

    public var hasProperties: Bool { node["properties"].objectValue != nil }
    public var items: Schema? { child(node["items"]) }
    public var additionalProperties: Schema? { child(node["additionalProperties"]) }
    public var required: [String] { (node["required"].arrayValue ?? []).compactMap(\.stringValue) }

    /// Patch strategies from `x-kubernetes-patch-strategy`, e.g. ["merge", "retainKeys"].
    public var patchStrategies: [String] {
        guard let s = node["x-kubernetes-patch-strategy"].stringValue else { return [] }
        return s.split(separator: ",").map { String($0).trimmingSpaces() }
    }

    public var patchMergeKey: String? { node["x-kubernetes-patch-merge-key"].stringValue }
    /// `atomic`, `set` or `map`.
    public var listType: String? { node["x-kubernetes-list-type"].stringValue }
    public var listMapKeys: [String] { (node["x-kubernetes-list-map-keys"].arrayValue ?? []).compactMap(\.stringValue) }
    /// `atomic` or `granular`.
    public var mapType: String? { node["x-kubernetes-map-type"].stringValue }
    public var isIntOrString: Bool { node["x-kubernetes-int-or-string"].boolValue == true || format == "int-or-string" }
    public var preservesUnknownFields: Bool { node["x-kubernetes-preserve-unknown-fields"].boolValue == true }
    public var enumValues: [Value]? { node["enum"].arrayValue }

    /// The group-version-kinds this definition is the schema of.
    public var groupVersionKinds: [GroupVersionKind] {
        (node["x-kubernetes-group-version-kind"].arrayValue ?? []).compactMap { entry in
            guard let v = entry["version"].stringValue, let k = entry["kind"].stringValue else { return nil }
            return GroupVersionKind(group: entry["group"].stringValue ?? "", version: v, kind: k)
        }
    }
}

