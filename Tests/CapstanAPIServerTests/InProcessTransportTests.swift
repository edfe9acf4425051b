import CapstanModel
import CapstanStore
import Testing
@testable import CapstanAPIServer

/// `APIServer.respond(to:)`: the handler without a socket. Same answers as over HTTP; watch
/// bodies stream until cancelled or until the server shuts down.
@Suite struct InProcessTransportTests {
    static func post(_ server: APIServer, _ uri: String, _ object: Value) async -> InProcessResponse {
        await server.respond(to: InProcessRequest(method: "POST", uri: uri, headers: [("Content-Type", "application/json")],
                                                  body: object.jsonBytes()))
    }

    static func collect(_ r: InProcessResponse) async throws -> Value {
        var bytes: [UInt8] = []
        for try await chunk in r.body { bytes += chunk }
        return try Value.parseJSON(bytes)
    }

    @Test func handlesRequestsLikeHTTPAndStreamsWatches() async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        try await server.bootstrap()
        let missing = await server.respond(to: InProcessRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps/a"))
        #expect(missing.status == 404)
        #expect(try await Self.collect(missing)["reason"] == "NotFound")
        let cm: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "v"]]
        let created = await Self.post(server, "/api/v1/namespaces/default/configmaps", cm)
        #expect(created.status == 201)
        #expect(try await Self.collect(created)["metadata"]["uid"].stringValue?.isEmpty == false)

        let watch = await server.respond(to: InProcessRequest(method: "GET", uri: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0"))
        #expect(watch.status == 200)
        var events = watch.body.makeAsyncIterator()
        let added = try #require(try await events.next())
        #expect(try Value.parseJSON(added)["type"] == "ADDED")
        _ = await Self.post(server, "/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b"]])
        let next = try #require(try await events.next())
        #expect(try Value.parseJSON(next)["object"]["metadata"]["name"] == "b")
        // Shutdown ends open in-process streams.
        await server.shutdown()
        #expect(try await events.next() == nil)
        await store.close()
    }

    @Test func cancelEndsAStream() async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        try await server.bootstrap()
        let watch = await server.respond(to: InProcessRequest(method: "GET", uri: "/api/v1/configmaps?watch=true"))
        watch.cancel()
        var events = watch.body.makeAsyncIterator()
        while try await events.next() != nil {}
        await server.shutdown()
        await store.close()
    }
}
