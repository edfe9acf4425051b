/// Patch metadata: for each field, how strategic merge treats it (merge key, strategy,
/// `retainKeys`). Read from a `Schema` (the built-in catalogue or any OpenAPI v2/v3 document).
import CapstanAPI
import CapstanModel
import Synchronization

/// Choices about how schema facts become patch metadata.
public struct PatchMetaOptions: Sendable, Hashable {
    /// Also merge lists declared `x-kubernetes-list-type: map` with exactly one
    /// `x-kubernetes-list-map-keys` entry and no `x-kubernetes-patch-strategy`, keyed by that
    /// entry. Off by default, because Kubernetes' strategic merge (kubectl and the API server)
    /// reads only the `x-kubernetes-patch-*` facts and replaces such lists whole; turn it on for
    /// custom schemas that describe list maps only in the server-side-apply vocabulary.
    public var mergeListMaps: Bool

    public init(mergeListMaps: Bool = false) { self.mergeListMaps = mergeListMaps }
}

/// The patch metadata of one node of a document (the root object, a field, list elements).
///
/// Immutable facts plus memo tables for children, which are guarded by a `Mutex`, so one
/// `PatchMeta` (say, of `apps/v1 Deployment`) is built once and shared by every task.
/// Navigation never fails: where the schema says nothing, the child is `PatchMeta.none`
/// (maps merge key by key, lists are replaced whole — plain JSON rules).
public final class PatchMeta: Sendable {
    /// `x-kubernetes-patch-strategy` split on commas, e.g. `["merge", "retainKeys"]`.
    public let strategies: [String]
    /// `x-kubernetes-patch-merge-key` (or the single list-map key when `mergeListMaps`).
    public let mergeKey: String?

    let schema: Schema?
    let options: PatchMetaOptions
    private let children = Mutex<[String: PatchMeta]>([:])
    private let itemsMemo = Mutex<PatchMeta?>(nil)

    /// No schema: maps merge, lists are replaced.
    public static let none = PatchMeta(node: nil, strategies: [], mergeKey: nil, options: PatchMetaOptions())

    /// Metadata for a whole object described by `schema` (e.g. the Deployment definition).
    public convenience init(schema: Schema, options: PatchMetaOptions = PatchMetaOptions()) {
        self.init(node: schema, strategies: [], mergeKey: nil, options: options)
    }

    /// Metadata for the definition `name` of an OpenAPI document (v2 `definitions` or v3
    /// `components.schemas`); nil when the document has no such definition.
    public static func fromOpenAPI(_ document: Value, definition name: String, options: PatchMetaOptions = PatchMetaOptions()) throws(SchemaError) -> PatchMeta? {
        let schemas = try OpenAPISchemas(document: document)
        guard let schema = schemas.schema(named: name) else { return nil }
        return PatchMeta(schema: schema, options: options)
    }

    init(node: Schema?, strategies: [String], mergeKey: String?, options: PatchMetaOptions) {
        self.schema = node
        self.strategies = strategies
        self.mergeKey = mergeKey
        self.options = options
    }

    private static func make(_ schema: Schema, options: PatchMetaOptions) -> PatchMeta {
        var strategies = schema.patchStrategies
        var mergeKey = schema.patchMergeKey
        if options.mergeListMaps, strategies.isEmpty, mergeKey == nil, schema.listType == "map",
           schema.listMapKeys.count == 1
        {
            strategies = ["merge"]
            mergeKey = schema.listMapKeys[0]
        }
        return PatchMeta(node: schema, strategies: strategies, mergeKey: mergeKey, options: options)
    }

    /// The metadata of field `name` of this object (the field's own strategy and merge key
    /// live here; for a list field, `items` describes its elements).
    public func field(_ name: String) -> PatchMeta {
        guard let schema else { return .none }
        if let known = children.withLock({ $0[name] }) { return known }
        let made: PatchMeta
        if let child = schema.property(name) {
            made = PatchMeta.make(child, options: options)
        } else {
            made = .none
        }
        children.withLock { $0[name] = made }
        return made
    }

    /// The metadata of the elements of this list.
    public var items: PatchMeta {
        guard let schema else { return .none }
        if let known = itemsMemo.withLock({ $0 }) { return known }
        let made = schema.items.map { PatchMeta(node: $0, strategies: [], mergeKey: nil, options: options) } ?? .none
        itemsMemo.withLock { $0 = made }
        return made
    }

    /// The strategy split into its `retainKeys` part and the rest, as strategic merge reads
    /// it: at most two strategies, one of which may be `retainKeys`.
    func strategy(at path: PatchPath) throws(PatchError) -> (retainKeys: Bool, strategy: String) {
        switch strategies.count {
        case 0: return (false, "")
        case 1: return strategies[0] == "retainKeys" ? (true, "") : (false, strategies[0])
        case 2:
            if strategies[0] == "retainKeys" { return (true, strategies[1]) }
            if strategies[1] == "retainKeys" { return (true, strategies[0]) }
            fallthrough
        default:
            throw PatchError(.invalidDocument, at: path, "unexpected patch strategy \(strategies) in the schema")
        }
    }
}

extension PatchMeta {
    private static let builtinMemo = Mutex<[GroupVersionKind: PatchMeta]>([:])

    /// The metadata of a built-in kind (e.g. `apps/v1 Deployment`) from the built-in API
    /// catalogue; nil for kinds the catalogue does not know (custom resources — use JSON merge
    /// patch for those, as kubectl does). Built once per kind and shared.
    public static func builtin(_ gvk: GroupVersionKind) -> PatchMeta? {
        if let known = builtinMemo.withLock({ $0[gvk] }) { return known }
        guard let schema = APICatalogue.builtin.schema(for: gvk) else { return nil }
        let made = PatchMeta(schema: schema)
        builtinMemo.withLock { $0[gvk] = made }
        return made
    }

    /// The metadata for `gvk` in `catalogue` (built-ins plus any registered custom resources).
    public static func forKind(_ gvk: GroupVersionKind, in catalogue: APICatalogue, options: PatchMetaOptions = PatchMetaOptions()) -> PatchMeta? {
        catalogue.schema(for: gvk).map { PatchMeta(schema: $0, options: options) }
    }
}
