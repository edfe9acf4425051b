import CapstanAPI
import CapstanClient
import CapstanModel
import Synchronization

/// Empties a deleting namespace and then releases it.
///
/// The server marks a deleted namespace `Terminating` (deletionTimestamp set) and keeps it while
/// `spec.finalizers` holds `kubernetes`. This controller deletes every object of every
/// namespaced resource discovery lists (custom resources included), reporting
/// `NamespaceContentRemaining` / `NamespaceFinalizersRemaining` conditions while objects linger,
/// and once nothing is left removes `kubernetes` through the `finalize` subresource.
public final class NamespaceController: Controller {
    public static let finalizer = "kubernetes"
    public let name = "namespace"
    public let workers: Int
    let client: any Client
    private let refs = InformerRefs()

    public init(client: any Client, workers: Int = 2) {
        self.client = client
        self.workers = workers
    }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let namespaces = informers.informer(for: .namespaces)
        refs.set(primary: namespaces, pods: nil)
        namespaces.addEventHandler(.enqueue(into: queue))
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let informer = refs.primary, let ns = informer.cache.get(key: key), ns.isBeingDeleted else { return }
        let name = ns.name ?? key
        let specFinalizers = (ns["spec"]["finalizers"].arrayValue ?? []).compactMap(\.stringValue)
        guard specFinalizers.contains(Self.finalizer) else { return }
        let mapper = try await client.discover(refresh: true)
        var remaining = 0
        var withFinalizers: Set<String> = []
        var failures: [String] = []
        for info in mapper.preferredResources(supporting: ["list", "delete"]) where info.namespaced {
            let list: ObjectList
            do {
                list = try await client.listAll(info.gvr, namespace: name)
            } catch {
                if error.isNotFound || error.code == 405 { continue }
                failures.append("\(info.gvr.resource): \(error)")
                continue
            }
            for object in list.items {
                remaining += 1
                for f in object.finalizers { withFinalizers.insert(f) }
                if object.isBeingDeleted { continue }
                do {
                    _ = try await client.delete(info.gvr, namespace: name, name: object.name ?? "",
                                                options: DeleteOptions(propagationPolicy: .background,
                                                                       preconditions: Preconditions(uid: object.uid)))
                } catch {
                    if error.isNotFound || error.isConflict { continue }
                    failures.append("\(info.gvr.resource) \(object.name ?? ""): \(error)")
                }
            }
        }
        let now = Timestamp.now()
        var conditions = ns["status"]["conditions"].arrayValue ?? []
        setCondition(&conditions, type: "NamespaceDeletionContentFailure", status: failures.isEmpty ? "False" : "True",
                     reason: failures.isEmpty ? "ContentDeleted" : "ContentDeletionFailed",
                     message: failures.isEmpty ? "All content successfully deleted, may be waiting on finalization"
                         : "Failed to delete all resource types, \(failures.count) remaining: \(failures.joined(separator: ", "))",
                     now: now, withUpdateTime: false)
        setCondition(&conditions, type: "NamespaceContentRemaining", status: remaining > 0 ? "True" : "False",
                     reason: remaining > 0 ? "SomeResourcesRemain" : "ContentRemoved",
                     message: remaining > 0 ? "Some resources are remaining: \(remaining) objects" : "All content successfully removed",
                     now: now, withUpdateTime: false)
        setCondition(&conditions, type: "NamespaceFinalizersRemaining", status: withFinalizers.isEmpty ? "False" : "True",
                     reason: withFinalizers.isEmpty ? "ContentHasNoFinalizers" : "SomeFinalizersRemain",
                     message: withFinalizers.isEmpty ? "All content-preserving finalizers finished"
                         : "Some content in the namespace has finalizers remaining: \(withFinalizers.sorted().joined(separator: ", "))",
                     now: now, withUpdateTime: false)
        if .array(conditions) != ns["status"]["conditions"] {
            var updated = ns
            updated["status"]["conditions"] = .array(conditions)
            do {
                _ = try await client.updateStatus(.namespaces, namespace: nil, updated)
            } catch { guard error.isNotFound || error.isConflict else { throw error }; }
        }
        if remaining > 0 || !failures.isEmpty {
            queue.addAfter(key, .seconds(1))
            return
        }
        // Empty: drop our finalizer through `finalize` (re-read so the write is not stale).
        var live = try await client.get(.namespaces, namespace: nil, name: name)
        let rest = (live["spec"]["finalizers"].arrayValue ?? []).filter { $0.stringValue != Self.finalizer }
        live["spec"]["finalizers"] = .array(rest)
        do {
            _ = try await client.update(.namespaces, namespace: nil, live, subresource: "finalize", options: WriteOptions())
        } catch { guard error.isNotFound else { throw error }; }
    }
}

/// Makes sure every active namespace has a `default` ServiceAccount.
public final class ServiceAccountController: Controller {
    public static let resource = GroupVersionResource(group: "", version: "v1", resource: "serviceaccounts")
    public let name = "serviceaccount"
    public let workers: Int = 1
    let client: any Client
    private let refs = InformerRefs()

    public init(client: any Client) { self.client = client }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let namespaces = informers.informer(for: .namespaces)
        let accounts = informers.informer(for: Self.resource)
        refs.set(primary: namespaces, pods: accounts)
        namespaces.addEventHandler(EventHandler(onAdd: { queue.add($0.name ?? "") },
                                                onUpdate: { _, new in queue.add(new.name ?? "") }))
        accounts.addEventHandler(EventHandler(onDelete: { sa in
            if sa.name == "default", let ns = sa.namespace { queue.add(ns) }
        }))
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let namespaces = refs.primary, let accounts = refs.pods,
              let ns = namespaces.cache.get(key: key), !ns.isBeingDeleted,
              ns["status"]["phase"].stringValue != "Terminating"
        else { return }
        if accounts.cache.get(namespace: key, name: "default") != nil { return }
        let sa: Value = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "default", "namespace": .string(key)]]
        do {
            _ = try await client.create(Self.resource, namespace: key, sa)
        } catch {
            // Already there, or the namespace is going and refuses new objects: nothing to do.
            if error.isAlreadyExists || error.code == 403 || error.isNotFound { return }
            throw error
        }
    }
}
