/// The real `capstan` binary for end-to-end tests: where it is, running it to completion, and
/// launching it as a long-lived process (a server, the controllers, a cluster) that the test
/// stops again.
import Foundation

public enum Capstan {
    /// The `capstan` built beside the test bundle (`.build/debug/capstan`).
    public static var binary: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the runner is .build/debug/CapstanPackageTests.xctest; the binary sits beside it.
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        let candidate = dir.appendingPathComponent("capstan").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return repoRoot + "/.build/debug/capstan"
    }

    /// The checkout the tests were built from.
    public static var repoRoot: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url = url.deletingLastPathComponent() }
        return url.path
    }

    /// Runs `capstan ARGUMENTS` to completion.
    public static func run(_ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:]) throws -> Oracle.Output {
        try Oracle.run(binary, arguments, input: input, environment: environment)
    }
}

/// A `capstan` process started for one test, considered up once its standard error shows
/// `marker`; standard error keeps being drained afterwards so it can never block on a full pipe.
public final class LaunchedProcess: @unchecked Sendable {
    // Immutable after init, apart from the Process object's own thread-safe state.
    public let process: Process
    /// Standard error up to and including the marker line.
    public let startupLog: String

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ arguments: [String], until marker: String, timeout: TimeInterval = 20,
                environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Capstan.binary)
        p.arguments = arguments
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        // Collected on the pipe's reader thread; the wait below is bounded by `timeout` even when
        // the child prints nothing at all.
        let log = StartupLog()
        err.fileHandleForReading.readabilityHandler = { h in log.append(h.availableData) }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !log.text.contains(marker), p.isRunning { usleep(10_000) }
        if !p.isRunning { usleep(50_000) }  // let the reader catch the last words of a quick exit
        let collected = log.text
        guard collected.contains(marker) else {
            if p.isRunning { p.terminate(); p.waitUntilExit() }
            throw StartFailure(description: "capstan \(arguments.first ?? "") did not start: \(collected)")
        }
        process = p
        startupLog = collected
    }

    /// The same, from async code: the blocking wait runs off the cooperative pool.
    public static func start(_ arguments: [String], until marker: String, timeout: TimeInterval = 20,
                             environment: [String: String] = [:]) async throws -> LaunchedProcess {
        try await offPool { try LaunchedProcess(arguments, until: marker, timeout: timeout, environment: environment) }
    }

    public var isRunning: Bool { process.isRunning }

    public func signal(_ sig: Int32) {
        if process.isRunning { kill(process.processIdentifier, sig) }
    }

    /// Waits for the process to exit; its status, or nil on timeout.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// SIGTERM, then SIGKILL if it has not gone after `grace` seconds.
    public func stop(grace: TimeInterval = 10) {
        signal(SIGTERM)
        if waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }
}

/// Runs blocking work (process I/O, waits) on a dispatch thread, not the cooperative pool.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Standard error of a starting process, appended by the pipe's reader thread.
private final class StartupLog: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private var full = false

    func append(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        // Keep only the start; later output is drained and dropped.
        if !full { bytes.append(data); full = bytes.count > 1 << 20 }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
