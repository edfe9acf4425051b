import ArgumentParser
import CapstanClient
import CapstanModel
import CapstanNode

/// `capstan node --kubeconfig F --name N`: one simulated node as its own process against any
/// API server. Wiring only: `CapstanNode.NodeAgent`.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run one simulated node (kubelet) against an API server.")

    @Option(name: .long, help: ArgumentHelp("The kubeconfig naming the API server.", valueName: "FILE")) var kubeconfig: String
    @Option(name: .long, help: "The kubeconfig context to use (default: its current-context).") var context: String?
    @Option(name: .long, help: "Node name.") var name: String
    @Option(name: .long, help: "Index N for the pod CIDR 10.244.N.0/24.") var index: Int = 1
    @Option(name: .long, help: "CPU capacity.") var cpu: String = "4"
    @Option(name: .long, help: "Memory capacity.") var memory: String = "8Gi"
    @Option(name: .long, help: ArgumentHelp("Extra labels.", valueName: "k=v,…")) var labels: String = ""
    @Option(name: .long, help: "Seconds between lease renewals.") var leaseRenewSeconds: Double = 10
    @Option(name: .long, help: "Address the node's log endpoint listens on (published as its InternalIP).")
    var kubeletAddress: String = "127.0.0.1"
    @Option(name: .long, help: "Port of the node's log endpoint (0: any free port).") var kubeletPort: Int = 0

    func validate() throws {
        for l in splitList(labels) where !l.contains("=") { throw ValidationError("invalid label \(l): want key=value") }
    }

    func run() async throws {
        // Signals first: a SIGTERM while the node registers must still end it cleanly.
        let signals = TerminationSignals()
        defer { signals.cancel() }
        let connection = try KubeConfig.load(files: [kubeconfig]).resolve(context: context)
        let client = try connection.makeClient()
        var config = NodeConfig(name: name, index: index)
        config.cpu = cpu
        config.memory = memory
        config.leaseRenewInterval = .milliseconds(Int64(leaseRenewSeconds * 1000))
        config.kubeletAddress = kubeletAddress
        config.kubeletPort = kubeletPort
        for l in splitList(labels) {
            let kv = l.split(separator: "=", maxSplits: 1).map(String.init)
            config.labels[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        let agent = NodeAgent(client: client, config: config)
        // Whichever comes first: the node is up, its start failed, or a signal. A signal does
        // not wait for a start stuck on an unresponsive server.
        let (outcomes, sink) = AsyncStream<StartOutcome>.makeStream()
        let starting = Task {
            do throws(APIError) { try await agent.start(); sink.yield(.started) } catch { sink.yield(.failed(error)) }
        }
        let interrupt = Task {
            await signals.wait()
            sink.yield(.signalled)
        }
        var next = outcomes.makeAsyncIterator()
        switch await next.next() {
        case .failed(let error):
            interrupt.cancel()
            agent.stop()
            throw error
        case .signalled, nil:
            starting.cancel()
            agent.stop()
            return say("capstan node \(name) stopped during start")
        case .started:
            interrupt.cancel()
        }
        say("capstan node \(name) registered with \(connection.endpoint)")
        await signals.wait()
        agent.stop()
        say("capstan node \(name) stopped")
    }

    private enum StartOutcome: Sendable {
        case started, signalled
        case failed(APIError)
    }

    private func say(_ line: String) { StandardStream.error.write(line + "\n") }
}
