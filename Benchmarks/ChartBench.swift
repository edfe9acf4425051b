import CapstanChart
import CapstanModel
import Foundation

/// Chart rendering benchmark: renders the chart test corpus N times with Capstan (in process)
/// and with Helm 4's library (a Python subprocess driving helm-python-sdk, timing its own loop
/// so interpreter start-up is excluded), then prints per-render times and the ratio.
///
/// Arguments: `[--iterations N] [--corpus DIR] [--no-helm]` (DIR holds `Cases/cases.json` and `Charts/`;
/// default `Tests/CapstanChartTests` under the current directory).
/// Capstan's side does strictly more work per render than Helm's (`helm_render` stops after the
/// engine; Capstan also sorts and formats the `helm template` output).
func runChartBench(arguments: [String]) async throws {
    var iterations = 50
    var runHelm = true
    var corpus = FileManager.default.currentDirectoryPath + "/Tests/CapstanChartTests"
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--iterations": if i + 1 < arguments.count { iterations = Int(arguments[i + 1]) ?? iterations; i += 1 }
        case "--corpus": if i + 1 < arguments.count { corpus = arguments[i + 1]; i += 1 }
        case "--no-helm": runHelm = false
        default: break
        }
        i += 1
    }
    let cases = try ChartBenchCase.load(corpus: corpus)
    guard !cases.isEmpty else {
        print("chart bench: no renderable cases found under \(corpus)")
        return
    }

    // Capstan: load + values + render + sort + format, per case per iteration; once with
    // every template parsed on every render (cold), once reusing parsed templates (cached, as
    // the daemon's sync loop does for an unchanged chart). Helm: its own timed loop in Python.
    // The three run interleaved in rounds so that load drift on a shared machine hits all alike.
    let rounds = min(4, iterations)
    let perRound = max(1, iterations / rounds)
    var sink = 0
    for c in cases {
        sink &+= try c.renderWithCapstan(cache: false).utf8.count  // warm-up
        sink &+= try c.renderWithCapstan(cache: true).utf8.count
    }
    var cold = 0.0, warm = 0.0, helm = 0.0
    var helmAvailable = runHelm
    for _ in 0..<rounds {
        for cache in [false, true] {
            let start = ContinuousClock.now
            for _ in 0..<perRound {
                for c in cases { sink &+= try c.renderWithCapstan(cache: cache).utf8.count }
            }
            let per = (ContinuousClock.now - start).seconds / Double(perRound * cases.count)
            if cache { warm += per / Double(rounds) } else { cold += per / Double(rounds) }
        }
        if helmAvailable {
            if let h = try helmSecondsPerRender(cases: cases, corpus: corpus, iterations: perRound) {
                helm += h / Double(rounds)
            } else {
                helmAvailable = false
            }
        }
    }

    print("chart bench: \(cases.count) cases × \(perRound * rounds) iterations in \(rounds) interleaved rounds, output bytes \(sink)")
    print(String(format: "  capstan (cold parse)   : %8.3f ms/render", cold * 1000))
    print(String(format: "  capstan (cached parse) : %8.3f ms/render", warm * 1000))
    try printStages(cases: cases, iterations: max(1, iterations / 5))
    guard helmAvailable else {
        print("  helm                   : unavailable (pip install helm-python-sdk)")
        return
    }
    print(String(format: "  helm                   : %8.3f ms/render", helm * 1000))
    print(String(format: "  ratio cold             : %8.2f× (helm / capstan; target ≥ 2×)", helm / cold))
    print(String(format: "  ratio cached           : %8.2f×", helm / warm))
}

/// One corpus case that renders without error.
struct ChartBenchCase {
    var name: String
    var chartPath: String
    var release: String
    var namespace: String
    var valuesYAML: String
    var valuesFile: String?

    static func load(corpus: String) throws -> [ChartBenchCase] {
        guard let data = FileManager.default.contents(atPath: corpus + "/Cases/cases.json") else { return [] }
        let list = try Value.parseJSON([UInt8](data)).arrayValue ?? []
        var out: [ChartBenchCase] = []
        for c in list {
            // Only plain successful renders: skip error cases and option variants.
            guard let name = c["name"].stringValue, let chart = c["chart"].stringValue,
                  c["kube_version"].isNull, c["is_upgrade"].isNull else { continue }
            var bc = ChartBenchCase(name: name, chartPath: corpus + "/Charts/" + chart,
                                    release: c["release"].stringValue ?? "release-name",
                                    namespace: c["namespace"].stringValue ?? "default",
                                    valuesYAML: c["values"].stringValue ?? "")
            if !bc.valuesYAML.isEmpty {
                let path = NSTemporaryDirectory() + "capstan-bench-\(name).yaml"
                FileManager.default.createFile(atPath: path, contents: Data(bc.valuesYAML.utf8))
                bc.valuesFile = path
            }
            if (try? bc.renderWithCapstan()) != nil { out.append(bc) }
        }
        return out
    }

    func renderWithCapstan(cache: Bool = false) throws -> String {
        let values = ValueOptions(valueFiles: valuesFile.map { [$0] } ?? [])
        var options = RenderOptions(releaseName: release, namespace: namespace)
        options.cacheTemplates = cache
        return try CapstanChart.template(chartPath: chartPath, values: values, options: options)
    }
}

/// Where Capstan's time goes: load, values, render (dependencies + coalesce + templates), sort.
private func printStages(cases: [ChartBenchCase], iterations: Int) throws {
    var load = Duration.zero, values = Duration.zero, render = Duration.zero, sort = Duration.zero
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        for c in cases {
            var t = clock.now
            var chart = try ChartLoader.load(path: c.chartPath)
            load += clock.now - t
            t = clock.now
            let v = try ValueOptions(valueFiles: c.valuesFile.map { [$0] } ?? []).merged()
            values += clock.now - t
            t = clock.now
            var options = RenderOptions(releaseName: c.release, namespace: c.namespace)
            options.cacheTemplates = false
            let files = try ChartRenderer.renderFiles(&chart, values: v, options: options)
            render += clock.now - t
            t = clock.now
            _ = try ManifestSorter.sort(files.filter { !$0.key.hasSuffix("NOTES.txt") })
            sort += clock.now - t
        }
    }
    let n = Double(iterations * cases.count)
    func ms(_ d: Duration) -> String { String(format: "%.3f", d.seconds / n * 1000) }
    print("    stages (ms/render): load \(ms(load)), values \(ms(values)), render \(ms(render)), sort \(ms(sort))")
}

/// Runs Helm's loop in Python and returns seconds per render, or nil without the oracle.
private func helmSecondsPerRender(cases: [ChartBenchCase], corpus: String, iterations: Int) throws -> Double? {
    let script = """
    import json, sys, time
    from helm_python import chart as hc, _native
    spec = json.load(sys.stdin)
    iters = spec["iterations"]
    cases = []
    for c in spec["cases"]:
        vals = hc.values_from_yaml(c["values"]) if c["values"] else {}
        cases.append((c["chart"], json.dumps(vals), json.dumps({"name": c["release"], "namespace": c["namespace"]})))
    def once(path, vals, opts):
        ch = hc.Chart.load(path)
        try:
            return len(_native.call_string("helm_render", ch._raw(), vals, opts))
        finally:
            ch.close()
    for c in cases: once(*c)
    t = time.perf_counter()
    n = 0
    for _ in range(iters):
        for c in cases:
            once(*c); n += 1
    print((time.perf_counter() - t) / n)
    """
    let spec: Value = .object([
        "iterations": .int(Int64(iterations)),
        "cases": .array(cases.map { c in
            .object(["chart": .string(c.chartPath), "values": .string(c.valuesYAML),
                     "release": .string(c.release), "namespace": .string(c.namespace)])
        }),
    ])
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script]
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    input.fileHandleForWriting.write(Data(spec.jsonString().utf8))
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}
