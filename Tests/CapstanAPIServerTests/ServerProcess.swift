import CapstanTestSupport
import Foundation
import Testing

/// The real `capstan server` binary, launched on an ephemeral port with its own data dir.
final class ServerProcess: @unchecked Sendable {
    // Mutated only by the test that owns the instance, from one task at a time.
    let dataDir: String
    private(set) var process: Process?
    private(set) var port = 0

    static var binary: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        var candidate = dir.appendingPathComponent("capstan").path
        if !FileManager.default.isExecutableFile(atPath: candidate) {
            var url = URL(fileURLWithPath: #filePath)
            for _ in 0..<3 { url = url.deletingLastPathComponent() }
            candidate = url.appendingPathComponent(".build/debug/capstan").path
        }
        return candidate
    }

    /// Extra `capstan server` flags (`--tls`).
    let arguments: [String]
    private(set) var scheme = "http"

    init(dataDir: String? = nil, arguments: [String] = []) {
        self.dataDir = dataDir ?? NSTemporaryDirectory() + "capstan-e2e-\(UUID().uuidString.prefix(8))"
        self.arguments = arguments
    }

    var kubeconfig: String { dataDir + "/kubeconfig" }
    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    /// Starts the server and waits for its "listening" line.
    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["server", "--data-dir", dataDir, "--port", "0"] + arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        process = p
        var collected = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let data = err.fileHandleForReading.availableData
            if data.isEmpty { break }
            collected += String(decoding: data, as: UTF8.self)
            if let range = collected.range(of: "listening on http://127.0.0.1:") ?? collected.range(of: "listening on https://127.0.0.1:") {
                scheme = collected[range].contains("https") ? "https" : "http"
                let digits = collected[range.upperBound...].prefix { $0.isNumber }
                port = Int(digits) ?? 0
                break
            }
        }
        guard port > 0 else {
            p.terminate()
            throw ServerError("capstan server did not start (is ServerCommand registered in the root command?): \(collected)")
        }
        // Keep draining stderr so the server never blocks on a full pipe.
        err.fileHandleForReading.readabilityHandler = { h in _ = h.availableData }
    }

    func signal(_ sig: Int32) {
        if let p = process, p.isRunning { kill(p.processIdentifier, sig) }
    }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        guard let p = process else { return nil }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        return p.isRunning ? nil : p.terminationStatus
    }

    func stop() {
        signal(SIGTERM)
        if waitForExit(timeout: 10) == nil {
            signal(SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }

    /// Runs kubectl against this server with a fresh discovery cache per server.
    func kubectl(_ args: [String], input: String? = nil) async throws -> Oracle.Output {
        guard let kubectl = Oracle.kubectl else { throw ServerError(Oracle.missing("kubectl 1.37")) }
        let (cache, config) = (dataDir + "/kcache", kubeconfig)
        return try await offPool {
            try Oracle.run(kubectl, args + ["--cache-dir", cache], input: input, environment: ["KUBECONFIG": config])
        }
    }

    func startAsync() async throws { try await offPool { try self.start() } }
    func waitForExitAsync(timeout: TimeInterval) async -> Int32? {
        (try? await offPool { self.waitForExit(timeout: timeout) }) ?? nil
    }
    func cleanUpAsync() async { _ = try? await offPool { self.cleanUp() } }

    func cleanUp() {
        stop()
        try? FileManager.default.removeItem(atPath: dataDir)
    }
}

struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Every suite of this target runs one test at a time: servers, external processes and the
/// cooperative pool of a 2-core machine do not mix well with parallel tests (a combined run
/// under `swift test` stalled when suites ran side by side).
@Suite(.serialized) struct ServerTests {}

/// Runs blocking work (process I/O, waits) on a dispatch thread, not the cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Oracle gate: true when the test may run; records a failure in CI when it may not.
func oracleAvailable(_ available: Bool, _ name: String) -> Bool {
    if available { return true }
    if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing(name))) }
    return false
}
