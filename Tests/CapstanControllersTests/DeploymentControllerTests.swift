import CapstanClient
@testable import CapstanControllers
import CapstanModel
import Testing

@Suite struct DeploymentControllerTests {
    static func all(_ c: FakeClient) -> [any Controller] { [ReplicaSetController(client: c), DeploymentController(client: c)] }

    static func readyAll(_ client: FakeClient) async throws {
        var n = 0
        for pod in await pods(client) where !PodState.isReady(pod) {
            n += 1
            try await markReady(client, pod, ip: "10.0.1.\(n)")
        }
    }

    @Test func createsOneReplicaSetNamedWithTheTemplateHash() async throws {
        let client = FakeClient()
        let d = try await client.seed([deployment("web", replicas: 3, app: "web")])[0]
        try await withControllers(client, Self.all) {
            try await eventually("3 pods") { await pods(client).count == 3 }
        }
        let rss = await client.stored(.replicaSets)
        #expect(rss.count == 1)
        let rs = rss[0]
        let hash = PodTemplateHash.compute(template: d["spec"]["template"], collisionCount: nil)
        #expect(rs.name == "web-\(hash)")
        #expect(rs.labels["pod-template-hash"] == hash)
        #expect(rs["spec"]["selector"]["matchLabels"]["pod-template-hash"] == .string(hash))
        #expect(rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == .string(hash))
        #expect(rs.annotations[DeploymentController.revisionAnnotation] == "1")
        #expect(rs["metadata"]["ownerReferences"][0]["uid"] == .string(d.uid ?? ""))
        for pod in await pods(client) { #expect(pod.labels["pod-template-hash"] == hash) }
        let live = try await client.get(.deployments, namespace: "default", name: "web")
        #expect(live.annotations[DeploymentController.revisionAnnotation] == "1")
    }

    @Test func rollingUpdateKeepsMinimumAvailableAndCompletes() async throws {
        let client = FakeClient()
        try await client.seed([deployment("web", replicas: 4, app: "web")])
        try await withControllers(client, Self.all) {
            try await eventually("4 pods") { await pods(client).count == 4 }
            try await Self.readyAll(client)
            try await eventually("available 4") {
                try await client.get(.deployments, namespace: "default", name: "web")["status"]["availableReplicas"] == 4
            }
            try await updateDeployment(client, "web") { $0["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.29" }
            var minAvailableSeen = Int.max
            var maxPodsSeen = 0
            try await eventually("rollout complete", seconds: 20) {
                let all = await pods(client).filter(PodState.isActive)
                maxPodsSeen = max(maxPodsSeen, all.count)
                minAvailableSeen = min(minAvailableSeen, all.filter(PodState.isReady).count)
                try await Self.readyAll(client)
                let s = try await client.get(.deployments, namespace: "default", name: "web")
                return s["status"]["observedGeneration"] == s["metadata"]["generation"]
                    && all.allSatisfy { $0["spec"]["containers"][0]["image"] == "nginx:1.29" }
                    && s["status"]["updatedReplicas"] == 4 && s["status"]["availableReplicas"] == 4 && s["status"]["replicas"] == 4
                    && condition(s, "Progressing")?["reason"] == "NewReplicaSetAvailable"
            }
            #expect(minAvailableSeen >= 3)  // 4 − maxUnavailable (25% of 4 = 1)
            #expect(maxPodsSeen <= 5)       // 4 + maxSurge (25% of 4 = 1)
        }
        let rss = await client.stored(.replicaSets).sorted { Rollout.revision($0) < Rollout.revision($1) }
        #expect(rss.count == 2)
        #expect(rss.map { Rollout.specReplicas($0) } == [0, 4])
        #expect(rss.map { Rollout.revision($0) } == [1, 2])
    }

    @Test func rollbackReactivatesTheOldReplicaSetWithANewRevision() async throws {
        let client = FakeClient()
        try await client.seed([deployment("web", replicas: 1, app: "web")])
        try await withControllers(client, Self.all) {
            try await eventually("1 pod") { await pods(client).count == 1 }
            let original = try await client.get(.deployments, namespace: "default", name: "web")["spec"]["template"]
            try await updateDeployment(client, "web") { $0["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.29" }
            try await eventually("second RS") { await client.stored(.replicaSets).count == 2 }
            try await updateDeployment(client, "web") { $0["spec"]["template"] = original }
            try await eventually("revision 3 on the first RS") {
                await client.stored(.replicaSets).contains { Rollout.revision($0) == 3 && $0.annotations[DeploymentController.revisionHistoryAnnotation] == "1" }
            }
            try await eventually("deployment revision 3") {
                try await client.get(.deployments, namespace: "default", name: "web").annotations[DeploymentController.revisionAnnotation] == "3"
            }
        }
        #expect(await client.stored(.replicaSets).count == 2)
    }

    @Test func fencepostsRoundLikeKubernetes() async throws {
        // Percentages: surge rounds up, unavailable down.
        var r = Rollout(deployment: deployment("web", replicas: 20, app: "web"), replicaSets: [], client: FakeClient(), pods: nil,
                        events: EventRecorder(client: FakeClient(), component: "test"))
        r.d["metadata"]["uid"] = "d1"
        #expect(r.maxSurge == 5)
        #expect(r.maxUnavailable == 5)
        r.d["spec"]["replicas"] = 10
        #expect(r.maxSurge == 3)        // 25% of 10 = 2.5, rounded up
        #expect(r.maxUnavailable == 2)  // rounded down
        r.d["spec"]["strategy"] = ["rollingUpdate": ["maxSurge": 0, "maxUnavailable": 0]]
        #expect(r.maxUnavailable == 1)  // both zero: one may be unavailable
    }

    @Test func recreateScalesOldToZeroBeforeCreatingNew() async throws {
        let client = FakeClient()
        var d = deployment("web", replicas: 2, app: "web")
        d["spec"]["strategy"] = ["type": "Recreate"]
        try await client.seed([d])
        try await withControllers(client, Self.all) {
            try await eventually("2 pods") { await pods(client).count == 2 }
            try await updateDeployment(client, "web") { $0["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.29" }
            try await eventually("2 new pods only", seconds: 15) {
                let all = await pods(client)
                return all.count == 2 && all.allSatisfy { $0["spec"]["containers"][0]["image"] == "nginx:1.29" }
            }
        }
    }

    @Test func hashIsStableAndChangesWithCollisionCount() {
        let t = podTemplate(app: "web")
        let a = PodTemplateHash.compute(template: t, collisionCount: nil)
        #expect(a == PodTemplateHash.compute(template: t, collisionCount: nil))
        #expect(a != PodTemplateHash.compute(template: t, collisionCount: 1))
        #expect(a.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
        var labelled = t
        labelled["metadata"]["labels"]["pod-template-hash"] = .string(a)
        #expect(PodTemplateHash.compute(template: labelled, collisionCount: nil) == a)
        #expect(PodTemplateHash.safeEncode("0123456789") == "456789bcdf")
    }
}
