import CapstanAPI
import CapstanClient
import CapstanControllers
import CapstanModel
import Foundation
import Testing

@Suite struct LateCustomResourceGCTests {
    static let widgets = GroupVersionResource(group: "example.com", version: "v1", resource: "widgets")

    /// A CRD created after the collector started: its resource is discovered (even when
    /// discovery lags the CRD event), watched, and a widget whose owner goes is collected.
    @Test func collectsCustomResourcesOfCRDsCreatedLater() async throws {
        let client = FakeClient()
        let owner = try await client.seed([GarbageCollectorTests.cm("owner")])[0]
        let gc = GarbageCollector(client: client)
        try await withControllers(client, { _ in [gc] }) {
            try await Task.sleep(for: .milliseconds(100))  // the collector is running
            let crd: Value = ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                              "metadata": ["name": "widgets.example.com"],
                              "spec": ["group": "example.com", "scope": "Namespaced",
                                       "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
                                       "versions": [["name": "v1", "served": true, "storage": true]]]]
            _ = try await client.create(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1",
                                                             resource: "customresourcedefinitions"), namespace: nil, crd)
            // Discovery only learns of widgets a moment later (the collector retries).
            try await Task.sleep(for: .milliseconds(50))
            await client.addResources([ResourceInfo(gvk: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"),
                                                    plural: "widgets", singular: "widget", namespaced: true,
                                                    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"])])
            let widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget",
                                 "metadata": ["name": "w1", "namespace": "default",
                                              "ownerReferences": [GarbageCollectorTests.ref(owner)]]]
            _ = try await client.create(Self.widgets, namespace: "default", widget)
            try await eventually("widget in the graph") { gc.snapshot.dependents(of: owner.uid ?? "").count == 1 }
            _ = try await client.delete(.configMaps, namespace: "default", name: "owner")
            try await eventually("widget collected") { await client.stored(Self.widgets).isEmpty }
        }
    }
}

@Suite struct ControllerEventTests {
    static let coreEvents = GroupVersionResource(group: "", version: "v1", resource: "events")

    static func events(_ client: FakeClient) async -> [Value] { await client.stored(Self.coreEvents) }

    @Test func deploymentAndReplicaSetEventsAsKubectlDescribeShowsThem() async throws {
        let client = FakeClient()
        let rsController = ReplicaSetController(client: client)
        let dController = DeploymentController(client: client)
        _ = try await client.create(.deployments, namespace: "default", deployment("web", replicas: 3, app: "web"))
        try await withControllers(client, { _ in [rsController, dController] }) {
            try await eventually("3 pods") { await pods(client).count == 3 }
            await dController.events.flush()
            await rsController.events.flush()
            let all = await Self.events(client)
            let stored = await client.stored(.replicaSets)
            let rs = stored.first ?? .null
            let rsName = rs.name ?? "?"
            let scaling = all.filter { $0["reason"] == "ScalingReplicaSet" }
            #expect(scaling.count == 1)
            let scaled: Value = scaling.first ?? .null
            #expect(scaled["message"] == .string("Scaled up replica set \(rsName) from 0 to 3"))
            #expect(scaled["involvedObject"]["kind"] == "Deployment" && scaled["source"]["component"] == "deployment-controller")
            let created = all.filter { $0["reason"] == "SuccessfulCreate" }
            let podList = await pods(client)
            let wanted = Set(podList.compactMap { $0.name }.map { "Created pod: " + $0 })
            let messages = Set(created.compactMap { $0["message"].stringValue })
            #expect(messages == wanted)
            let aboutRS = created.filter { e in
                e["involvedObject"]["name"] == .string(rsName) && e["involvedObject"]["uid"] == rs["metadata"]["uid"]
                    && e["source"]["component"] == "replicaset-controller" && e["type"] == "Normal" && e["count"] == 1
            }
            #expect(aboutRS.count == 3)

            _ = try await client.patch(.deployments, namespace: "default", name: "web", type: .merge, ["spec": ["replicas": 1]])
            try await eventually("1 pod") { await pods(client).count == 1 }
            await dController.events.flush()
            await rsController.events.flush()
            let later = await Self.events(client)
            #expect(later.contains { $0["message"] == .string("Scaled down replica set \(rsName) from 3 to 1") })
            #expect(later.filter { $0["reason"] == "SuccessfulDelete" }.count == 2)
        }
    }

    /// Repeats become one Event with a count; more than ten distinct messages fold into one
    /// "(combined from similar events)" Event; the token bucket bounds the writes.
    @Test func correlatorAggregatesAndBoundsWrites() async throws {
        let client = FakeClient()
        let recorder = EventRecorder(client: client, component: "replicaset-controller", burst: 15)
        let rs: Value = ["apiVersion": "apps/v1", "kind": "ReplicaSet",
                         "metadata": ["name": "web-1", "namespace": "default", "uid": "rs-uid"]]
        for _ in 0..<3 { recorder.record(about: rs, type: "Warning", reason: "FailedCreate", message: "Error creating: quota") }
        await recorder.flush()
        var all = await Self.events(client)
        #expect(all.count == 1 && all.first?["count"] == 3 && all.first?["type"] == "Warning", "\(all)")

        for i in 0..<200 { recorder.record(about: rs, reason: "SuccessfulCreate", message: "Created pod: web-1-\(i)") }
        await recorder.flush()
        all = await Self.events(client)
        let created = all.filter { $0["reason"] == "SuccessfulCreate" }
        #expect(created.count == 11, "10 distinct messages, then one combined Event")
        let combined = try #require(created.first { ($0["message"].stringValue ?? "").hasPrefix("(combined from similar events): Created pod: web-1-") })
        #expect((combined["count"].intValue ?? 0) >= 1)
        #expect(recorder.writes <= 15, "the bucket bounds the writes (\(recorder.writes))")
    }
}
