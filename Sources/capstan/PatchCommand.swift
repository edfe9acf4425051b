import ArgumentParser
import CapstanAPI
import CapstanModel
import CapstanPatch
import FoundationEssentials

/// `capstan patch create|apply`: the patch engine on files, for scripts and for checking what
/// `apply` would send. Wiring only: the work is done by `CapstanPatch`.
struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Create and apply JSON, merge and strategic merge patches.",
        subcommands: [Create.self, Apply.self])

    /// Where patch metadata comes from: a built-in kind, an OpenAPI document, or (when
    /// neither is given) the `apiVersion`/`kind` of the document itself.
    struct SchemaOptions: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("Built-in kind whose schema gives merge keys and strategies.", valueName: "GROUP/VERSION/KIND"))
        var kind: String?

        @Option(name: .long, help: ArgumentHelp("OpenAPI v2 or v3 document (JSON or YAML) holding the schema.", valueName: "OPENAPI"))
        var schema: String?

        @Option(name: .long, help: ArgumentHelp("Definition name inside --schema, e.g. io.k8s.api.apps.v1.Deployment.", valueName: "NAME"))
        var definition: String?

        @Flag(name: .long, help: "Merge lists marked x-kubernetes-list-type: map by their single list-map key (custom schemas).")
        var listMapMerge = false

        func validate() throws {
            if kind != nil && schema != nil { throw ValidationError("give either --kind or --schema, not both") }
            if (schema == nil) != (definition == nil) { throw ValidationError("--schema and --definition go together") }
            if let kind, GroupVersionKind(slashed: kind) == nil {
                throw ValidationError("--kind must be GROUP/VERSION/KIND (or VERSION/KIND for the core group), got \(kind)")
            }
        }

        /// The metadata to use; `fallback` is a document whose apiVersion/kind names a built-in.
        func meta(fallback: Value, reader: inout DocumentReader) throws -> PatchMeta {
            let options = PatchMetaOptions(mergeListMaps: listMapMerge)
            if let schema, let definition {
                let document = try reader.read(schema, role: "--schema")
                do {
                    guard let meta = try PatchMeta.fromOpenAPI(document, definition: definition, options: options) else {
                        throw CLIError("\(schema): no definition named \(definition)")
                    }
                    return meta
                } catch let e as SchemaError {
                    throw CLIError("\(schema): \(e)")
                }
            }
            let gvk: GroupVersionKind
            if let kind, let parsed = GroupVersionKind(slashed: kind) {
                gvk = parsed
            } else if let apiVersion = fallback["apiVersion"].stringValue, let k = fallback["kind"].stringValue {
                gvk = GroupVersionKind(apiVersion: apiVersion, kind: k)
            } else {
                throw CLIError("strategic merge needs patch metadata: give --kind GROUP/VERSION/KIND or --schema FILE --definition NAME (or use --type merge)")
            }
            let catalogue = APICatalogue.builtin
            guard let schema = catalogue.schema(for: gvk) else {
                throw CLIError("no built-in schema for \(gvk.apiVersion) \(gvk.kind); use --schema/--definition, or --type merge as kubectl does for custom resources")
            }
            return PatchMeta(schema: schema, options: options)
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Print the patch from --original to --modified (three-way when --current is given).",
            discussion: """
            Two-way: the patch turning ORIGINAL into MODIFIED. Three-way (kubectl apply): ORIGINAL is the \
            last-applied configuration, MODIFIED the new manifest, CURRENT the live object; fields only the \
            live object has are left alone. With --overwrite=false a field changed both live and in the \
            manifest is a conflict (exit status 3).
            """)

        @Option(name: .long, help: ArgumentHelp("Original (last-applied) document; '-' reads stdin.", valueName: "FILE"))
        var original: String

        @Option(name: .long, help: ArgumentHelp("Modified (intended) document; '-' reads stdin.", valueName: "FILE"))
        var modified: String

        @Option(name: .long, help: ArgumentHelp("Current (live) document, for a three-way patch.", valueName: "FILE"))
        var current: String?

        @Option(name: .long, help: "Patch type: strategic or merge.")
        var type: String = "strategic"

        @Option(name: .long, help: "Overwrite live changes (false: report them as conflicts, exit 3).")
        var overwrite: Bool = true

        @OptionGroup var schemaOptions: SchemaOptions

        func validate() throws {
            guard type == "strategic" || type == "merge" else { throw ValidationError("--type must be strategic or merge for create, got \(type)") }
            if current == nil && !overwrite { throw ValidationError("--overwrite=false needs --current (conflicts are three-way)") }
        }

        func run() throws {
            try PatchCommand.guarded {
                var reader = DocumentReader()
                let o = try reader.read(original, role: "--original")
                let m = try reader.read(modified, role: "--modified")
                let c = try current.map { try reader.read($0, role: "--current") }
                let patch: Value
                if type == "merge" {
                    if let c {
                        patch = try MergePatch.createThreeWay(original: o, modified: m, current: c)
                    } else {
                        patch = try MergePatch.createTwoWay(original: o, modified: m)
                    }
                } else {
                    let meta = try schemaOptions.meta(fallback: m, reader: &reader)
                    if let c {
                        patch = try StrategicMerge.createThreeWay(original: o, modified: m, current: c, meta: meta, overwrite: overwrite)
                    } else {
                        patch = try StrategicMerge.createTwoWay(original: o, modified: m, meta: meta)
                    }
                }
                print(patch.jsonString(JSONOptions(indent: 2, sortKeys: true)))
            }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: "Print --object with --patch applied.")

        @Option(name: .long, help: ArgumentHelp("The patch; '-' reads stdin.", valueName: "FILE"))
        var patch: String

        @Option(name: .long, help: ArgumentHelp("The object to patch; '-' reads stdin.", valueName: "FILE"))
        var object: String

        @Option(name: .long, help: "Patch type: strategic, merge or json.")
        var type: String = "strategic"

        @OptionGroup var schemaOptions: SchemaOptions

        func validate() throws {
            guard ["strategic", "merge", "json"].contains(type) else { throw ValidationError("--type must be strategic, merge or json, got \(type)") }
        }

        func run() throws {
            try PatchCommand.guarded {
                var reader = DocumentReader()
                let p = try reader.read(patch, role: "--patch")
                let o = try reader.read(object, role: "--object")
                let result: Value
                switch type {
                case "json": result = try JSONPatch.apply(patch: p, to: o)
                case "merge": result = try MergePatch.apply(patch: p, to: o)
                default:
                    let meta = try schemaOptions.meta(fallback: o, reader: &reader)
                    result = try StrategicMerge.apply(patch: p, to: o, meta: meta)
                }
                print(result.jsonString(JSONOptions(indent: 2)))
            }
        }
    }

    /// Runs `body`, turning our errors into a message on stderr and an exit status:
    /// 3 for a three-way conflict, 1 for anything else.
    static func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as PatchError {
            printError("error: \(e)")
            throw ExitCode(e.kind == .conflict ? 3 : 1)
        } catch let e as CLIError {
            printError("error: \(e.message)")
            throw ExitCode(1)
        }
    }
}

struct CLIError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Reads the documents a command names: files or stdin (`-`, at most once), JSON or YAML.
struct DocumentReader {
    private var stdinUsedBy: String?

    mutating func read(_ path: String, role: String) throws -> Value {
        let bytes: [UInt8]
        let name: String
        if path == "-" {
            if let other = stdinUsedBy { throw CLIError("\(role) and \(other) cannot both read stdin") }
            stdinUsedBy = role
            bytes = try FileSystem.readStandardInput()
            name = "<stdin>"
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError("\(role): cannot read \(path)")
            }
            bytes = [UInt8](data)
            name = path
        }
        return try Self.parse(bytes, name: name)
    }

    /// JSON when the text starts like JSON, YAML otherwise (a single document).
    static func parse(_ bytes: [UInt8], name: String) throws -> Value {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            do {
                return try Value.parseJSON(bytes)
            } catch {
                throw CLIError("\(name): \(error)")
            }
        }
        return try parseYAML(String(decoding: bytes, as: UTF8.self), name: name)
    }
}
