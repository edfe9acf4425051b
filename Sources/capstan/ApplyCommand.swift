import ArgumentParser
import CapstanAPI
import CapstanApply
import CapstanClient
import CapstanManifest
import CapstanModel
import CapstanYAML
import Foundation

/// `capstan apply -f PATH [-R]`: load and validate every manifest (nothing is sent if any is
/// invalid), then hand them to `CapstanApply.Applier`. Wiring and printing only.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply manifests from files, directories or standard input.")

    @OptionGroup var input: ManifestInputOptions
    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customLong("dry-run"), help: "none, client (nothing sent) or server (the server validates, nothing stored).")
    var dryRun: String = "none"

    @Option(name: .shortAndLong, help: "Output: yaml, json or name (default: one line per object).")
    var output: String?

    @Flag(name: .customLong("server-side"), help: "Send server-side apply patches.")
    var serverSide = false

    @Flag(name: .customLong("force-conflicts"), help: "With --server-side: take ownership of conflicting fields.")
    var forceConflicts = false

    @Option(name: .customLong("field-manager"), help: "The field manager name recorded by the server.")
    var fieldManager: String?

    @Flag(name: .customLong("prune"), help: "Delete members of the --applyset that the manifests no longer contain.")
    var prune = false

    @Option(name: .customLong("applyset"), help: "The ApplySet parent: NAME, secrets/NAME or configmaps/NAME (in -n's namespace).")
    var applySet: String?

    @Flag(name: .customLong("wait"), help: "Wait until rollouts complete, Jobs finish, Pods are ready, Services have endpoints.")
    var wait = false

    @Option(name: .customLong("timeout"), help: "How long --wait waits (e.g. 90s, 5m).")
    var timeout: String = "5m"

    @Option(name: .customLong("concurrency"), help: "Objects applied at once within one ordering tier.")
    var concurrency: Int = 16

    func validate() throws {
        if input.filenames.isEmpty { throw ValidationError("must specify one of -f or --filename") }
        if let output, !["yaml", "json", "name"].contains(output) {
            throw ValidationError("unable to match a printer suitable for the output format \"\(output)\", allowed formats are: json, name, yaml")
        }
        guard ["none", "client", "server"].contains(dryRun) else {
            throw ValidationError("Invalid dry-run value (\(dryRun)). Must be \"none\", \"server\", or \"client\".")
        }
        if forceConflicts && !serverSide { throw ValidationError("--force-conflicts only works with --server-side") }
        if applySet != nil && !prune { throw ValidationError("--applyset requires --prune") }
        if prune && applySet == nil { throw ValidationError("--prune requires --applyset=NAME") }
        if ClusterOptions.parseDuration(timeout) == nil { throw ValidationError("invalid --timeout \"\(timeout)\"") }
    }

    func run() async throws {
        let mode = ApplyOptions.DryRun(rawValue: dryRun) ?? .none
        let access: ClusterAccess?
        do {
            access = try cluster.connect()
        } catch let error as ClusterAccess.NoConfiguration where mode == .client {
            _ = error
            access = nil  // A client dry run needs no cluster: print what would be sent.
        }
        let namespace = cluster.namespace ?? access?.namespace ?? "default"
        let resolved = try await input.resolve(namespace: namespace, explicit: cluster.namespace != nil, client: access?.client)
        guard let access else {
            printOffline(resolved)
            return
        }
        var options = ApplyOptions(dryRun: mode, serverSide: serverSide, forceConflicts: forceConflicts,
                                   fieldManager: fieldManager, prune: prune, wait: wait,
                                   timeout: ClusterOptions.parseDuration(timeout) ?? .seconds(300), concurrency: concurrency)
        if let applySet {
            do {
                options.applySet = try ApplySetParent(flag: applySet, namespace: namespace)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let progress = ProgressLine(total: resolved.count, streamLines: output == nil)
        let report = await Applier(client: access.client).apply(resolved, options: options) { result in
            progress.finished(result)
        }
        progress.clear()
        switch output {
        case "name": for r in report.results where r.action != .failed { print(r.typedName) }
        case "yaml": print(YAML.emitDocuments(report.results.compactMap(\.object)), terminator: "")
        case "json":
            let objects = report.results.compactMap(\.object)
            if objects.count == 1 { print(objects[0].jsonString(JSONOptions(indent: 4))) } else {
                let list: Value = ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": .array(objects)]
                print(list.jsonString(JSONOptions(indent: 4)))
            }
        default: break
        }
        for error in report.errors { printError(error) }
        if progress.isTerminal || report.results.count >= 50 { printError(report.summary) }
        if report.failed { throw ExitCode(1) }
    }

    private func printOffline(_ resolved: [ResolvedManifest]) {
        switch output {
        case "yaml": print(YAML.emitDocuments(resolved.map(\.object)), terminator: "")
        case "json": for item in resolved { print(item.object.jsonString(JSONOptions(indent: 4))) }
        case "name": for item in resolved { print(item.typedName) }
        default: for item in resolved { print("\(item.typedName) created (dry run)") }
        }
    }
}

/// `-f`, `-R`: where manifests come from.
struct ManifestInputOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("filename")], help: "A file, a directory, or - for standard input (repeatable).")
    var filenames: [String] = []

    @Flag(name: [.customShort("R"), .customLong("recursive")], help: "Descend into subdirectories of directories given with -f.")
    var recursive = false

    /// Loads and validates everything, or prints every problem (file:line) and exits 1.
    /// Custom resources are known from CRDs among the manifests and, when connected, the server's.
    func resolve(namespace: String, explicit: Bool, client: (any Client)?) async throws -> [ResolvedManifest] {
        let manifests: [Manifest]
        do {
            manifests = try ManifestLoader(recursive: recursive).load(filenames)
        } catch {
            for problem in error.errors { printError("error: \(problem)") }
            throw ExitCode(1)
        }
        var catalogue = APICatalogue.builtin
        var crds = manifests.map(\.object).filter { $0.kind == "CustomResourceDefinition" }
        if let client,
           let listed = try? await client.listAll(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1",
                                                                        resource: "customresourcedefinitions"), namespace: nil)
        {
            let local = Set(crds.compactMap(\.name))
            crds += listed.items.filter { !local.contains($0.name ?? "") }
        }
        for crd in crds { if let added = try? catalogue.adding(customResourceDefinition: crd) { catalogue = added } }
        do {
            return try ManifestResolver(catalogue: catalogue, defaultNamespace: namespace, namespaceExplicit: explicit).resolve(manifests)
        } catch {
            for problem in error.errors { printError("error: \(problem)") }
            throw ExitCode(1)
        }
    }
}

/// `--kubeconfig`, `--context`, `-n`: which cluster and namespace.
struct ClusterOptions: ParsableArguments {
    @Option(name: .customLong("kubeconfig"), help: "Path to the kubeconfig (default: $KUBECONFIG, then ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: .shortAndLong, help: "Namespace for namespaced objects that name none.")
    var namespace: String?

    func connect() throws -> ClusterAccess {
        try ClusterAccess(kubeconfig: kubeconfig, context: context, environment: ProcessInfo.processInfo.environment)
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
        return number.isEmpty ? .milliseconds(Int64(total * 1000)) : nil
    }
}

/// A client for the cluster a kubeconfig names (plain HTTP; the bundled server's kubeconfig).
/// First file of `--kubeconfig`, `$KUBECONFIG` (colon-separated, first definition wins), then
/// `~/.kube/config`.
struct ClusterAccess {
    struct NoConfiguration: Error, CustomStringConvertible {
        var description: String { "no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or create ~/.kube/config" }
    }

    let client: RESTClient
    let namespace: String?

    init(kubeconfig: String?, context: String?, environment: [String: String]) throws {
        var files: [String] = []
        if let kubeconfig { files = [kubeconfig] } else if let env = environment["KUBECONFIG"], !env.isEmpty {
            files = env.split(separator: ":").map(String.init)
        } else if let home = environment["HOME"] {
            files = [home + "/.kube/config"]
        }
        let docs: [(String, Value)] = files.compactMap { file in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8), let v = try? YAML.parse(text, file: file) else { return nil }
            return (file, v)
        }
        guard !docs.isEmpty else { throw NoConfiguration() }
        func named(_ section: String, _ name: String) -> Value? {
            for (_, doc) in docs {
                for entry in doc[section].arrayValue ?? [] where entry["name"].stringValue == name { return entry }
            }
            return nil
        }
        let contextName = context ?? docs.lazy.compactMap { $0.1["current-context"].stringValue }.first { !$0.isEmpty }
        guard let contextName, let ctx = named("contexts", contextName)?["context"] else {
            throw ValidationError("error: context \"\(context ?? "")\" does not exist in \(files.joined(separator: ":"))")
        }
        guard let clusterName = ctx["cluster"].stringValue, let server = named("clusters", clusterName)?["cluster"]["server"].stringValue
        else { throw ValidationError("error: the context \"\(contextName)\" names no cluster with a server") }
        guard server.hasPrefix("http://") else {
            throw ValidationError("error: \(server): only plain-HTTP API servers are supported by this build")
        }
        var hostPort = String(server.dropFirst("http://".count))
        if let slash = hostPort.firstIndex(of: "/") { hostPort = String(hostPort[..<slash]) }
        let parts = hostPort.split(separator: ":")
        let host = String(parts.first ?? "127.0.0.1")
        let port = parts.count > 1 ? Int(parts[1]) ?? 80 : 80
        let ns = ctx["namespace"].stringValue
        self.namespace = ns
        client = RESTClient(transport: HTTPTransport(host: host, port: port, maxConnections: 32),
                            headers: ["User-Agent": "capstan/\(CapstanVersion.string)"], defaultNamespace: ns ?? "default")
    }
}

/// Prints each object's line as it finishes and, on a terminal, a `[n/total]` progress line on
/// standard error (never when piped). Shared by the apply tasks; guarded by a lock.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let streamLines: Bool
    let isTerminal: Bool

    init(total: Int, streamLines: Bool) {
        self.total = total
        self.streamLines = streamLines
        isTerminal = isatty(STDERR_FILENO) == 1 && total >= 20
    }

    func finished(_ result: ObjectResult) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        if result.action == .failed {
            printError(result.line)
        } else if streamLines {
            FileHandle.standardOutput.write(Data((result.line + "\n").utf8))
        }
        if isTerminal { FileHandle.standardError.write(Data("[\(done)/\(total)] applying…".utf8)) }
    }

    func clear() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
