// Store benchmark: CapstanStore's SQLiteStore against etcd (the oracle) on the same machine,
// same value size (2 KiB), same concurrency, in one run. Prints writes/s, list latency,
// peak memory, and the ratios. Runs in well under a minute.
//
// Each write workload runs for at most 3 s (or its write count, whichever ends first).
// Arguments: --quick (a quarter of the work, 1 s per workload), --no-etcd, --etcd PATH (default: `etcd` on PATH).
import CapstanStore
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func runStoreBench(arguments: [String]) async throws {
    let quick = arguments.contains("--quick")
    let scale = quick ? 4 : 1
    let valueSize = 2048
    let value = (0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let workloads: [(name: String, writers: Int, count: Int)] = [
        ("sequential", 1, 2_000 / scale),
        ("16 writers", 16, 16_000 / scale),
        ("64 writers", 64, 32_000 / scale),
    ]
    let listSize = 10_000
    // Each write workload stops after this long, so a slow machine does not stretch the run.
    let workloadTimeLimit = Duration.seconds(quick ? 1 : 3)

    let directory = FileManager.default.temporaryDirectory.path + "/capstan-store-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    print("store bench: values \(valueSize) B, SQLite WAL synchronous=FULL with group commit")

    // MARK: SQLiteStore
    let store = try SQLiteStore(path: directory + "/store.db", compaction: .disabled)
    var ours: [String: Double] = [:]
    for (index, workload) in workloads.enumerated() {
        let before = store.statistics
        let deadline = ContinuousClock.now + workloadTimeLimit
        var done = 0
        let seconds = try await timeAsync {
            done = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<workload.writers {
                    group.addTask {
                        var written = 0
                        for n in stride(from: writer, to: workload.count, by: workload.writers) {
                            if written % 16 == 0, ContinuousClock.now > deadline { break }
                            _ = try await store.create("/registry/bench/w\(index)/obj-\(n)", value: value)
                            written += 1
                        }
                        return written
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        let after = store.statistics
        let rate = Double(done) / seconds
        ours[workload.name] = rate
        let perTransaction = Double(after.writes - before.writes) / Double(max(after.transactions - before.transactions, 1))
        print("  capstan  \(pad(workload.name, 11)) " + String(format: "%9.0f writes/s  (%d writes, %.2f s, %.1f writes per transaction)",
                     rate, done, seconds, perTransaction))
    }
    try await fill(store: store, prefix: "/registry/list/", count: listSize, value: value)
    var listTimes: [Double] = []
    for _ in 0..<5 {
        var count = 0
        listTimes.append(try await timeAsync { count = try await store.list(prefix: "/registry/list/").items.count })
        precondition(count == listSize, "list returned \(count) items")
    }
    let ourList = median(listTimes)
    print(String(format: "  capstan  list %d keys: %.1f ms (median of 5)", listSize, ourList * 1000))
    print("  capstan  peak memory (bench process VmHWM): \(peakMemoryKiB(pid: nil).map { "\($0 / 1024) MiB" } ?? "n/a")")
    await store.close()

    // MARK: etcd
    if arguments.contains("--no-etcd") { return }
    let etcdPath = argumentValue(arguments, "--etcd") ?? findExecutable("etcd")
    guard let etcdPath else {
        print("  etcd not found on PATH (apt install etcd-server); no ratio")
        return
    }
    let etcd = try EtcdProcess(executable: etcdPath, directory: directory + "/etcd")
    defer { etcd.stop() }
    try etcd.waitUntilReady()
    print("  etcd \(etcdPath) on 127.0.0.1:\(etcd.clientPort), writes as create-if-absent txns over the JSON gateway")
    var theirs: [String: Double] = [:]
    let encodedValue = Data(value).base64EncodedString()
    for (index, workload) in workloads.enumerated() {
        let failures = Atomicish()
        let done = Atomicish()
        let deadline = ContinuousClock.now + workloadTimeLimit
        let seconds = try runThreads(workload.writers) { writer in
            let connection = try HTTPConnection(port: etcd.clientPort)
            var written = 0
            for n in stride(from: writer, to: workload.count, by: workload.writers) {
                if written % 16 == 0, ContinuousClock.now > deadline { break }
                let key = Data("/registry/bench/w\(index)/obj-\(n)".utf8).base64EncodedString()
                let body = #"{"compare":[{"result":"EQUAL","target":"MOD","key":"\#(key)","mod_revision":"0"}],"success":[{"request_put":{"key":"\#(key)","value":"\#(encodedValue)"}}]}"#
                let response = try connection.post("/v3/kv/txn", body: Array(body.utf8))
                if response.status != 200 || !response.body.containsSubsequence(Array(#""succeeded":true"#.utf8)) {
                    failures.increment()
                }
                written += 1
                done.increment()
            }
        }
        let rate = Double(done.value) / seconds
        theirs[workload.name] = rate
        print("  etcd     \(pad(workload.name, 11)) " + String(format: "%9.0f writes/s  (%d writes, %.2f s)", rate, done.value, seconds)
              + (failures.value > 0 ? " \(failures.value) FAILED" : ""))
    }
    let listKey = Data("/registry/list/".utf8).base64EncodedString()
    let listEnd = Data("/registry/list0".utf8).base64EncodedString()
    _ = try runThreads(16) { writer in
        let connection = try HTTPConnection(port: etcd.clientPort)
        for n in stride(from: writer, to: listSize, by: 16) {
            let key = Data("/registry/list/obj-\(n)".utf8).base64EncodedString()
            _ = try connection.post("/v3/kv/put", body: Array(#"{"key":"\#(key)","value":"\#(encodedValue)"}"#.utf8))
        }
    }
    let listConnection = try HTTPConnection(port: etcd.clientPort)
    var etcdListTimes: [Double] = []
    for _ in 0..<5 {
        var response = HTTPConnection.Response(status: 0, body: [])
        etcdListTimes.append(try timeSync {
            response = try listConnection.post("/v3/kv/range", body: Array(#"{"key":"\#(listKey)","range_end":"\#(listEnd)"}"#.utf8))
        })
        precondition(response.body.containsSubsequence(Array(#""count":"\#(listSize)""#.utf8)), "etcd range did not return \(listSize) keys")
    }
    let theirList = median(etcdListTimes)
    print(String(format: "  etcd     list %d keys: %.1f ms (median of 5, includes JSON+base64 transfer)", listSize, theirList * 1000))
    print("  etcd     peak memory (etcd VmHWM): \(peakMemoryKiB(pid: etcd.pid).map { "\($0 / 1024) MiB" } ?? "n/a")")

    print("ratios (capstan / etcd, higher is better for capstan):")
    for workload in workloads {
        if let a = ours[workload.name], let b = theirs[workload.name], b > 0 {
            print("  writes \(pad(workload.name, 11)) " + String(format: "%6.2fx", a / b))
        }
    }
    print(String(format: "  list %d keys    %6.2fx faster", listSize, theirList / ourList))
}

// MARK: - Helpers

private func fill(store: SQLiteStore, prefix: String, count: Int, value: [UInt8]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<16 {
            group.addTask {
                for n in stride(from: writer, to: count, by: 16) {
                    _ = try await store.create("\(prefix)obj-\(n)", value: value)
                }
            }
        }
        try await group.waitForAll()
    }
}

private func timeAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

private func timeSync(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    return (ContinuousClock.now - start).seconds
}

private extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

private func argumentValue(_ arguments: [String], _ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

private func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// VmHWM (peak resident set) in KiB of a process (nil: this one).
private func peakMemoryKiB(pid: Int32?) -> Int? {
    let file = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
    guard let status = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }
    return nil
}

/// A counter shared by the benchmark's threads; protected by a lock.
private final class Atomicish: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Runs `body(i)` on `count` threads (blocking I/O must not sit on the cooperative pool);
/// returns the wall time until all finished. The first error wins.
private func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws -> Double {
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

private extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return needle.isEmpty }
        outer: for start in 0...(count - needle.count) {
            for offset in 0..<needle.count where self[start + offset] != needle[offset] { continue outer }
            return true
        }
        return false
    }
}

private struct StoreBenchError: Error, CustomStringConvertible {
    let description: String
}

/// A single-node etcd on loopback in a temporary data directory.
private final class EtcdProcess: @unchecked Sendable {
    let process = Process()
    let clientPort: UInt16
    var pid: Int32 { process.processIdentifier }

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
            if let connection = try? HTTPConnection(port: clientPort),
               let response = try? connection.get("/health"), response.status == 200 {
                return
            }
            usleep(100_000)
        }
        throw StoreBenchError(description: "etcd did not become healthy on port \(clientPort)")
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// A minimal blocking HTTP/1.1 keep-alive client for loopback benchmarking: much cheaper
/// per request than URLSession, so the client does not dominate what is measured.
/// Used by one thread at a time.
private final class HTTPConnection {
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
        guard socket >= 0 else { throw StoreBenchError(description: "socket() failed") }
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
            throw StoreBenchError(description: "connect to 127.0.0.1:\(port) failed")
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
            if written <= 0 { throw StoreBenchError(description: "send failed") }
            offset += written
        }
    }

    private func fillBuffer() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let received = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if received <= 0 { throw StoreBenchError(description: "connection closed") }
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
            throw StoreBenchError(description: "bad status line \(statusLine)")
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
                    throw StoreBenchError(description: "bad chunk size \(sizeLine)")
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
