/// `make bench [BENCH="yaml patch …"]`: the hot paths, each measured next to its oracle on the
/// same machine in one run and printed as ratios. Not a test: nothing here passes or fails.
import Foundation

let all: [(String, ([String]) async throws -> Void)] = [
    ("yaml", runYAMLBench),
    ("yaml-profile", runYAMLProfile),
    ("yaml-scan-profile", runYAMLScanProfile),
    ("yaml-files", runYAMLFiles),
    ("patch", runPatchBench),
    ("store", runStoreBench),
    ("server", runServerBench),
    ("api", runAPIBench),
    ("chart", runChartBench),
    ("apply", runApplyBench),
    ("controllers", runControllersBench),
    ("cluster", runClusterBench),
]

// `capstan-bench NAME… [ARG…]`: words that name a benchmark pick it; the other words are passed
// to every picked benchmark (e.g. `capstan-bench apply 1000`, `capstan-bench store --quick`).
let words = Array(CommandLine.arguments.dropFirst())
let names = Set(all.map(\.0))
let requested = words.filter { names.contains($0) }
let benchArguments = words.filter { !names.contains($0) }
let selected = requested.isEmpty ? all : all.filter { requested.contains($0.0) }
if selected.isEmpty || (requested.isEmpty && !benchArguments.isEmpty) {
    print("unknown benchmark; choose from: \(all.map(\.0).joined(separator: " "))")
    exit(2)
}
// Say how this binary was linked: `make bench` links the Swift runtime statically (as a shipped
// capstan would be); a dynamically linked build is measurably slower (swift-notes.md §7).
let runtimeIsShared = ((try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8)) ?? "").contains("libswiftCore.so")
print("capstan-bench: Swift runtime linked \(runtimeIsShared ? "dynamically (make bench links it statically, as shipped)" : "statically")")
for (name, run) in selected {
    print("== \(name)")
    try await run(benchArguments)
    print()
}
