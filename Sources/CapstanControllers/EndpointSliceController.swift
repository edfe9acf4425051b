import CapstanClient
import CapstanModel
import Synchronization

/// Maintains `discovery.k8s.io/v1` EndpointSlices for every Service with a selector: one slice
/// per distinct port list, labelled `kubernetes.io/service-name` and
/// `endpointslice.kubernetes.io/managed-by`, owned by the Service; endpoints carry
/// `conditions` ready/serving/terminating, `nodeName` and `targetRef`. Writes only changes;
/// deletes slices it manages that are no longer needed.
public final class EndpointSliceController: Controller {
    public static let serviceNameLabel = "kubernetes.io/service-name"
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    public static let managedBy = "endpointslice-controller.k8s.io"
    public static let resource = GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices")

    public let name = "endpointslice"
    public let workers: Int
    let client: any Client
    private let refs = InformerRefs()
    private let slices = Mutex<SharedInformer?>(nil)

    public init(client: any Client, workers: Int = 2) {
        self.client = client
        self.workers = workers
    }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let services = informers.informer(for: .services)
        let pods = informers.informer(for: .pods)
        let sliceInformer = informers.informer(for: Self.resource)
        sliceInformer.cache.addIndex("service") { s in
            guard let svc = s.labels[Self.serviceNameLabel] else { return [] }
            return [Indexer.key(namespace: s.namespace, name: svc)]
        }
        refs.set(primary: services, pods: pods)
        slices.withLock { $0 = sliceInformer }
        services.addEventHandler(.enqueue(into: queue))
        pods.addEventHandler(podHandler(services: services, queue: queue))
        sliceInformer.addEventHandler(EventHandler(onDelete: { s in
            if let svc = s.labels[Self.serviceNameLabel] { queue.add(Indexer.key(namespace: s.namespace, name: svc)) }
        }))
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let services = refs.primary, let pods = refs.pods, let sliceInformer = slices.withLock({ $0 }) else { return }
        let (namespace, name) = splitKey(key)
        let existing = sliceInformer.cache.byIndex("service", key)
            .filter { $0.labels[Self.managedByLabel] == Self.managedBy }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        guard let service = services.cache.get(key: key), !(service["spec"]["selector"].objectValue ?? [:]).isEmpty,
              !service.isBeingDeleted
        else {
            return  // Slices of a deleted Service go with it through their owner reference.
        }
        let backends = ServiceBackends(service: service, pods: pods.cache.list(namespace: namespace ?? "default"))
        var desired: [(ports: Value, endpoints: Value)] = backends.groups.map { group in
            let ports = Value.array(group.ports.map { p in
                var v: Value = ["name": .string(p.name ?? ""), "port": .int(Int64(p.port)), "protocol": .string(p.proto)]
                if !p.appProtocol.isNull { v["appProtocol"] = p.appProtocol }
                return v
            })
            let endpoints = Value.array(group.addresses.map { a in
                var e: Value = ["addresses": [.string(a.ip)],
                                "conditions": ["ready": .bool(a.ready), "serving": .bool(PodState.isReady(a.pod) || a.ready),
                                               "terminating": .bool(a.terminating)]]
                if let node = a.pod["spec"]["nodeName"].stringValue, !node.isEmpty { e["nodeName"] = .string(node) }
                e["targetRef"] = ServiceBackends.targetRef(a.pod)
                return e
            })
            return (ports, endpoints)
        }
        if desired.isEmpty {
            // Kubernetes keeps one (empty) slice so consumers can tell "no endpoints" from "unknown".
            let ports = Value.array((service["spec"]["ports"].arrayValue ?? []).map { sp in
                ["name": .string(sp["name"].stringValue ?? ""), "port": .int(sp["targetPort"].intValue ?? sp["port"].intValue ?? 0),
                 "protocol": .string(sp["protocol"].stringValue ?? "TCP")]
            })
            desired = [(ports, .array([]))]
        }
        let labels: Value = {
            var l: Value = service["metadata"]["labels"].isNull ? .object([:]) : service["metadata"]["labels"]
            l[Self.serviceNameLabel] = .string(name)
            l[Self.managedByLabel] = .string(Self.managedBy)
            return l
        }()
        let owner = OwnerReference(apiVersion: "v1", kind: "Service", name: name, uid: service.uid ?? "",
                                   controller: true, blockOwnerDeletion: true)
        for (i, want) in desired.enumerated() {
            if i < existing.count {
                var slice = existing[i]
                let before = slice
                slice["ports"] = want.ports
                slice["endpoints"] = want.endpoints
                slice["metadata"]["labels"] = labels
                if slice == before { continue }
                _ = try await client.update(Self.resource, namespace: namespace, slice)
            } else {
                let slice: Value = [
                    "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                    "metadata": ["generateName": .string("\(name)-"), "namespace": .string(namespace ?? "default"),
                                 "labels": labels, "ownerReferences": [owner.value]],
                    "addressType": "IPv4", "ports": want.ports, "endpoints": want.endpoints,
                ]
                _ = try await client.create(Self.resource, namespace: namespace, slice)
            }
        }
        for extra in existing.dropFirst(desired.count) {
            do {
                _ = try await client.delete(Self.resource, namespace: namespace, name: extra.name ?? "")
            } catch { guard error.isNotFound else { throw error }; }
        }
    }
}
