import Foundation
import Synchronization
import Testing

@testable import CapstanClient

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 server on a plain thread that answers the first request on every
/// connection (keep-alive, Content-Length) and drops the connection on the second, as a server
/// does when it closes an idle keep-alive connection just as the client reuses it.
final class FlakyKeepAliveServer: Sendable {
    let port: Int
    private let listener: Int32
    let connections = Mutex(0)

    init() throws {
        (listener, port) = try LoopbackListener.open()
        let thread = Thread { [self] in self.acceptLoop() }
        thread.start()
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            connections.withLock { $0 += 1 }
            Thread { Self.serve(client) }.start()
        }
    }

    /// Reads one request head (and its Content-Length body), answers it, then drops the
    /// connection when the next request arrives.
    private static func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        var answered = false
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            buffer += chunk[0..<n]
            let text = String(decoding: buffer, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            if answered { break }   // second request: drop the connection without a response
            let length = text[..<headEnd.lowerBound].split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyStart = text.utf8.distance(from: text.startIndex, to: headEnd.upperBound)
            if buffer.count < bodyStart + length { continue }
            let body = #"{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"x"}}"#
            let response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            _ = response.withCString { write(fd, $0, strlen($0)) }
            buffer.removeAll()
            answered = true
        }
        close(fd)
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }
}

@Suite(.serialized) struct StaleConnectionTests {
    @Test func aGetOnADroppedKeepAliveConnectionIsRetriedOnce() async throws {
        let server = try FlakyKeepAliveServer()
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        let client = RESTClient(transport: transport)
        _ = try await client.get(.namespaces, namespace: nil, name: "x")
        _ = try await client.get(.namespaces, namespace: nil, name: "x")   // reused, dropped, retried
        #expect(server.connections.withLock { $0 } == 2)
        transport.shutdown()
    }

    @Test func aWriteOnADroppedConnectionIsNotRepeated() async throws {
        let server = try FlakyKeepAliveServer()
        defer { server.stop() }
        let transport = HTTPTransport(host: "127.0.0.1", port: server.port, maxConnections: 1)
        let client = RESTClient(transport: transport)
        _ = try await client.get(.namespaces, namespace: nil, name: "x")
        do {
            _ = try await client.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "y"]])
            Issue.record("a POST was repeated after the server dropped it")
        } catch {
            #expect(error.isTransport)
        }
        #expect(server.connections.withLock { $0 } == 1)
        transport.shutdown()
    }
}
