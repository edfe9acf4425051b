/// Controllers benchmark: a Deployment scaled from 0 to 1,000 replicas against a real
/// `capstan server` process (started from the `capstan` binary next to this one), with the
/// controllers in this process over the HTTP transport. Prints the time until
/// `status.replicas` reaches 1,000 and the API requests the controllers made per pod.
import CapstanClient
import CapstanControllers
import CapstanModel
import Foundation
import Synchronization

/// Counts every request passing through.
private final class CountingTransport: Transport {
    let inner: any Transport
    let count = Atomic<Int>(0)
    init(_ inner: any Transport) { self.inner = inner }
    func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse {
        count.add(1, ordering: .relaxed)
        return try await inner.send(request)
    }
    func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse {
        count.add(1, ordering: .relaxed)
        return try await inner.stream(request)
    }
}

func runControllersBench(arguments: [String]) async throws {
    let replicas = arguments.first.flatMap(Int.init) ?? 1000
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("capstan").path
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        print("controllers: build the capstan binary first (\(binary) missing)")
        return
    }
    let dir = NSTemporaryDirectory() + "capstan-ctrl-bench-\(UUID().uuidString.prefix(8))"
    let server = Process()
    server.executableURL = URL(fileURLWithPath: binary)
    server.arguments = ["server", "--data-dir", dir, "--port", "0"]
    let err = Pipe()
    server.standardError = err
    try server.run()
    defer {
        server.terminate()
        server.waitUntilExit()
        try? FileManager.default.removeItem(atPath: dir)
    }
    var banner = ""
    while !banner.contains("listening on") {
        let data = err.fileHandleForReading.availableData
        if data.isEmpty { break }
        banner += String(decoding: data, as: UTF8.self)
    }
    err.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
    let connection = try KubeConfig.load(files: [dir + "/kubeconfig"]).resolve()
    let observer = try connection.makeClient()
    guard let url = URL(string: connection.cluster.server), let host = url.host, let port = url.port else {
        print("controllers: bad server URL \(connection.cluster.server)")
        return
    }
    let counting = CountingTransport(HTTPTransport(host: host, port: port, maxConnections: 64))
    let client = RESTClient(transport: counting)
    let manager = ControllerManager(client: client, controllers: [ReplicaSetController(client: client),
                                                                  DeploymentController(client: client)])
    let running = Task { try await manager.run() }
    defer { manager.stop(); running.cancel() }

    let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "bench", "namespace": "default"],
        "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "bench"]],
                 "template": ["metadata": ["labels": ["app": "bench"]],
                              "spec": ["containers": [["name": "c", "image": "registry.example/app:1"]]]]],
    ]
    _ = try await observer.create(.deployments, namespace: "default", deployment)
    try await Task.sleep(for: .seconds(1))
    let before = counting.count.load(ordering: .relaxed)
    let clock = ContinuousClock()
    let start = clock.now
    _ = try await observer.scale(.deployments, namespace: "default", name: "bench", replicas: replicas)
    var reached = false
    while clock.now - start < .seconds(600) {
        let d = try await observer.get(.deployments, namespace: "default", name: "bench")
        if d["status"]["replicas"].intValue == Int64(replicas) { reached = true; break }
        try await Task.sleep(for: .milliseconds(50))
    }
    let elapsed = clock.now - start
    let requests = counting.count.load(ordering: .relaxed) - before
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let outcome = reached ? "reached status.replicas" : "DID NOT reach status.replicas"
    print("controllers: deployment 0 → \(replicas) replicas \(outcome) in \(String(format: "%.2f", seconds)) s"
        + " (\(String(format: "%.0f", Double(replicas) / seconds)) pods/s); \(requests) controller API requests,"
        + " \(String(format: "%.2f", Double(requests) / Double(replicas))) per pod")
}
