/// The `capstan` binary: argument parsing and wiring only. Every behaviour lives in a library
/// target (see ARCHITECTURE.md); commands translate flags into calls and results into output.
import ArgumentParser

@main
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
