import CapstanAPI
import CapstanModel
import Foundation
import Synchronization
import Testing
import CapstanTestSupport

@testable import CapstanClient

/// The real `capstan server` binary on an ephemeral loopback port with its own data directory.
/// Owned by one test; its mutable state is set up before it is shared.
final class CapstanServer: @unchecked Sendable {
    let dataDir = NSTemporaryDirectory() + "capstan-client-e2e-\(UUID().uuidString.prefix(8))"
    private var process: LaunchedProcess?

    /// Starts the server; it has written its kubeconfig once it says it listens.
    func start() async throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        process = try await LaunchedProcess.start(["server", "--data-dir", dataDir, "--port", "0"], until: "listening on")
    }

    var kubeconfig: String { dataDir + "/kubeconfig" }

    func client(maxConnections: Int = 16) throws -> RESTClient {
        let connection = try KubeConfig.loadDefault(explicitPath: kubeconfig, environment: [:]).resolve()
        return try connection.makeClient(cacheDir: dataDir + "/cache", maxConnections: maxConnections)
    }

    func stop() {
        process?.stop()
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}

@Suite(.serialized) struct EndToEndTests {
    @Test func crudAgainstTheRealServer() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        #expect(client.defaultNamespace == "default")

        let mapper = try await client.discover()
        #expect(mapper.resolve("deploy").first?.gvr == .deployments)
        #expect(FileManager.default.fileExists(atPath: server.dataDir + "/cache/discovery"))

        let cm = configMap("e2e", namespace: "default", labels: ["app": "web"], data: ["k": "v"])
        let created = try await client.create(cm)
        #expect(created.uid?.isEmpty == false)
        do {
            _ = try await client.create(cm)
            Issue.record("duplicate create accepted")
        } catch {
            #expect(error.isAlreadyExists)
        }

        var edited = try await client.get(.configMaps, namespace: "default", name: "e2e")
        edited["data"] = ["k": "v2"]
        let updated = try await client.update(edited)
        #expect(updated["data"]["k"] == "v2")
        do {
            _ = try await client.update(edited)   // stale resourceVersion
            Issue.record("stale update accepted")
        } catch {
            #expect(error.isConflict)
        }

        let patched = try await client.patch(.configMaps, namespace: "default", name: "e2e", type: .merge, ["data": ["extra": "1"]])
        #expect(patched["data"]["extra"] == "1")
        let smp = try await client.patch(.configMaps, namespace: "default", name: "e2e", type: .strategicMerge,
                                         ["metadata": ["labels": ["tier": "x"]]])
        #expect(smp["metadata"]["labels"]["tier"] == "x")

        let jsonPatched = try await client.patch(.configMaps, namespace: "default", name: "e2e", type: .json,
                                                 [["op": "add", "path": "/data/j", "value": "p"]])
        #expect(jsonPatched["data"]["j"] == "p")
        // Server-side apply: the bundled server does not serve it yet and says so with 415; once
        // it does, the object must come back applied.
        do {
            let applied = try await client.apply(configMap("ssa", namespace: "default", data: ["a": "1"]), fieldManager: "capstan-test")
            #expect(applied["data"]["a"] == "1")
        } catch {
            #expect(error.reason == "UnsupportedMediaType")
            #expect(error.message.contains("application/apply-patch+yaml"))
        }
        _ = try await client.create(configMap("applied", namespace: "default", data: ["a": "1"]))
        let dryDeleted = try await client.delete(.configMaps, namespace: "default", name: "applied",
                                                 options: DeleteOptions(propagationPolicy: .background, dryRun: true))
        _ = dryDeleted
        #expect(try await client.get(.configMaps, namespace: "default", name: "applied").name == "applied")
        do {
            _ = try await client.delete(.configMaps, namespace: "default", name: "applied",
                                        options: DeleteOptions(preconditions: Preconditions(uid: "not-the-uid")))
            Issue.record("delete precondition ignored")
        } catch {
            #expect(error.isConflict)
        }

        let listed = try await client.list(.configMaps, namespace: "default", options: ListOptions(
            labelSelector: try LabelSelector.parse("app=web")))
        #expect(listed.items.map(\.name) == ["e2e"])
        #expect(!listed.resourceVersion.isEmpty)

        let deployment: Value = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "default"],
                                 "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "web"]],
                                          "template": ["metadata": ["labels": ["app": "web"]],
                                                       "spec": ["containers": [["name": "c", "image": "nginx"]]]]]]
        _ = try await client.create(deployment)
        let scale = try await client.getScale(.deployments, namespace: "default", name: "web")
        #expect(scale["spec"]["replicas"] == 1)
        _ = try await client.scale(.deployments, namespace: "default", name: "web", replicas: 3)
        #expect(try await client.get(.deployments, namespace: "default", name: "web")["spec"]["replicas"] == 3)
        var withStatus = try await client.get(.deployments, namespace: "default", name: "web")
        withStatus["status"] = ["replicas": 3, "observedGeneration": 2]
        let statusUpdated = try await client.updateStatus(.deployments, namespace: "default", withStatus)
        #expect(statusUpdated["status"]["replicas"] == 3)

        do {
            _ = try await client.create(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "bad", "namespace": "default"],
                                         "spec": ["replicas": -1]])
            Issue.record("invalid deployment accepted")
        } catch {
            #expect(error.isInvalid)
            #expect(!error.causes.isEmpty)
        }

        _ = try await client.delete(.configMaps, namespace: "default", name: "e2e")
        do {
            _ = try await client.get(.configMaps, namespace: "default", name: "e2e")
            Issue.record("deleted object readable")
        } catch {
            #expect(error.isNotFound)
        }
    }

    /// Stopping closes the connection, which can fail the chunked body on the event loop before
    /// the stream is finished; the consumer must still see a clean end, never that error.
    @Test func aStoppedWatchEndsWithoutAnError() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        for round in 0..<40 {
            let stream = try await client.watch(.configMaps, namespace: "default", options: WatchOptions())
            let consumer = Task { () throws -> Int in
                var n = 0
                for try await _ in stream { n += 1 }
                return n
            }
            _ = try await client.create(configMap("stop\(round)", namespace: "default"))
            if round % 2 == 0 { try await Task.sleep(for: .milliseconds(2)) }
            stream.stop()
            do { _ = try await consumer.value } catch { Issue.record("round \(round): stopped watch threw \(error)") }
        }
    }

    @Test func watchAndInformerSeeChanges() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        let first = try await client.create(configMap("w1", namespace: "default"))
        let stream = try await client.watch(.configMaps, namespace: "default", options: WatchOptions(
            resourceVersion: first.resourceVersion, allowWatchBookmarks: true))
        var it = stream.makeAsyncIterator()
        _ = try await client.create(configMap("w2", namespace: "default"))
        let added = try await it.next()
        #expect(added?.type == .added)
        #expect(added?.object.name == "w2")
        _ = try await client.delete(.configMaps, namespace: "default", name: "w1")
        let deleted = try await it.next()
        #expect(deleted?.type == .deleted)
        #expect(deleted?.object.name == "w1")
        stream.stop()

        let informer = SharedInformer(client: client, resource: .configMaps, namespace: "default")
        let queue = WorkQueue<String>()
        informer.addEventHandler(.enqueue(into: queue))
        informer.start()
        await informer.waitForSync()
        #expect(informer.cache.get(namespace: "default", name: "w2") != nil)
        _ = try await client.create(configMap("w3", namespace: "default"))
        #expect(await eventually { informer.cache.get(namespace: "default", name: "w3") != nil })
        _ = try await client.delete(.configMaps, namespace: "default", name: "w2")
        #expect(await eventually { informer.cache.get(namespace: "default", name: "w2") == nil })
        var keys: Set<String> = []
        while queue.count > 0, let key = await queue.get() {
            keys.insert(key)
            queue.done(key)
        }
        #expect(keys.isSuperset(of: ["default/w2", "default/w3"]))
        informer.stop()
        queue.shutDown()
    }

    @Test func concurrentRequestsShareABoundedPool() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client(maxConnections: 3)
        guard let transport = client.transport as? HTTPTransport else {
            Issue.record("not an HTTPTransport")
            return
        }
        // An open watch holds one connection for as long as it runs.
        let watch = try await client.watch(.configMaps, namespace: "default", options: WatchOptions())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<30 {
                group.addTask {
                    _ = try await client.create(configMap("c\(i)", namespace: "default"))
                    _ = try await client.get(.configMaps, namespace: "default", name: "c\(i)")
                }
            }
            try await group.waitForAll()
        }
        #expect(transport.openConnections <= 3)
        let all = try await client.listAll(.configMaps, namespace: "default", options: ListOptions(limit: 7))
        #expect(all.items.filter { $0.name?.hasPrefix("c") == true }.count == 30)
        watch.stop()
        #expect(await eventually { transport.openConnections <= 2 })
        transport.shutdown()
    }
}

@Suite(.serialized) struct HTTPTransportTests {
    /// The create that skips decoding stores the same object and fails the same way as `create`.
    @Test func createIgnoringResponseMatchesCreate() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        let a = configMap("plain", namespace: "default", labels: ["app": "web"], data: ["k": "v"])
        var b = a
        b[path: ["metadata", "name"]] = "quiet"
        _ = try await client.create(.configMaps, namespace: "default", a, options: WriteOptions(fieldManager: "m"))
        try await client.createIgnoringResponse(.configMaps, namespace: "default", b, options: WriteOptions(fieldManager: "m"))
        func comparable(_ v: Value) -> Value {
            var v = v
            for field in ["name", "uid", "resourceVersion", "creationTimestamp", "managedFields"] { v[path: ["metadata", field]] = .null }
            return v
        }
        let plain = try await client.get(.configMaps, namespace: "default", name: "plain")
        let quiet = try await client.get(.configMaps, namespace: "default", name: "quiet")
        #expect(comparable(plain) == comparable(quiet))
        var loud: APIError?
        var silent: APIError?
        do { _ = try await client.create(.configMaps, namespace: "default", a, options: WriteOptions()) } catch { loud = error }
        do { try await client.createIgnoringResponse(.configMaps, namespace: "default", a, options: WriteOptions()) } catch { silent = error }
        #expect(loud?.isAlreadyExists == true)
        #expect(silent.map { "\($0)" } == loud.map { "\($0)" })
        (client.transport as? HTTPTransport)?.shutdown()
    }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        guard let transport = client.transport as? HTTPTransport else {
            Issue.record("not an HTTPTransport")
            return
        }
        for _ in 0..<10 { _ = try await client.list(.namespaces, namespace: nil) }
        #expect(transport.openConnections == 1)
        transport.shutdown()
    }

    @Test func requestTimeoutClosesAndThrows() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        guard let transport = client.transport as? HTTPTransport else {
            Issue.record("not an HTTPTransport")
            return
        }
        // Earlier exchanges on the same connection with longer and shorter deadlines must not
        // move this one's: the connection's one timer fires at the earliest and sets itself again.
        _ = try await client.list(.namespaces, namespace: nil)
        _ = try await transport.send(TransportRequest(method: "GET", path: "/api/v1/namespaces", timeout: .milliseconds(200)))
        #expect(transport.openConnections == 1)
        // A watch never completes, so a whole-response `send` must time out.
        let started = ContinuousClock.now
        do {
            _ = try await transport.send(TransportRequest(method: "GET", path: "/api/v1/namespaces/default/configmaps?watch=true",
                                                          timeout: .milliseconds(300)))
            Issue.record("watch completed as a plain request")
        } catch {
            #expect(error.isTransport)
            #expect(error.message.contains("timed out"))
        }
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        // After the 200 ms exchange's deadline passed, a later one still gets its full time.
        try await Task.sleep(for: .milliseconds(250))
        let second = ContinuousClock.now
        do {
            _ = try await transport.send(TransportRequest(method: "GET", path: "/api/v1/namespaces/default/configmaps?watch=true",
                                                          timeout: .milliseconds(700)))
            Issue.record("watch completed as a plain request")
        } catch {
            #expect(error.message.contains("timed out"))
        }
        #expect(ContinuousClock.now - second >= .milliseconds(700))
        #expect(ContinuousClock.now - second < .seconds(5))
        // The transport still works afterwards.
        _ = try await client.list(.namespaces, namespace: nil)
        transport.shutdown()
    }

    @Test func connectionRefusedIsATransportError() async throws {
        // Port 1 on loopback: nothing listens there.
        let transport = HTTPTransport(host: "127.0.0.1", port: 1, connectTimeout: .seconds(2))
        let client = RESTClient(transport: transport)
        do {
            _ = try await client.list(.pods, namespace: nil)
            Issue.record("request to a closed port succeeded")
        } catch {
            #expect(error.isTransport)
            #expect(!error.isNotFound)
            #expect(transport.openConnections == 0)
        }
    }
}

@Suite(.serialized) struct CustomResourceMappingTests {
    @Test func aNewCRDIsFoundByRefreshingDiscoveryOnAMiss() async throws {
        let server = CapstanServer()
        try await server.start()
        defer { server.stop() }
        let client = try server.client()
        _ = try await client.discover()   // cache discovery before the CRD exists
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": [
                "group": "example.com", "scope": "Namespaced",
                "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]],
                "versions": [["name": "v1", "served": true, "storage": true,
                              "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]],
            ],
        ]
        _ = try await client.create(crd)
        let gvk = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
        var info: ResourceInfo?
        for _ in 0..<100 where info == nil {
            info = try? await client.mapping(for: gvk)
            if info == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(info?.plural == "widgets")
        #expect(info?.namespaced == true)
        #expect(try await client.resolve("wd").gvk == gvk)
        let widget = try await client.create(["apiVersion": "example.com/v1", "kind": "Widget",
                                              "metadata": ["name": "w", "namespace": "default"], "spec": ["size": 3]])
        #expect(widget["spec"]["size"] == 3)
        // The on-disk cache now holds the CRD too: a fresh client resolves it without a refresh.
        let fresh = try server.client()
        #expect(try await fresh.discover(refresh: false).mapping(for: gvk) != nil)
    }
}
