import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// End to end: the real `capstan server` binary driven by real kubectl 1.37 and the official
/// Python client. These fail (not skip) in CI when an oracle is missing.
@Suite(.serialized) struct KubectlE2ETests {
    static func write(_ files: [String: String], to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try (text + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    }

    @Test func applyGetDiffScaleDeleteWithKubectl() throws {
        guard oracleAvailable(Oracle.kubectl != nil, "kubectl 1.37") else { return }
        let server = ServerProcess()
        try server.start()
        defer { server.cleanUp() }
        let v1 = server.dataDir + "/v1", v2 = server.dataDir + "/v2"
        try Self.write(["00-ns.yaml": KubectlManifests.namespace, "deploy.yaml": KubectlManifests.deploymentV1,
                        "cm.yaml": KubectlManifests.configMapV1, "svc.yaml": KubectlManifests.service], to: v1)
        try Self.write(["00-ns.yaml": KubectlManifests.namespace, "deploy.yaml": KubectlManifests.deploymentV2,
                        "cm.yaml": KubectlManifests.configMapV2, "svc.yaml": KubectlManifests.service], to: v2)

        // apply: create, unchanged, then configured through strategic merge patches.
        var out = try server.kubectl(["apply", "-f", v1])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("namespace/demo created") && out.stdout.contains("deployment.apps/web created")
            && out.stdout.contains("configmap/app-config created") && out.stdout.contains("service/web created"))
        out = try server.kubectl(["apply", "-f", v1])
        #expect(out.stdout.split(separator: "\n").allSatisfy { $0.hasSuffix(" unchanged") }, "\(out.stdout)")
        out = try server.kubectl(["diff", "-f", v2])
        #expect(out.status == 1 && out.stdout.contains("-  replicas: 2") && out.stdout.contains("+  replicas: 3"), "\(out.stdout)\(out.stderr)")
        out = try server.kubectl(["apply", "-f", v2])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("deployment.apps/web configured") && out.stdout.contains("configmap/app-config configured")
            && out.stdout.contains("service/web unchanged"))
        out = try server.kubectl(["diff", "-f", v2])
        #expect(out.status == 0 && out.stdout.isEmpty, "\(out.stdout)")
        out = try server.kubectl(["get", "deploy", "web", "-n", "demo", "-o", "json"])
        let deploy = try Value.parseJSON(out.stdout)
        #expect(deploy[path: ["metadata", "labels"]] == ["app": "web"])
        #expect((deploy[path: ["spec", "template", "spec", "containers"]].arrayValue ?? []).compactMap { $0["name"].stringValue } == ["nginx"])
        #expect(deploy[path: ["spec", "template", "spec", "containers"]][0]["image"] == "nginx:1.28")
        #expect(deploy[path: ["metadata", "generation"]] == 2)
        out = try server.kubectl(["get", "cm", "app-config", "-n", "demo", "-o", "jsonpath={.data}"])
        #expect(out.stdout == #"{"color":"green"}"#)

        // get in every output format.
        out = try server.kubectl(["get", "deploy", "-n", "demo"])
        #expect(out.stdout.hasPrefix("NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    0/3     0            0           "), "\(out.stdout)")
        out = try server.kubectl(["get", "deploy", "-n", "demo", "-o", "wide"])
        #expect(out.stdout.contains("CONTAINERS   IMAGES       SELECTOR") && out.stdout.contains("nginx        nginx:1.28   app=web"), "\(out.stdout)")
        out = try server.kubectl(["get", "svc", "web", "-n", "demo", "-o", "yaml"])
        #expect(out.stdout.contains("kind: Service") && out.stdout.contains("targetPort: 80"))
        out = try server.kubectl(["get", "deploy,svc,cm", "-n", "demo", "-o", "name"])
        #expect(out.stdout == "deployment.apps/web\nservice/web\nconfigmap/app-config\n", "\(out.stdout)")
        out = try server.kubectl(["get", "cm", "-n", "demo", "--show-labels"])
        #expect(out.stdout.contains("LABELS") && out.stdout.contains("app=web"))
        out = try server.kubectl(["get", "cm", "-A", "-L", "app", "-l", "app=web"])
        #expect(out.stdout.hasPrefix("NAMESPACE   NAME         DATA   AGE   APP\ndemo        app-config   1      "), "\(out.stdout)")
        out = try server.kubectl(["get", "ns", "--sort-by=.metadata.name", "-o", "name"])
        #expect(out.stdout == "namespace/default\nnamespace/demo\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n")
        out = try server.kubectl(["get", "ns", "--sort-by=.metadata.name"])
        #expect(out.stdout.hasPrefix("NAME              STATUS   AGE\ndefault           Active"), "\(out.stdout)")
        out = try server.kubectl(["get", "deploy", "missing", "-n", "demo"])
        #expect(out.status == 1 && out.stderr.contains(#"Error from server (NotFound): deployments.apps "missing" not found"#))

        // scale through the scale subresource; describe; api-resources; explain.
        out = try server.kubectl(["scale", "deploy", "web", "-n", "demo", "--replicas=5"])
        #expect(out.stdout.contains("deployment.apps/web scaled"), "\(out.stderr)")
        out = try server.kubectl(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}"])
        #expect(out.stdout == "5")
        out = try server.kubectl(["describe", "deploy", "web", "-n", "demo"])
        #expect(out.status == 0 && out.stdout.contains("Replicas:               5 desired") && out.stdout.contains("nginx:1.28"), "\(out.stdout)\(out.stderr)")
        out = try server.kubectl(["api-resources"])
        #expect(out.stdout.contains("deployments                         deploy       apps/v1") || out.stdout.contains("deployments"), "\(out.stdout)")
        #expect(out.stdout.split(separator: "\n").contains { $0.hasPrefix("pods ") && $0.contains(" po ") && $0.contains("Pod") })
        out = try server.kubectl(["explain", "deployment.spec"])
        #expect(out.status == 0 && out.stdout.contains("KIND:       Deployment") && out.stdout.contains("replicas"), "\(out.stderr)")

        // get -w: the initial row, then a change, ended by --request-timeout.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: Oracle.kubectl ?? "")
        watcher.arguments = ["get", "cm", "-n", "demo", "-w", "--request-timeout=3s", "--cache-dir", server.dataDir + "/kcache"]
        watcher.environment = ["KUBECONFIG": server.kubeconfig, "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        watcher.standardOutput = pipe
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        usleep(1_200_000)
        _ = try server.kubectl(["label", "cm", "app-config", "-n", "demo", "watched=yes"])
        let watched = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watcher.waitUntilExit()
        #expect(watched.split(separator: "\n").filter { $0.hasPrefix("app-config") }.count == 2, "\(watched)")

        // delete with each propagation policy: what the server itself does (no GC yet).
        out = try server.kubectl(["delete", "cm", "app-config", "-n", "demo"])
        #expect(out.status == 0 && out.stdout.contains("configmap \"app-config\" deleted"), "\(out.stderr)")
        #expect(try server.kubectl(["get", "cm", "app-config", "-n", "demo"]).status == 1)
        out = try server.kubectl(["delete", "deploy", "web", "-n", "demo", "--cascade=orphan", "--wait=false"])
        #expect(out.status == 0)
        out = try server.kubectl(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.finalizers}"])
        #expect(out.stdout == #"["orphan"]"#)
        out = try server.kubectl(["delete", "svc", "web", "-n", "demo", "--cascade=foreground", "--wait=false"])
        #expect(out.status == 0)
        out = try server.kubectl(["get", "svc", "web", "-n", "demo", "-o", "jsonpath={.metadata.finalizers} {.metadata.deletionTimestamp}"])
        #expect(out.stdout.hasPrefix(#"["foregroundDeletion"] 20"#), "\(out.stdout)")
        out = try server.kubectl(["delete", "ns", "demo", "--wait=false"])
        #expect(out.status == 0)
        out = try server.kubectl(["get", "ns", "demo", "-o", "jsonpath={.status.phase}"])
        #expect(out.stdout == "Terminating")
        out = try server.kubectl(["apply", "-f", v1 + "/cm.yaml"])
        #expect(out.status == 1 && out.stderr.contains("Forbidden") && out.stderr.contains("being terminated"), "\(out.stderr)")
    }

    @Test func officialPythonClientListsAndWatches() throws {
        let hasClient = (try? Oracle.run("/usr/bin/env", ["python3", "-c", "import kubernetes"]))?.status == 0
        guard oracleAvailable(hasClient, "python kubernetes client") else { return }
        let server = ServerProcess()
        try server.start()
        defer { server.cleanUp() }
        let script = """
            import sys, threading, time
            from kubernetes import client, config, watch
            config.load_kube_config(config_file=sys.argv[1])
            v1 = client.CoreV1Api()
            print("namespaces", ",".join(sorted(ns.metadata.name for ns in v1.list_namespace().items)))
            created = v1.create_namespaced_config_map("default", client.V1ConfigMap(
                metadata=client.V1ObjectMeta(name="py", labels={"src": "py"}), data={"k": "v"}))
            def mutate():
                time.sleep(0.5)
                v1.patch_namespaced_config_map("py", "default", {"data": {"k": "v2"}})
                v1.delete_namespaced_config_map("py", "default")
            threading.Thread(target=mutate).start()
            w = watch.Watch()
            seen = []
            for ev in w.stream(v1.list_namespaced_config_map, "default", label_selector="src=py",
                               resource_version=created.metadata.resource_version, timeout_seconds=5):
                seen.append(ev["type"] + ":" + ev["object"].data["k"])
                if ev["type"] == "DELETED":
                    w.stop()
            print("events", ",".join(seen))
            """
        let out = try Oracle.run("/usr/bin/env", ["python3", "-c", script, server.kubeconfig])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.contains("namespaces default,kube-node-lease,kube-public,kube-system"), "\(out.stdout)")
        #expect(out.stdout.contains("events MODIFIED:v2,DELETED:v2"), "\(out.stdout)")
    }

    @Test func killDashNineLosesNoAcknowledgedWrite() async throws {
        let server = ServerProcess()
        try server.start()
        defer { server.cleanUp() }
        let client = HTTPTestClient(base: server.base)
        let acknowledged = AckBox()
        let writer = Task {
            for i in 0..<100_000 {
                let body: Value = ["metadata": ["name": .string("k\(i)")], "data": ["i": .string(String(i))]]
                guard let reply = try? await client.post("/api/v1/namespaces/default/configmaps", body) else { return }
                if reply.status == 201 { acknowledged.add("k\(i)") } else { return }
            }
        }
        try await Task.sleep(for: .milliseconds(1500))
        server.signal(SIGKILL)
        _ = server.waitForExit(timeout: 5)
        await writer.value
        let names = acknowledged.names
        #expect(names.count > 10)
        try server.start()
        let list = try await HTTPTestClient(base: server.base).get("/api/v1/namespaces/default/configmaps")
        let stored = Set((list.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue })
        let lost = names.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "lost \(lost.count) of \(names.count) acknowledged writes")
    }

    @Test func restartResumesAndSIGTERMEndsOpenWatches() async throws {
        let server = ServerProcess()
        try server.start()
        defer { server.cleanUp() }
        var client = HTTPTestClient(base: server.base)
        let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "keep"], "data": ["a": "1"]])
        #expect(created.status == 201)
        // A watch left open must not hold up shutdown.
        let watchClient = client
        let watch = Task { try? await watchClient.get("/api/v1/configmaps?watch=true") }
        try await Task.sleep(for: .milliseconds(300))
        server.signal(SIGTERM)
        let status = server.waitForExit(timeout: 10)
        #expect(status == 0, "server did not exit cleanly on SIGTERM with an open watch")
        let reply = await watch.value
        #expect(reply?.status == 200)
        try server.start()
        client = HTTPTestClient(base: server.base)
        let again = try await client.get("/api/v1/namespaces/default/configmaps/keep")
        #expect(again.json["metadata"]["uid"] == created.json["metadata"]["uid"])
        #expect(again.json["metadata"]["resourceVersion"] == created.json["metadata"]["resourceVersion"])
        let next = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "later"]])
        let before = Int(created.json["metadata"]["resourceVersion"].stringValue ?? "") ?? 0
        #expect((Int(next.json["metadata"]["resourceVersion"].stringValue ?? "") ?? 0) > before)
    }
}

/// Names of acknowledged writes, appended by one writer task and read after it ends.
final class AckBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ name: String) { lock.lock(); list.append(name); lock.unlock() }
    var names: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
