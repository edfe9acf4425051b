import CapstanClient
import CapstanModel
import Synchronization
import Testing
@testable import CapstanApply

/// `--wait` through watches: readiness arrives as watch events (no polling), progress is
/// reported per state change, and a timeout names exactly what is not ready and why.
@Suite struct WaitTests {
    static let manifests = webDeploymentYAML(namespace: "demo", replicas: 2) + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: demo}
        spec:
          selector: {app: web}
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings, namespace: demo}
        data: {k: v}
        """

    /// What a deployment controller and an endpoints controller would write.
    static func makeReady(_ fake: FakeClient) async throws {
        // `stored` reads without recording a GET: the test counts the engine's GETs.
        var deploy = try #require(await fake.stored(.deployments).first { $0.name == "web" })
        deploy["status"] = ["observedGeneration": deploy[path: ["metadata", "generation"]], "replicas": 2,
                            "updatedReplicas": 2, "availableReplicas": 2, "readyReplicas": 2]
        _ = try await fake.updateStatus(.deployments, namespace: "demo", deploy)
        _ = try await fake.create(.endpoints, namespace: "demo", [
            "apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": "web", "namespace": "demo"],
            "subsets": [["addresses": [["ip": "10.0.0.7"]], "ports": [["port": 80]]]],
        ])
    }

    @Test func readinessArrivesThroughWatches() async throws {
        let fake = FakeClient()
        let updates = Mutex<[String]>([])
        let task = Task {
            await Applier(client: fake).apply(try resolve(Self.manifests), options: ApplyOptions(wait: true, timeout: .seconds(10)),
                                              waiting: { u in updates.withLock { $0.append("\(u.typedName) \(u.state)") } })
        }
        // Let the objects be created and the watches open, then make them ready.
        for _ in 0..<200 where updates.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        try await Self.makeReady(fake)
        let report = try await task.value
        #expect(!report.failed, "\(report.errors)")
        let seen = updates.withLock { $0 }
        #expect(seen.contains { $0.hasPrefix("deployment.apps/web progressing") }, "\(seen)")
        #expect(seen.contains("deployment.apps/web ready"), "\(seen)")
        #expect(seen.contains("service/web ready"), "\(seen)")
        #expect(!seen.contains { $0.hasPrefix("configmap/") })
        // Watched, not polled: no GET of a waited object after it was applied.
        let gets = await fake.actions.filter { $0.verb == "get" && ($0.resource == .deployments || $0.resource == .endpoints) }
        #expect(gets.count <= 1, "\(gets)")
        #expect(await fake.actions.contains { $0.verb == "watch" && $0.resource == .deployments })
    }

    @Test func timeoutNamesWhatIsNotReady() async throws {
        let fake = FakeClient()
        let report = await Applier(client: fake).apply(try resolve(Self.manifests),
                                                       options: ApplyOptions(wait: true, timeout: .milliseconds(300)))
        #expect(report.failed)
        #expect(report.errors.count == 2, "\(report.errors)")
        #expect(report.errors.contains("error: timed out after 300ms waiting for deployment.apps/web in namespace demo: waiting for the deployment spec update to be observed")
            || report.errors.contains("error: timed out after 300ms waiting for deployment.apps/web in namespace demo: 0 of 2 updated replicas"),
                "\(report.errors)")
        #expect(report.errors.contains("error: timed out after 300ms waiting for service/web in namespace demo: no ready endpoints"),
                "\(report.errors)")
    }

    @Test func failedJobEndsTheWaitWithItsReason() async throws {
        let fake = FakeClient()
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: migrate, namespace: demo}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: busybox}]\n"
        let task = Task { await Applier(client: fake).apply(try resolve(job), options: ApplyOptions(wait: true, timeout: .seconds(10))) }
        var live: Value?
        for _ in 0..<200 where live == nil {
            live = try? await fake.get(.jobs, namespace: "demo", name: "migrate")
            try await Task.sleep(for: .milliseconds(10))
        }
        var failed = try #require(live)
        failed["status"] = ["conditions": [["type": "Failed", "status": "True"]]]
        _ = try await fake.updateStatus(.jobs, namespace: "demo", failed)
        let report = try await task.value
        #expect(report.errors == ["error: job.batch/migrate in namespace demo: job failed"])
    }
}
