import ArgumentParser
import CapstanClient
import CapstanControllers
import CapstanModel
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `capstan controllers --kubeconfig FILE [--context C]`: runs every controller (ReplicaSet,
/// Deployment, Endpoints, EndpointSlice, Namespace, ServiceAccount, garbage collector) against
/// the API server the kubeconfig names, until SIGINT/SIGTERM. Wiring only: the controllers
/// live in `CapstanControllers`.
struct ControllersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controllers",
        abstract: "Run the workload, service, namespace and garbage-collection controllers against an API server.")

    @Option(name: .long, help: ArgumentHelp("The kubeconfig naming the API server.", valueName: "FILE"))
    var kubeconfig: String

    @Option(name: .long, help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    func run() async throws {
        let config = try KubeConfig.load(files: [kubeconfig])
        let connection = try config.resolve(context: context)
        let server = connection.cluster.server
        // Enough connections for many watches (one per watched resource) plus parallel writes.
        let client = try connection.makeClient(maxConnections: 256)
        let manager = ControllerManager(client: client, controllers: ControllerManager.standardControllers(client: client),
                                        log: { StandardStream.error.write("controllers: \($0)\n") })
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { manager.stop() }
            source.resume()
            return source
        }
        StandardStream.error.write("capstan controllers starting against \(server)\n")
        try await manager.run()
        for source in sources { source.cancel() }
        StandardStream.error.write("capstan controllers stopped\n")
    }
}
