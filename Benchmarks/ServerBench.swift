// Server benchmark (`capstan-bench server`): the release `capstan server` binary (SQLite store,
// durable group commit) over HTTP against etcd over its JSON gateway, on the same machine, in
// one run, with the same value (a ~2 KiB ConfigMap's JSON: the POST body on our side, the
// stored value on etcd's) and the same number of keep-alive clients:
//   - writes/s with 1, 16 and 64 clients (POST ConfigMaps vs create-if-absent txns), each for a
//     fixed time;
//   - median latency of listing 10,000 ConfigMaps (GET …/configmaps) vs a range of 10,000 keys;
//   - peak resident memory (VmHWM) of a fresh server process after storing 10,000 Deployments.
// It prints the CPU each side used per workload, to show the server (not the client) is the
// bottleneck, and the ratios capstan / etcd.
//
// The clients are blocking sockets on their own threads (`HTTPConnection`): one send and one
// receive per request, no allocation-heavy framework, so they cost much less CPU than either
// server. Needs `capstan` beside this binary (same build).
// Arguments: --quick (1 s per workload instead of 3), --no-etcd, --etcd PATH.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func runServerBench(arguments: [String]) async throws {
    let quick = arguments.contains("--quick")
    let seconds = quick ? 1.0 : 3.0
    let concurrencies = [1, 16, 64]
    let listSize = 10_000
    let deploymentCount = 10_000
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    let capstan = binDir + "/capstan"
    guard FileManager.default.isExecutableFile(atPath: capstan) else {
        print("server: \(capstan) not built (swift build -c release --product capstan)")
        return
    }
    let etcdPath = arguments.contains("--no-etcd") ? nil : argumentValue(arguments, "--etcd") ?? findExecutable("etcd")
    let directory = FileManager.default.temporaryDirectory.path + "/capstan-server-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let sample = ServerBenchObjects.configMap(name: "cm-000000-00-0000000")
    print("server bench: ConfigMaps of \(sample.count) B JSON, SQLite WAL synchronous=FULL (acknowledged = on disk)")
    print("  each write workload runs capstan, etcd, etcd, capstan for \(Int(seconds)) s each (load drift hits both alike); rates are the means")

    let server = try CapstanServerProcess(executable: capstan, dataDirectory: directory + "/capstan")
    defer { server.stop() }
    try server.waitUntilReady()
    for namespace in ["bench", "x"] {
        _ = try HTTPConnection(port: server.port).post("/api/v1/namespaces", body: ServerBenchObjects.namespace(namespace))
    }
    var etcd: EtcdProcess?
    if let etcdPath {
        etcd = try EtcdProcess(executable: etcdPath, directory: directory + "/etcd")
        try etcd?.waitUntilReady()
        print("  etcd \(etcdPath) on 127.0.0.1:\(etcd?.clientPort ?? 0): create-if-absent txns over the JSON gateway, the ConfigMap JSON as value")
    } else {
        print("  etcd not run (--no-etcd, or not on PATH: apt install etcd-server); no ratios")
    }
    defer { etcd?.stop() }

    // MARK: writes
    var ours: [Int: Double] = [:]
    var theirs: [Int: Double] = [:]
    var round = 0
    func capstanWrites(_ clients: Int) throws -> WriteResult {
        round += 1
        let workload = round
        return try measureWrites(clients: clients, seconds: seconds, port: server.port, serverPID: server.pid) { connection, writer, n in
            let body = ServerBenchObjects.configMap(name: ServerBenchObjects.name(workload, writer, n))
            return try connection.post("/api/v1/namespaces/bench/configmaps", body: body).status == 201
        }
    }
    func etcdWrites(_ etcd: EtcdProcess, _ clients: Int) throws -> WriteResult {
        round += 1
        let workload = round
        return try measureWrites(clients: clients, seconds: seconds, port: etcd.clientPort, serverPID: etcd.pid) { connection, writer, n in
            let name = ServerBenchObjects.name(workload, writer, n)
            let response = try connection.post("/v3/kv/txn", body: EtcdRequests.createIfAbsent(
                key: "/registry/configmaps/bench/\(name)", value: ServerBenchObjects.configMap(name: name)))
            return response.status == 200 && response.body.containsSubsequence(EtcdRequests.succeeded)
        }
    }
    for clients in concurrencies {
        let label = pad("\(clients) clients", 11)
        let first = try capstanWrites(clients)
        print("  capstan  \(label) \(first.summary)")
        if let etcd {
            let a = try etcdWrites(etcd, clients)
            print("  etcd     \(label) \(a.summary)")
            let b = try etcdWrites(etcd, clients)
            print("  etcd     \(label) \(b.summary)")
            theirs[clients] = (a.rate + b.rate) / 2
            let second = try capstanWrites(clients)
            print("  capstan  \(label) \(second.summary)")
            ours[clients] = (first.rate + second.rate) / 2
        } else {
            ours[clients] = first.rate
        }
    }

    // MARK: list 10,000
    try fillParallel(listSize, port: server.port) { connection, n in
        let response = try connection.post("/api/v1/namespaces/x/configmaps", body: ServerBenchObjects.configMap(name: "cm-\(n)"))
        if response.status != 201 { throw BenchError(description: "create cm-\(n): HTTP \(response.status)") }
    }
    let listConnection = try HTTPConnection(port: server.port)
    var listTimes: [Double] = []
    var listBytes = 0
    for _ in 0..<5 {
        var response = HTTPConnection.Response(status: 0, body: [])
        listTimes.append(try timeSync { response = try listConnection.get("/api/v1/namespaces/x/configmaps") })
        guard response.status == 200, response.body.containsSubsequence(Array(#""name":"cm-\#(listSize - 1)""#.utf8)) else {
            throw BenchError(description: "list of \(listSize) ConfigMaps failed: HTTP \(response.status)")
        }
        listBytes = response.body.count
    }
    let ourList = median(listTimes)
    print(String(format: "  capstan  list %d ConfigMaps: %.1f ms (median of 5, %.1f MB JSON)", listSize, ourList * 1000,
                 Double(listBytes) / 1e6))
    var theirList: Double?
    if let etcd {
        try fillParallel(listSize, port: etcd.clientPort) { connection, n in
            _ = try connection.post("/v3/kv/put", body: EtcdRequests.put(
                key: "/registry/configmaps/x/cm-\(n)", value: ServerBenchObjects.configMap(name: "cm-\(n)")))
        }
        let connection = try HTTPConnection(port: etcd.clientPort)
        var times: [Double] = []
        for _ in 0..<5 {
            var response = HTTPConnection.Response(status: 0, body: [])
            times.append(try timeSync {
                response = try connection.post("/v3/kv/range", body: EtcdRequests.range(prefix: "/registry/configmaps/x/"))
            })
            guard response.body.containsSubsequence(Array(#""count":"\#(listSize)""#.utf8)) else {
                throw BenchError(description: "etcd range did not return \(listSize) keys")
            }
        }
        theirList = median(times)
        print(String(format: "  etcd     range %d keys: %.1f ms (median of 5, JSON+base64)", listSize, median(times) * 1000))
    }
    print("  capstan  server peak memory after the above (VmHWM): \(mebibytes(peakMemoryKiB(pid: server.pid)))")
    if let etcd { print("  etcd     peak memory after the above (VmHWM): \(mebibytes(peakMemoryKiB(pid: etcd.pid)))") }
    server.stop()
    etcd?.stop()

    // MARK: 10,000 Deployments
    // A fresh process, so its peak is what 10,000 stored Deployments (and their writes) cost.
    let fresh = try CapstanServerProcess(executable: capstan, dataDirectory: directory + "/capstan-deployments")
    defer { fresh.stop() }
    try fresh.waitUntilReady()
    _ = try HTTPConnection(port: fresh.port).post("/api/v1/namespaces", body: ServerBenchObjects.namespace("d"))
    let deploymentSeconds = try timeSync {
        try fillParallel(deploymentCount, port: fresh.port) { connection, n in
            let response = try connection.post("/apis/apps/v1/namespaces/d/deployments", body: ServerBenchObjects.deployment(n))
            if response.status != 201 { throw BenchError(description: "create deployment \(n): HTTP \(response.status)") }
        }
    }
    print(String(format: "  capstan  %d Deployments stored in %.1f s (16 clients); fresh server peak memory (VmHWM): %@, now (VmRSS): %@",
                 deploymentCount, deploymentSeconds, mebibytes(peakMemoryKiB(pid: fresh.pid)), mebibytes(residentKiB(pid: fresh.pid))))
    fresh.stop()

    guard let theirList else { return }
    print("ratios (capstan / etcd, higher is better for capstan; target writes ≥ 1x):")
    for clients in concurrencies {
        if let a = ours[clients], let b = theirs[clients], b > 0 {
            print("  writes \(pad("\(clients) clients", 11)) " + String(format: "%6.2fx", a / b))
        }
    }
    print(String(format: "  list %d         %6.2fx faster", listSize, theirList / ourList))
}

// MARK: - Workloads

private struct WriteResult {
    var rate: Double
    var summary: String
}

/// `clients` threads, each with its own keep-alive connection, call `write(connection,
/// client, n)` for n = 0, 1, … until `seconds` have passed. Reports writes/s and how much
/// CPU the server and this process used meanwhile (cores busy on average).
private func measureWrites(clients: Int, seconds: Double, port: UInt16, serverPID: Int32,
                           _ write: @escaping @Sendable (HTTPConnection, Int, Int) throws -> Bool) throws -> WriteResult
{
    let done = Atomicish()
    let failures = Atomicish()
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    let serverCPU = cpuSeconds(pid: serverPID)
    let ownCPU = cpuSeconds(pid: nil)
    let elapsed = try runThreads(clients) { client in
        let connection = try HTTPConnection(port: port)
        var n = 0
        while ContinuousClock.now < deadline {
            if try write(connection, client, n) { done.increment() } else { failures.increment() }
            n += 1
        }
    }
    let serverCores = (cpuSeconds(pid: serverPID) - serverCPU) / elapsed
    let ownCores = (cpuSeconds(pid: nil) - ownCPU) / elapsed
    let rate = Double(done.value) / elapsed
    let summary = String(format: "%9.0f writes/s  (%d writes, %.2f s; CPU: server %.2f cores, clients %.2f)",
                         rate, done.value, elapsed, serverCores, ownCores)
        + (failures.value > 0 ? "  \(failures.value) FAILED" : "")
    return WriteResult(rate: rate, summary: summary)
}

/// Runs `body(connection, n)` for n in 0..<count on 16 client threads.
private func fillParallel(_ count: Int, port: UInt16, _ body: @escaping @Sendable (HTTPConnection, Int) throws -> Void) throws {
    let threads = 16
    _ = try runThreads(threads) { thread in
        let connection = try HTTPConnection(port: port)
        for n in stride(from: thread, to: count, by: threads) { try body(connection, n) }
    }
}

private func mebibytes(_ kib: Int?) -> String { kib.map { "\($0 / 1024) MiB" } ?? "n/a" }

/// User plus system CPU seconds a process has used (nil: this one), from /proc/PID/stat.
private func cpuSeconds(pid: Int32?) -> Double {
    let file = pid.map { "/proc/\($0)/stat" } ?? "/proc/self/stat"
    guard let stat = try? String(contentsOfFile: file, encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return 0 }
    // Fields after the command name: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

// MARK: - Bodies

private enum ServerBenchObjects {
    /// The ~2 KiB data value every ConfigMap carries (same bytes on both sides).
    static let data = String((0..<2048).map { Character(Unicode.Scalar(UInt8(97 + $0 % 26))) })

    static func name(_ workload: Int, _ writer: Int, _ n: Int) -> String { "cm-\(workload)-\(writer)-\(n)" }

    static func configMap(name: String) -> [UInt8] {
        Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","labels":{"app":"bench"}},"data":{"v":"\#(data)"}}"#.utf8)
    }

    static func namespace(_ name: String) -> [UInt8] {
        Array(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(name)"}}"#.utf8)
    }

    static func deployment(_ n: Int) -> [UInt8] {
        Array(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web-\#(n)","labels":{"app":"web-\#(n)","tier":"frontend"}},\#
        "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web-\#(n)"}},"template":{"metadata":{"labels":{"app":"web-\#(n)"}},\#
        "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}],\#
        "env":[{"name":"MODE","value":"production"},{"name":"INDEX","value":"\#(n)"}],\#
        "resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"500m","memory":"128Mi"}},\#
        "readinessProbe":{"httpGet":{"path":"/healthz","port":80},"periodSeconds":5}}]}}}}
        """#.utf8)
    }
}

private enum EtcdRequests {
    static let succeeded = Array(#""succeeded":true"#.utf8)

    static func createIfAbsent(key: String, value: [UInt8]) -> [UInt8] {
        let k = base64(Array(key.utf8))
        return Array(#"{"compare":[{"result":"EQUAL","target":"MOD","key":"\#(k)","mod_revision":"0"}],"success":[{"request_put":{"key":"\#(k)","value":"\#(base64(value))"}}]}"#.utf8)
    }

    static func put(key: String, value: [UInt8]) -> [UInt8] {
        Array(#"{"key":"\#(base64(Array(key.utf8)))","value":"\#(base64(value))"}"#.utf8)
    }

    /// A range over every key starting with `prefix` (etcd's prefix end: last byte + 1).
    static func range(prefix: String) -> [UInt8] {
        var end = Array(prefix.utf8)
        end[end.count - 1] += 1
        return Array(#"{"key":"\#(base64(Array(prefix.utf8)))","range_end":"\#(base64(end))"}"#.utf8)
    }

    private static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}

// MARK: - The server process

/// `capstan server` in its own process on an ephemeral port, its data in `dataDirectory`.
private final class CapstanServerProcess: ChildProcess, @unchecked Sendable {
    let process = Process()
    let dataDirectory: String
    private(set) var port: UInt16 = 0

    init(executable: String, dataDirectory: String) throws {
        self.dataDirectory = dataDirectory
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["server", "--data-dir", dataDirectory, "--port", "0"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the kubeconfig the server writes once it listens, and reads the port from it.
    func waitUntilReady() throws {
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: dataDirectory + "/kubeconfig", encoding: .utf8),
               let range = text.range(of: "http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = UInt16(digits), answersOK(port: port, path: "/healthz") {
                    self.port = port
                    return
                }
            }
            usleep(50_000)
        }
        throw BenchError(description: "capstan server did not start in \(dataDirectory)")
    }
}
