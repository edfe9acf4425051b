import ArgumentParser
import CapstanClient
import FoundationEssentials

/// `--kubeconfig`, `--context`, `-n`, `--cache-dir`: which cluster and namespace, read with
/// CapstanClient's `KubeConfig` (kubectl's rules: `--kubeconfig`, else every file of
/// `KUBECONFIG` merged, else `~/.kube/config`).
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("kubeconfig"), help: "Path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: .shortAndLong, help: "Namespace for namespaced objects that name none.")
    var namespace: String?

    @Option(name: .customLong("cache-dir"), help: "Discovery cache directory (default: ~/.kube/cache, as kubectl).")
    var cacheDir: String?

    @Option(name: .customShort("v"), help: "Log verbosity; 6 or more logs every request with its status and time.")
    var verbosity: Int = 0

    /// The merged kubeconfig; `nil` when no file exists at all (only a client dry run may go on).
    func loadConfig() throws -> KubeConfig? {
        let environment = ProcessInfo.processInfo.environment
        let config: KubeConfig
        do {
            config = try KubeConfig.loadDefault(explicitPath: kubeconfig, environment: environment)
        } catch {
            throw CLIError("\(error)")
        }
        return config.contexts.isEmpty && config.clusters.isEmpty && context == nil ? nil : config
    }

    /// A client for the chosen context; errors (no context, unknown names, https before TLS
    /// support) name the kubeconfig file and field.
    func connect(_ config: KubeConfig?) throws -> (client: RESTClient, connection: ClusterConnection) {
        guard let config else {
            throw CLIError("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run `capstan cluster up`")
        }
        do {
            let connection = try config.resolve(context: context, namespace: namespace)
            let home = ProcessInfo.processInfo.environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
            var client = try connection.makeClient(cacheDir: cacheDir ?? home + "/.kube/cache", maxConnections: 64)
            if verbosity >= 6 { client = client.wrappingTransport { RequestLog(base: $0) } }
            return (client, connection)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// `90s`, `5m`, `1h30m`, or plain seconds.
    static func parseDuration(_ text: String) -> Duration? {
        if let seconds = Double(text) { return .milliseconds(Int64(seconds * 1000)) }
        var total = 0.0
        var number = ""
        for c in text {
            if c.isNumber || c == "." { number.append(c); continue }
            guard let n = Double(number) else { return nil }
            switch c {
            case "h": total += n * 3600
            case "m": total += n * 60
            case "s": total += n
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && !text.isEmpty ? .milliseconds(Int64(total * 1000)) : nil
    }
}

/// `-v=6`: one stderr line per request (`GET /api/v1/... 200 in 3 ms`), as kubectl logs them;
/// the way to count what a run sends. Stateless; safe to share.
struct RequestLog: Transport {
    let base: any Transport

    func send(_ request: TransportRequest) async throws(APIError) -> TransportResponse {
        try await logged(request, { (r: TransportRequest) async throws(APIError) in try await base.send(r) }) { "\($0.status)" }
    }

    func stream(_ request: TransportRequest) async throws(APIError) -> StreamingResponse {
        try await logged(request, { (r: TransportRequest) async throws(APIError) in try await base.stream(r) }) { "\($0.status) (streaming)" }
    }

    func prewarm(connections: Int) { base.prewarm(connections: connections) }

    private func logged<R>(_ request: TransportRequest, _ exchange: (TransportRequest) async throws(APIError) -> R,
                           outcome: (R) -> String) async throws(APIError) -> R
    {
        let start = ContinuousClock.now
        do {
            let response = try await exchange(request)
            log(request, outcome(response), since: start)
            return response
        } catch {
            log(request, "failed (\(error))", since: start)
            throw error
        }
    }

    private func log(_ request: TransportRequest, _ outcome: String, since start: ContinuousClock.Instant) {
        let ms = (ContinuousClock.now - start).components
        let millis = ms.seconds * 1000 + ms.attoseconds / 1_000_000_000_000_000
        printError("request: \(request.method) \(request.path) \(outcome) in \(millis) ms")
    }
}
