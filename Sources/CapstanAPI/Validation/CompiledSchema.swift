import CapstanModel
import Synchronization

/// One schema node as the validator walks it: resolved (`$ref`/`allOf` followed once), its
/// `NodeFacts` read once, and its children resolved on first use and then kept, so validating
/// the thousandth Deployment costs no schema resolution at all.
///
/// A node is exactly what `Schema(node:schemas:depth:)` plus `NodeFacts` would give for the
/// same raw node and depth (same depth bounds, same resolution); only the work is remembered.
/// Nodes are shared between requests through `OpenAPISchemas.compiled(for:)`.
///
/// Concurrency: everything but `children` is immutable; `children` is filled once, under its
/// `Mutex`, the first time any task asks for a child, and then published through an atomic
/// reference so later reads (one per validated object node) take no lock. Nodes hold no reference to their
/// `OpenAPISchemas` (which holds them), so dropping a catalogue frees its nodes.
final class CompiledSchema: Sendable {
    let node: Value
    let facts: NodeFacts
    /// The depth `Schema` would have here (bounds resolution at 64 and nesting at 128).
    let depth: Int
    private let children = Mutex<Children?>(nil)
    /// `children` once made, stored (releasing) under the lock and read (acquiring) without it.
    /// Holds one retain of its own, given back in `deinit`.
    private let published = Atomic<Unmanaged<Children>?>(nil)

    /// A class, so handing the children out of the lock is one reference, not a copy.
    final class Children: Sendable {
        /// Every declared property; nil for one whose schema is no object or lies past the depth bound.
        let properties: PropertyTable
        let additional: CompiledSchema?
        let items: CompiledSchema?

        init(properties: PropertyTable, additional: CompiledSchema?, items: CompiledSchema?) {
            self.properties = properties
            self.additional = additional
            self.items = items
        }
    }

    init(resolved node: Value, depth: Int) {
        self.node = node
        self.facts = NodeFacts(node)
        self.depth = depth
    }

    /// The node for the raw (unresolved) schema `raw`, `depth` deep.
    convenience init(raw: Value, schemas: OpenAPISchemas, depth: Int) {
        self.init(resolved: schemas.resolve(raw, depth: depth), depth: depth)
    }

    /// The children, resolved (against `schemas`, the set this node came from) the first
    /// time they are asked for.
    func children(in schemas: OpenAPISchemas) -> Children {
        if let made = published.load(ordering: .acquiring) { return made.takeUnretainedValue() }
        return children.withLock { cached in
            if let cached { return cached }
            var properties: [(key: String, schema: CompiledSchema?)] = []
            if let declared = facts.properties {
                properties.reserveCapacity(declared.count)
                for (key, raw) in declared { properties.append((key, child(raw, schemas))) }
            }
            let made = Children(properties: PropertyTable(properties), additional: child(facts.additional, schemas),
                                items: child(facts.items, schemas))
            cached = made
            published.store(Unmanaged.passRetained(made), ordering: .releasing)
            return made
        }
    }

    deinit {
        published.load(ordering: .acquiring)?.release()
    }

    /// What `Schema.child` gives: nil past the nesting bound or when `raw` is no schema.
    private func child(_ raw: Value, _ schemas: OpenAPISchemas) -> CompiledSchema? {
        guard depth < 128, raw.isObject else { return nil }
        return schemas.compiledChild(raw, depth: depth + 1)
    }
}

extension OpenAPISchemas {
    /// The compiled root schema of `gvk` (built once per set of schemas), or nil when no
    /// definition claims the kind.
    func compiled(for gvk: GroupVersionKind) -> CompiledSchema? {
        if let hit = compiledCache.withLock({ $0.roots[gvk] }) { return hit }
        guard let schema = schema(for: gvk) else { return nil }
        let made = CompiledSchema(resolved: schema.node, depth: schema.depth)
        return compiledCache.withLock { cache in
            if let raced = cache.roots[gvk] { return raced }
            cache.roots[gvk] = made
            return made
        }
    }

    /// A compiled child node. A bare reference (`$ref` or a one-element `allOf`, with at most
    /// a description beside it, which resolution ignores) resolves the same way wherever it
    /// appears at one depth, so those nodes are shared; that also keeps recursive schemas
    /// (JSONSchemaProps) from growing a new node per path.
    func compiledChild(_ raw: Value, depth: Int) -> CompiledSchema {
        guard let ref = Self.bareReference(raw) else { return CompiledSchema(raw: raw, schemas: self, depth: depth) }
        let key = CompiledCache.RefKey(ref: ref, depth: depth)
        if let hit = compiledCache.withLock({ $0.refs[key] }) { return hit }
        let made = CompiledSchema(raw: raw, schemas: self, depth: depth)
        return compiledCache.withLock { cache in
            if let raced = cache.refs[key] { return raced }
            cache.refs[key] = made
            return made
        }
    }

    /// The reference of a node that is nothing but a reference (plus a description).
    static func bareReference(_ raw: Value) -> String? {
        guard case .object(let local) = raw else { return nil }
        var ref: String?
        for (key, value) in local {
            switch key {
            case "$ref":
                guard case .string(let r) = value else { return nil }
                ref = r
            case "allOf":
                guard case .array(let parts) = value, parts.count == 1, case .string(let r) = parts[0]["$ref"],
                    parts[0].count == 1
                else { return nil }
                ref = r
            case "description": continue
            default: return nil
            }
        }
        // `$ref` wins over `allOf` in resolution; both present is unusual enough to not share.
        if local["$ref"] != nil && local["allOf"] != nil { return nil }
        return ref
    }
}

/// The compiled nodes of one `OpenAPISchemas`, filled as kinds are validated.
struct CompiledCache: Sendable {
    struct RefKey: Hashable, Sendable {
        var ref: String
        var depth: Int
    }
    var roots: [GroupVersionKind: CompiledSchema] = [:]
    var refs: [RefKey: CompiledSchema] = [:]
}
