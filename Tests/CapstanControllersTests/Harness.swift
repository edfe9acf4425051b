import CapstanClient
import CapstanControllers
import CapstanModel
import Foundation
import Testing

/// Runs controllers over a FakeClient for the duration of a test body.
func withControllers(_ client: FakeClient, _ make: (FakeClient) -> [any Controller],
                     _ body: () async throws -> Void) async throws
{
    let manager = ControllerManager(client: client, controllers: make(client), resync: .seconds(1))
    let task = Task { try await manager.run() }
    defer {
        manager.stop()
        task.cancel()
    }
    try await body()
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(_ what: String, seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw Timeout(description: "timed out waiting for \(what)")
}

func podTemplate(app: String, image: String = "nginx:1.27") -> Value {
    ["metadata": ["labels": ["app": .string(app)]],
     "spec": ["containers": [["name": "web", "image": .string(image), "ports": [["name": "http", "containerPort": 8080]]]]]]
}

func replicaSet(_ name: String, replicas: Int, app: String) -> Value {
    ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": .string(name), "namespace": "default"],
     "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(app)]],
              "template": podTemplate(app: app)]]
}

func deployment(_ name: String, replicas: Int, app: String, image: String = "nginx:1.27") -> Value {
    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "default", "generation": 1],
     "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": .string(app)]],
              "template": podTemplate(app: app, image: image)]]
}

/// Marks a pod Running and Ready with an IP, as a kubelet would (through the status subresource).
func markReady(_ client: FakeClient, _ pod: Value, ip: String) async throws {
    var p = pod
    p["status"] = ["phase": "Running", "podIP": .string(ip),
                   "conditions": [["type": "Ready", "status": "True", "lastTransitionTime": .string(Timestamp.now().rfc3339)]]]
    _ = try await client.updateStatus(.pods, namespace: pod.namespace, p)
}

func pods(_ client: FakeClient) async -> [Value] { await client.stored(.pods) }

/// Read-modify-write of a Deployment as a user would do it, retrying when a controller wrote
/// in between (409 Conflict).
func updateDeployment(_ client: FakeClient, _ name: String, _ change: (inout Value) -> Void) async throws {
    for _ in 0..<20 {
        var d = try await client.get(.deployments, namespace: "default", name: name)
        change(&d)
        do {
            _ = try await client.update(.deployments, namespace: "default", d)
            return
        } catch {
            if !error.isConflict { throw error }
        }
    }
    throw Timeout(description: "deployment \(name) kept conflicting")
}
