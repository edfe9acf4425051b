import CapstanClient
@testable import CapstanControllers
import CapstanModel
import Testing

@Suite struct ReplicaSetControllerTests {
    @Test func createsPodsUpToReplicasWithControllerReference() async throws {
        let client = FakeClient()
        let rs = try await client.seed([replicaSet("web", replicas: 3, app: "web")])[0]
        try await withControllers(client, { [ReplicaSetController(client: $0)] }) {
            try await eventually("3 pods") { await pods(client).count == 3 }
            try await eventually("status.replicas 3") {
                try await client.get(.replicaSets, namespace: "default", name: "web")["status"]["replicas"] == 3
            }
        }
        for pod in await pods(client) {
            let ref = pod["metadata"]["ownerReferences"][0]
            #expect(ref["uid"] == .string(rs.uid ?? ""))
            #expect(ref["controller"] == true)
            #expect(ref["blockOwnerDeletion"] == true)
            #expect(pod.labels["app"] == "web")
            #expect(pod.name?.hasPrefix("web-") == true)
        }
    }

    @Test func adoptsMatchingOrphansAndDeletesSurplusNotReadyFirst() async throws {
        let client = FakeClient()
        var orphans: [Value] = []
        for i in 0..<4 {
            orphans.append(["apiVersion": "v1", "kind": "Pod",
                            "metadata": ["name": .string("orphan-\(i)"), "namespace": "default", "labels": ["app": "web"]],
                            "spec": ["containers": [["name": "c", "image": "x"]]]])
        }
        let stored = try await client.seed(orphans)
        try await markReady(client, stored[0], ip: "10.0.0.1")
        try await markReady(client, stored[1], ip: "10.0.0.2")
        let rs = try await client.seed([replicaSet("web", replicas: 2, app: "web")])[0]
        try await withControllers(client, { [ReplicaSetController(client: $0)] }) {
            try await eventually("2 pods left") { await pods(client).count == 2 }
            try await eventually("ready 2") {
                try await client.get(.replicaSets, namespace: "default", name: "web")["status"]["readyReplicas"] == 2
            }
        }
        let names = Set(await pods(client).compactMap(\.name))
        #expect(names == ["orphan-0", "orphan-1"])  // the not-ready ones went
        for pod in await pods(client) { #expect(pod["metadata"]["ownerReferences"][0]["uid"] == .string(rs.uid ?? "")) }
    }

    @Test func releasesPodsThatStopMatching() async throws {
        let client = FakeClient()
        try await client.seed([replicaSet("web", replicas: 1, app: "web")])
        try await withControllers(client, { [ReplicaSetController(client: $0)] }) {
            try await eventually("1 pod") { await pods(client).count == 1 }
            guard let pod = await pods(client).first else { return }
            _ = try await client.patch(.pods, namespace: "default", name: pod.name ?? "", type: .merge,
                                       ["metadata": ["labels": ["app": "other"]]] as Value)
            try await eventually("a replacement pod and the old one released") {
                let all = await pods(client)
                let released = all.first { $0.name == pod.name }
                return all.count == 2 && released?["metadata"]["ownerReferences"].isNull == true
            }
        }
    }

    @Test func availableReplicasHonourMinReadySeconds() async throws {
        let client = FakeClient()
        var rs = replicaSet("web", replicas: 1, app: "web")
        rs["spec"]["minReadySeconds"] = 1
        try await client.seed([rs])
        try await withControllers(client, { [ReplicaSetController(client: $0)] }) {
            try await eventually("1 pod") { await pods(client).count == 1 }
            try await markReady(client, await pods(client)[0], ip: "10.0.0.9")
            try await eventually("ready 1") {
                try await client.get(.replicaSets, namespace: "default", name: "web")["status"]["readyReplicas"] == 1
            }
            #expect(try await client.get(.replicaSets, namespace: "default", name: "web")["status"]["availableReplicas"] == 0)
            try await eventually("available after minReadySeconds", seconds: 5) {
                try await client.get(.replicaSets, namespace: "default", name: "web")["status"]["availableReplicas"] == 1
            }
        }
    }

    @Test func slowStartStopsAfterAFailingBatch() async throws {
        let client = FakeClient()
        try await client.seed([replicaSet("web", replicas: 10, app: "web")])
        await client.failNext("create", resource: .pods, with: APIError(status: Status(code: 403, reason: "Forbidden", message: "quota")))
        let controller = ReplicaSetController(client: client)
        let manager = ControllerManager(client: client, controllers: [controller])
        let task = Task { try await manager.run() }
        // The first batch (1 pod) fails; the retry goes on and reaches 10.
        try await eventually("10 pods eventually") { await pods(client).count == 10 }
        manager.stop()
        task.cancel()
        let creates = await client.actions.filter { $0.verb == "create" && $0.resource == .pods }.count
        #expect(creates == 11)  // one failed, ten succeeded: nothing more
    }
}
