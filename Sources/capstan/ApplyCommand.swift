import ArgumentParser
import CapstanAPI
import CapstanManifest
import CapstanModel
import CapstanYAML

/// `capstan apply -f PATH`: for now the client-side dry run (load, validate, default the
/// namespace, print what would be sent). The apply engine against a cluster comes with the
/// client (issue 7).
struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply manifests from files, directories or standard input.")

    @Option(name: [.customShort("f"), .customLong("filename")], help: "A file, a directory, or - for standard input (repeatable).")
    var filenames: [String] = []

    @Flag(name: [.customShort("R"), .customLong("recursive")], help: "Descend into subdirectories of directories given with -f.")
    var recursive = false

    @Option(name: .shortAndLong, help: "Namespace for namespaced objects that name none.")
    var namespace: String?

    @Option(name: .customLong("dry-run"), help: "Only client is available yet: load, validate and print without sending.")
    var dryRun: String = "none"

    @Option(name: .shortAndLong, help: "Output: yaml, json or name (default: one line per object).")
    var output: String?

    func validate() throws {
        if filenames.isEmpty { throw ValidationError("must specify one of -f or --filename") }
        if let output, !["yaml", "json", "name"].contains(output) {
            throw ValidationError("unable to match a printer suitable for the output format \"\(output)\", allowed formats are: json, name, yaml")
        }
        guard dryRun == "client" else {
            throw ValidationError("only --dry-run=client is supported until the apply engine lands (got \"\(dryRun)\")")
        }
    }

    func run() throws {
        let resolved: [ResolvedManifest]
        do {
            let manifests = try ManifestLoader(recursive: recursive).load(filenames)
            resolved = try ManifestResolver(defaultNamespace: namespace ?? "default", namespaceExplicit: namespace != nil).resolve(manifests)
        } catch {
            for problem in error.errors { printError("error: \(problem)") }
            throw ExitCode(1)
        }
        switch output {
        case "yaml":
            print(YAML.emitDocuments(resolved.map(\.object)), terminator: "")
        case "json":
            for item in resolved { print(item.object.jsonString(JSONOptions(indent: 4))) }
        case "name":
            for item in resolved { print(item.typedName) }
        default:
            for item in resolved { print("\(item.typedName) created (dry run)") }
        }
    }
}
