import ArgumentParser
import CapstanApply
import CapstanManifest
import CapstanModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `capstan diff -f PATH [-R]`: what `apply` would change, as a unified diff per object (server
/// dry run of the same request; a local merge when the server cannot dry-run). Exit status as
/// `diff(1)`: 0 nothing differs, 1 something does, 2 or more on error. Wiring and printing only.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what applying the manifests would change.")

    @OptionGroup var input: ManifestInputOptions
    @OptionGroup var cluster: ClusterOptions

    @Option(name: .shortAndLong, help: "unified (default), markdown or json.")
    var output: String = "unified"

    @Option(name: .customLong("color"), help: "auto (on a terminal), always or never.")
    var color: String = "auto"

    func validate() throws {
        if input.filenames.isEmpty { throw ValidationError("must specify one of -f or --filename") }
        guard ["unified", "markdown", "json"].contains(output) else {
            throw ValidationError("unknown --output \"\(output)\": use unified, markdown or json")
        }
    }

    func run() async throws {
        do {
            try await diff()
        } catch let exit as ExitCode {
            throw exit
        } catch let error as CLIError {
            printError("error: \(error.message)")
            throw ExitCode(2)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    private func diff() async throws {
        let access = try cluster.connect(try cluster.loadConfig())
        let namespace = access.connection.namespace
        let resolved: [CapstanManifest.ResolvedManifest]
        do {
            resolved = try await input.resolve(namespace: namespace, explicit: cluster.namespace != nil, client: access.client)
        } catch is ExitCode {
            throw ExitCode(2)
        }
        let (diffs, errors) = await Differ(client: access.client).diff(resolved)
        let changed = diffs.filter(\.differs)
        let useColor = color == "always" || (color == "auto" && isatty(STDOUT_FILENO) == 1)
        var text = ""
        switch output {
        case "json":
            let items: [Value] = changed.map { d in
                ["object": .string(d.typedName), "namespace": d.namespace.map { .string($0) } ?? .null,
                 "live": d.live ?? .null, "merged": d.merged ?? .null, "diff": .string(d.unified)]
            }
            text = Value.array(items).jsonString(JSONOptions(indent: 2)) + "\n"
        case "markdown":
            for d in changed {
                text += "### \(d.typedName)\(d.namespace.map { " (\($0))" } ?? "")\n\n```diff\n\(d.unified)```\n\n"
            }
        default:
            for d in changed { text += useColor ? Self.colored(d.unified) : d.unified }
        }
        StandardStream.output.write(text)
        for error in errors { printError(error) }
        if !errors.isEmpty { throw ExitCode(2) }
        if !changed.isEmpty { throw ExitCode(1) }
    }

    static func colored(_ diff: String) -> String {
        var out = ""
        for line in diff.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("+++") || line.hasPrefix("---") { out += "\u{1B}[1m\(line)\u{1B}[0m" }
            else if line.hasPrefix("@@") { out += "\u{1B}[36m\(line)\u{1B}[0m" }
            else if line.hasPrefix("+") { out += "\u{1B}[32m\(line)\u{1B}[0m" }
            else if line.hasPrefix("-") { out += "\u{1B}[31m\(line)\u{1B}[0m" }
            else { out += line }
            out += "\n"
        }
        return String(out.dropLast())
    }
}
