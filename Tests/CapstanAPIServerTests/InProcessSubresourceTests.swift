import CapstanModel
import CapstanStore
import Foundation
import Testing
@testable import CapstanAPIServer

/// Subresources and server housekeeping, in-process.
@Suite(.serialized) struct InProcessSubresourceTests {
    static func withServer(eventTTL: Int64 = 3600, bookmarks: Duration = .seconds(60),
                           _ body: (HTTPTestClient, APIServer) async throws -> Void) async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store, eventTTLSeconds: eventTTL, bookmarkInterval: bookmarks)
        let port = try await server.start(port: 0)
        do { try await body(HTTPTestClient(base: "http://127.0.0.1:\(port)"), server) } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        await store.close()
    }

    static let pod: Value = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "labels": ["app": "x"]],
                             "spec": ["containers": [["name": "c", "image": "nginx"]]]]

    @Test func bindingAssignsANodeOnce() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/pods"
            let created = try await client.post(base, Self.pod)
            #expect(created.json["status"]["phase"] == "Pending" && created.json["status"]["qosClass"] == "BestEffort")
            let binding: Value = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"], "target": ["kind": "Node", "name": "n1"]]
            let bound = try await client.post(base + "/p/binding", binding)
            #expect(bound.status == 201)
            let pod = try await client.get(base + "/p")
            #expect(pod.json["spec"]["nodeName"] == "n1")
            #expect((pod.json["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "PodScheduled" && $0["status"] == "True" })
            let again = try await client.post(base + "/p/binding", binding)
            #expect(again.status == 409)

            // A pod on a node is deleted gracefully: kept with a deletion timestamp until grace 0.
            let graceful = try await client.delete(base + "/p")
            #expect(graceful.json["metadata"]["deletionGracePeriodSeconds"] == 30)
            #expect(try await client.get(base + "/p").status == 200)
            let table = try await client.get(base, accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
            #expect(table.json.firstCells[2] == "Terminating")
            _ = try await client.delete(base + "/p", ["gracePeriodSeconds": 0])
            #expect(try await client.get(base + "/p").status == 404)
        }
    }

    @Test func deleteCollectionHonoursSelectors() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/configmaps"
            for (name, app) in [("a", "x"), ("b", "x"), ("c", "y")] {
                _ = try await client.post(base, ["metadata": ["name": .string(name), "labels": ["app": .string(app)]]])
            }
            let deleted = try await client.delete(base + "?labelSelector=app%3Dx")
            #expect(deleted.json["kind"] == "ConfigMapList" && (deleted.json["items"].arrayValue ?? []).count == 2)
            let left = try await client.get(base)
            #expect((left.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue } == ["c"])
        }
    }

    @Test func eventsExpireAfterTheirTTL() async throws {
        try await Self.withServer(eventTTL: 60) { client, server in
            let base = "/api/v1/namespaces/default/events"
            func event(_ name: String, _ age: Int64) -> Value {
                let t = Value.string(WallClock.rfc3339(WallClock.nowSeconds() - age))
                return ["metadata": ["name": .string(name)], "involvedObject": ["kind": "Pod", "name": "p", "namespace": "default"],
                        "reason": "Test", "message": "m", "type": "Normal", "firstTimestamp": t, "lastTimestamp": t]
            }
            #expect(try await client.post(base, event("old", 120)).status == 201)
            #expect(try await client.post(base, event("new", 5)).status == 201)
            await server.sweepEventsOnce()
            let left = try await client.get(base)
            #expect((left.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue } == ["new"])
            let described = try await client.get(base + "?fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3Dp")
            #expect((described.json["items"].arrayValue ?? []).count == 1)
        }
    }

    @Test func watchesGetProgressBookmarks() async throws {
        try await Self.withServer(bookmarks: .milliseconds(200)) { client, _ in
            let created = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"]])
            let rv = created.json["metadata"]["resourceVersion"].stringValue ?? ""
            // A write elsewhere moves the revision on; the watcher's bookmark must catch up to it.
            let other = Task {
                try await Task.sleep(for: .milliseconds(100))
                return try await client.post("/api/v1/namespaces/kube-system/configmaps", ["metadata": ["name": "b"]])
            }
            let reply = try await client.get("/api/v1/namespaces/default/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=\(rv)&timeoutSeconds=1")
            let later = try await other.value.json["metadata"]["resourceVersion"]
            #expect(reply.events.allSatisfy { $0["type"] == "BOOKMARK" })
            let bookmarks = reply.events.filter { $0["type"] == "BOOKMARK" }
            #expect(bookmarks.count >= 1)
            #expect(bookmarks.last?["object"]["metadata"]["resourceVersion"] == later)
            #expect(bookmarks.first?["object"]["kind"] == "ConfigMap")
            let plain = try await client.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(rv)&timeoutSeconds=1")
            #expect(plain.events.isEmpty)
        }
    }

    @Test func tableWatchSendsColumnsOnce() async throws {
        try await Self.withServer { client, _ in
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "a"]])
            _ = try await client.post("/api/v1/namespaces/default/configmaps", ["metadata": ["name": "b"]])
            let reply = try await client.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1",
                                             accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            #expect(reply.header("Content-Type") == "application/json;as=Table;v=v1;g=meta.k8s.io")
            let events = reply.events
            #expect(events.count == 2)
            #expect(events.first?["object"]["kind"] == "Table" && events.first?["object"]["columnDefinitions"].isArray == true)
            #expect(events.last?["object"]["columnDefinitions"] == .null)
            #expect(events.last?["object"]["rows"][0]["cells"][0] == "b")
        }
    }
}
