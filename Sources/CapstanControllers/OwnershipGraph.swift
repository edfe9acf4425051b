import CapstanModel

/// Owners and dependents across every resource, built from `metadata.ownerReferences`.
///
/// Nodes are objects by uid; an edge runs from a dependent to each owner it names. An owner
/// that a dependent names but that is not (yet) known is still a valid uid to ask about:
/// `node(uid)` is nil for it and `dependents(of:)` still answers. Used by the garbage collector
/// and by `capstan graph` (trees, GC previews, orphans).
///
/// A value type: copy it freely; whoever shares one across tasks protects it (the collector
/// keeps its copy behind a `Mutex`).
public struct OwnershipGraph: Sendable {
    /// Where an object lives and whom it names as owners.
    public struct Node: Sendable, Hashable {
        public var uid: String
        public var apiVersion: String
        public var kind: String
        public var resource: GroupVersionResource
        public var namespace: String?
        public var name: String
        public var owners: [OwnerReference]
        public var deleting: Bool
        public var finalizers: [String]
    }

    public private(set) var nodes: [String: Node] = [:]
    /// owner uid → dependent uids.
    private var dependentsByOwner: [String: Set<String>] = [:]

    public init() {}

    /// Builds a graph from objects (each with its resource).
    public init(objects: [(GroupVersionResource, Value)]) {
        for (r, o) in objects { upsert(o, resource: r) }
    }

    /// Adds or refreshes an object; returns the previous node.
    @discardableResult
    public mutating func upsert(_ object: Value, resource: GroupVersionResource) -> Node? {
        guard let uid = object.uid, !uid.isEmpty else { return nil }
        let node = Node(uid: uid, apiVersion: object.apiVersion ?? "", kind: object.kind ?? "", resource: resource,
                        namespace: object.namespace, name: object.name ?? "", owners: object.ownerReferences,
                        deleting: object.isBeingDeleted, finalizers: object.finalizers)
        let old = nodes[uid]
        if let old { for o in old.owners { dependentsByOwner[o.uid]?.remove(uid) } }
        nodes[uid] = node
        for o in node.owners { dependentsByOwner[o.uid, default: []].insert(uid) }
        return old
    }

    /// Drops an object; returns its node.
    @discardableResult
    public mutating func remove(uid: String) -> Node? {
        guard let old = nodes.removeValue(forKey: uid) else { return nil }
        for o in old.owners {
            dependentsByOwner[o.uid]?.remove(uid)
            if dependentsByOwner[o.uid]?.isEmpty == true { dependentsByOwner[o.uid] = nil }
        }
        return old
    }

    public func node(_ uid: String) -> Node? { nodes[uid] }

    /// Objects naming `uid` as an owner.
    public func dependents(of uid: String) -> [Node] {
        (dependentsByOwner[uid] ?? []).compactMap { nodes[$0] }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Objects whose every owner is unknown to the graph (candidates for collection).
    public var danglingDependents: [Node] {
        nodes.values.filter { !$0.owners.isEmpty && $0.owners.allSatisfy { nodes[$0.uid] == nil } }
            .sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Objects without owners: the roots of the forest.
    public var roots: [Node] {
        nodes.values.filter { $0.owners.isEmpty }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }

    /// Everything that would go with `uid` under background or foreground deletion (transitively,
    /// an object goes only when all its owners go). Bounded by the graph size.
    public func collectedWith(_ uid: String) -> [Node] {
        var gone: Set<String> = [uid]
        var changed = true
        var rounds = 0
        while changed && rounds <= nodes.count {
            changed = false
            rounds += 1
            for n in nodes.values where !gone.contains(n.uid) && !n.owners.isEmpty {
                if n.owners.allSatisfy({ gone.contains($0.uid) || nodes[$0.uid] == nil }) && n.owners.contains(where: { gone.contains($0.uid) }) {
                    gone.insert(n.uid)
                    changed = true
                }
            }
        }
        gone.remove(uid)
        return gone.compactMap { nodes[$0] }.sorted { ($0.kind, $0.name) < ($1.kind, $1.name) }
    }
}
