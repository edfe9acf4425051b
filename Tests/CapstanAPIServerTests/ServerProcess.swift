import CapstanTestSupport
import Foundation
import Testing

/// The real `capstan server` binary, launched on an ephemeral port with its own data dir.
final class ServerProcess: @unchecked Sendable {
    // Mutated only by the test that owns the instance, from one task at a time.
    let dataDir: String
    private(set) var launched: LaunchedProcess?
    private(set) var port = 0

    /// Extra `capstan server` flags (`--tls`, `--token-auth-file F`).
    let arguments: [String]
    /// `https` when the flags ask for TLS.
    let scheme: String

    init(dataDir: String? = nil, arguments: [String] = []) {
        self.dataDir = dataDir ?? NSTemporaryDirectory() + "capstan-e2e-\(UUID().uuidString.prefix(8))"
        self.arguments = arguments
        self.scheme = arguments.contains { $0 == "--tls" || $0 == "--tls-cert-file" } ? "https" : "http"
    }

    var kubeconfig: String { dataDir + "/kubeconfig" }
    var base: String { "\(scheme)://127.0.0.1:\(port)" }
    var process: Process? { launched?.process }

    /// Starts the server and waits for its "listening" line.
    func start() throws {
        let marker = "listening on \(scheme)://127.0.0.1:"
        let p = try LaunchedProcess(["server", "--data-dir", dataDir, "--port", "0"] + arguments, until: marker)
        launched = p
        if let range = p.startupLog.range(of: marker) {
            port = Int(p.startupLog[range.upperBound...].prefix { $0.isNumber }) ?? 0
        }
        guard port > 0 else {
            p.stop()
            throw ServerError("capstan server printed no port: \(p.startupLog)")
        }
    }

    func signal(_ sig: Int32) { launched?.signal(sig) }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(timeout: TimeInterval) -> Int32? { launched?.waitForExit(timeout: timeout) }

    func stop() { launched?.stop() }

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

/// Oracle gate: true when the test may run; records a failure in CI when it may not.
func oracleAvailable(_ available: Bool, _ name: String) -> Bool {
    if available { return true }
    if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing(name))) }
    return false
}
