import CapstanChart
import CapstanModel
import Foundation

/// Chart rendering benchmark: the chart test corpus rendered per case with Capstan (in
/// process) and with Helm 4's library (helm-python-sdk in one long-lived Python process that
/// times its own loops, so interpreter start-up and pipe traffic are excluded).
///
/// Both sides do the same work per render, measured the same way:
/// - cold: load the chart from disk, then render it (dependencies, value coalescing, schema
///   validation, every template parsed and executed) into `{template path: text}`;
/// - warm: the chart is already loaded; render only (Helm parses templates on every render,
///   and so does Capstan here).
/// User values are parsed once up front on both sides. Capstan additionally reports a render
/// that reuses parsed templates (what the daemon's sync loop does for an unchanged chart; Helm
/// has no such mode) and the full `capstan template` path (load + render + sort + format).
///
/// Rounds run interleaved (Capstan cold, warm, cached, template, then Helm cold, warm) so that
/// load drift on a shared machine hits all alike; each figure is the median over rounds, in
/// wall-clock time and in CPU time of the process (the steadier of the two on a busy machine).
///
/// Arguments: `[--rounds N] [--iterations N] [--corpus DIR] [--no-helm] [--profile SECONDS]
/// [--profile-warm SECONDS] [--passes N]`
/// (`--iterations`: corpus passes per round and side; DIR holds `Cases/cases.json` and
/// `Charts/`, default `Tests/CapstanChartTests` under the current directory; `--profile`
/// only loops Capstan's cold render for that long, for `perf record`; `--profile-warm` loops
/// the warm render; `--passes N` makes either profile loop run exactly N corpus passes instead,
/// so instruction counts under `valgrind --tool=callgrind` divide into a per-render figure).
func runChartBench(arguments: [String]) async throws {
    var rounds = 9
    var iterations = 3
    var runHelm = true
    var profileSeconds: Double?
    var profileWarm = false
    var profilePasses: Int?
    var corpus = FileManager.default.currentDirectoryPath + "/Tests/CapstanChartTests"
    var i = 0
    while i < arguments.count {
        let next = i + 1 < arguments.count ? arguments[i + 1] : nil
        switch arguments[i] {
        case "--rounds": rounds = max(1, next.flatMap { Int($0) } ?? rounds); i += 1
        case "--iterations": iterations = max(1, next.flatMap { Int($0) } ?? iterations); i += 1
        case "--corpus": corpus = next ?? corpus; i += 1
        case "--profile": profileSeconds = next.flatMap { Double($0) } ?? 10; i += 1
        case "--profile-warm": profileSeconds = next.flatMap { Double($0) } ?? 10; profileWarm = true; i += 1
        case "--passes": profilePasses = next.flatMap { Int($0) }; profileSeconds = profileSeconds ?? 0; i += 1
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
    if let seconds = profileSeconds {
        let start = ContinuousClock.now
        var n = 0
        var passes = 0
        while profilePasses.map({ passes < $0 }) ?? ((ContinuousClock.now - start).seconds < seconds) {
            for c in cases { n &+= try profileWarm ? c.renderWarm(cached: false).count : c.renderCold().count }
            passes += 1
        }
        print("chart bench: profiled \(profileWarm ? "warm" : "cold") renders: \(passes) passes × \(cases.count) cases (\(n) files)")
        return
    }

    var helm = runHelm ? HelmBenchProcess(cases: cases) : nil
    var sink = 0
    for c in cases {  // warm-up: code paths, caches, page cache
        sink &+= try c.renderCold().count + c.renderWarm(cached: true).count
    }
    var samples: [String: [Double]] = [:]
    func measure(_ key: String, _ body: (ChartBenchCase) throws -> Int) rethrows {
        let start = ContinuousClock.now, cpuStart = processCPUSeconds()
        for _ in 0..<iterations {
            for c in cases { sink &+= try body(c) }
        }
        let n = Double(iterations * cases.count)
        samples[key, default: []].append((ContinuousClock.now - start).seconds / n)
        samples[key + " cpu", default: []].append((processCPUSeconds() - cpuStart) / n)
    }
    for _ in 0..<rounds {
        try measure("cold") { try $0.renderCold().count }
        try measure("warm") { try $0.renderWarm(cached: false).count }
        try measure("cached") { try $0.renderWarm(cached: true).count }
        try measure("template") { try $0.templateOutput().utf8.count }
        if let h = helm {
            if let cold = h.secondsPerRender(mode: "cold", iterations: iterations),
               let warm = h.secondsPerRender(mode: "warm", iterations: iterations) {
                samples["helm cold", default: []].append(cold.wall)
                samples["helm warm", default: []].append(warm.wall)
                samples["helm cold cpu", default: []].append(cold.cpu)
                samples["helm warm cpu", default: []].append(warm.cpu)
            } else {
                helm = nil
            }
        }
    }
    helm?.close()

    func median(_ key: String) -> Double {
        let s = (samples[key] ?? []).sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
    func spread(_ key: String) -> String {
        let s = (samples[key] ?? []).sorted()
        guard let lo = s.first, let hi = s.last else { return "" }
        return String(format: "(min %.3f, max %.3f)", lo * 1000, hi * 1000)
    }
    func line(_ label: String, _ key: String) {
        let padded = label.padding(toLength: 28, withPad: " ", startingAt: 0)
        print("  \(padded): " + String(format: "%8.3f ms/render ", median(key) * 1000) + spread(key))
    }
    print("chart bench: \(cases.count) cases × \(iterations) passes per round, \(rounds) interleaved rounds, medians (output bytes \(sink))")
    line("capstan cold (load+render)", "cold")
    line("capstan warm (render)", "warm")
    line("capstan warm, cached parse", "cached")
    line("capstan template (cold+sort)", "template")
    try printStages(cases: cases, iterations: iterations)
    // CPU time of each process (Helm's includes its Go runtime's GC threads): what a render
    // costs the machine, and far less disturbed than wall time when other work competes.
    print("  CPU time per render (medians):")
    line("capstan cold", "cold cpu")
    line("capstan warm", "warm cpu")
    line("capstan warm, cached parse", "cached cpu")
    guard samples["helm cold"] != nil else {
        print("  helm                        : unavailable (pip install helm-python-sdk)")
        return
    }
    line("helm cold (load+render)", "helm cold")
    line("helm warm (render)", "helm warm")
    // Per-round ratios pair measurements taken seconds apart, so drift cancels; the ratio of
    // the fastest rounds is the least disturbed by other load on the machine.
    func ratios(_ helmKey: String, _ key: String) -> String {
        let pairs = zip(samples[helmKey] ?? [], samples[key] ?? []).map { $0 / $1 }.sorted()
        let mid = pairs.isEmpty ? Double.nan : pairs[pairs.count / 2]
        let best = (samples[helmKey]?.min() ?? .nan) / (samples[key]?.min() ?? .nan)
        return String(format: "%6.2f× median of rounds, %6.2f× fastest vs fastest", mid, best)
    }
    print("  wall-clock ratios:")
    print("  ratio cold (helm/capstan)   : " + ratios("helm cold", "cold") + " (target ≥ 2×)")
    print("  ratio warm (helm/capstan)   : " + ratios("helm warm", "warm"))
    print("  ratio warm vs cached parse  : " + ratios("helm warm", "cached"))
    line("helm cold", "helm cold cpu")
    line("helm warm", "helm warm cpu")
    print("  ratio cold CPU (helm/capstan): " + ratios("helm cold cpu", "cold cpu") + " (target ≥ 2×)")
    print("  ratio warm CPU (helm/capstan): " + ratios("helm warm cpu", "warm cpu"))
}

/// CPU seconds used by this process so far (all threads).
private func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// One corpus case that renders without error.
struct ChartBenchCase {
    var name: String
    var chartPath: String
    var release: String
    var namespace: String
    var valuesYAML: String
    var valuesFile: String?
    /// The user values, parsed once (Helm's side parses them once too).
    var values = ValueObject()
    /// The chart loaded once, for warm renders.
    var loaded: Chart?

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
            guard let values = try? ValueOptions(valueFiles: bc.valuesFile.map { [$0] } ?? []).merged(),
                  let chart = try? ChartLoader.load(path: bc.chartPath) else { continue }
            bc.values = values
            bc.loaded = chart
            if (try? bc.templateOutput()) != nil, (try? bc.renderCold()) != nil { out.append(bc) }
        }
        return out
    }

    func options(cached: Bool) -> RenderOptions {
        var options = RenderOptions(releaseName: release, namespace: namespace)
        options.cacheTemplates = cached
        return options
    }

    /// Load + render, every template parsed (what Helm's load + render does).
    func renderCold() throws -> [String: String] {
        var chart = try ChartLoader.load(path: chartPath)
        return try ChartRenderer.renderFiles(&chart, values: values, options: options(cached: false))
    }

    /// Render of the already loaded chart.
    func renderWarm(cached: Bool) throws -> [String: String] {
        guard var chart = loaded else { return [:] }
        return try ChartRenderer.renderFiles(&chart, values: values, options: options(cached: cached))
    }

    /// `capstan template`: read values, load, render, sort, format.
    func templateOutput() throws -> String {
        let values = ValueOptions(valueFiles: valuesFile.map { [$0] } ?? [])
        return try CapstanChart.template(chartPath: chartPath, values: values, options: options(cached: false))
    }
}

/// Where Capstan's cold time goes: load, render (dependencies + coalesce + schema + templates),
/// sort + format. For finer detail, profile with `--profile SECONDS` under `perf record`.
private func printStages(cases: [ChartBenchCase], iterations: Int) throws {
    var load = Duration.zero, render = Duration.zero, sort = Duration.zero
    let clock = ContinuousClock()
    for _ in 0..<iterations {
        for c in cases {
            var t = clock.now
            var chart = try ChartLoader.load(path: c.chartPath)
            load += clock.now - t
            t = clock.now
            let files = try ChartRenderer.renderFiles(&chart, values: c.values, options: c.options(cached: false))
            render += clock.now - t
            t = clock.now
            _ = try ManifestSorter.sort(files.filter { !$0.key.hasSuffix("NOTES.txt") })
            sort += clock.now - t
        }
    }
    let n = Double(iterations * cases.count)
    func ms(_ d: Duration) -> String { String(format: "%.3f", d.seconds / n * 1000) }
    print("    capstan stages (ms/render, one pass): load \(ms(load)), render \(ms(render)), sort \(ms(sort))")
}

/// Helm 4's library in one Python process for the whole benchmark. It loads the cases once,
/// then answers `MODE N` lines (MODE `cold`: load + render per case; `warm`: render the
/// preloaded chart) with the seconds per render of N passes over all cases.
private final class HelmBenchProcess {
    static let script = """
    import json, sys, time
    from helm_python import chart as hc, _native
    spec = json.loads(sys.stdin.readline())
    cases = []
    for c in spec["cases"]:
        vals = hc.values_from_yaml(c["values"]) if c["values"] else {}
        cases.append((c["chart"], json.dumps(vals), json.dumps({"name": c["release"], "namespace": c["namespace"]})))
    loaded = [hc.Chart.load(path) for path, _, _ in cases]
    def cold(path, vals, opts, _):
        ch = hc.Chart.load(path)
        try:
            return len(_native.call_string("helm_render", ch._raw(), vals, opts))
        finally:
            ch.close()
    def warm(path, vals, opts, ch):
        return len(_native.call_string("helm_render", ch._raw(), vals, opts))
    for c, ch in zip(cases, loaded):
        cold(*c, ch); warm(*c, ch)
    print("ready", flush=True)
    for line in sys.stdin:
        mode, iters = line.split()
        fn = cold if mode == "cold" else warm
        iters = int(iters)
        t, cpu = time.perf_counter(), time.process_time()
        n = 0
        for _ in range(iters):
            for c, ch in zip(cases, loaded):
                fn(*c, ch); n += 1
        print((time.perf_counter() - t) / n, (time.process_time() - cpu) / n, flush=True)
    """

    let process = Process()
    let input = Pipe(), output = Pipe()
    var reader: LineReader

    /// Nil when Python or helm-python-sdk is missing.
    init?(cases: [ChartBenchCase]) {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        reader = LineReader(handle: output.fileHandleForReading)
        do { try process.run() } catch { return nil }
        let spec: Value = .object(["cases": .array(cases.map { c in
            .object(["chart": .string(c.chartPath), "values": .string(c.valuesYAML),
                     "release": .string(c.release), "namespace": .string(c.namespace)])
        })])
        input.fileHandleForWriting.write(Data((spec.jsonString() + "\n").utf8))
        guard reader.next() == "ready" else { close(); return nil }
    }

    /// Wall-clock and CPU seconds per render.
    func secondsPerRender(mode: String, iterations: Int) -> (wall: Double, cpu: Double)? {
        input.fileHandleForWriting.write(Data("\(mode) \(iterations)\n".utf8))
        guard let fields = reader.next()?.split(separator: " "), fields.count == 2,
              let wall = Double(fields[0]), let cpu = Double(fields[1]) else { return nil }
        return (wall, cpu)
    }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Reads newline-terminated lines from a pipe.
private struct LineReader {
    let handle: FileHandle
    var buffer: [UInt8] = []

    mutating func next() -> String? {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<nl], as: UTF8.self)
                buffer.removeSubrange(...nl)
                return line
            }
            let data = handle.availableData
            if data.isEmpty { return nil }
            buffer.append(contentsOf: data)
        }
    }
}
