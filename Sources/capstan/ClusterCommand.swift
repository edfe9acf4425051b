import ArgumentParser
import CapstanClient
import CapstanCluster
import CapstanModel
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `capstan cluster up|down`: the bundled control plane (API server, store, scheduler,
/// node lifecycle controller, simulated nodes) in one process. Wiring only: `CapstanCluster`.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a local Kubernetes-compatible cluster with simulated nodes.",
        subcommands: [ClusterUpCommand.self, ClusterDownCommand.self])
}

struct ClusterUpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start the cluster (foreground; --detach returns once every node is Ready).")

    @Option(name: .long, help: "Number of nodes.") var nodes: Int = 3
    @Option(name: .long, help: ArgumentHelp("Directory for the store, kubeconfig and pid file.", valueName: "DIR"))
    var dataDir: String = ".capstan"
    @Option(name: .long, help: "API server port (0 picks a free one).") var port: Int = 6443
    @Option(name: .long, help: "CPU of each node.") var nodeCpu: String = "4"
    @Option(name: .long, help: "Memory of each node.") var nodeMemory: String = "8Gi"
    @Option(name: .long, help: ArgumentHelp("Extra node labels.", valueName: "k=v,…")) var nodeLabels: String = ""
    @Option(name: .long, help: ArgumentHelp("Node taints.", valueName: "k=v:Effect,…")) var nodeTaints: String = ""
    @Option(name: .long, help: "Seconds between node lease renewals.") var leaseRenewSeconds: Double = 10
    @Option(name: .long, help: "Seconds without a lease renewal before a node is NotReady.") var nodeGraceSeconds: Double = 40
    @Option(name: .long, help: "Seconds pods stay on an unreachable node before eviction.") var podEvictionSeconds: Double = 300
    @OptionGroup var serviceRanges: ServiceRangeOptions
    @Flag(name: .long, help: "Run in the background; return once every node is Ready.") var detach = false
    @Flag(name: .long, inversion: .prefixedNo,
          help: "Make the cluster the current context (context \"capstan\") of $KUBECONFIG's first file or ~/.kube/config.")
    var switchContext = true

    func validate() throws {
        if nodes < 1 || nodes > 5000 { throw ValidationError("--nodes must be between 1 and 5000") }
        for t in splitList(nodeTaints) where ClusterConfig.taint(t) == nil {
            throw ValidationError("invalid taint \(t): want key=value:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute")
        }
        for l in splitList(nodeLabels) where !l.contains("=") { throw ValidationError("invalid label \(l): want key=value") }
    }

    func run() async throws {
        let absolute = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        if detach { try detachAndWait(absolute); return }
        var config = ClusterConfig(dataDir: absolute)
        config.port = port
        config.nodes = nodes
        config.nodeCPU = nodeCpu
        config.nodeMemory = nodeMemory
        for l in splitList(nodeLabels) {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            config.nodeLabels[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        config.nodeTaints = splitList(nodeTaints).compactMap(ClusterConfig.taint)
        config.leaseRenewInterval = .milliseconds(Int64(leaseRenewSeconds * 1000))
        config.nodeMonitorGracePeriod = nodeGraceSeconds
        config.podEvictionTimeout = podEvictionSeconds
        config.services = try serviceRanges.addressing()
        // Signals first: a SIGTERM during start-up is remembered (not fatal) and stops the
        // cluster cleanly as soon as it is up.
        let signals = TerminationSignals()
        defer { signals.cancel() }
        let cluster = Cluster(config: config)
        try await cluster.start()
        let stopper = Task {
            await signals.wait()
            await cluster.shutdown()
        }
        defer { stopper.cancel() }
        try "\(getpid())\n".write(toFile: absolute + "/cluster.pid", atomically: true, encoding: .utf8)
        do { try await cluster.waitForNodesReady() } catch where signals.received {
            await cluster.wait()
            return
        }
        if switchContext {
            let path = KubeConfig.defaultWritePath()
            try KubeConfig.setDefaultContext(name: "capstan", server: "http://127.0.0.1:\(cluster.port)", in: path)
            StandardStream.error.write("capstan cluster up: context \"capstan\" is now the current context in \(path)\n")
        }
        StandardStream.error.write("capstan cluster up: \(nodes) node(s) Ready, API on http://127.0.0.1:\(cluster.port) (kubeconfig: \(cluster.kubeconfigPath))\n")
        await cluster.wait()
        try? FileManager.default.removeItem(atPath: absolute + "/cluster.pid")
        StandardStream.error.write("capstan cluster stopped\n")
    }

    /// Re-runs this binary without --detach in the background, then waits for its "Ready" line.
    private func detachAndWait(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let log = dir + "/cluster.log"
        let pid = try spawnInBackground(arguments: CommandLine.arguments.dropFirst().filter { $0 != "--detach" }, log: log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw ValidationError("cluster exited early:\n\(text)")
            }
            if let text = try? String(contentsOfFile: log, encoding: .utf8), text.contains("Ready, API on") {
                print("capstan cluster is up (\(nodes) nodes Ready, pid \(pid), log \(log))")
                if switchContext {
                    print("kubectl and capstan now use it (context \"capstan\" in \(KubeConfig.defaultWritePath()))")
                } else {
                    print("export KUBECONFIG=\(dir)/kubeconfig")
                }
                return
            }
            usleep(20_000)
        }
        kill(pid, SIGTERM)
        throw ValidationError("cluster did not become ready within 60s; see \(log)")
    }

    /// Starts this binary again with `arguments`, stdin from /dev/null and both output streams
    /// into `log` (truncated); the child keeps this process's environment. It holds none of this
    /// process's other descriptors: an inherited pipe or socket would keep whoever started
    /// `--detach` (a shell pipeline, a test, a CI step) waiting for an end that never comes.
    /// It runs in a process group of its own, so the terminal's Ctrl-C no longer reaches it.
    private func spawnInBackground(arguments: [String], log: String) throws -> pid_t {
        // The path it was started by, when that still names it; else the kernel's own link.
        let own = CommandLine.arguments[0]
        let program = own.contains("/") && access(own, X_OK) == 0 ? own : "/proc/self/exe"
        let argv = ([own] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        for entry in (try? FileSystem.list("/proc/self/fd")) ?? [] {
            // Closing one that is no longer open (the listing's own) is not an error for posix_spawn.
            if let fd = Int32(entry.name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let failed = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard failed == 0 else { throw ValidationError("cannot start \(program): \(String(cString: strerror(failed)))") }
        return pid
    }
}

struct ClusterDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "down", abstract: "Stop a cluster started with --detach.")

    @Option(name: .long, help: ArgumentHelp("The cluster's data directory.", valueName: "DIR"))
    var dataDir: String = ".capstan"

    func run() async throws {
        let path = URL(fileURLWithPath: dataDir).standardizedFileURL.path + "/cluster.pid"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = Int32(text.goTrimmedSpace) else {
            throw ValidationError("no running cluster: \(path) not found")
        }
        if kill(pid, SIGTERM) != 0 {
            try? FileManager.default.removeItem(atPath: path)
            print("cluster (pid \(pid)) was not running")
            return
        }
        // Wait for a clean exit (the pid file goes away), then give up politely.
        for _ in 0..<500 {
            if kill(pid, 0) != 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? FileManager.default.removeItem(atPath: path)
        print("capstan cluster stopped (pid \(pid))")
    }
}

func splitList(_ text: String) -> [String] {
    text.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
}
