import CapstanClient
import CapstanCluster
import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// `kubectl logs` (real kubectl 1.37) against the bundled cluster: the API server proxies
/// `pods/NAME/log` to the kubelet endpoint of the pod's node, which serves the simulated
/// runtime's output.
@Suite(.serialized) struct ClusterLogsE2ETests {
    static let manifests = """
    apiVersion: v1
    kind: Pod
    metadata:
      name: talker
      annotations:
        sim.capstan.dev/log: |-
          hello from talker
          second line
        sim.capstan.dev/exit-after.app: 1500ms
    spec:
      restartPolicy: Never
      containers:
      - {name: app, image: x}
      - {name: side, image: sidecar}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      template:
        metadata:
          labels: {app: web}
          annotations: {sim.capstan.dev/log: web says hi}
        spec:
          containers: [{name: c, image: x}]
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: huge}
    spec:
      containers: [{name: c, image: x, resources: {requests: {cpu: "64"}}}]
    """

    @Test func kubectlLogsPodContainerTailFollowAndDeployment() async throws {
        guard let k = ClusterEndToEndTests.kubectlOrFail() else { return }
        let (cluster, dir) = try await ClusterEndToEndTests.makeCluster(nodes: 2)
        defer { Task { await cluster.shutdown() } }
        let e2e = ClusterEndToEndTests()
        func kubectl(_ args: [String], input: String? = nil) throws -> Oracle.Output { try e2e.kubectl(k, dir, args, input: input) }
        let applied = try kubectl(["apply", "-f", "-"], input: Self.manifests)
        #expect(applied.status == 0, "\(applied.stderr)")
        let running = try e2e.eventually(10) {
            try kubectl(["get", "pod", "talker", "-o", "jsonpath={.status.phase}"]).stdout == "Running"
        }
        #expect(running)

        let app = try kubectl(["logs", "talker", "-c", "app"])
        #expect(app.status == 0, "\(app.stderr)")
        #expect(app.stdout == "capstan-sim: container \"app\" started (run 1)\nhello from talker\nsecond line\n")
        // Without -c kubectl picks the first container and says so.
        let first = try kubectl(["logs", "talker"])
        #expect(first.stdout == app.stdout)
        #expect(first.stderr.contains("Defaulted container \"app\" out of: app, side"), "\(first.stderr)")
        #expect(try kubectl(["logs", "talker", "-c", "app", "--tail", "1"]).stdout == "second line\n")
        let stamped = try kubectl(["logs", "talker", "-c", "side", "--timestamps"]).stdout
        #expect(stamped.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z capstan-sim: container "side" started"#, options: .regularExpression) != nil, "\(stamped)")

        // kubectl checks the container name itself; the server's own answer is seen through
        // the cluster's client (in-process, the same handler as over HTTP).
        let bad = try kubectl(["logs", "talker", "-c", "nope"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("container nope is not valid for pod talker"), "\(bad.stderr)")
        let client = try #require(cluster.client)
        do {
            _ = try await client.logText(namespace: "default", pod: "talker", options: LogOptions(container: "nope"))
            Issue.record("a log request for an unknown container succeeded")
        } catch {
            #expect(error.status.code == 400)
            #expect(error.status.message == "container \"nope\" is not valid for pod \"talker\"")
        }
        let tail = try await client.logText(namespace: "default", pod: "talker", options: LogOptions(container: "side", tailLines: 1))
        #expect(tail == "second line\n")
        let pending = try kubectl(["logs", "huge"])
        #expect(pending.status != 0)
        #expect(pending.stderr.contains("pod \"huge\" is not scheduled to a node yet"), "\(pending.stderr)")

        // -f streams until the container exits (1.5 s after it started), then kubectl exits 0.
        let followed = try kubectl(["logs", "-f", "talker", "-c", "app"])
        #expect(followed.status == 0, "\(followed.stderr)")
        #expect(followed.stdout.hasPrefix(app.stdout), "\(followed.stdout)")
        #expect(followed.stdout.hasSuffix("capstan-sim: container \"app\" exited with code 0\n"), "\(followed.stdout)")

        let deployReady = try e2e.eventually(10) {
            try kubectl(["get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}"]).stdout == "1"
        }
        #expect(deployReady)
        let web = try kubectl(["logs", "deploy/web"])
        #expect(web.status == 0, "\(web.stderr)")
        #expect(web.stdout.hasSuffix("web says hi\n"), "\(web.stdout)")
    }
}
