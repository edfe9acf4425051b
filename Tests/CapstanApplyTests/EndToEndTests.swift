import CapstanClient
import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// A real `capstan server` process on an ephemeral port, and the `capstan` binary run against
/// it. Each test owns one server and one temporary directory.
final class LiveServer: @unchecked Sendable {
    let dir = NSTemporaryDirectory() + "capstan-apply-e2e-\(UUID().uuidString.prefix(8))"
    private var process: LaunchedProcess?

    static var binary: String { Capstan.binary }

    var kubeconfig: String { dir + "/data/kubeconfig" }

    func start() async throws {
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        process = try await LaunchedProcess.start(["server", "--data-dir", dir + "/data", "--port", "0"], until: "listening on")
    }

    func stop() {
        process?.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A client straight at the server (reads for assertions).
    func client() throws -> RESTClient {
        let text = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        guard let range = text.range(of: "http://") else { throw CancellationError() }
        let rest = text[range.upperBound...].prefix { $0 != "\n" && $0 != "\"" && $0 != "/" }
        let parts = rest.split(separator: ":")
        return RESTClient(transport: HTTPTransport(host: String(parts[0]), port: Int(parts[1]) ?? 80))
    }

    func capstan(_ arguments: [String], input: String? = nil) throws -> Oracle.Output {
        try Oracle.run(Self.binary, arguments, input: input, environment: ["KUBECONFIG": kubeconfig])
    }

    func kubectl(_ arguments: [String]) throws -> Oracle.Output? {
        guard let k = Oracle.kubectl else { return nil }
        return try Oracle.run(k, arguments + ["--cache-dir", dir + "/kubectl-cache"], environment: ["KUBECONFIG": kubeconfig])
    }

    /// Writes `files` (relative path → text) under `dir/name`, replacing what was there.
    func manifests(_ name: String, _ files: [String: String]) throws -> String {
        let root = dir + "/" + name
        try? FileManager.default.removeItem(atPath: root)
        for (path, text) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            try text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return root
    }
}

let namespaceYAML = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n"
func deploymentYAML(image: String, sidecar: Bool) -> String {
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
      namespace: demo
      labels: {tier: frontend}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - name: nginx
            image: "\(image)"
            env: [{name: MODE, value: blue}]
    \(sidecar ? "      - {name: sidecar, image: busybox}\n" : "")
    """
}
func configMapYAML(_ data: String) -> String {
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-config, namespace: demo}\ndata: {\(data)}\n---\n"
        + "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: demo}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n"
}

func lines(_ out: Oracle.Output) -> [String] { out.stdout.split(separator: "\n").map(String.init).sorted() }

@Suite(.serialized) struct EndToEndTests {
    @Test func createReapplyAndChangeATree() async throws {
        let server = LiveServer()
        try await server.start()
        defer { server.stop() }
        let dir = try server.manifests("m", ["00-ns.yaml": namespaceYAML,
                                             "deploy.yaml": deploymentYAML(image: "nginx:1.27", sidecar: true),
                                             "sub/cm.yaml": configMapYAML("color: blue, size: large")])
        let first = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(lines(first) == ["configmap/app-config created", "deployment.apps/web created", "namespace/demo created",
                                 "service/web created"])
        let client = try server.client()
        let before = try await client.get(.deployments, namespace: "demo", name: "web")

        let again = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(again.status == 0)
        #expect(lines(again) == ["configmap/app-config unchanged", "deployment.apps/web unchanged", "namespace/demo unchanged",
                                 "service/web unchanged"])
        // No write reached the server: the stored versions did not move.
        let after = try await client.get(.deployments, namespace: "demo", name: "web")
        #expect(after.resourceVersion == before.resourceVersion)

        // Someone scales (a field the manifest never sets); the manifest drops a key and a container.
        _ = try await client.scale(.deployments, namespace: "demo", name: "web", replicas: 5)
        _ = try server.manifests("m", ["00-ns.yaml": namespaceYAML,
                                       "deploy.yaml": deploymentYAML(image: "nginx:1.28", sidecar: false),
                                       "sub/cm.yaml": configMapYAML("color: green")])
        let changed = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(lines(changed).contains("deployment.apps/web configured"))
        #expect(lines(changed).contains("configmap/app-config configured"))
        let cm = try await client.get(.configMaps, namespace: "demo", name: "app-config")
        #expect(cm["data"] == ["color": "green"])
        let deploy = try await client.get(.deployments, namespace: "demo", name: "web")
        #expect(deploy[path: ["spec", "replicas"]] == 5)
        #expect(deploy[path: ["spec", "template", "spec", "containers"]].arrayValue?.compactMap { $0["name"].stringValue } == ["nginx"])
    }

    @Test func kubectlAndCapstanTakeTurnsWithoutFighting() async throws {
        let server = LiveServer()
        try await server.start()
        defer { server.stop() }
        guard Oracle.kubectl != nil else {
            if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing("kubectl"))) }
            return
        }
        var dir = try server.manifests("m", ["00-ns.yaml": namespaceYAML,
                                             "deploy.yaml": deploymentYAML(image: "nginx:1.27", sidecar: true),
                                             "sub/cm.yaml": configMapYAML("color: blue, size: large, note: \"<b>&</b>\"")])
        // The annotation kubectl writes and the one Capstan writes are the same bytes.
        let k1 = try #require(try server.kubectl(["apply", "-f", dir, "-R"]))
        #expect(k1.status == 0, "\(k1.stderr)")
        let client = try server.client()
        let annotation = ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]
        var byKubectl: [String: Value] = [:]
        for (r, n) in [(GroupVersionResource.deployments, "web"), (.configMaps, "app-config"), (.services, "web")] {
            byKubectl[n + r.resource] = try await client.get(r, namespace: "demo", name: n)[path: annotation]
            _ = try await client.delete(r, namespace: "demo", name: n)
        }
        let c1 = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(c1.status == 0, "\(c1.stderr)")
        for (r, n) in [(GroupVersionResource.deployments, "web"), (.configMaps, "app-config"), (.services, "web")] {
            let mine = try await client.get(r, namespace: "demo", name: n)[path: annotation]
            #expect(mine == byKubectl[n + r.resource], "\(r.resource)/\(n)")
        }
        // Alternate: whoever applies the same manifests second finds nothing to do.
        let k2 = try #require(try server.kubectl(["apply", "-f", dir, "-R"]))
        #expect(k2.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix("unchanged") }, "\(k2.stdout)")
        dir = try server.manifests("m", ["00-ns.yaml": namespaceYAML,
                                         "deploy.yaml": deploymentYAML(image: "nginx:1.28", sidecar: false),
                                         "sub/cm.yaml": configMapYAML("color: green")])
        let k3 = try #require(try server.kubectl(["apply", "-f", dir, "-R"]))
        #expect(k3.stdout.contains("deployment.apps/web configured"))
        let c2 = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(lines(c2).allSatisfy { $0.hasSuffix("unchanged") }, "\(c2.stdout)")
        dir = try server.manifests("m", ["00-ns.yaml": namespaceYAML,
                                         "deploy.yaml": deploymentYAML(image: "nginx:1.29", sidecar: true),
                                         "sub/cm.yaml": configMapYAML("color: red")])
        let c3 = try server.capstan(["apply", "-f", dir, "-R"])
        #expect(lines(c3).contains("deployment.apps/web configured"))
        let k4 = try #require(try server.kubectl(["apply", "-f", dir, "-R"]))
        #expect(k4.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix("unchanged") }, "\(k4.stdout)")
        let kdiff = try #require(try server.kubectl(["diff", "-f", dir, "-R"]))
        #expect(kdiff.status == 0, "\(kdiff.stdout)")
    }

    @Test func oneInvalidObjectAppliesNothing() async throws {
        let server = LiveServer()
        try await server.start()
        defer { server.stop() }
        let bad = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: default}\nspec:\n  replicas: many\n"
        let dir = try server.manifests("m", ["a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n",
                                             "b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok2}\n---\n" + bad])
        let out = try server.capstan(["apply", "-f", dir])
        #expect(out.status == 1)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains("b.yaml:5: Deployment \"bad\""), "\(out.stderr)")  // the document starts on line 5
        #expect(out.stderr.contains("spec.replicas"), "\(out.stderr)")
        let listed = try await server.client().list(.configMaps, namespace: "default")
        #expect(listed.items.compactMap(\.name).filter { $0.hasPrefix("ok") }.isEmpty)
    }

    @Test func pruneRemovesExactlyTheDroppedObjects() async throws {
        let server = LiveServer()
        try await server.start()
        defer { server.stop() }
        func cm(_ n: Int) -> String { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p\(n)}\ndata: {k: v}\n" }
        var dir = try server.manifests("m", ["1.yaml": cm(1), "2.yaml": cm(2), "3.yaml": cm(3)])
        _ = try server.capstan(["apply", "-f", dir, "--prune", "--applyset=inv"])
        _ = try await server.client().create(.configMaps, namespace: "default",
                                             ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "bystander"]])
        dir = try server.manifests("m", ["1.yaml": cm(1), "3.yaml": cm(3)])
        let dry = try server.capstan(["apply", "-f", dir, "--prune", "--applyset=inv", "--dry-run=server"])
        #expect(dry.stdout.contains("configmap/p2 pruned (server dry run)"), "\(dry.stdout)\(dry.stderr)")
        let out = try server.capstan(["apply", "-f", dir, "--prune", "--applyset=inv"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(lines(out) == ["configmap/p1 unchanged", "configmap/p2 pruned", "configmap/p3 unchanged"])
        let names = try await server.client().list(.configMaps, namespace: "default").items.compactMap(\.name)
        #expect(Set(names).isSuperset(of: ["p1", "p3", "bystander"]))
        #expect(!names.contains("p2"))
    }

    @Test func diffExitCodesAndMasking() async throws {
        let server = LiveServer()
        try await server.start()
        defer { server.stop() }
        let secret = { (pw: String) in "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: \(pw), user: admin}\n" }
        var dir = try server.manifests("m", ["s.yaml": secret("hunter2"), "c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"])
        let new = try server.capstan(["diff", "-f", dir])
        #expect(new.status == 1)
        #expect(new.stdout.contains("+++ merged/v1.ConfigMap.default.c"))
        _ = try server.capstan(["apply", "-f", dir])
        let same = try server.capstan(["diff", "-f", dir])
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.isEmpty)
        dir = try server.manifests("m", ["s.yaml": secret("hunter3")])
        let changed = try server.capstan(["diff", "-f", dir])
        #expect(changed.status == 1)
        #expect(changed.stdout.contains("-  password: '*** (before)'"), "\(changed.stdout)")
        #expect(changed.stdout.contains("+  password: '*** (after)'"))
        #expect(!changed.stdout.contains("hunter"))
        #expect(!changed.stdout.contains("resourceVersion"))
        let md = try server.capstan(["diff", "-f", dir, "-o", "markdown"])
        #expect(md.stdout.hasPrefix("### secret/s (default)\n\n```diff\n"))
        let broken = try server.capstan(["diff", "-f", dir + "/missing.yaml"])
        #expect(broken.status > 1)
    }
}
