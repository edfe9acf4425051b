import Foundation
import NIOCore
import NIOHTTP1
import Testing
@testable import CapstanAPIServer

#if canImport(Glibc)
import Glibc
#endif

/// The server's own HTTP/1.1 framing (`HTTPRequestAssembler`, `HTTPResponseFraming`), driven
/// with raw bytes where a real client would never send them: pipelined requests, HTTP/1.0,
/// HEAD, chunked request bodies, oversized bodies and garbage.
extension ServerTests {
@Suite struct HTTPFramingTests {
    /// Echoes method, path and body; `/stream` answers in three chunks.
    private static func start() async throws -> (HTTPServer, Int, Task<Void, Never>) {
        let server = HTTPServer { request in
            if request.path == "/stream" {
                return HTTPResponse(headers: [("Content-Type", "text/plain")], body: .stream { writer in
                    for part in ["a", "", "bc", "def"] { try await writer.write(Array(part.utf8)) }
                })
            }
            let text = "\(request.method.rawValue) \(request.path) \(String(decoding: request.body, as: UTF8.self))"
            return HTTPResponse(headers: [("Content-Type", "text/plain"), ("Warning", "299 - \"bad\r\nInjected: yes\""),
                                          ("Content-Length", "999")],
                                body: .bytes(Array(text.utf8)))
        }
        let (listener, port) = try await server.bind(host: "127.0.0.1", port: 0)
        let serving = Task { _ = try? await server.serve(listener) }
        return (server, port, serving)
    }

    @Test func responseHeadIsFramedBySizeWithHeaderValuesSanitised() {
        var buffer = ByteBuffer()
        HTTPResponseFraming.head(status: .created, headers: [("X-A", "1\r\nX-B: 2"), ("content-length", "7")],
                                 version: .http1_1, length: .fixed(12), keepAlive: true, into: &buffer)
        #expect(String(buffer: buffer) == "HTTP/1.1 201 Created\r\nX-A: 1  X-B: 2\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n")
        buffer.clear()
        HTTPResponseFraming.head(status: .ok, headers: [], version: .http1_0, length: .untilClose, keepAlive: false, into: &buffer)
        #expect(String(buffer: buffer) == "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n")
        buffer.clear()
        HTTPResponseFraming.chunk(Array(repeating: UInt8(ascii: "x"), count: 26), into: &buffer)
        HTTPResponseFraming.chunk([], into: &buffer)
        #expect(String(buffer: buffer) == "1a\r\n" + String(repeating: "x", count: 26) + "\r\n")
    }

    @Test func pipelinedRequestsAreAnsweredInOrderOnOneConnection() async throws {
        let (server, port, serving) = try await Self.start()
        let reply = try await RawHTTP.exchange(port: port, """
            POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc\
            GET /two HTTP/1.1\r\nHost: x\r\n\r\n\
            POST /three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n
            """)
        let bodies = ["POST /one abc", "GET /two ", "POST /three def"]
        let expected = bodies.enumerated().map { i, body in
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nWarning: 299 - \"bad  Injected: yes\"\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: \(i == 2 ? "close" : "keep-alive")\r\n\r\n\(body)"
        }.joined()
        #expect(reply == expected)
        await server.shutdown()
        await serving.value
    }

    /// Far more pipelined requests than the connection reads ahead (it stops reading while
    /// `maxQueued` wait, and starts again as they are answered): every one is answered, in order.
    @Test func aLongPipelineIsAnsweredWholeAndInOrder() async throws {
        let (server, port, serving) = try await Self.start()
        let count = HTTPConnectionHandler.maxQueued * 5 + 3
        var requests = (0..<count - 1).map { "GET /r\($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined()
        requests += "GET /r\(count - 1) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = try await RawHTTP.exchange(port: port, requests)
        let bodies = reply.components(separatedBy: "\r\n\r\n").dropFirst().map { $0.components(separatedBy: "HTTP/1.1")[0] }
        #expect(bodies == (0..<count).map { "GET /r\($0) " })
        await server.shutdown()
        await serving.value
    }

    @Test func headGetsTheHeadersOnlyAndHTTP10GetsAnHTTP10Answer() async throws {
        let (server, port, serving) = try await Self.start()
        let head = try await RawHTTP.exchange(port: port, "HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(head.hasSuffix("Content-Length: 8\r\nConnection: close\r\n\r\n"))
        let old = try await RawHTTP.exchange(port: port, "GET /old HTTP/1.0\r\n\r\n")
        #expect(old.hasPrefix("HTTP/1.0 200 OK\r\n"))
        #expect(old.hasSuffix("Connection: close\r\n\r\nGET /old "))
        await server.shutdown()
        await serving.value
    }

    @Test func streamsAreChunkedOnHTTP11AndEndWithTheConnectionOnHTTP10() async throws {
        let (server, port, serving) = try await Self.start()
        let new = try await RawHTTP.exchange(port: port, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(new == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + "1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n")
        let old = try await RawHTTP.exchange(port: port, "GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(old == "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nabcdef")
        await server.shutdown()
        await serving.value
    }

    /// `Expect: 100-continue` gets its interim answer in line: after the answer to an earlier
    /// pipelined request, before the request's own; a body announced too large gets 413 at once.
    @Test func expectContinueIsAnsweredInOrderAndRefusedWhenTooLarge() async throws {
        let (server, port, serving) = try await Self.start()
        let reply = try await RawHTTP.exchange(port: port, """
            GET /first HTTP/1.1\r\nHost: x\r\n\r\n\
            POST /second HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok
            """)
        let first = reply.range(of: "GET /first ")
        let interim = reply.range(of: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
        #expect(first != nil && interim != nil && first!.upperBound <= interim!.lowerBound)
        #expect(reply.hasSuffix("POST /second ok"))
        let started = ContinuousClock.now
        let refused = try await RawHTTP.exchange(port: port, "POST /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            + "Content-Length: \(HTTPServer.maxBodyBytes + 1)\r\n\r\n")
        #expect(refused.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
        #expect(!refused.contains("100 Continue"))
        #expect(ContinuousClock.now - started < .seconds(4))
        await server.shutdown()
        await serving.value
    }

    @Test func oversizedBodiesGet413AndGarbageGets400ThenTheConnectionCloses() async throws {
        let (server, port, serving) = try await Self.start()
        let size = HTTPServer.maxBodyBytes + 1
        // The exchange ends when the server closes (long before its 5 s limit).
        let started = ContinuousClock.now
        let big = try await RawHTTP.exchange(port: port, "POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n"
            + String(repeating: "x", count: size))
        #expect(big.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
        #expect(big.contains("Connection: close\r\n"))
        #expect(ContinuousClock.now - started < .seconds(4))
        let bad = try await RawHTTP.exchange(port: port, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\nNOT HTTP AT ALL\r\n\r\n")
        #expect(bad.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(bad.contains("GET /ok "))
        #expect(bad.contains("HTTP/1.1 400 Bad Request\r\n"))
        #expect(bad.contains("\"code\":400"))
        await server.shutdown()
        await serving.value
    }
}
}

/// Sends raw bytes and reads until the server closes the connection (5 s at most), on a thread
/// of its own so that the blocking socket calls never hold a cooperative-pool thread.
enum RawHTTP {
    static func exchange(port: Int, _ text: String) async throws -> String {
        let bytes = Array(text.utf8)
        return await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread.detachNewThread {
                continuation.resume(returning: String(decoding: blockingExchange(port: port, bytes), as: UTF8.self))
            }
        }
    }

    private static func blockingExchange(port: Int, _ bytes: [UInt8]) -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return [] }
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += chunk[..<n]
        }
        return received
    }
}
