import ArgumentParser
import CapstanClient
import CapstanNode
import Foundation
import Synchronization

/// `capstan node --kubeconfig F --name N`: one simulated node as its own process against any
/// API server. Wiring only: `CapstanNode.NodeAgent`.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run one simulated node (kubelet) against an API server.")

    @Option(name: .long, help: "kubeconfig of the API server (http only).") var kubeconfig: String
    @Option(name: .long, help: "Node name.") var name: String
    @Option(name: .long, help: "Index N for the pod CIDR 10.244.N.0/24.") var index: Int = 1
    @Option(name: .long, help: "CPU capacity.") var cpu: String = "4"
    @Option(name: .long, help: "Memory capacity.") var memory: String = "8Gi"
    @Option(name: .long, help: ArgumentHelp("Extra labels.", valueName: "k=v,…")) var labels: String = ""
    @Option(name: .long, help: "Seconds between lease renewals.") var leaseRenewSeconds: Double = 10

    func run() async throws {
        let text = try String(contentsOfFile: kubeconfig, encoding: .utf8)
        guard let (host, port) = Self.server(inKubeconfig: text) else {
            throw ValidationError("no http server: entry found in \(kubeconfig)")
        }
        let client = RESTClient(transport: HTTPTransport(host: host, port: port))
        var config = NodeConfig(name: name, index: index)
        config.cpu = cpu
        config.memory = memory
        config.leaseRenewInterval = .milliseconds(Int64(leaseRenewSeconds * 1000))
        for l in splitList(labels) {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            config.labels[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        let agent = NodeAgent(client: client, config: config)
        try await agent.start()
        FileHandle.standardError.write(Data("capstan node \(name) registered with http://\(host):\(port)\n".utf8))
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        // The signal sources live until the end of run(); the first signal stops the node.
        let waiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let stopped = Mutex(false)
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler {
                agent.stop()
                stopped.withLock { $0 = true }
                waiter.withLock { $0?.resume(); $0 = nil }
            }
            s.resume()
            return s
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let already = stopped.withLock { $0 }
            if already { done.resume() } else { waiter.withLock { $0 = done } }
        }
        for s in sources { s.cancel() }
        FileHandle.standardError.write(Data("capstan node \(name) stopped\n".utf8))
    }

    /// The first `server: http://host:port` of a kubeconfig (CapstanClient's kubeconfig loader
    /// replaces this once it lands on main).
    static func server(inKubeconfig text: String) -> (String, Int)? {
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("server:") else { continue }
            let url = t.dropFirst("server:".count).trimmingCharacters(in: .whitespaces)
            guard url.hasPrefix("http://") else { return nil }
            let hostPort = url.dropFirst(7).split(separator: "/").first.map(String.init) ?? ""
            let parts = hostPort.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { return (hostPort, 80) }
            return (String(parts[0]), port)
        }
        return nil
    }
}
