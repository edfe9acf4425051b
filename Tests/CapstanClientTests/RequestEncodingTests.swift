import NIOCore
import Testing
@testable import CapstanClient

/// What goes on the wire for a request, and what is refused before anything does.
@Suite struct RequestEncodingTests {
    func encoded(_ request: TransportRequest) throws -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 16)
        try ExchangeHandler.encode(request, host: "127.0.0.1:6443", into: &buffer)
        return String(buffer: buffer)
    }

    @Test func headAndBodyAreWrittenInOrder() throws {
        let request = TransportRequest(method: "POST", path: "/api/v1/namespaces/a/configmaps?fieldManager=capstan",
                                       headers: ["Content-Type": "application/json", "Content-Length": "999", "Accept": "*/*"],
                                       body: Array(#"{"a":1}"#.utf8))
        #expect(try encoded(request) == "POST /api/v1/namespaces/a/configmaps?fieldManager=capstan HTTP/1.1\r\n"
            + "Host: 127.0.0.1:6443\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
        // A GET without a body says nothing about length; a PUT with none says 0.
        #expect(try encoded(TransportRequest(method: "GET", path: "/api")) == "GET /api HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n\r\n")
        #expect(try encoded(TransportRequest(method: "PUT", path: "/x")).hasSuffix("Content-Length: 0\r\n\r\n"))
    }

    @Test func lineBreaksCannotSmuggleAHeader() {
        let bad = [
            TransportRequest(method: "GET", path: "/api\r\nX-Evil: 1"),
            TransportRequest(method: "GET", path: "/a b"),
            TransportRequest(method: "GE T", path: "/"),
            TransportRequest(method: "GET", path: "/", headers: ["X-A": "ok\r\nX-Evil: 1"]),
            TransportRequest(method: "GET", path: "/", headers: ["X A": "ok"]),
        ]
        for request in bad {
            #expect(throws: HTTPResponseParser.Failure.self) { try encoded(request) }
        }
        // Spaces and tabs are fine inside a value.
        #expect(throws: Never.self) { try encoded(TransportRequest(method: "GET", path: "/", headers: ["User-Agent": "capstan/1 (linux)\tx"])) }
    }
}
