import CapstanClient
@testable import CapstanControllers
import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// Real `capstan server` + `capstan controllers` processes driven by real kubectl 1.37.
@Suite(.serialized) struct KubectlE2ETests {
    func replicaSets(_ c: ClusterProcesses, app: String) async throws -> [Value] {
        try await c.client.listAll(.replicaSets, namespace: "default").items.filter { $0.labels["app"] == app }
    }
    func activePods(_ c: ClusterProcesses, app: String) async throws -> [Value] {
        try await c.client.listAll(.pods, namespace: "default").items.filter { $0.labels["app"] == app && PodState.isActive($0) }
    }

    @Test func deploymentApplyRollingUpdateUndoScale() async throws {
        guard let c = try ClusterProcesses.start() else { return }
        defer { c.stop() }
        let apply = try c.kubectl(["apply", "-f", "-"], input: deploymentYAML("web"))
        #expect(apply.status == 0, "\(apply.stderr)")
        try await eventually("3 pods", seconds: 20) { try await activePods(c, app: "web").count == 3 }
        let first = try await replicaSets(c, app: "web")
        #expect(first.count == 1)
        let hash = first.first?.labels["pod-template-hash"] ?? "?"
        #expect(first.first?.name == "web-\(hash)")
        for pod in try await activePods(c, app: "web") { #expect(pod.labels["pod-template-hash"] == hash) }
        try await c.markPodsReady()
        try await eventually("3 available", seconds: 20) {
            try await c.client.get(.deployments, namespace: "default", name: "web")["status"]["availableReplicas"] == 3
        }
        let status1 = try c.kubectl(["rollout", "status", "deployment/web", "--timeout=20s"])
        #expect(status1.stdout.contains("successfully rolled out"), "\(status1.stdout) \(status1.stderr)")

        // Watch every pod event of the rollout; the test plays kubelet for new pods meanwhile.
        let list = try await c.client.list(.pods, namespace: "default")
        let stream = try await c.client.watch(.pods, namespace: "default", options: WatchOptions(resourceVersion: list.resourceVersion))
        let watcher = Task { () -> Int in
            var ready: [String: Bool] = [:]
            for pod in list.items where PodState.isActive(pod) { ready[pod.name ?? ""] = PodState.isReady(pod) }
            var minimum = ready.values.filter { $0 }.count
            for try await event in stream {
                let name = event.object.name ?? ""
                if event.type == .deleted || !PodState.isActive(event.object) { ready[name] = nil } else { ready[name] = PodState.isReady(event.object) }
                minimum = min(minimum, ready.values.filter { $0 }.count)
            }
            return minimum
        }
        let setImage = try c.kubectl(["set", "image", "deployment/web", "nginx=nginx:1.29"])
        #expect(setImage.status == 0, "\(setImage.stderr)")
        try await eventually("rollout to 1.29", seconds: 40) {
            try await c.markPodsReady()
            let d = try await c.client.get(.deployments, namespace: "default", name: "web")
            let pods = try await activePods(c, app: "web")
            return d["status"]["updatedReplicas"] == 3 && d["status"]["availableReplicas"] == 3 && d["status"]["replicas"] == 3
                && pods.count == 3 && pods.allSatisfy { $0["spec"]["containers"][0]["image"] == "nginx:1.29" }
        }
        stream.stop()
        watcher.cancel()
        let minimumReady = try await watcher.value
        #expect(minimumReady >= 3, "3 replicas with maxUnavailable 25% (rounds down to 0) must keep 3 available")
        #expect(try await replicaSets(c, app: "web").count == 2)
        let status2 = try c.kubectl(["rollout", "status", "deployment/web", "--timeout=20s"])
        #expect(status2.stdout.contains("successfully rolled out"), "\(status2.stdout) \(status2.stderr)")
        let history = try c.kubectl(["rollout", "history", "deployment/web"])
        #expect(history.stdout.contains("1 ") && history.stdout.contains("2 "), "\(history.stdout)")

        // Undo: the first ReplicaSet comes back as revision 3.
        let undo = try c.kubectl(["rollout", "undo", "deployment/web"])
        #expect(undo.status == 0, "\(undo.stderr)")
        try await eventually("rolled back", seconds: 40) {
            try await c.markPodsReady()
            let rss = try await replicaSets(c, app: "web")
            let back = rss.first { $0.labels["pod-template-hash"] == hash }
            return back?.annotations[DeploymentController.revisionAnnotation] == "3" && back?["status"]["availableReplicas"] == 3
                && rss.filter { $0.labels["pod-template-hash"] != hash }.allSatisfy { $0["spec"]["replicas"] == 0 && $0["status"]["replicas"] == 0 }
        }
        let history2 = try c.kubectl(["rollout", "history", "deployment/web"])
        #expect(history2.stdout.contains("3 ") && !history2.stdout.contains("\n1 "), "\(history2.stdout)")

        // Scale.
        let scale = try c.kubectl(["scale", "deployment/web", "--replicas=5"])
        #expect(scale.status == 0, "\(scale.stderr)")
        try await eventually("5 pods", seconds: 20) { try await activePods(c, app: "web").count == 5 }
        try await c.markPodsReady()
        try await eventually("status 5 available", seconds: 20) {
            try await c.client.get(.deployments, namespace: "default", name: "web")["status"]["availableReplicas"] == 5
        }
        let describe = try c.kubectl(["describe", "deployment", "web"])
        #expect(describe.stdout.contains("NewReplicaSetAvailable"), "\(describe.stdout)")
        #expect(describe.stdout.contains("ScalingReplicaSet"), "\(describe.stdout)")
        #expect(describe.stdout.contains("NewReplicaSet:   web-\(hash) (5/5 replicas created)"), "\(describe.stdout)")
    }

    @Test func deleteCascadesLeaveWhatKubernetesLeaves() async throws {
        guard let c = try ClusterProcesses.start() else { return }
        defer { c.stop() }
        for name in ["fg", "bg", "or"] {
            #expect(try c.kubectl(["apply", "-f", "-"], input: deploymentYAML(name)).status == 0)
        }
        for name in ["fg", "bg", "or"] {
            try await eventually("3 pods of \(name)", seconds: 20) { try await activePods(c, app: name).count == 3 }
        }
        let fg = try c.kubectl(["delete", "deployment", "fg", "--cascade=foreground", "--timeout=30s"])
        #expect(fg.status == 0, "\(fg.stderr)")
        // Foreground: by the time the Deployment is gone, so are its ReplicaSet and pods.
        #expect(try await replicaSets(c, app: "fg").isEmpty)
        #expect(try await activePods(c, app: "fg").isEmpty)

        let bg = try c.kubectl(["delete", "deployment", "bg", "--cascade=background"])
        #expect(bg.status == 0, "\(bg.stderr)")
        try await eventually("bg dependents collected", seconds: 20) {
            let rss = try await replicaSets(c, app: "bg")
            let pods = try await activePods(c, app: "bg")
            return rss.isEmpty && pods.isEmpty
        }

        let or = try c.kubectl(["delete", "deployment", "or", "--cascade=orphan"])
        #expect(or.status == 0, "\(or.stderr)")
        try await eventually("or gone, RS orphaned", seconds: 20) {
            let gone: Bool
            do { _ = try await c.client.get(.deployments, namespace: "default", name: "or"); gone = false } catch { gone = (error as? APIError)?.isNotFound == true }
            let rss = try await replicaSets(c, app: "or")
            return gone && rss.count == 1 && rss[0]["metadata"]["ownerReferences"].isNull
        }
        try await Task.sleep(for: .seconds(1))
        #expect(try await activePods(c, app: "or").count == 3)  // pods keep their ReplicaSet
    }

    @Test func serviceEndpointsListOnlyReadyPods() async throws {
        guard let c = try ClusterProcesses.start() else { return }
        defer { c.stop() }
        let svc = """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http}
        """
        #expect(try c.kubectl(["apply", "-f", "-"], input: deploymentYAML("web")).status == 0)
        #expect(try c.kubectl(["apply", "-f", "-"], input: svc).status == 0)
        try await eventually("3 pods", seconds: 20) { try await activePods(c, app: "web").count == 3 }
        try await c.markPodsReady()
        // One pod becomes not ready.
        var pod = try await activePods(c, app: "web")[0]
        pod["status"]["conditions"] = [["type": "Ready", "status": "False"]]
        _ = try await c.client.updateStatus(.pods, namespace: "default", pod)
        let notReadyIP = pod["status"]["podIP"].stringValue ?? "?"
        try await eventually("endpoints with 2 ready", seconds: 20) {
            let out = try c.kubectl(["get", "endpoints", "web", "-o", "jsonpath={.subsets[0].addresses[*].ip}|{.subsets[0].notReadyAddresses[*].ip}|{.subsets[0].ports[0].port}"])
            let parts = out.stdout.split(separator: "|", omittingEmptySubsequences: false)
            return parts.count == 3 && parts[0].split(separator: " ").count == 2 && !parts[0].contains(notReadyIP)
                && parts[1] == notReadyIP && parts[2] == "80"
        }
        let slices = try c.kubectl(["get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[*].endpoints[*].conditions.ready}"])
        #expect(slices.stdout.split(separator: " ").sorted() == ["false", "true", "true"], "\(slices.stdout)")
    }
}
