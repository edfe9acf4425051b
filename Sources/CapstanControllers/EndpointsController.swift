import CapstanClient
import CapstanModel
import Synchronization

/// The pods behind a Service, shared by the Endpoints and EndpointSlice controllers.
struct ServiceBackends {
    struct Address: Hashable {
        var ip: String
        var pod: Value
        var ready: Bool
        var terminating: Bool
    }
    struct Port: Hashable {
        var name: String?
        var port: Int
        var proto: String
        var appProtocol: Value
    }
    /// Subsets: one per distinct resolved port list.
    var groups: [(ports: [Port], addresses: [Address])] = []

    /// Matches `service`'s selector against `pods`; resolves each service port's `targetPort`
    /// (number, or a container port name on the pod).
    init(service: Value, pods: [Value]) {
        let selectorLabels = service["spec"]["selector"].objectValue ?? [:]
        let selector = LabelSelector(matchLabels: selectorLabels.reduce(into: [:]) { $0[$1.key] = $1.value.stringValue ?? "" })
        let publishNotReady = service["spec"]["publishNotReadyAddresses"].boolValue == true
        let servicePorts = service["spec"]["ports"].arrayValue ?? []
        var byPorts: [[Port]: [Address]] = [:]
        var order: [[Port]] = []
        for pod in pods.sorted(by: { ($0.name ?? "") < ($1.name ?? "") }) where selector.matches(object: pod) {
            guard let ip = pod["status"]["podIP"].stringValue, !ip.isEmpty else { continue }
            let phase = pod["status"]["phase"].stringValue
            if phase == "Succeeded" || phase == "Failed" { continue }
            let terminating = pod.isBeingDeleted
            let ready = (PodState.isReady(pod) || publishNotReady) && !terminating
            var ports: [Port] = []
            for sp in servicePorts {
                guard let resolved = Self.resolve(sp["targetPort"].isNull ? sp["port"] : sp["targetPort"], pod: pod) else { continue }
                ports.append(Port(name: sp["name"].stringValue, port: resolved, proto: sp["protocol"].stringValue ?? "TCP",
                                  appProtocol: sp["appProtocol"]))
            }
            let address = Address(ip: ip, pod: pod, ready: ready, terminating: terminating)
            if byPorts[ports] == nil { order.append(ports) }
            byPorts[ports, default: []].append(address)
        }
        groups = order.map { ($0, byPorts[$0] ?? []) }
    }

    static func resolve(_ target: Value, pod: Value) -> Int? {
        if let n = target.intValue { return Int(n) }
        guard let name = target.stringValue else { return nil }
        if let n = Int(name) { return n }
        for c in pod["spec"]["containers"].arrayValue ?? [] {
            for p in c["ports"].arrayValue ?? [] where p["name"].stringValue == name {
                return p["containerPort"].intValue.map(Int.init)
            }
        }
        return nil
    }

    static func targetRef(_ pod: Value) -> Value {
        ["kind": "Pod", "namespace": .string(pod.namespace ?? ""), "name": .string(pod.name ?? ""), "uid": .string(pod.uid ?? "")]
    }
}

/// Maintains an Endpoints object (same name) for every Service with a selector: Ready pods in
/// `addresses`, the others in `notReadyAddresses` (all in `addresses` with
/// `publishNotReadyAddresses`). Writes only when the subsets changed.
public final class EndpointsController: Controller {
    public let name = "endpoints"
    public let workers: Int
    let client: any Client
    private let refs = InformerRefs()
    private let endpoints = Mutex<SharedInformer?>(nil)

    public init(client: any Client, workers: Int = 2) {
        self.client = client
        self.workers = workers
    }

    public func setUp(informers: InformerFactory, queue: WorkQueue<String>) async throws {
        let services = informers.informer(for: .services)
        let pods = informers.informer(for: .pods)
        let eps = informers.informer(for: .endpoints)
        refs.set(primary: services, pods: pods)
        endpoints.withLock { $0 = eps }
        services.addEventHandler(.enqueue(into: queue))
        pods.addEventHandler(podHandler(services: services, queue: queue))
        eps.addEventHandler(EventHandler(onDelete: { queue.add(Indexer.key(of: $0)) }))
    }

    public func reconcile(_ key: String, queue: WorkQueue<String>) async throws {
        guard let services = refs.primary, let pods = refs.pods, let eps = endpoints.withLock({ $0 }) else { return }
        let (namespace, name) = splitKey(key)
        guard let service = services.cache.get(key: key), !service["spec"]["selector"].isNull,
              !(service["spec"]["selector"].objectValue ?? [:]).isEmpty
        else {
            return  // No selector: Endpoints are the user's (or go with the Service through the GC).
        }
        if service.isBeingDeleted { return }
        let backends = ServiceBackends(service: service, pods: pods.cache.list(namespace: namespace ?? "default"))
        var subsets: [Value] = []
        for group in backends.groups {
            func address(_ a: ServiceBackends.Address) -> Value {
                var v: Value = ["ip": .string(a.ip)]
                if let node = a.pod["spec"]["nodeName"].stringValue, !node.isEmpty { v["nodeName"] = .string(node) }
                v["targetRef"] = ServiceBackends.targetRef(a.pod)
                return v
            }
            // Kubernetes repacks subsets with addresses ordered by IP (bytewise), then pod UID.
            let sorted = group.addresses.sorted {
                ($0.ip.utf8Precedes($1.ip)) ||
                    ($0.ip == $1.ip && ($0.pod.uid ?? "") < ($1.pod.uid ?? ""))
            }
            let ready = sorted.filter(\.ready).map(address)
            let notReady = sorted.filter { !$0.ready && !$0.terminating }.map(address)
            if ready.isEmpty && notReady.isEmpty { continue }
            var subset: Value = .object([:])
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            subset["ports"] = .array(group.ports.map { p in
                var v: Value = ["port": .int(Int64(p.port)), "protocol": .string(p.proto)]
                if let n = p.name { v["name"] = .string(n) }
                if !p.appProtocol.isNull { v["appProtocol"] = p.appProtocol }
                return v
            })
            subsets.append(subset)
        }
        let labels = service["metadata"]["labels"]
        if var existing = eps.cache.get(key: key) {
            let currentSubsets = existing["subsets"].arrayValue ?? []
            if currentSubsets == subsets && existing["metadata"]["labels"] == labels { return }
            existing["subsets"] = subsets.isEmpty ? .null : .array(subsets)
            existing["metadata"]["labels"] = labels
            _ = try await client.update(.endpoints, namespace: namespace, existing)
        } else {
            var metadata: Value = ["name": .string(name), "namespace": .string(namespace ?? "default")]
            if !labels.isNull { metadata["labels"] = labels }
            var object: Value = ["apiVersion": "v1", "kind": "Endpoints", "metadata": metadata]
            if !subsets.isEmpty { object["subsets"] = .array(subsets) }
            do {
                _ = try await client.create(.endpoints, namespace: namespace, object)
            } catch { guard error.isAlreadyExists else { throw error }; 
                throw error  // the cache is behind; the retry sees it and updates
            }
        }
    }
}

/// Enqueues every Service in the pod's namespace whose selector matches the pod now or matched
/// it before the change.
func podHandler(services: SharedInformer, queue: WorkQueue<String>) -> EventHandler {
    let enqueue: @Sendable (Value) -> Void = { pod in
        for svc in services.cache.list(namespace: pod.namespace ?? "") {
            let sel = svc["spec"]["selector"].objectValue ?? [:]
            if sel.isEmpty { continue }
            if sel.allSatisfy({ pod["metadata"]["labels"][$0.key] == $0.value }) { queue.add(Indexer.key(of: svc)) }
        }
    }
    return EventHandler(onAdd: enqueue, onUpdate: { old, new in
        if old == new { return }
        enqueue(new)
        if old.labels != new.labels { enqueue(old) }
    }, onDelete: enqueue)
}
