import Testing
@testable import CapstanAPIServer

/// Connection tasks run on their event loop (`EventLoopTaskExecutor`); a streamed body may be
/// produced on any thread and must still reach the client whole, in order, before its end.
extension ServerTests {
@Suite struct HTTPServerStreamTests {
    @Test func chunksProducedOffTheEventLoopArriveInOrderBeforeTheEnd() async throws {
        let lines = 300
        let server = HTTPServer { _ in
            HTTPResponse(headers: [("Content-Type", "text/plain")], body: .stream { writer in
                // A detached task is never on the connection's event loop.
                try await Task.detached {
                    for i in 0..<lines { try await writer.write(Array("chunk \(i)\n".utf8)) }
                }.value
            })
        }
        let (listener, port) = try await server.bind(host: "127.0.0.1", port: 0)
        let serving = Task { try? await server.serve(listener) }
        let client = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        let expected = (0..<lines).map { "chunk \($0)\n" }.joined()
        // Several requests on the kept-alive connection: a late chunk would corrupt the next one.
        for _ in 0..<20 {
            let reply = try await client.get("/stream", accept: "text/plain")
            #expect(reply.status == 200)
            #expect(reply.text == expected)
        }
        await server.shutdown()
        await serving.value
    }
}
}
