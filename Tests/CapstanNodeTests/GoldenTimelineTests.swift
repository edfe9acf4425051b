import CapstanModel
import CapstanNode
import CapstanYAML
import Foundation
import Testing

/// Golden scenarios for the simulated runtime: `Golden/NAME.input.yaml` holds a pod and the
/// moments to look at; `Golden/NAME.timeline` beside it is the expected rendering.
/// `CAPSTAN_UPDATE_GOLDEN=1` rewrites the expected files (in the source tree) after a reviewed change.
@Suite struct GoldenTimelineTests {
    static let dir: URL = Bundle.module.resourceURL!.appendingPathComponent("Golden")
    static let sourceDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".input.yaml") }.map { String($0.dropLast(".input.yaml".count)) }.sorted()
    }

    @Test func thereAreScenarios() { #expect(Self.cases.count >= 10) }

    @Test(arguments: cases) func scenario(_ name: String) throws {
        let input = try String(contentsOf: Self.dir.appendingPathComponent("\(name).input.yaml"), encoding: .utf8)
        let doc = try YAML.parse(input)
        var pod = doc["pod"]
        pod["apiVersion"] = "v1"
        pod["kind"] = "Pod"
        pod[path: ["metadata", "name"]] = .string(name)
        let times = (doc["times"].arrayValue ?? []).compactMap { $0.doubleValue ?? $0.intValue.map(Double.init) }
        let actual = Self.render(pod, times: times)
        let expectedURL = Self.dir.appendingPathComponent("\(name).timeline")
        if ProcessInfo.processInfo.environment["CAPSTAN_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: Self.sourceDir.appendingPathComponent("\(name).timeline"), atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "\(name):\n\(actual)")
    }

    static func render(_ pod: Value, times: [Double]) -> String {
        let runtime = SimulatedRuntime()
        var out = ""
        for t in times {
            let s = runtime.snapshot(of: pod, elapsed: t)
            out += "t=\(fmt(t)) phase=\(s.phase) initialized=\(s.initialized) ready=\(s.containersReady && s.initialized)"
            if let r = s.reason { out += " reason=\(r)" }
            out += "\n"
            for c in s.initContainers { out += "  init " + line(c) + "\n" }
            for c in s.containers { out += "  " + line(c) + "\n" }
            for p in s.problems { out += "  problem: \(p)\n" }
        }
        return out
    }

    static func line(_ c: ContainerSnapshot) -> String {
        func state(_ s: ContainerSnapshot.State) -> String {
            switch s {
            case .waiting(let r): return "waiting(\(r))"
            case .running(let at): return "running(since \(fmt(at)))"
            case .terminated(let code, let r, let a, let b): return "terminated(\(r) exit=\(code) \(fmt(a))..\(fmt(b)))"
            }
        }
        var text = "\(c.name): \(state(c.state)) restarts=\(c.restartCount) ready=\(c.ready) started=\(c.started)"
        if let last = c.lastState { text += " last=\(state(last))" }
        return text
    }

    static func fmt(_ d: Double) -> String {
        d == d.rounded() ? "\(Int(d))s" : String(format: "%.3gs", d)
    }
}
