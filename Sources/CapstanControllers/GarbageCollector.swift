import CapstanAPI
import CapstanClient
import CapstanModel
import Synchronization

/// Deletes objects whose owners are gone, and carries out foreground and orphan deletion.
///
/// It watches every resource discovery lists (custom resources included, at their preferred
/// versions) into an `OwnershipGraph`. A CRD added or changed later queues `discoveryKey`:
/// discovery is read again and every new resource gets its informer (retried with back-off
/// until the CRD's resource shows up, since the server may serve it a moment after the CRD
/// event). Other work keys are uids:
/// - an owner being deleted with the `orphan` finalizer: its uid is removed from every
///   dependent's ownerReferences, then the finalizer;
/// - an owner being deleted with `foregroundDeletion`: its dependents are deleted (foreground
///   too), and once none with `blockOwnerDeletion` remains, the finalizer is removed;
/// - any other object with owners: when no owner is alive it is deleted (foreground when an
///   owner waits on it in foreground deletion, else background). An owner missing from the
///   graph is confirmed absent with a live GET (404, or a different uid) before anything is
///   deleted; the delete carries a uid precondition. Owners that are gone are dropped from the
///   references of a dependent that still has a live owner.
public final class GarbageCollector: Controller {
    public static let foregroundFinalizer = "foregroundDeletion"
    public static let orphanFinalizer = "orphan"
    public let name = "garbagecollector"
    public let workers: Int
    let client: any Client
    private let graph = Mutex(OwnershipGraph())
    private let informers = Mutex<[GroupVersionResource: SharedInformer]>([:])
    private let mapper = Mutex<RESTMapper?>(nil)
    /// The factory and queue from `setUp`, for resources discovered later.
    private let wiring = Mutex<(InformerFactory, WorkQueue<String>)?>(nil)
    /// The work key that asks for a discovery refresh (never a uid).
    static let discoveryKey = "discovery:refresh"
    static let crdResource = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
    /// Resources not worth watching for ownership (high churn, never owned).
    static let ignored: Set<String> = ["events", "events.events.k8s.io"]

    public init(client: any Client, workers: Int = 4) {
        self.client = client
        self.workers = workers
    }

    /// A copy of the current graph (for `capstan graph` or tests).
    public var snapshot: OwnershipGraph { graph.withLock { $0 } }

    public func setUp(informers factory: InformerFactory, queue: WorkQueue<String>) async throws {
        wiring.withLock { $0 = (factory, queue) }
        let discovered = try await client.discover(refresh: true)
        mapper.withLock { $0 = discovered }
        for info in discovered.preferredResources(supporting: ["list", "watch", "delete"]) {
            _ = watch(info, factory: factory, queue: queue)
        }
        factory.informer(for: Self.crdResource).addEventHandler(EventHandler(
            onAdd: { _ in queue.add(Self.discoveryKey) },
            onUpdate: { old, new in if old["spec"] != new["spec"] || old["status"] != new["status"] { queue.add(Self.discoveryKey) } }))
    }

    /// Starts following one resource into the graph; returns the informer when it is new.
    private func watch(_ info: ResourceInfo, factory: InformerFactory, queue: WorkQueue<String>) -> SharedInformer? {
        let gr = info.gvr.group.isEmpty ? info.plural : "\(info.plural).\(info.gvr.group)"
        if Self.ignored.contains(gr) { return nil }
        let added = informers.withLock { map -> SharedInformer? in
            if map.keys.contains(where: { $0.group == info.gvr.group && $0.resource == info.gvr.resource }) { return nil }
            let informer = factory.informer(for: info.gvr)
            map[info.gvr] = informer
            return informer
        }
        guard let informer = added else { return nil }
        let resource = info.gvr
        informer.addEventHandler(EventHandler(
            onAdd: { [self] o in observe(o, resource: resource, queue: queue) },
            onUpdate: { [self] old, new in
                if old == new, new.ownerReferences.isEmpty, !new.isBeingDeleted { return }
                observe(new, resource: resource, queue: queue)
            },
            onDelete: { [self] o in
                guard let uid = o.uid else { return }
                let (removed, dependents) = graph.withLock { g in (g.remove(uid: uid), g.dependents(of: uid)) }
                for d in dependents { queue.add(d.uid) }
                // An owner in foreground deletion may be waiting for this one.
                for owner in removed?.owners ?? [] { queue.add(owner.uid) }
            }))
        return informer
    }

    /// Watches the resources of CRDs created since the last discovery. Throws (to retry with
    /// back-off) while an established CRD's resource is not yet discoverable.
    private func discoverNewResources() async throws {
        guard let (factory, queue) = wiring.withLock({ $0 }) else { return }
        let crds = factory.informer(for: Self.crdResource).cache.list()
        let watched = informers.withLock { Set($0.keys.map { "\($0.resource).\($0.group)" }) }
        let missing = crds.compactMap { crd -> String? in
            guard let group = crd["spec"]["group"].stringValue, let plural = crd["spec"]["names"]["plural"].stringValue,
                  !crd.isBeingDeleted else { return nil }
            return watched.contains("\(plural).\(group)") ? nil : "\(plural).\(group)"
        }
        guard !missing.isEmpty else { return }
        let discovered = try await client.discover(refresh: true)
        mapper.withLock { $0 = discovered }
        var added: Set<String> = []
        for info in discovered.preferredResources(supporting: ["list", "watch", "delete"]) {
            if let informer = watch(info, factory: factory, queue: queue) {
                informer.start()
                added.insert("\(info.gvr.resource).\(info.gvr.group)")
            }
        }
        let stillMissing = missing.filter { !added.contains($0) }
        if !stillMissing.isEmpty {
            throw APIError.local(.request, "custom resources not yet discoverable: \(stillMissing.joined(separator: ", "))")
        }
    }

    private func observe(_ object: Value, resource: GroupVersionResource, queue: WorkQueue<String>) {
        guard let uid = object.uid else { return }
        let old = graph.withLock { $0.upsert(object, resource: resource) }
        if !object.ownerReferences.isEmpty || object.isBeingDeleted { queue.add(uid) }
        if let old, old.owners != object.ownerReferences { for o in old.owners { queue.add(o.uid) } }
        if object.isBeingDeleted { for o in object.ownerReferences { queue.add(o.uid) } }
    }

    private func cached(_ node: OwnershipGraph.Node) -> Value? {
        informers.withLock { $0[node.resource] }?.cache.get(namespace: node.namespace, name: node.name)
    }

    public func reconcile(_ uid: String, queue: WorkQueue<String>) async throws {
        if uid == Self.discoveryKey { return try await discoverNewResources() }
        guard let node = graph.withLock({ $0.node(uid) }) else { return }
        if node.deleting && node.finalizers.contains(Self.orphanFinalizer) {
            try await orphanDependents(of: node)
            return
        }
        if node.deleting && node.finalizers.contains(Self.foregroundFinalizer) {
            try await deleteDependentsInForeground(of: node, queue: queue)
            return
        }
        if !node.owners.isEmpty { try await collectIfOwnerless(node) }
    }

    // MARK: - Orphan

    private func orphanDependents(of owner: OwnershipGraph.Node) async throws {
        for dependent in graph.withLock({ $0.dependents(of: owner.uid) }) {
            try await removeOwnerReferences(from: dependent, uids: [owner.uid])
        }
        try await removeFinalizer(Self.orphanFinalizer, from: owner)
    }

    // MARK: - Foreground

    private func deleteDependentsInForeground(of owner: OwnershipGraph.Node, queue: WorkQueue<String>) async throws {
        let dependents = graph.withLock { $0.dependents(of: owner.uid) }
        var blocking = 0
        for dependent in dependents {
            let blocks = dependent.owners.first { $0.uid == owner.uid }?.blockOwnerDeletion ?? false
            if blocks { blocking += 1 }
            if dependent.deleting { continue }
            // A dependent with another live owner only loses this reference.
            let others = dependent.owners.filter { $0.uid != owner.uid }
            if try await hasLiveOwner(dependent, among: others) {
                try await removeOwnerReferences(from: dependent, uids: [owner.uid])
                continue
            }
            try await delete(dependent, policy: .foreground)
        }
        if blocking == 0 {
            try await removeFinalizer(Self.foregroundFinalizer, from: owner)
        } else {
            queue.addAfter(owner.uid, .seconds(2))  // a safety net besides the delete events
        }
    }

    // MARK: - Collection of dependents

    private func collectIfOwnerless(_ node: OwnershipGraph.Node) async throws {
        var alive: [OwnerReference] = []
        var gone: [OwnerReference] = []
        var waiting: [OwnerReference] = []
        for ref in node.owners {
            switch try await ownerState(ref, dependent: node) {
            case .alive: alive.append(ref)
            case .gone: gone.append(ref)
            case .foregroundDeleting: waiting.append(ref)
            }
        }
        if !alive.isEmpty {
            if !gone.isEmpty { try await removeOwnerReferences(from: node, uids: Set(gone.map(\.uid))) }
            return
        }
        if !waiting.isEmpty {
            if !node.deleting, waiting.contains(where: \.blockOwnerDeletion) {
                try await delete(node, policy: .foreground)
            } else if !node.deleting {
                try await delete(node, policy: .background)
            }
            return
        }
        if !node.deleting { try await delete(node, policy: .background) }
    }

    enum OwnerState { case alive, gone, foregroundDeleting }

    /// Reads the owner from the graph, or — when the graph has no such uid — from the server.
    private func ownerState(_ ref: OwnerReference, dependent: OwnershipGraph.Node) async throws -> OwnerState {
        if let owner = graph.withLock({ $0.node(ref.uid) }) {
            if owner.deleting && owner.finalizers.contains(Self.foregroundFinalizer) { return .foregroundDeleting }
            return .alive
        }
        let gvk = GroupVersionKind(apiVersion: ref.apiVersion, kind: ref.kind)
        let known = mapper.withLock { $0 }
        var found = known?.mapping(for: gvk)
        if found == nil { found = try? await client.mapping(for: gvk) }
        guard let info = found else {
            return .alive  // unknown kind: never collect on a guess
        }
        do {
            let live = try await client.get(info.gvr, namespace: info.namespaced ? dependent.namespace : nil, name: ref.name)
            if live.uid != ref.uid { return .gone }
            if live.isBeingDeleted && live.finalizers.contains(Self.foregroundFinalizer) { return .foregroundDeleting }
            return .alive
        } catch { guard error.isNotFound else { throw error }; 
            return .gone
        }
    }

    private func hasLiveOwner(_ node: OwnershipGraph.Node, among refs: [OwnerReference]) async throws -> Bool {
        for ref in refs where try await ownerState(ref, dependent: node) == .alive { return true }
        return false
    }

    // MARK: - Writes

    private func delete(_ node: OwnershipGraph.Node, policy: PropagationPolicy) async throws {
        do {
            _ = try await client.delete(node.resource, namespace: node.namespace, name: node.name,
                                        options: DeleteOptions(propagationPolicy: policy, preconditions: Preconditions(uid: node.uid)))
        } catch { guard error.isNotFound || error.isConflict else { throw error }; }
    }

    private func removeOwnerReferences(from node: OwnershipGraph.Node, uids: Set<String>) async throws {
        for _ in 0..<5 {
            var live: Value
            do {
                live = try await client.get(node.resource, namespace: node.namespace, name: node.name)
            } catch { guard error.isNotFound else { throw error };  return }
            guard live.uid == node.uid else { return }
            let refs = live["metadata"]["ownerReferences"].arrayValue ?? []
            let kept = refs.filter { !uids.contains($0["uid"].stringValue ?? "") }
            if kept.count == refs.count { return }
            if kept.isEmpty { _ = live["metadata"].removeValue(forKey: "ownerReferences") } else { live["metadata"]["ownerReferences"] = .array(kept) }
            do {
                _ = try await client.update(node.resource, namespace: node.namespace, live)
                return
            } catch {
                if error.isConflict { continue }
                if error.isNotFound { return }
                throw error
            }
        }
        throw APIError.local(.request, "ownerReferences of \(node.kind) \(node.name): too many conflicts")
    }

    private func removeFinalizer(_ finalizer: String, from node: OwnershipGraph.Node) async throws {
        for _ in 0..<5 {
            var live: Value
            do {
                live = try await client.get(node.resource, namespace: node.namespace, name: node.name)
            } catch { guard error.isNotFound else { throw error };  return }
            guard live.uid == node.uid else { return }
            let finalizers = live.finalizers
            guard finalizers.contains(finalizer) else { return }
            live["metadata"]["finalizers"] = .array(finalizers.filter { $0 != finalizer }.map(Value.string))
            do {
                _ = try await client.update(node.resource, namespace: node.namespace, live)
                return
            } catch {
                if error.isConflict { continue }
                if error.isNotFound { return }
                throw error
            }
        }
        throw APIError.local(.request, "finalizers of \(node.kind) \(node.name): too many conflicts")
    }
}
