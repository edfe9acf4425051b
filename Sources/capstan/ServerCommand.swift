import ArgumentParser
import CapstanAPIServer
import CapstanCluster
import CapstanStore
import Foundation

/// `capstan server --data-dir DIR [--port N]`: the bundled Kubernetes API server on loopback,
/// with its state in a SQLite store in DIR. Writes `DIR/kubeconfig` for kubectl. Restarting on
/// the same directory resumes everything. SIGTERM/SIGINT end open watches and exit cleanly.
/// Wiring only: the server is `CapstanAPIServer.APIServer`.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Kubernetes-compatible API server (plain HTTP on 127.0.0.1).")

    @Option(name: .long, help: ArgumentHelp("Directory for the store and the kubeconfig.", valueName: "DIR"))
    var dataDir: String

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 6443

    @Option(name: .long, help: "Address to listen on.")
    var address: String = "127.0.0.1"

    @OptionGroup var serviceRanges: ServiceRangeOptions

    func run() async throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: dataDir + "/capstan.db", walPreallocation: SQLiteStore.walSizeLimit)
        let server = APIServer(store: store, services: try serviceRanges.addressing())
        let bound: Int
        do {
            bound = try await server.start(host: address, port: port)
        } catch {
            await store.close()
            throw error
        }
        let kubeconfig = Cluster.kubeconfig(server: "http://\(address):\(bound)")
        try kubeconfig.write(toFile: dataDir + "/kubeconfig", atomically: true, encoding: .utf8)
        // One write on the unbuffered standard error handle, so scripts waiting for it see it at once.
        FileHandle.standardError.write(Data("capstan API server listening on http://\(address):\(bound) (kubeconfig: \(dataDir)/kubeconfig)\n".utf8))

        // Signals become a graceful shutdown: watches end their streams, then the store closes.
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { Task { await server.shutdown() } }
            source.resume()
            return source
        }
        await server.wait()
        await store.close()
        for source in sources { source.cancel() }
        FileHandle.standardError.write(Data("capstan API server stopped\n".utf8))
    }
}
