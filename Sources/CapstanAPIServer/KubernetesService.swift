import CapstanModel
import CapstanStore

/// The `kubernetes` Service in `default` and its Endpoints and EndpointSlice, which point
/// in-cluster clients at this server: cluster IP = the first address of the service range,
/// port 443 named `https`, target port = the port this server listens on. Written at start
/// when absent, and brought up to date when the server moved (a new port or address), like
/// kube-apiserver's endpoint reconciler.
extension APIServer {
    static let kubernetesServiceName = "kubernetes"

    /// The address in-cluster clients should use: the bound host when it is an IPv4 address
    /// other than the wildcard, else loopback.
    static func advertisedAddress(host: String) -> String {
        guard let ip = IPv4.parse(host), ip != 0 else { return "127.0.0.1" }
        return host
    }

    func ensureKubernetesService(host: String, port: Int) async throws {
        let name = Self.kubernetesServiceName
        let address = Self.advertisedAddress(host: host)
        let servicePort: Value = ["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(port))]
        let key = StorageKey.objectKey(group: "", resource: "services", namespace: "default", name: name)
        if let kv = try await store.get(key) {
            var service = try ObjectCodec.decode(kv)
            if service[path: ["spec", "ports"]] != [servicePort] {
                service[path: ["spec", "ports"]] = [servicePort]
                _ = try await store.update(key, value: ObjectCodec.encode(service), expectedModRevision: kv.modRevision)
            }
        } else {
            var service: Value = [
                "apiVersion": "v1", "kind": "Service",
                "metadata": ["name": .string(name), "namespace": "default", "uid": .string(Identifiers.uid()),
                             "creationTimestamp": .string(WallClock.now()),
                             "labels": ["component": "apiserver", "provider": "kubernetes"]],
                "spec": ["type": "ClusterIP", "clusterIP": .string(serviceAllocator.addressing.firstClusterIP),
                         "ports": [servicePort], "sessionAffinity": "None"],
            ]
            defaulter.apply(to: &service)
            let change = try await serviceAllocator.prepare(&service, old: nil, dryRun: false)
            do {
                _ = try await store.create(key, value: ObjectCodec.encode(service))
            } catch {
                await serviceAllocator.rollback(change)
                if case .alreadyExists = error { return }
                throw error
            }
        }
        let endpointPort: Value = ["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]
        try await ensureSystemObject(group: "", resource: "endpoints", name: name, [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": .string(name), "namespace": "default",
                         "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"]],
            "subsets": [["addresses": [["ip": .string(address)]], "ports": [endpointPort]]],
        ])
        try await ensureSystemObject(group: "discovery.k8s.io", resource: "endpointslices", name: name, [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": ["name": .string(name), "namespace": "default",
                         "labels": ["kubernetes.io/service-name": .string(name)]],
            "addressType": "IPv4",
            "endpoints": [["addresses": [.string(address)], "conditions": ["ready": true]]],
            "ports": [endpointPort],
        ])
    }

    /// Creates `object` in `default`, or rewrites everything but its identity when it differs.
    private func ensureSystemObject(group: String, resource: String, name: String, _ object: Value) async throws {
        let key = StorageKey.objectKey(group: group, resource: resource, namespace: "default", name: name)
        var wanted = object
        if let kv = try await store.get(key) {
            let current = try ObjectCodec.decode(kv)
            for field in ["uid", "creationTimestamp"] { wanted[path: ["metadata", field]] = current[path: ["metadata", field]] }
            var comparable = current
            comparable[path: ["metadata"]].removeValue(forKey: "resourceVersion")
            if comparable == wanted { return }
            _ = try await store.update(key, value: ObjectCodec.encode(wanted), expectedModRevision: kv.modRevision)
        } else {
            wanted[path: ["metadata", "uid"]] = .string(Identifiers.uid())
            wanted[path: ["metadata", "creationTimestamp"]] = .string(WallClock.now())
            _ = try? await store.create(key, value: ObjectCodec.encode(wanted))
        }
    }
}
