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
/// Walking without reference counts: every core validates over the same nodes at once, and a
/// retain or release of a shared node is an atomic write to a cache line the other cores write
/// too (contended, far slower than its instruction count). So the walk holds nodes as
/// `Unmanaged` references and reads them only as trivial values (`WalkFacts`, `ChildView`:
/// flags, unmanaged references and pointers into buffers a node owns), which copy without
/// touching any count. What keeps them alive is strong and never changes while the walk runs:
/// the `OpenAPISchemas` holds every root and every shared node (`compiledCache`), a node holds
/// its `Children` (one retain in `published`), and `Children` holds every child node its view
/// points to (`owned`); children are made once and never replaced or freed before their
/// parent. A walk starts from a root the `OpenAPISchemas` owns (`compiledRoot(for:)`; the
/// validator holds the catalogue, and so the set, strongly while it walks) or from one the
/// walker holds itself, so every node it reaches lives until the walk returns.
///
/// Concurrency: everything but `children` is immutable; `children` is filled once, under its
/// `Mutex`, the first time any task asks for a child, and then published (`PublishedOnce`) so
/// later reads (one per validated object node) take no lock. Nodes hold no reference to their
/// `OpenAPISchemas` (which holds them), so dropping a catalogue frees its nodes.
final class CompiledSchema: Sendable {
    let node: Value
    let facts: NodeFacts
    /// What the walk reads of `facts` at every node, as a trivial value; its `required` buffer
    /// belongs to this node (freed in `deinit`).
    let walk: WalkFacts
    /// The depth `Schema` would have here (bounds resolution at 64 and nesting at 128).
    let depth: Int
    private let children = Mutex<Children?>(nil)
    /// `children` once made, stored (releasing) under the lock and read (acquiring) without it.
    /// Holds one retain of its own, given back in `deinit`.
    private let published = PublishedOnce<Children>()

    /// The owner of a node's children: strong references to every child node, and the buffers
    /// `view` points into (freed in `deinit`). A class, so it is made once and shared.
    final class Children: Sendable {
        /// Every child node `view` refers to, held strongly for as long as this lives.
        private let owned: [CompiledSchema?]
        let view: ChildView

        init(properties: [(key: String, schema: CompiledSchema?)], additional: CompiledSchema?, items: CompiledSchema?) {
            owned = properties.map(\.schema) + [additional, items]
            view = ChildView(
                properties: PropertyTable(properties), additional: additional.map { Unmanaged.passUnretained($0) },
                items: items.map { Unmanaged.passUnretained($0) })
        }

        deinit { view.properties.free() }
    }

    init(resolved node: Value, depth: Int) {
        self.node = node
        self.facts = NodeFacts(node)
        self.walk = WalkFacts(facts)
        self.depth = depth
    }

    /// The node for the raw (unresolved) schema `raw`, `depth` deep.
    convenience init(raw: Value, schemas: OpenAPISchemas, depth: Int) {
        self.init(resolved: schemas.resolve(raw, depth: depth), depth: depth)
    }

    /// The children, resolved (against `schemas`, the set this node came from) the first
    /// time they are asked for. The view is valid while this node lives.
    func children(in schemas: OpenAPISchemas) -> ChildView {
        if let view = published.withPublished({ $0.view }) { return view }
        return children.withLock { cached in
            if let cached { return cached.view }
            var properties: [(key: String, schema: CompiledSchema?)] = []
            if let declared = facts.properties {
                properties.reserveCapacity(declared.count)
                for (key, raw) in declared { properties.append((key, child(raw, schemas))) }
            }
            let made = Children(properties: properties, additional: child(facts.additional, schemas),
                                items: child(facts.items, schemas))
            cached = made
            return published.publish(made).view
        }
    }

    deinit {
        walk.required.free()
    }

    /// What `Schema.child` gives: nil past the nesting bound or when `raw` is no schema.
    private func child(_ raw: Value, _ schemas: OpenAPISchemas) -> CompiledSchema? {
        guard depth < 128, raw.isObject else { return nil }
        return schemas.compiledChild(raw, depth: depth + 1)
    }
}

/// A compiled node as the walk passes it down: no retain or release. Valid while the node's
/// owners hold it (see `CompiledSchema`): for a walk, while the `OpenAPISchemas` it came from
/// (or the root the walker made and holds itself) lives.
typealias NodeRef = Unmanaged<CompiledSchema>

extension Unmanaged where Instance == CompiledSchema {
    /// The node's walk facts (a trivial copy).
    var walk: WalkFacts { _withUnsafeGuaranteedRef { $0.walk } }

    /// The node's children (a trivial copy), made on first use.
    func children(in schemas: OpenAPISchemas) -> ChildView {
        _withUnsafeGuaranteedRef { $0.children(in: schemas) }
    }

    /// `body` with the node's raw schema, borrowed (not copied out of the shared node).
    func withNode<R>(_ body: (Value) -> R) -> R { _withUnsafeGuaranteedRef { body($0.node) } }
}

/// A node's children as the walk reads them: trivial, pointing into buffers and nodes its
/// `CompiledSchema.Children` owns.
struct ChildView: Sendable {
    /// Every declared property; nil for one whose schema is no object or lies past the depth bound.
    let properties: PropertyTable
    let additional: NodeRef?
    let items: NodeRef?
}

/// The facts of `NodeFacts` the walk reads at every node, trivial to copy out of a shared node.
struct WalkFacts: Sendable {
    let kind: NodeFacts.Kind
    let format: NodeFacts.Format
    let intOrString: Bool
    let embedded: Bool
    let hasEnum: Bool
    let hasLimits: Bool
    let openEnded: Bool
    let declaresObject: Bool
    /// `NodeFacts.requiredNames`, owned by the node (which frees it).
    let required: FrozenBuffer<String>

    init(_ facts: NodeFacts) {
        kind = facts.kind
        format = facts.format
        intOrString = facts.intOrString
        embedded = facts.embedded
        hasEnum = facts.hasEnum
        hasLimits = facts.hasLimits
        openEnded = facts.openEnded
        declaresObject = facts.declaresObject
        required = FrozenBuffer(facts.requiredNames)
    }
}

/// An immutable buffer owned by one object, which calls `free()` once in its `deinit`. Copies
/// are views (a pointer and a count, no reference count) and valid while the owner lives;
/// nothing writes the elements after `init`, so views may be read from any thread.
struct FrozenBuffer<Element>: @unchecked Sendable {
    let elements: UnsafeBufferPointer<Element>

    init(_ array: [Element]) {
        let memory = UnsafeMutableBufferPointer<Element>.allocate(capacity: array.count)
        _ = memory.initialize(fromContentsOf: array)
        elements = UnsafeBufferPointer(memory)
    }

    var count: Int { elements.count }

    /// Called once, by the owner.
    func free() {
        let memory = UnsafeMutableBufferPointer(mutating: elements)
        memory.deinitialize()
        memory.deallocate()
    }
}

extension OpenAPISchemas {
    /// The compiled root schema of `gvk` (built once per set of schemas), or nil when no
    /// definition claims the kind.
    func compiled(for gvk: GroupVersionKind) -> CompiledSchema? {
        compiledRoot(for: gvk)?.takeUnretainedValue()
    }

    /// `compiled(for:)` for the walk: the root unmanaged, so asking for it touches no reference
    /// count of the shared node. Valid while this set lives (the cache never lets a root go).
    func compiledRoot(for gvk: GroupVersionKind) -> NodeRef? {
        if let hit = compiledCache.withLock({ $0.rootRefs[gvk] }) { return hit }
        guard let schema = schema(for: gvk) else { return nil }
        let made = CompiledSchema(resolved: schema.node, depth: schema.depth)
        return compiledCache.withLock { cache in
            if let raced = cache.rootRefs[gvk] { return raced }
            cache.roots[gvk] = made
            let ref = NodeRef.passUnretained(made)
            cache.rootRefs[gvk] = ref
            return ref
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
    /// Owns the roots; nothing is ever removed.
    var roots: [GroupVersionKind: CompiledSchema] = [:]
    /// The same roots unmanaged (a lookup copies no reference), kept alive by `roots`.
    var rootRefs: [GroupVersionKind: NodeRef] = [:]
    var refs: [RefKey: CompiledSchema] = [:]
}
