import ArgumentParser
import CapstanAPIServer
import CapstanCluster
import CapstanModel
import CapstanStore
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `capstan server --data-dir DIR [--port N] [--tls ...]`: the bundled Kubernetes API server,
/// with its state in a SQLite store in DIR. Writes `DIR/kubeconfig` for kubectl. Restarting on
/// the same directory resumes everything. SIGTERM/SIGINT end open watches and exit cleanly.
/// Plain HTTP on loopback by default; `--tls` serves HTTPS and requires authentication (see
/// `ServerCredentials`). Wiring only: the server is `CapstanAPIServer.APIServer`.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Kubernetes-compatible API server (plain HTTP on 127.0.0.1, or HTTPS with --tls).")

    @Option(name: .long, help: ArgumentHelp("Directory for the store and the kubeconfig.", valueName: "DIR"))
    var dataDir: String

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 6443

    @Option(name: .long, help: "Address to listen on (anything but loopback requires --tls).")
    var address: String = "127.0.0.1"

    @OptionGroup var serviceRanges: ServiceRangeOptions

    @Flag(name: .long, help: "Serve HTTPS and require authentication; without --tls-cert-file, with a CA and certificate generated in DIR/pki.")
    var tls = false

    @Option(name: .long, help: ArgumentHelp("PEM certificate (then intermediates) to serve; implies --tls.", valueName: "FILE"))
    var tlsCertFile: String?

    @Option(name: .long, help: ArgumentHelp("PEM private key of --tls-cert-file.", valueName: "FILE"))
    var tlsPrivateKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("Accept client certificates signed by these PEM CAs (CN is the user, O the groups).", valueName: "FILE"))
    var clientCaFile: String?

    @Option(name: .long, help: ArgumentHelp("Bearer tokens, as CSV lines token,user,uid,\"group1,group2\".", valueName: "FILE"))
    var tokenAuthFile: String?

    func run() async throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var options = ServerSecurityOptions(dataDir: dataDir)
        options.tls = tls
        options.certFile = tlsCertFile
        options.privateKeyFile = tlsPrivateKeyFile
        options.clientCAFile = clientCaFile
        options.tokenAuthFile = tokenAuthFile
        options.extraHosts = [address]
        let credentials = try ServerCredentials.make(options)
        let store = try SQLiteStore(path: dataDir + "/capstan.db", walPreallocation: SQLiteStore.walSizeLimit)
        let server = APIServer(store: store, services: try serviceRanges.addressing())
        let bound: Int
        do {
            bound = try await server.start(host: address, port: port, security: credentials.security)
        } catch {
            await store.close()
            throw error
        }
        // A wildcard address is reached through loopback from this machine.
        let host = ["0.0.0.0", "::"].contains(address) ? "127.0.0.1" : address
        let url = "\(credentials.security.tls == nil ? "http" : "https")://\(host.contains(":") ? "[\(host)]" : host):\(bound)"
        let kubeconfig = Cluster.kubeconfig(server: url, certificateAuthorityPEM: credentials.certificateAuthorityPEM,
                                            token: credentials.adminToken)
        // The kubeconfig may hold a token: readable by the owner only.
        guard FileManager.default.createFile(atPath: dataDir + "/kubeconfig", contents: Data(kubeconfig.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(dataDir)/kubeconfig")
        }
        // One write on the unbuffered standard error handle, so scripts waiting for it see it at once.
        StandardStream.error.write("capstan API server listening on \(url) (kubeconfig: \(dataDir)/kubeconfig)\n")

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
        StandardStream.error.write("capstan API server stopped\n")
    }
}
