/// `make bench [BENCH="yaml patch …"]`: the hot paths, each measured next to its oracle on the
/// same machine in one run and printed as ratios. Not a test: nothing here passes or fails.
import Foundation

let all: [(String, ([String]) async throws -> Void)] = [
    ("yaml", runYAMLBench),
    ("yaml-profile", runYAMLProfile),
    ("yaml-scan-profile", runYAMLScanProfile),
    ("patch", runPatchBench),
    ("store", runStoreBench),
    ("server", runServerBench),
    ("api", runAPIBench),
    ("chart", runChartBench),
    ("apply", runApplyBench),
    ("controllers", runControllersBench),
    ("cluster", runClusterBench),
]

let requested = Array(CommandLine.arguments.dropFirst())
let selected = requested.isEmpty ? all : all.filter { requested.contains($0.0) }
if selected.isEmpty {
    print("unknown benchmark; choose from: \(all.map(\.0).joined(separator: " "))")
    exit(2)
}
for (name, run) in selected {
    print("== \(name)")
    try await run([])
    print()
}
