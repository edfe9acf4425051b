/// The `capstan` binary: argument parsing and wiring only. Every behaviour lives in a library
/// target (see ARCHITECTURE.md); commands translate flags into calls and results into output.
import ArgumentParser
import CapstanAPI

/// Starts work a command is sure to need on the idle second core before the arguments are
/// parsed (parsing is single-threaded and takes a few milliseconds of reflection), then runs
/// the command.
@main
enum CapstanMain {
    static func main() async {
        // Commands that check manifests need the built-in API catalogue, whose decoding takes
        // a few milliseconds; it is a lazily initialised global, so the command simply finds it
        // ready (or waits for the rest).
        if let command = CommandLine.arguments.dropFirst().first, ["apply", "diff"].contains(command) {
            Task.detached(priority: .userInitiated) { _ = APICatalogue.builtin }
        }
        await Capstan.main()
    }
}

struct Capstan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capstan",
        abstract: "GitOps reconciliation for Kubernetes, with a bundled control plane.",
        version: CapstanVersion.string,
        subcommands: [
            VersionCommand.self, ApplyCommand.self, DiffCommand.self, TemplateCommand.self, PatchCommand.self,
            ClusterCommand.self, ServerCommand.self, ControllersCommand.self, NodeCommand.self,
        ]
    )
}

enum CapstanVersion {
    static let string = "0.1.0"
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the client version.")

    @Option(name: .shortAndLong, help: "Output format: text or json.")
    var output: String = "text"

    func run() throws {
        switch output {
        case "json": print(#"{"clientVersion":{"gitVersion":"v\#(CapstanVersion.string)","platform":"linux/amd64"}}"#)
        case "text": print("Capstan version v\(CapstanVersion.string)")
        default: throw ValidationError("unknown output format \"\(output)\" (use text or json)")
        }
    }
}
