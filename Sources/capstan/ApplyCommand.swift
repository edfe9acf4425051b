import ArgumentParser
import CapstanAPI
import CapstanApply
import CapstanClient
import CapstanManifest
import CapstanModel
import CapstanYAML
import FoundationEssentials

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

    // 64 in flight, each on its own connection (ClusterOptions opens up to 64): the server commits
    // the writes that arrive together with one fsync, so more writes in flight mean fewer fsync
    // waits per object; measured against 16 and 32 on `capstan server`.
    @Option(name: .customLong("concurrency"), help: "Objects applied at once within one ordering tier.")
    var concurrency: Int = 64

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
        do {
            try await apply()
        } catch let error as CLIError {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }

    private func apply() async throws {
        let mode = ApplyOptions.DryRun(rawValue: dryRun) ?? .none
        let config = try cluster.loadConfig()
        // A client dry run needs no cluster when there is no kubeconfig at all: print what would be sent.
        let access = config == nil && mode == .client ? nil : try cluster.connect(config)
        let namespace = access?.connection.namespace ?? cluster.namespace ?? "default"
        // The connections the first requests need open while the objects are checked (the server
        // is idle meanwhile); no more than there are objects.
        let transport = mode == .client ? nil : access?.client.transport
        let resolved = try await input.resolve(namespace: namespace, explicit: cluster.namespace != nil, client: access?.client,
                                               loaded: { transport?.prewarm(connections: min($0, concurrency)) })
        guard let access else {
            printOffline(resolved)
            return
        }
        var options = ApplyOptions(dryRun: mode, serverSide: serverSide, forceConflicts: forceConflicts,
                                   fieldManager: fieldManager, prune: prune, wait: wait,
                                   timeout: ClusterOptions.parseDuration(timeout) ?? .seconds(300), concurrency: concurrency,
                                   keepsObjects: output == "yaml" || output == "json" || wait)
        if let applySet {
            do {
                options.applySet = try ApplySetParent(flag: applySet, namespace: namespace,
                                                      tooling: "capstan/v\(CapstanVersion.string)")
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let progress = ProgressLine(total: resolved.count, streamLines: output == nil)
        let report = await Applier(client: access.client).apply(resolved, options: options,
                                                                progress: { progress.finished($0) },
                                                                waiting: { progress.waiting($0) })
        progress.clear()
        printObjects(report)
        for error in report.errors { printError(error) }
        if output == nil, !report.results.isEmpty { printError(report.summary) }
        exitNow(report.failed ? 1 : 0, keeping: (resolved, report))
    }

    /// `-o name|yaml|json`: what the server returned for every object that did not fail.
    private func printObjects(_ report: ApplyReport) {
        guard output != nil else { return }
        let done = report.results.filter { $0.action != .failed }
        switch output {
        case "name": for r in done { print(r.typedName) }
        case "yaml": print(YAML.emitDocuments(done.compactMap(\.object)), terminator: "")
        case "json":
            let objects = done.compactMap(\.object)
            if objects.count == 1 { print(objects[0].jsonString(JSONOptions(indent: 4))) } else {
                let list: Value = ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": .array(objects)]
                print(list.jsonString(JSONOptions(indent: 4)))
            }
        default: break
        }
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
    /// `loaded` hears how many objects were read, before they are checked.
    func resolve(namespace: String, explicit: Bool, client: (any Client)?,
                 loaded: (Int) -> Void = { _ in }) async throws -> [ResolvedManifest]
    {
        // Files are parsed and objects validated on every core (same results, same order).
        let width = ProcessInfo.processInfo.activeProcessorCount
        let manifests: [Manifest]
        do {
            manifests = try await ManifestLoader(recursive: recursive).loadConcurrently(filenames, width: width)
        } catch {
            for problem in error.errors { printError("error: \(problem)") }
            throw ExitCode(1)
        }
        loaded(manifests.count)
        var catalogue = APICatalogue.builtin
        func add(_ crds: [Value]) {
            for crd in crds { if let added = try? catalogue.adding(customResourceDefinition: crd) { catalogue = added } }
        }
        let local = manifests.map(\.object).filter { $0.kind == "CustomResourceDefinition" }
        add(local)
        // The server's CRDs are read only when some kind is neither built in nor defined here.
        let unknown = manifests.contains { m in m.object.gvk.map { catalogue.resource(for: $0) == nil } ?? false }
        if unknown, let client,
           let listed = try? await client.listAll(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1",
                                                                        resource: "customresourcedefinitions"), namespace: nil)
        {
            let names = Set(local.compactMap(\.name))
            add(listed.items.filter { !names.contains($0.name ?? "") })
        }
        do {
            return try await ManifestResolver(catalogue: catalogue, defaultNamespace: namespace, namespaceExplicit: explicit)
                .resolveConcurrently(manifests, width: width)
        } catch {
            for problem in error.errors { printError("error: \(problem)") }
            throw ExitCode(1)
        }
    }
}
