import CapstanClient
@testable import CapstanControllers
import CapstanModel
import Testing

@Suite struct EndpointsControllerTests {
    static func service(_ name: String, app: String, targetPort: Value = "http") -> Value {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["selector": ["app": .string(app)], "ports": [["name": "web", "port": 80, "targetPort": targetPort]]]]
    }
    static func pod(_ name: String, app: String) -> Value {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default", "labels": ["app": .string(app)]],
         "spec": ["nodeName": "n1", "containers": [["name": "c", "image": "x", "ports": [["name": "http", "containerPort": 8080]]]]]]
    }

    @Test func readyPodsInAddressesOthersNotReadyAndPortNamesResolved() async throws {
        let client = FakeClient()
        let stored = try await client.seed([Self.pod("a", app: "web"), Self.pod("b", app: "web"), Self.pod("c", app: "other"),
                                            Self.service("web", app: "web")])
        try await markReady(client, stored[0], ip: "10.0.0.1")
        var b = try await client.get(.pods, namespace: "default", name: "b")
        b["status"] = ["phase": "Running", "podIP": "10.0.0.2", "conditions": [["type": "Ready", "status": "False"]]]
        _ = try await client.updateStatus(.pods, namespace: "default", b)
        try await withControllers(client, { [EndpointsController(client: $0), EndpointSliceController(client: $0)] }) {
            try await eventually("endpoints") { await !client.stored(.endpoints).isEmpty }
            try await eventually("slice") { await !client.stored(EndpointSliceController.resource).isEmpty }
        }
        let ep = await client.stored(.endpoints)[0]
        let subset = ep["subsets"][0]
        #expect(subset["addresses"].arrayValue?.map { $0["ip"] } == ["10.0.0.1"])
        #expect(subset["addresses"][0]["targetRef"]["name"] == "a")
        #expect(subset["addresses"][0]["nodeName"] == "n1")
        #expect(subset["notReadyAddresses"].arrayValue?.map { $0["ip"] } == ["10.0.0.2"])
        #expect(subset["ports"][0]["port"] == 8080)
        let slice = await client.stored(EndpointSliceController.resource)[0]
        #expect(slice.labels[EndpointSliceController.serviceNameLabel] == "web")
        #expect(slice["ports"][0]["port"] == 8080)
        #expect(slice["endpoints"].arrayValue?.count == 2)
        #expect(slice["metadata"]["ownerReferences"][0]["kind"] == "Service")
        let ready = slice["endpoints"].arrayValue?.first { $0["addresses"][0] == "10.0.0.1" }
        #expect(ready?["conditions"]["ready"] == true)
    }

    @Test func addressesAreOrderedByIPNotByPodName() async throws {
        let client = FakeClient()
        let stored = try await client.seed([Self.pod("a", app: "web"), Self.pod("b", app: "web"), Self.pod("c", app: "web"),
                                            Self.service("web", app: "web")])
        for (pod, ip) in zip(stored, ["10.0.0.9", "10.0.0.10", "10.0.0.1"]) { try await markReady(client, pod, ip: ip) }
        try await withControllers(client, { [EndpointsController(client: $0)] }) {
            try await eventually("three addresses") {
                await client.stored(.endpoints).first?["subsets"][0]["addresses"].arrayValue?.count == 3
            }
        }
        let addresses = await client.stored(.endpoints)[0]["subsets"][0]["addresses"].arrayValue ?? []
        // Bytewise, as Kubernetes compares them: "10.0.0.10" sorts before "10.0.0.9".
        #expect(addresses.map { $0["ip"] } == ["10.0.0.1", "10.0.0.10", "10.0.0.9"])
    }

    @Test func noWriteWhenNothingChanged() async throws {
        let client = FakeClient()
        let stored = try await client.seed([Self.pod("a", app: "web"), Self.service("web", app: "web", targetPort: 9000)])
        try await markReady(client, stored[0], ip: "10.0.0.1")
        try await withControllers(client, { [EndpointsController(client: $0)] }) {
            try await eventually("endpoints") { await !client.stored(.endpoints).isEmpty }
            try await Task.sleep(for: .milliseconds(1500))  // resync (1 s) re-reconciles everything
        }
        let writes = await client.actions.filter { $0.resource == .endpoints && ($0.verb == "update" || $0.verb == "create") }
        #expect(writes.count == 1)
        #expect(await client.stored(.endpoints)[0]["subsets"][0]["ports"][0]["port"] == 9000)
    }
}

@Suite struct GarbageCollectorTests {
    static func cm(_ name: String, owners: [Value] = [], finalizers: [String] = []) -> Value {
        var meta: Value = ["name": .string(name), "namespace": "default"]
        if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers.map(Value.string)) }
        return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta]
    }
    static func ref(_ o: Value, block: Bool = false) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "name": .string(o.name ?? ""), "uid": .string(o.uid ?? ""), "blockOwnerDeletion": .bool(block)]
    }
    static func names(_ c: FakeClient) async -> Set<String> { Set(await c.stored(.configMaps).compactMap(\.name)) }

    @Test func backgroundDeletesDependentsOfGoneOwnersAndKeepsMultiOwned() async throws {
        let client = FakeClient()
        let owners = try await client.seed([Self.cm("owner-a"), Self.cm("owner-b")])
        try await client.seed([Self.cm("child", owners: [Self.ref(owners[0])]),
                               Self.cm("shared", owners: [Self.ref(owners[0]), Self.ref(owners[1])]),
                               Self.cm("never", owners: [["apiVersion": "v1", "kind": "ConfigMap", "name": "ghost", "uid": "no-such-uid"]])])
        try await withControllers(client, { [GarbageCollector(client: $0)] }) {
            try await eventually("dangling collected") { await !Self.names(client).contains("never") }
            _ = try await client.delete(.configMaps, namespace: "default", name: "owner-a")
            try await eventually("child collected") { await !Self.names(client).contains("child") }
            try await eventually("shared loses the gone owner") {
                let shared = try await client.get(.configMaps, namespace: "default", name: "shared")
                return shared["metadata"]["ownerReferences"].arrayValue?.count == 1
            }
        }
        #expect(await Self.names(client) == ["owner-b", "shared"])
    }

    @Test func orphanFinalizerStripsOwnerReferencesThenGoes() async throws {
        let client = FakeClient()
        let owner = try await client.seed([Self.cm("owner", finalizers: ["orphan"])])[0]
        try await client.seed([Self.cm("child", owners: [Self.ref(owner)])])
        try await withControllers(client, { [GarbageCollector(client: $0)] }) {
            _ = try await client.delete(.configMaps, namespace: "default", name: "owner")
            try await eventually("owner gone") { await !Self.names(client).contains("owner") }
        }
        let child = try await client.get(.configMaps, namespace: "default", name: "child")
        #expect(child["metadata"]["ownerReferences"].isNull)
    }

    @Test func foregroundWaitsForBlockingDependents() async throws {
        let client = FakeClient()
        let owner = try await client.seed([Self.cm("owner", finalizers: ["foregroundDeletion"])])[0]
        try await client.seed([Self.cm("child", owners: [Self.ref(owner, block: true)])])
        try await withControllers(client, { [GarbageCollector(client: $0)] }) {
            _ = try await client.delete(.configMaps, namespace: "default", name: "owner")
            try await eventually("both gone") { await Self.names(client).isEmpty }
        }
    }

    @Test func graphAnswersDependentsAndCollectionPreview() {
        let a: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "uid": "ua"]]
        let b: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b", "uid": "ub", "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "a", "uid": "ua"]]]]
        let c: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "uid": "uc", "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "b", "uid": "ub"]]]]
        let d: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "d", "uid": "ud", "ownerReferences": [
            ["apiVersion": "v1", "kind": "ConfigMap", "name": "b", "uid": "ub"], ["apiVersion": "v1", "kind": "ConfigMap", "name": "x", "uid": "ux"]]]]
        var g = OwnershipGraph(objects: [a, b, c, d].map { (.configMaps, $0) })
        #expect(g.dependents(of: "ub").map(\.name) == ["c", "d"])
        #expect(g.roots.map(\.name) == ["a"])
        #expect(g.collectedWith("ua").map(\.name) == ["b", "c", "d"])
        g.remove(uid: "ub")
        #expect(g.danglingDependents.map(\.name) == ["c", "d"])  // no known owner left for either
    }
}

@Suite struct NamespaceControllerTests {
    @Test func emptiesATerminatingNamespaceThenFinalizes() async throws {
        let client = FakeClient()
        try await client.seed([["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo", "finalizers": ["test/hold"]],
                                "spec": ["finalizers": ["kubernetes"]]],
                               ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "x", "namespace": "demo"]]])
        try await withControllers(client, { [NamespaceController(client: $0), ServiceAccountController(client: $0)] }) {
            try await eventually("default SA") { await client.stored(ServiceAccountController.resource).contains { $0.namespace == "demo" } }
            // The FakeClient has no namespace lifecycle; a metadata finalizer keeps it deleting.
            _ = try? await client.delete(.namespaces, namespace: nil, name: "demo")
            try await eventually("content gone") { await client.stored(.configMaps).isEmpty }
        }
    }
}
