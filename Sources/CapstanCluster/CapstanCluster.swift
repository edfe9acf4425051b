/// CapstanCluster — the bundled control plane in one process: API server + SQLite store +
/// controllers (CapstanControllers' standard set and the node lifecycle controller) +
/// scheduler + N simulated nodes, all talking through `Client`.
///
/// Owns: composition and lifecycle only (start order, readiness wait, clean shutdown, the
/// kubeconfig file). Holds no behaviour of its own: scheduling, nodes and the API live in
/// their modules.
///
/// Transport: by default components reach the server in-process (`ClosureTransport.inProcess`,
/// straight into the server's request handler, no sockets); `.http` makes them use loopback
/// HTTP like any external client. kubectl and other clients always use HTTP. Each node serves
/// its kubelet endpoint (container logs) on the loopback address.
import CapstanAPIServer
import CapstanClient
import CapstanControllers
import CapstanModel
import CapstanNode
import CapstanScheduler
import CapstanStore
import FoundationEssentials
import Synchronization

public struct ClusterConfig: Sendable {
    public var dataDir: String
    public var port: Int = 6443
    public var address: String = "127.0.0.1"
    public var nodes: Int = 3
    public var nodeCPU: String = "4"
    public var nodeMemory: String = "8Gi"
    public var nodePods: Int = 110
    public var nodeLabels: [String: String] = [:]
    /// `key=value:Effect` or `key:Effect`.
    public var nodeTaints: [Value] = []
    public var leaseRenewInterval: Duration = .seconds(10)
    public var nodeSyncInterval: Duration = .milliseconds(200)
    public var nodeMonitorGracePeriod: Double = 40
    public var podEvictionTimeout: Double = 300
    public var lifecycleInterval: Duration = .seconds(1)
    public var backoffBase: Double = 10
    /// How controllers, scheduler and nodes reach the API server.
    public var transport: ComponentTransport = .inProcess

    public enum ComponentTransport: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Straight into the API server's request handler.
        case inProcess = "in-process"
        /// Loopback HTTP, exactly as an external client.
        case http
        public var description: String { rawValue }
    }
    /// `--service-cluster-ip-range` and `--service-node-port-range` of the API server.
    public var services: ServiceAddressing = .standard

    public init(dataDir: String) { self.dataDir = dataDir }

    /// Parses `k=v:Effect` (value optional) into a taint.
    public static func taint(_ text: String) -> Value? {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(parts[1]) else { return nil }
        let kv = parts[0].split(separator: "=", maxSplits: 1).map(String.init)
        guard let key = kv.first, !key.isEmpty else { return nil }
        var t: Value = ["key": .string(key), "effect": .string(parts[1])]
        if kv.count == 2 { t["value"] = .string(kv[1]) }
        return t
    }
}

/// A running cluster. Thread-safety: components are set once in `start()` behind a `Mutex`.
public final class Cluster: Sendable {
    public let config: ClusterConfig
    private struct Parts {
        var store: SQLiteStore?
        var server: APIServer?
        var transport: HTTPTransport?
        var client: RESTClient?
        var scheduler: Scheduler?
        var lifecycle: NodeLifecycleController?
        var controllers: ControllerManager?
        var controllerTask: Task<Void, Never>?
        var nodes: [NodeAgent] = []
        var stopped = false
    }
    private let parts = Mutex(Parts())

    public init(config: ClusterConfig) { self.config = config }

    public var client: (any Client)? { parts.withLock { $0.client } }
    public var nodes: [NodeAgent] { parts.withLock { $0.nodes } }
    public var scheduler: Scheduler? { parts.withLock { $0.scheduler } }
    public var port: Int { parts.withLock { $0.server?.port ?? 0 } }
    public var kubeconfigPath: String { config.dataDir + "/kubeconfig" }

    /// Starts everything in dependency order and writes the kubeconfig.
    public func start() async throws {
        try FileManager.default.createDirectory(atPath: config.dataDir, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: config.dataDir + "/capstan.db", walPreallocation: SQLiteStore.walSizeLimit)
        let server = APIServer(store: store, services: config.services)
        let bound: Int
        do { bound = try await server.start(host: config.address, port: config.port) } catch {
            await store.close()
            throw error
        }
        try Self.kubeconfig(server: "http://\(config.address):\(bound)")
            .write(toFile: kubeconfigPath, atomically: true, encoding: .utf8)
        // Every informer's watch holds a connection for as long as it runs: leave room for requests.
        let http = config.transport == .http ? HTTPTransport(host: config.address, port: bound, maxConnections: 256) : nil
        let client = RESTClient(transport: http ?? ClosureTransport.inProcess(server))
        let scheduler = Scheduler(client: client)
        let lifecycle = NodeLifecycleController(client: client, gracePeriod: config.nodeMonitorGracePeriod,
                                                evictionTimeout: config.podEvictionTimeout, interval: config.lifecycleInterval)
        let manager = ControllerManager(client: client, controllers: ControllerManager.standardControllers(client: client),
                                        log: { StandardStream.error.write("controllers: \($0)\n") })
        let controllerTask = Task { _ = try? await manager.run() }
        parts.withLock {
            $0.store = store; $0.server = server; $0.transport = http; $0.client = client
            $0.scheduler = scheduler; $0.lifecycle = lifecycle; $0.controllers = manager; $0.controllerTask = controllerTask
        }
        var agents: [NodeAgent] = []
        for i in 1...max(1, config.nodes) {
            var nc = NodeConfig(name: "node-\(i)", index: i)
            nc.cpu = config.nodeCPU
            nc.memory = config.nodeMemory
            nc.pods = config.nodePods
            nc.labels = config.nodeLabels
            nc.taints = config.nodeTaints
            nc.leaseRenewInterval = config.leaseRenewInterval
            nc.syncInterval = config.nodeSyncInterval
            nc.kubeletAddress = "127.0.0.1"
            agents.append(NodeAgent(client: client, config: nc, runtime: SimulatedRuntime(backoffBase: config.backoffBase)))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for a in agents { group.addTask { try await a.start() } }
            try await group.waitForAll()
        }
        parts.withLock { $0.nodes = agents }
        await scheduler.start()
        lifecycle.start()
    }

    /// Returns once every node reports Ready=True (or throws after `timeout`).
    public func waitForNodesReady(timeout: Duration = .seconds(30)) async throws {
        guard let client else { return }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if parts.withLock({ $0.stopped }) { throw ClusterError("the cluster was stopped") }
            if let list = try? await client.list(.nodes, namespace: nil) {
                let ready = list.items.filter { n in
                    (n[path: ["status", "conditions"]].arrayValue ?? []).contains {
                        $0["type"].stringValue == "Ready" && $0["status"].stringValue == "True"
                    }
                }.count
                if ready >= config.nodes { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ClusterError("nodes did not become Ready within \(timeout)")
    }

    /// Stops nodes, scheduler and controllers, then the server and the store.
    public func shutdown() async {
        let p = parts.withLock { p in
            p.stopped = true
            return p
        }
        p.lifecycle?.stop()
        p.controllers?.stop()
        await p.controllerTask?.value
        p.scheduler?.stop()
        for n in p.nodes { n.stop() }
        p.transport?.shutdown()
        await p.server?.shutdown()
        await p.store?.close()
    }

    /// Returns when the server stops.
    public func wait() async { await parts.withLock { $0.server }?.wait() }

    /// A kubeconfig for one server; on a secured server, with the CA that signed its
    /// certificate (PEM, written base64 as `certificate-authority-data`) and a bearer token.
    public static func kubeconfig(server: String, certificateAuthorityPEM: String? = nil, token: String? = nil) -> String {
        let caLine = certificateAuthorityPEM.map { "\n    certificate-authority-data: \(Data($0.utf8).base64EncodedString())" } ?? ""
        let user = token.map { "\n    token: \"\($0)\"" } ?? " {}"
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: capstan
          cluster:
            server: \(server)\(caLine)
        contexts:
        - name: capstan
          context:
            cluster: capstan
            user: capstan
            namespace: default
        current-context: capstan
        users:
        - name: capstan
          user:\(user)

        """
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
