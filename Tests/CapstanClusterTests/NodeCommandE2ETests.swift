import CapstanClient
import CapstanCluster
import CapstanModel
import Foundation
import Testing

/// `capstan node` as its own process (the real binary) against the bundled cluster's API
/// server: it registers through the kubeconfig, serves logs, and stops cleanly on SIGTERM —
/// also when the signal arrives while it is still starting.
@Suite(.serialized) struct NodeCommandE2ETests {
    static var binary: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = testBinary.deletingLastPathComponent()
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("capstan").path
    }

    /// Starts `capstan node`; stderr goes to a file so the child never blocks on a pipe.
    static func launch(_ dir: String, name: String) throws -> (Process, String) {
        let log = dir + "/\(name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["node", "--kubeconfig", dir + "/kubeconfig", "--name", name, "--index", "7", "--lease-renew-seconds", "0.2"]
        p.standardError = FileHandle(forWritingAtPath: log)
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return (p, log)
    }

    static func waitForExit(_ p: Process, seconds: Double = 10) async -> Bool {
        for _ in 0..<Int(seconds * 50) where p.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        return !p.isRunning
    }

    @Test func registersServesLogsAndStopsOnSIGTERM() async throws {
        let (cluster, dir) = try await ClusterEndToEndTests.makeCluster(nodes: 1)
        defer { Task { await cluster.shutdown() } }
        let client = try #require(cluster.client)
        let (process, log) = try Self.launch(dir, name: "extra")
        defer { if process.isRunning { process.terminate() } }
        var node: Value = .null
        for _ in 0..<250 {
            node = (try? await client.get(.nodes, namespace: nil, name: "extra")) ?? .null
            if node[path: ["status", "daemonEndpoints", "kubeletEndpoint", "Port"]].intValue ?? 10250 != 10250 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(node[path: ["spec", "podCIDR"]] == "10.244.7.0/24")
        #expect((node[path: ["status", "addresses"]].arrayValue ?? []).first?["address"] == "127.0.0.1")
        // A pod bound to it runs, and its log comes from the separate process.
        let pod: Value = ["apiVersion": "v1", "kind": "Pod",
                          "metadata": ["name": "on-extra", "namespace": "default", "annotations": ["sim.capstan.dev/log": "from afar"]],
                          "spec": ["nodeName": "extra", "containers": [["name": "c", "image": "x"]]]]
        _ = try await client.create(.pods, namespace: "default", pod)
        var text = ""
        for _ in 0..<250 {
            text = (try? await client.logText(namespace: "default", pod: "on-extra")) ?? ""
            if !text.isEmpty { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(text == "capstan-sim: container \"c\" started (run 1)\nfrom afar\n")
        process.terminate()  // SIGTERM
        #expect(await Self.waitForExit(process))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(said.contains("capstan node extra registered with http://127.0.0.1:"), "\(said)")
        #expect(said.contains("capstan node extra stopped"), "\(said)")
    }

    /// A server that accepts connections (the kernel's backlog does) but never answers: the
    /// node's start hangs in registration, where the SIGTERM then arrives.
    @Test func sigtermDuringStartStillStopsCleanly() async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-node-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Cluster.kubeconfig(server: "http://127.0.0.1:\(port)").write(toFile: dir + "/kubeconfig", atomically: true, encoding: .utf8)
        let (process, log) = try Self.launch(dir, name: "stuck")
        defer { if process.isRunning { process.terminate() } }
        // Long enough for the process to be in its start (it cannot get further).
        try await Task.sleep(for: .milliseconds(700))
        #expect(process.isRunning)
        process.terminate()
        #expect(await Self.waitForExit(process, seconds: 5))
        let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit, "killed by the signal instead of stopping: \(said)")
        #expect(process.terminationStatus == 0, "\(said)")
        #expect(said.contains("capstan node stuck stopped during start"), "\(said)")
    }
}
