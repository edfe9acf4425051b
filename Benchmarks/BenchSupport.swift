// Helpers shared by the benchmarks that drive servers over HTTP (store, server): timing,
// threads for blocking clients, a single-node etcd, a minimal keep-alive HTTP/1.1 client,
// and reading a process's peak memory.
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func timeAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

func timeSync(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func argumentValue(_ arguments: [String], _ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// VmHWM (peak resident set) in KiB of a process (nil: this one).
func peakMemoryKiB(pid: Int32?) -> Int? { memoryKiB(pid: pid, field: "VmHWM:") }

/// VmRSS (current resident set) in KiB of a process (nil: this one).
func residentKiB(pid: Int32?) -> Int? { memoryKiB(pid: pid, field: "VmRSS:") }

private func memoryKiB(pid: Int32?, field: String) -> Int? {
    let file = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
    guard let status = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix(field) {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

/// A counter shared by the benchmark's threads; protected by a lock.
final class Atomicish: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Runs `body(i)` on `count` threads (blocking I/O must not sit on the cooperative pool);
/// returns the wall time until all finished. The first error wins.
func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
    final class FirstError: @unchecked Sendable {
        let lock = NSLock()
        var error: Error?
    }
    let failure = FirstError()
    let group = DispatchGroup()
    let start = ContinuousClock.now
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            do { try body(index) } catch {
                failure.lock.lock()
                if failure.error == nil { failure.error = error }
                failure.lock.unlock()
            }
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
    let elapsed = (ContinuousClock.now - start).seconds
    if let error = failure.error { throw error }
    return elapsed
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return needle.isEmpty }
        outer: for start in 0...(count - needle.count) {
            for offset in 0..<needle.count where self[start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
}

/// A single-node etcd on loopback in a temporary data directory.
final class EtcdProcess: ChildProcess, @unchecked Sendable {
    let process = Process()
    let clientPort: UInt16

    init(executable: String, directory: String) throws {
        clientPort = UInt16(20_000 + Int(getpid() % 10_000))
        let peerPort = clientPort + 1
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--data-dir", directory + "/data",
            "--listen-client-urls", "http://127.0.0.1:\(clientPort)",
            "--advertise-client-urls", "http://127.0.0.1:\(clientPort)",
            "--listen-peer-urls", "http://127.0.0.1:\(peerPort)",
            "--initial-advertise-peer-urls", "http://127.0.0.1:\(peerPort)",
            "--initial-cluster", "default=http://127.0.0.1:\(peerPort)",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
    }

    func waitUntilReady() throws {
        for _ in 0..<100 {
            if answersOK(port: clientPort, path: "/health") { return }
            usleep(100_000)
        }
        throw BenchError(description: "etcd did not become healthy on port \(clientPort)")
    }
}

/// A server the benchmark started as a child process.
protocol ChildProcess {
    var process: Process { get }
}

extension ChildProcess {
    var pid: Int32 { process.processIdentifier }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Whether `GET path` on 127.0.0.1:`port` answers 200.
func answersOK(port: UInt16, path: String) -> Bool {
    guard let connection = try? HTTPConnection(port: port), let response = try? connection.get(path) else { return false }
    return response.status == 200
}

/// A minimal blocking HTTP/1.1 keep-alive client for loopback benchmarking: much cheaper
/// per request than URLSession, so the client does not dominate what is measured.
/// Used by one thread at a time.
final class HTTPConnection {
    struct Response {
        var status: Int
        var body: [UInt8]
    }

    private let socket: Int32
    private let port: UInt16
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        self.port = port
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw BenchError(description: "connect to 127.0.0.1:\(port) failed")
        }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(socket) }

    func get(_ path: String) throws -> Response {
        try send(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8))
        return try readResponse()
    }

    func post(_ path: String, body: [UInt8]) throws -> Response {
        var request = Array(("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n").utf8)
        request.append(contentsOf: body)
        try send(request)
        return try readResponse()
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { throw BenchError(description: "send failed") }
            offset += written
        }
    }

    private func fillBuffer() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let received = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if received <= 0 { throw BenchError(description: "connection closed") }
        buffer.append(contentsOf: chunk[0..<received])
    }

    private func readLine() throws -> String {
        while true {
            if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeSubrange(...index)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            try fillBuffer()
        }
    }

    private func readBytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { try fillBuffer() }
        let bytes = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return bytes
    }

    private func readResponse() throws -> Response {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw BenchError(description: "bad status line \(statusLine)")
        }
        var contentLength: Int?
        var chunked = false
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") {
                contentLength = Int(lower.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
            } else if lower.hasPrefix("transfer-encoding:"), lower.contains("chunked") {
                chunked = true
            }
        }
        if chunked {
            var body: [UInt8] = []
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw BenchError(description: "bad chunk size \(sizeLine)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body.append(contentsOf: try readBytes(size))
                _ = try readLine()
            }
            return Response(status: status, body: body)
        }
        return Response(status: status, body: try readBytes(contentLength ?? 0))
    }
}
