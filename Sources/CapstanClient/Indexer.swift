import CapstanModel
import Synchronization

/// An informer's cache: objects by key (`namespace/name`, or `name` when cluster-scoped) with
/// secondary indexes computed by index functions.
///
/// Thread-safe: all state sits behind one `Mutex`, so readers on any task see a consistent
/// snapshot of items and indexes (an update changes both under the same lock). Reads return
/// `Value`s, which are immutable copies; callers never see later changes through them.
public final class Indexer: Sendable {
    /// Values an object is indexed under (may be several, e.g. one per owner).
    public typealias IndexFunction = @Sendable (Value) -> [String]

    private struct State {
        var items: [String: Value] = [:]
        var functions: [String: IndexFunction] = [:]
        /// index name → index value → keys.
        var indices: [String: [String: Set<String>]] = [:]

        mutating func unindex(_ key: String, _ object: Value) {
            for (name, fn) in functions {
                for v in fn(object) {
                    indices[name]?[v]?.remove(key)
                    if indices[name]?[v]?.isEmpty == true { indices[name]?[v] = nil }
                }
            }
        }

        mutating func index(_ key: String, _ object: Value) {
            for (name, fn) in functions {
                for v in fn(object) { indices[name, default: [:]][v, default: []].insert(key) }
            }
        }
    }

    private let state = Mutex(State())

    /// Starts with the namespace index (`Indexer.namespaceIndex`); add others with `addIndex`.
    public init() {
        addIndex(Indexer.namespaceIndex, Indexer.byNamespace)
    }

    // MARK: - Keys and standard index functions

    /// `namespace/name`, or `name` for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).
    public static func key(of object: Value) -> String {
        key(namespace: object.namespace, name: object.name ?? "")
    }

    public static func key(namespace: String?, name: String) -> String {
        if let namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }

    public static let namespaceIndex = "namespace"
    public static let ownerUIDIndex = "ownerUID"
    public static let labelIndex = "label"

    public static let byNamespace: IndexFunction = { object in [object.namespace ?? ""] }
    /// One value per owner reference: the owner's UID.
    public static let byOwnerUID: IndexFunction = { object in
        (object["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue }
    }
    /// One value per label: `key=value`.
    public static let byLabel: IndexFunction = { object in object.labels.map { "\($0.key)=\($0.value)" } }

    // MARK: - Writes (by the informer)

    /// Adds an index; existing items are indexed at once.
    public func addIndex(_ name: String, _ function: @escaping IndexFunction) {
        state.withLock { s in
            s.functions[name] = function
            var index: [String: Set<String>] = [:]
            for (key, object) in s.items {
                for v in function(object) { index[v, default: []].insert(key) }
            }
            s.indices[name] = index
        }
    }

    /// Stores `object` under its key; returns the object it replaced.
    @discardableResult
    public func upsert(_ object: Value) -> Value? {
        let key = Indexer.key(of: object)
        return state.withLock { s in
            let old = s.items[key]
            if let old { s.unindex(key, old) }
            s.items[key] = object
            s.index(key, object)
            return old
        }
    }

    /// Removes the object with `object`'s key; returns what was stored.
    @discardableResult
    public func remove(_ object: Value) -> Value? {
        let key = Indexer.key(of: object)
        return state.withLock { s in
            guard let old = s.items.removeValue(forKey: key) else { return nil }
            s.unindex(key, old)
            return old
        }
    }

    /// Replaces everything with `objects` (a relist); returns what changed:
    /// added, updated (old, new) and removed objects.
    public func replace(_ objects: [Value]) -> (added: [Value], updated: [(Value, Value)], removed: [Value]) {
        state.withLock { s in
            var fresh: [String: Value] = [:]
            for o in objects { fresh[Indexer.key(of: o)] = o }
            var added: [Value] = [], updated: [(Value, Value)] = [], removed: [Value] = []
            for (key, old) in s.items where fresh[key] == nil { removed.append(old) }
            for o in objects {
                let key = Indexer.key(of: o)
                if let old = s.items[key] { updated.append((old, o)) } else { added.append(o) }
            }
            s.items = fresh
            var indices: [String: [String: Set<String>]] = [:]
            for (name, fn) in s.functions {
                var index: [String: Set<String>] = [:]
                for (key, object) in fresh { for v in fn(object) { index[v, default: []].insert(key) } }
                indices[name] = index
            }
            s.indices = indices
            return (added, updated, removed)
        }
    }

    // MARK: - Reads

    public func get(key: String) -> Value? { state.withLock { $0.items[key] } }

    public func get(namespace: String?, name: String) -> Value? {
        get(key: Indexer.key(namespace: namespace, name: name))
    }

    public func list() -> [Value] { state.withLock { Array($0.items.values) } }

    public func keys() -> [String] { state.withLock { Array($0.items.keys) } }

    public var count: Int { state.withLock { $0.items.count } }

    /// Objects whose index function produced `value` for index `name` (empty for unknown indexes).
    public func byIndex(_ name: String, _ value: String) -> [Value] {
        state.withLock { s in
            (s.indices[name]?[value] ?? []).compactMap { s.items[$0] }
        }
    }

    /// Objects in `namespace`.
    public func list(namespace: String) -> [Value] { byIndex(Indexer.namespaceIndex, namespace) }

    /// Objects matching `selector`, optionally in one namespace (a scan of that namespace).
    public func list(namespace: String? = nil, selector: LabelSelector) -> [Value] {
        let candidates = namespace.map { list(namespace: $0) } ?? list()
        return candidates.filter { selector.matches(object: $0) }
    }
}
