import CapstanModel
import CapstanStore
import Testing
@testable import CapstanAPIServer

/// NamespaceLifecycle from memory: creates see a namespace's deletion the moment it is
/// stored, and the table never lets an older answer replace a newer one.
extension ServerTests {
@Suite struct NamespaceStatesTests {
    static func namespace(_ name: String, terminating: Bool = false) -> [UInt8] {
        var object: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)],
                             "status": ["phase": "Active"]]
        if terminating {
            object[path: ["metadata", "deletionTimestamp"]] = "2026-11-22T12:00:00Z"
            object[path: ["status", "phase"]] = "Terminating"
        }
        return ObjectCodec.encode(object)
    }

    /// Through the API: a create right after the namespace's DELETE is refused as terminating,
    /// right after the namespace is gone is NotFound, and after it is created again succeeds.
    @Test func createsFollowTheNamespaceLifecycleAtOnce() async throws {
        try await InProcessServerTests.withServer { client, _ in
            #expect(try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace",
                                                                  "metadata": ["name": "life"]]).status == 201)
            #expect(try await client.post("/api/v1/namespaces/life/configmaps", InProcessServerTests.configMap("a")).status == 201)
            #expect(try await client.delete("/api/v1/namespaces/life").status == 200)
            let refused = try await client.post("/api/v1/namespaces/life/configmaps", InProcessServerTests.configMap("b"))
            #expect(refused.status == 403)
            #expect(refused.json["details"]["causes"][0]["reason"] == "NamespaceTerminating")

            // What the namespace controller does once the namespace is empty.
            var live = try await client.get("/api/v1/namespaces/life").json
            live[path: ["spec", "finalizers"]] = []
            #expect(try await client.put("/api/v1/namespaces/life/finalize", live).status == 200)
            #expect(try await client.get("/api/v1/namespaces/life").status == 404)
            let gone = try await client.post("/api/v1/namespaces/life/configmaps", InProcessServerTests.configMap("c"))
            #expect(gone.status == 404)
            #expect(gone.json["details"]["kind"] == "namespaces")

            #expect(try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace",
                                                                  "metadata": ["name": "life"]]).status == 201)
            #expect(try await client.post("/api/v1/namespaces/life/configmaps", InProcessServerTests.configMap("d")).status == 201)
        }
    }

    @Test func newerRevisionsWinWhateverOrderTheyArriveIn() async throws {
        let store = MemoryStore(compaction: .disabled)
        let states = NamespaceStates()
        let key = NamespaceStates.prefix + "ns"
        let open = try await store.create(key, value: Self.namespace("ns"))
        #expect(try await states.state(of: "ns", in: store) == .open)
        let terminating = try await store.update(key, value: Self.namespace("ns", terminating: true))
        states.written(terminating)
        #expect(try await states.state(of: "ns", in: store) == .terminating)
        states.written(open)  // a late report of the older write changes nothing
        #expect(try await states.state(of: "ns", in: store) == .terminating)
        let deleted = try await store.delete(key)
        states.deleted(key, revision: deleted.revision)
        #expect(try await states.state(of: "ns", in: store) == .absent)
        states.written(terminating)
        #expect(try await states.state(of: "ns", in: store) == .absent)
        #expect(try await states.state(of: "never", in: store) == .absent)
        await store.close()
    }

    /// Past its limit the table starts over; answers come from the store again, unchanged.
    @Test func aFullTableStartsOver() async throws {
        let store = MemoryStore(compaction: .disabled)
        let states = NamespaceStates(limit: 2)
        for name in ["a", "b", "c"] {
            _ = try await store.create(NamespaceStates.prefix + name, value: Self.namespace(name, terminating: name == "b"))
        }
        for _ in 0..<2 {
            #expect(try await states.state(of: "a", in: store) == .open)
            #expect(try await states.state(of: "b", in: store) == .terminating)
            #expect(try await states.state(of: "c", in: store) == .open)
        }
        await store.close()
    }
}
}
