import CapstanClient
import CapstanModel
import Testing
@testable import CapstanNode

/// The node's container logs: what the simulated runtime writes per run, and how a log query
/// (tail, since, timestamps, limit, previous, follow) shapes it.
@Suite struct NodeLogsTests {
    func pod(_ annotations: Value, restartPolicy: String = "Always") -> Value {
        ["apiVersion": "v1", "kind": "Pod",
         "metadata": ["name": "p", "namespace": "default", "uid": "u-1", "annotations": annotations],
         "spec": ["nodeName": "node-1", "restartPolicy": .string(restartPolicy),
                  "containers": [["name": "app", "image": "x"], ["name": "side", "image": "y"]]]]
    }

    @Test func simulatedRunsWriteLifecycleAndAnnotationLines() {
        let runtime = SimulatedRuntime(backoffBase: 1)
        let p = pod(["sim.capstan.dev/log": "hello\nworld", "sim.capstan.dev/exit-after": "2s",
                     "sim.capstan.dev/exit-code": "3", "sim.capstan.dev/start-delay": "1s"])
        #expect(runtime.logs(of: p, container: "app", elapsed: 0.5) == ContainerLogs(runs: [], ended: false, waitingReason: "ContainerCreating"))
        let first = runtime.logs(of: p, container: "app", elapsed: 1.5)
        #expect(first?.runs.count == 1)
        #expect(first?.runs[0].map(\.text) == ["capstan-sim: container \"app\" started (run 1)", "hello", "world"])
        #expect(first?.runs[0].first?.time == 1)
        #expect(first?.ended == false)
        // Exits at 3 s with code 3, restarts at once (first restart), runs again from 4 s.
        let later = runtime.logs(of: p, container: "app", elapsed: 4.5)
        #expect(later?.runs.count == 2)
        #expect(later?.runs[0].last == LogLine(time: 3, text: "capstan-sim: container \"app\" exited with code 3"))
        #expect(later?.runs[1].first?.text == "capstan-sim: container \"app\" started (run 2)")
        #expect(runtime.logs(of: p, container: "nope", elapsed: 1) == nil)
    }

    @Test func cursorAppliesTailSinceTimestampsAndLimit() {
        let start = Timestamp(seconds: 1_700_000_000)
        let lines = (0..<5).map { LogLine(time: Double($0), text: "line \($0)") }
        let now = start.adding(seconds: 4)
        var tail = LogCursor(options: LogOptions(tailLines: 2), start: start)
        #expect(String(decoding: tail.take(lines, now: now), as: UTF8.self) == "line 3\nline 4\n")
        // Later lines of the same run all follow, whatever the tail was.
        #expect(String(decoding: tail.take(lines + [LogLine(time: 5, text: "line 5")], now: now), as: UTF8.self) == "line 5\n")
        var since = LogCursor(options: LogOptions(sinceSeconds: 2), start: start)
        #expect(String(decoding: since.take(lines, now: now), as: UTF8.self) == "line 2\nline 3\nline 4\n")
        var stamped = LogCursor(options: LogOptions(tailLines: 1, timestamps: true), start: start)
        #expect(String(decoding: stamped.take(lines, now: now), as: UTF8.self) == "2023-11-14T22:13:24.000000Z line 4\n")
        var limited = LogCursor(options: LogOptions(limitBytes: 9), start: start)
        #expect(String(decoding: limited.take(lines, now: now), as: UTF8.self) == "line 0\nli")
        #expect(limited.exhausted)
        #expect(limited.take(lines + [LogLine(time: 9, text: "more")], now: now).isEmpty)
    }

    @Test func kubeletQueryParsesAndRefusesBadNumbers() throws {
        let o = try LogOptions(kubeletQuery: [("follow", "true"), ("tailLines", "10"), ("timestamps", "true"), ("x", "y")])
        #expect(o.follow && o.timestamps && o.tailLines == 10 && !o.previous)
        #expect(throws: NodeAgent.LogError.self) { try LogOptions(kubeletQuery: [("tailLines", "-1")]) }
        #expect(throws: NodeAgent.LogError.self) { try LogOptions(kubeletQuery: [("sinceSeconds", "0")]) }
    }

    @Test func agentServesCurrentPreviousAndFollowedLogs() async throws {
        let fake = FakeClient()
        var p = pod(["sim.capstan.dev/log.app": "ready to serve", "sim.capstan.dev/exit-after.app": "300ms"])
        p["metadata"].removeValue(forKey: "uid")
        _ = try await fake.seed([p])
        var config = NodeConfig(name: "node-1")
        config.syncInterval = .milliseconds(20)
        config.logPollInterval = .milliseconds(20)
        let agent = NodeAgent(client: fake, config: config, runtime: SimulatedRuntime(backoffBase: 1))
        try await agent.start()
        defer { agent.stop() }
        func text(_ container: String, _ options: LogOptions) async throws -> String {
            var out: [UInt8] = []
            for await chunk in try agent.containerLogs(namespace: "default", pod: "p", container: container, options: options) { out += chunk }
            return String(decoding: out, as: UTF8.self)
        }
        // Wait for admission, then follow the first run of app to its end (300 ms).
        var followed = ""
        for _ in 0..<100 {
            if let t = try? await text("app", LogOptions(follow: true)) { followed = t; break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(followed.hasPrefix("capstan-sim: container \"app\" started (run 1)\nready to serve\n"), "\(followed)")
        #expect(followed.hasSuffix("capstan-sim: container \"app\" exited with code 0\n"), "\(followed)")
        #expect(try await text("side", LogOptions()) == "capstan-sim: container \"side\" started (run 1)\n")
        // After the restart, previous is the first run.
        try await Task.sleep(for: .milliseconds(150))
        let previous = try await text("app", LogOptions(previous: true))
        #expect(previous.contains("(run 1)") && previous.hasSuffix("exited with code 0\n"), "\(previous)")
        #expect(throws: NodeAgent.LogError(code: 400, message: "previous terminated container \"side\" in pod \"p\" not found")) {
            _ = try agent.containerLogs(namespace: "default", pod: "p", container: "side", options: LogOptions(previous: true))
        }
        #expect(throws: NodeAgent.LogError(code: 400, message: "container \"nope\" is not valid for pod \"p\"")) {
            _ = try agent.containerLogs(namespace: "default", pod: "p", container: "nope", options: LogOptions())
        }
        #expect(throws: NodeAgent.LogError.self) {
            _ = try agent.containerLogs(namespace: "default", pod: "gone", container: "app", options: LogOptions())
        }
    }
}
