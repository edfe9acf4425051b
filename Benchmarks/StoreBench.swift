// Store benchmark: CapstanStore's SQLiteStore against etcd (the oracle) on the same machine,
// same value size (2 KiB), same concurrency, in one run. Prints writes/s, list latency,
// peak memory, and the ratios. Runs in well under a minute.
//
// Each write workload runs for at most 3 s (or its write count, whichever ends first).
// Arguments: --quick (a quarter of the work, 1 s per workload), --no-etcd, --etcd PATH (default: `etcd` on PATH).
import CapstanStore
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func runStoreBench(arguments: [String]) async throws {
    let quick = arguments.contains("--quick")
    let scale = quick ? 4 : 1
    let valueSize = 2048
    let value = (0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let workloads: [(name: String, writers: Int, count: Int)] = [
        ("sequential", 1, 2_000 / scale),
        ("16 writers", 16, 16_000 / scale),
        ("64 writers", 64, 32_000 / scale),
    ]
    let listSize = 10_000
    // Each write workload stops after this long, so a slow machine does not stretch the run.
    let workloadTimeLimit = Duration.seconds(quick ? 1 : 3)

    let directory = FileManager.default.temporaryDirectory.path + "/capstan-store-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }

    print("store bench: values \(valueSize) B, SQLite WAL synchronous=FULL with group commit")

    // MARK: SQLiteStore
    let store = try SQLiteStore(path: directory + "/store.db", compaction: .disabled)
    var ours: [String: Double] = [:]
    for (index, workload) in workloads.enumerated() {
        let before = store.statistics
        let deadline = ContinuousClock.now + workloadTimeLimit
        var done = 0
        let seconds = try await timeAsync {
            done = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<workload.writers {
                    group.addTask {
                        var written = 0
                        for n in stride(from: writer, to: workload.count, by: workload.writers) {
                            if written % 16 == 0, ContinuousClock.now > deadline { break }
                            _ = try await store.create("/registry/bench/w\(index)/obj-\(n)", value: value)
                            written += 1
                        }
                        return written
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        let after = store.statistics
        let rate = Double(done) / seconds
        ours[workload.name] = rate
        let perTransaction = Double(after.writes - before.writes) / Double(max(after.transactions - before.transactions, 1))
        print("  capstan  \(pad(workload.name, 11)) " + String(format: "%9.0f writes/s  (%d writes, %.2f s, %.1f writes per transaction)",
                     rate, done, seconds, perTransaction))
    }
    try await fill(store: store, prefix: "/registry/list/", count: listSize, value: value)
    var listTimes: [Double] = []
    for _ in 0..<5 {
        var count = 0
        listTimes.append(try await timeAsync { count = try await store.list(prefix: "/registry/list/").items.count })
        precondition(count == listSize, "list returned \(count) items")
    }
    let ourList = median(listTimes)
    print(String(format: "  capstan  list %d keys: %.1f ms (median of 5)", listSize, ourList * 1000))
    print("  capstan  peak memory (bench process VmHWM): \(peakMemoryKiB(pid: nil).map { "\($0 / 1024) MiB" } ?? "n/a")")
    await store.close()

    // MARK: etcd
    if arguments.contains("--no-etcd") { return }
    let etcdPath = argumentValue(arguments, "--etcd") ?? findExecutable("etcd")
    guard let etcdPath else {
        print("  etcd not found on PATH (apt install etcd-server); no ratio")
        return
    }
    let etcd = try EtcdProcess(executable: etcdPath, directory: directory + "/etcd")
    defer { etcd.stop() }
    try etcd.waitUntilReady()
    print("  etcd \(etcdPath) on 127.0.0.1:\(etcd.clientPort), writes as create-if-absent txns over the JSON gateway")
    var theirs: [String: Double] = [:]
    let encodedValue = Data(value).base64EncodedString()
    for (index, workload) in workloads.enumerated() {
        let failures = Atomicish()
        let done = Atomicish()
        let deadline = ContinuousClock.now + workloadTimeLimit
        let seconds = try runThreads(workload.writers) { writer in
            let connection = try HTTPConnection(port: etcd.clientPort)
            var written = 0
            for n in stride(from: writer, to: workload.count, by: workload.writers) {
                if written % 16 == 0, ContinuousClock.now > deadline { break }
                let key = Data("/registry/bench/w\(index)/obj-\(n)".utf8).base64EncodedString()
                let body = #"{"compare":[{"result":"EQUAL","target":"MOD","key":"\#(key)","mod_revision":"0"}],"success":[{"request_put":{"key":"\#(key)","value":"\#(encodedValue)"}}]}"#
                let response = try connection.post("/v3/kv/txn", body: Array(body.utf8))
                if response.status != 200 || !response.body.containsSubsequence(Array(#""succeeded":true"#.utf8)) {
                    failures.increment()
                }
                written += 1
                done.increment()
            }
        }
        let rate = Double(done.value) / seconds
        theirs[workload.name] = rate
        print("  etcd     \(pad(workload.name, 11)) " + String(format: "%9.0f writes/s  (%d writes, %.2f s)", rate, done.value, seconds)
              + (failures.value > 0 ? " \(failures.value) FAILED" : ""))
    }
    let listKey = Data("/registry/list/".utf8).base64EncodedString()
    let listEnd = Data("/registry/list0".utf8).base64EncodedString()
    _ = try runThreads(16) { writer in
        let connection = try HTTPConnection(port: etcd.clientPort)
        for n in stride(from: writer, to: listSize, by: 16) {
            let key = Data("/registry/list/obj-\(n)".utf8).base64EncodedString()
            _ = try connection.post("/v3/kv/put", body: Array(#"{"key":"\#(key)","value":"\#(encodedValue)"}"#.utf8))
        }
    }
    let listConnection = try HTTPConnection(port: etcd.clientPort)
    var etcdListTimes: [Double] = []
    for _ in 0..<5 {
        var response = HTTPConnection.Response(status: 0, body: [])
        etcdListTimes.append(try timeSync {
            response = try listConnection.post("/v3/kv/range", body: Array(#"{"key":"\#(listKey)","range_end":"\#(listEnd)"}"#.utf8))
        })
        precondition(response.body.containsSubsequence(Array(#""count":"\#(listSize)""#.utf8)), "etcd range did not return \(listSize) keys")
    }
    let theirList = median(etcdListTimes)
    print(String(format: "  etcd     list %d keys: %.1f ms (median of 5, includes JSON+base64 transfer)", listSize, theirList * 1000))
    print("  etcd     peak memory (etcd VmHWM): \(peakMemoryKiB(pid: etcd.pid).map { "\($0 / 1024) MiB" } ?? "n/a")")

    print("ratios (capstan / etcd, higher is better for capstan):")
    for workload in workloads {
        if let a = ours[workload.name], let b = theirs[workload.name], b > 0 {
            print("  writes \(pad(workload.name, 11)) " + String(format: "%6.2fx", a / b))
        }
    }
    print(String(format: "  list %d keys    %6.2fx faster", listSize, theirList / ourList))
}

// MARK: - Helpers

private func fill(store: SQLiteStore, prefix: String, count: Int, value: [UInt8]) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for writer in 0..<16 {
            group.addTask {
                for n in stride(from: writer, to: count, by: 16) {
                    _ = try await store.create("\(prefix)obj-\(n)", value: value)
                }
            }
        }
        try await group.waitForAll()
    }
}
