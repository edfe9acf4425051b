import Foundation
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import CapstanClient

/// The client's own HTTP/1.1 response reader: every framing a server may use, fed whole and
/// one byte at a time (reads split anywhere), and the errors for broken responses.
struct HTTPResponseParserTests {
    /// What the parser reported, flattened for comparison.
    struct Parsed: Equatable {
        var heads: [(status: Int, keepAlive: Bool, headers: [String])] = []
        var body: [UInt8] = []
        var ends = 0

        static func == (a: Parsed, b: Parsed) -> Bool {
            a.heads.count == b.heads.count && a.body == b.body && a.ends == b.ends
                && zip(a.heads, b.heads).allSatisfy { $0.status == $1.status && $0.keepAlive == $1.keepAlive && $0.headers == $1.headers }
        }
    }

    static func parse(_ text: String, method: String = "GET", pieceSize: Int? = nil, endOfInput: Bool = false) throws -> Parsed {
        var parser = HTTPResponseParser()
        parser.expectResponse(method: method)
        var out = Parsed()
        let emit: (HTTPResponseParser.Event) -> Void = { event in
            switch event {
            case .head(let status, let headers, let keepAlive, _):
                out.heads.append((status, keepAlive, headers.map { "\($0.name)=\($0.value)" }))
            case .body(let buffer): out.body += Array(buffer.readableBytesView)
            case .end: out.ends += 1
            }
        }
        let bytes = Array(text.utf8)
        let size = pieceSize ?? max(1, bytes.count)
        var start = 0
        while start < bytes.count {
            var buffer = ByteBuffer(bytes: bytes[start..<min(bytes.count, start + size)])
            try parser.feed(&buffer, emit)
            start += size
        }
        if endOfInput { try parser.endOfInput(emit) }
        return out
    }

    /// The same result whole, byte by byte, and in 7-byte pieces.
    static func parseEverySplit(_ text: String, method: String = "GET", endOfInput: Bool = false) throws -> Parsed {
        let whole = try parse(text, method: method, endOfInput: endOfInput)
        #expect(try parse(text, method: method, pieceSize: 1, endOfInput: endOfInput) == whole)
        #expect(try parse(text, method: method, pieceSize: 7, endOfInput: endOfInput) == whole)
        return whole
    }

    @Test func contentLengthBody() throws {
        let p = try Self.parseEverySplit("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"bcd\"}")
        #expect(p.heads.count == 1)
        #expect(p.heads[0].status == 201 && p.heads[0].keepAlive)
        #expect(p.heads[0].headers == ["Content-Type=application/json", "Content-Length=11"])
        #expect(String(decoding: p.body, as: UTF8.self) == "{\"a\":\"bcd\"}")
        #expect(p.ends == 1)
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n" + "A\r\n, world!!!\r\n" + "0\r\nX-Trailer: yes\r\n\r\n"
        let p = try Self.parseEverySplit(text)
        #expect(String(decoding: p.body, as: UTF8.self) == "hello, world!!!")
        #expect(p.ends == 1 && p.heads[0].keepAlive)
    }

    @Test func interimResponsesAreSkipped() throws {
        let p = try Self.parseEverySplit("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        #expect(p.heads.map(\.status) == [200])
        #expect(p.body == Array("ok".utf8))
    }

    @Test func responsesWithoutBodies() throws {
        // HEAD: Content-Length describes the GET body, none follows.
        let head = try Self.parseEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", method: "HEAD")
        #expect(head.ends == 1 && head.body.isEmpty)
        let noContent = try Self.parseEverySplit("HTTP/1.1 204 No Content\r\n\r\n")
        #expect(noContent.ends == 1 && noContent.heads[0].keepAlive)
        let notModified = try Self.parseEverySplit("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n")
        #expect(notModified.ends == 1 && notModified.body.isEmpty)
        let empty = try Self.parseEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(empty.ends == 1)
    }

    @Test func bodyUntilTheConnectionCloses() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nline one\nline two\n"
        let open = try Self.parse(text)
        #expect(open.ends == 0, "without a length the body runs until the close")
        let p = try Self.parseEverySplit(text, endOfInput: true)
        #expect(p.heads[0].keepAlive == false)
        #expect(String(decoding: p.body, as: UTF8.self) == "line one\nline two\n")
        #expect(p.ends == 1)
    }

    @Test func connectionReuseFollowsVersionAndConnectionHeader() throws {
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").heads[0].keepAlive == false)
        #expect(try Self.parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").heads[0].keepAlive == false)
        #expect(try Self.parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n").heads[0].keepAlive)
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").heads[0].keepAlive)
        // Names and tokens in any case, tokens among others and padded with spaces or tabs.
        #expect(try Self.parse("HTTP/1.1 200 OK\r\nCONNECTION: Upgrade,\t CLOSE \r\nContent-Length: 0\r\n\r\n").heads[0].keepAlive == false)
        let chunked = try Self.parseEverySplit("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        #expect(chunked.body == Array("ok".utf8) && chunked.ends == 1)
        let headers = try Self.parse("HTTP/1.1 200 OK\r\nX-A:\t padded value \t\r\ncontent-LENGTH: 2\r\n\r\nok").heads[0].headers
        #expect(headers == ["X-A=padded value", "content-LENGTH=2"])
    }

    @Test func bytesAfterTheResponseAreDropped() throws {
        let p = try Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokGARBAGE")
        #expect(p.body == Array("ok".utf8) && p.ends == 1)
    }

    @Test func brokenResponsesAreErrors() throws {
        func failure(_ text: String, endOfInput: Bool = false) -> String? {
            do {
                _ = try Self.parse(text, endOfInput: endOfInput)
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("HTTX/1.1 200 OK\r\n\r\n")?.hasPrefix("malformed status line") == true)
        #expect(failure("HTTP/1.1 2x0 OK\r\n\r\n")?.hasPrefix("malformed status line") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")?.hasPrefix("malformed header line") == true)
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == "invalid Content-Length \"-1\"")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n") == "invalid Content-Length \"+1\"")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n") == "invalid Content-Length \"\"")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == "invalid Content-Length \"2\"")
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") == "malformed chunk size")
        #expect(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n")
            == "malformed chunked body: data longer than its chunk size")
        #expect(failure("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", endOfInput: true)
            == "connection closed in the middle of a response")
        #expect(failure("HTTP/1.1 101 Switching Protocols\r\n\r\n") == "unexpected protocol switch (101)")
        let huge = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 4000)
        #expect(failure(huge) == "response head larger than 65536 bytes")
        // The connection closing before anything arrived is left to the caller to report.
        #expect(failure("", endOfInput: true) == nil)
    }

    @Test func requestEncoding() throws {
        var buffer = ByteBuffer()
        let request = TransportRequest(method: "POST", path: "/api/v1/namespaces/a/configmaps?fieldManager=x",
                                       headers: ["Content-Type": "application/json", "Authorization": "Bearer t"],
                                       body: Array("{}".utf8))
        try ExchangeHandler.encode(request, host: "127.0.0.1:6443", into: &buffer)
        #expect(String(decoding: buffer.readableBytesView, as: UTF8.self) ==
            "POST /api/v1/namespaces/a/configmaps?fieldManager=x HTTP/1.1\r\nHost: 127.0.0.1:6443\r\n"
            + "Content-Type: application/json\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\n\r\n{}")

        var get = ByteBuffer()
        try ExchangeHandler.encode(TransportRequest(method: "GET", path: "/version"), host: "h:1", into: &get)
        #expect(String(decoding: get.readableBytesView, as: UTF8.self) == "GET /version HTTP/1.1\r\nHost: h:1\r\n\r\n")

        // A line break in a header value or the path would let it forge headers: refused.
        for bad in [TransportRequest(method: "GET", path: "/x", headers: ["Authorization": "Bearer a\r\nX-Evil: 1"]),
                    TransportRequest(method: "GET", path: "/x HTTP/1.1\r\nX-Evil: 1"),
                    TransportRequest(method: "GET", path: "/x", headers: ["Bad Name": "v"])]
        {
            var b = ByteBuffer()
            #expect(throws: HTTPResponseParser.Failure.self) { try ExchangeHandler.encode(bad, host: "h:1", into: &b) }
        }
    }
}

/// A loopback server on plain threads that answers every request on a connection with the
/// next scripted response, written a few bytes at a time (so the client sees reads split
/// anywhere), and closes the connection after a response marked to close.
final class ScriptedHTTPServer: Sendable {
    struct Reply: Sendable {
        var bytes: String
        var closeAfter = false
    }

    let port: Int
    private let listener: Int32
    private let replies: Mutex<[Reply]>
    let connections = Mutex(0)

    init(_ replies: [Reply]) throws {
        self.replies = Mutex(replies)
        (listener, port) = try LoopbackListener.open()
        let fd = listener
        Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                connections.withLock { $0 += 1 }
                Thread { [self] in serve(client) }.start()
            }
        }.start()
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var nodelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &nodelay, socklen_t(MemoryLayout<Int32>.size))
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            buffer += chunk[0..<n]
            // Requests in these tests have no body: the head is the request.
            guard let end = (0..<max(0, buffer.count - 3)).first(where: { buffer[$0..<$0 + 4] == [13, 10, 13, 10] }) else { continue }
            buffer.removeFirst(end + 4)
            guard let reply = replies.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { break }
            let bytes = Array(reply.bytes.utf8)
            var start = 0
            while start < bytes.count {
                let piece = Array(bytes[start..<min(bytes.count, start + 5)])
                _ = piece.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                start += 5
                usleep(200)
            }
            if reply.closeAfter { break }
        }
        close(fd)
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}

@Suite(.serialized) struct HTTPFramingOverSocketsTests {
    @Test func chunkedThenLengthOnOneKeptAliveConnection() async throws {
        let server = try ScriptedHTTPServer([
            .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3;x=y\r\nefg\r\n0\r\n\r\n"),
            .init(bytes: "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found"),
        ])
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        defer { transport.shutdown() }
        let first = try await transport.send(TransportRequest(method: "GET", path: "/a"))
        #expect(first.status == 200 && String(decoding: first.body, as: UTF8.self) == "abcdefg")
        let second = try await transport.send(TransportRequest(method: "GET", path: "/b"))
        #expect(second.status == 404 && String(decoding: second.body, as: UTF8.self) == "not found")
        #expect(server.connections.withLock { $0 } == 1)
    }

    @Test func aBodyThatRunsToTheCloseIsWholeAndTheConnectionIsNotReused() async throws {
        let server = try ScriptedHTTPServer([
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end\n", closeAfter: true),
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        defer { transport.shutdown() }
        let first = try await transport.send(TransportRequest(method: "GET", path: "/logs"))
        #expect(String(decoding: first.body, as: UTF8.self) == "until the end\n")
        let second = try await transport.send(TransportRequest(method: "GET", path: "/again"))
        #expect(String(decoding: second.body, as: UTF8.self) == "ok")
        #expect(server.connections.withLock { $0 } == 2)
    }

    @Test func aStreamedChunkedBodyArrivesInPieces() async throws {
        let server = try ScriptedHTTPServer([
            .init(bytes: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nline1\n\r\n6\r\nline2\n\r\n0\r\n\r\n"),
        ])
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        defer { transport.shutdown() }
        let response = try await transport.stream(TransportRequest(method: "GET", path: "/watch"))
        #expect(response.status == 200)
        #expect(String(decoding: try await response.collect(), as: UTF8.self) == "line1\nline2\n")
    }

    @Test func aTruncatedResponseFailsTheRequest() async throws {
        let server = try ScriptedHTTPServer([
            .init(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", closeAfter: true),
        ])
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        defer { transport.shutdown() }
        do {
            _ = try await transport.send(TransportRequest(method: "GET", path: "/x"))
            Issue.record("a truncated body was accepted")
        } catch {
            #expect(error.isTransport)
            #expect("\(error)".contains("connection closed in the middle of a response"))
        }
    }
}

@Suite(.serialized) struct PrewarmTests {
    @Test func prewarmedConnectionsServeTheNextRequests() async throws {
        let replies = (0..<6).map { _ in ScriptedHTTPServer.Reply(bytes: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") }
        let server = try ScriptedHTTPServer(replies)
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 3)
        defer { transport.shutdown() }
        transport.prewarm(connections: 10)   // bounded by maxConnections
        #expect(transport.openConnections == 3)
        for _ in 0..<200 where server.connections.withLock({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(server.connections.withLock { $0 } == 3)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<6 {
                group.addTask {
                    let response = try await transport.send(TransportRequest(method: "GET", path: "/\(i)"))
                    #expect(response.body == Array("ok".utf8))
                }
            }
            try await group.waitForAll()
        }
        #expect(server.connections.withLock { $0 } == 3, "requests used the open connections, none more")
        transport.prewarm(connections: 2)   // already open: nothing to do
        #expect(transport.openConnections == 3)
    }

    @Test func aFailedPrewarmFreesItsSlots() async throws {
        // Nothing listens on the port: every open fails and gives its slot back.
        let server = try ScriptedHTTPServer([])
        let port = server.port
        server.stop()
        let transport = HTTPTransport(host: "127.0.0.1", port: port, maxConnections: 2)
        defer { transport.shutdown() }
        transport.prewarm(connections: 2)
        for _ in 0..<400 where transport.openConnections > 0 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(transport.openConnections == 0)
    }
}

@Test func headerNamesMatchInAnyCaseWithoutCopies() {
    var headers: HeaderFields = ["content-TYPE": "application/json", "Accept": "*/*"]
    #expect(headers["Content-Type"] == "application/json")
    #expect(headers["ACCEPT"] == "*/*")
    #expect(headers["Accept-Encoding"] == nil)
    headers.set("CONTENT-type", "text/plain")
    #expect(headers.fields.map(\.name) == ["Accept", "CONTENT-type"])
    #expect(HeaderFields.sameName("x-Ab", "X-aB") && !HeaderFields.sameName("x-ab", "x-ac") && !HeaderFields.sameName("a", "ab"))
    // Only ASCII letters fold: "[" (0x5B) is not "{" (0x7B).
    #expect(!HeaderFields.sameName("[", "{"))
}
