/// CapstanManifest: reading Kubernetes manifests from files, directories and standard input.
///
/// It turns `-f` arguments into objects that remember where they came from (file, document,
/// line), flattens `List` kinds, and reports every problem of the whole input at once —
/// syntax, missing identity fields, the same object defined twice — before anything else
/// happens, so a bad file can never lead to a half-applied change. It does not talk to a
/// cluster and does not know what a kind means beyond its identity.
import FoundationEssentials
import CapstanModel
import CapstanYAML

/// Where an object was read from.
public struct ManifestSource: Sendable, Hashable, CustomStringConvertible {
    /// The path as given (or `-` for standard input).
    public var file: String
    /// Zero-based document index within the file.
    public var document: Int
    /// 1-based line where the document (or the list item's document) starts.
    public var line: Int

    public init(file: String, document: Int, line: Int) {
        self.file = file
        self.document = document
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One object read from the input.
public struct Manifest: Sendable {
    public var object: Value
    public var source: ManifestSource

    public init(object: Value, source: ManifestSource) {
        self.object = object
        self.source = source
    }
}

/// A problem with the input, tied to the place it comes from.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?
    public var message: String

    public init(file: String, line: Int, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        if let column { return "\(file):\(line):\(column): \(message)" }
        return "\(file):\(line): \(message)"
    }
}

/// Every problem found in one load, in input order.
public struct ManifestErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ManifestError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

public struct ManifestLoader: Sendable {
    public static let extensions: Set<String> = ["yaml", "yml", "json"]

    public var recursive: Bool
    /// Supplies standard input when a path is `-`; replaceable in tests.
    public var readStandardInput: @Sendable () throws -> String

    public init(recursive: Bool = false, readStandardInput: @escaping @Sendable () throws -> String = ManifestLoader.readAllStandardInput) {
        self.recursive = recursive
        self.readStandardInput = readStandardInput
    }

    public static func readAllStandardInput() throws -> String {
        String(decoding: try FileSystem.readStandardInput(), as: UTF8.self)
    }

    /// Loads every path; throws `ManifestErrors` listing all problems if there are any.
    public func load(_ paths: [String]) throws(ManifestErrors) -> [Manifest] {
        var errors: [ManifestError] = []
        var manifests: [Manifest] = []
        for path in paths {
            for file in expand(path, errors: &errors) {
                manifests += loadFile(file, errors: &errors)
            }
        }
        errors += duplicates(in: manifests)
        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
        return manifests
    }

    /// `load` with the files read and parsed side by side on up to `width` tasks: the same
    /// manifests and errors in the same order. Standard input (`-`) keeps the one-by-one path.
    public func loadConcurrently(_ paths: [String], width: Int) async throws(ManifestErrors) -> [Manifest] {
        if paths.contains("-") { return try load(paths) }
        var errors: [ManifestError] = []
        // Each path's own errors (missing, empty directory) come before those of its files, as in `load`.
        var plan: [(errors: [ManifestError], files: Range<Int>)] = []
        var files: [String] = []
        for path in paths {
            var expandErrors: [ManifestError] = []
            let found = expand(path, errors: &expandErrors)
            plan.append((expandErrors, files.count..<files.count + found.count))
            files += found
        }
        let loader = self
        // Each file's objects come with the hashes of their identities, so that looking for
        // duplicates afterwards, alone on one core, touches integers rather than the objects.
        var loaded = await orderedConcurrentMap(files, width: width, minimumChunk: 8) { file in
            var fileErrors: [ManifestError] = []
            let manifests = loader.loadFile(file, errors: &fileErrors)
            return LoadedFile(manifests: manifests, errors: fileErrors, keyHashes: manifests.map { $0.object.objectKey?.hashValue })
        }
        var manifests: [Manifest] = []
        var keyHashes: [Int?] = []
        manifests.reserveCapacity(files.count)
        keyHashes.reserveCapacity(files.count)
        loaded.withUnsafeMutableBufferPointer { loaded in
            for step in plan {
                errors += step.errors
                for index in step.files {
                    // Taken, not copied: the file's arrays go with it.
                    let file = loaded.exchange(index, with: LoadedFile(manifests: [], errors: [], keyHashes: []))
                    manifests += file.manifests
                    errors += file.errors
                    keyHashes += file.keyHashes
                }
            }
        }
        errors += duplicates(in: manifests, keyHashes: keyHashes)
        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
        return manifests
    }

    /// What one file of a concurrent load gave.
    private struct LoadedFile: Sendable {
        var manifests: [Manifest]
        var errors: [ManifestError]
        /// `objectKey?.hashValue` of each manifest.
        var keyHashes: [Int?]
    }

    /// Parses one text as if read from `file`; used for stdin, git blobs and rendered charts.
    public func parse(_ text: String, file: String) throws(ManifestErrors) -> [Manifest] {
        var errors: [ManifestError] = []
        let manifests = parseText(text, file: file, errors: &errors)
        errors += duplicates(in: manifests)
        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
        return manifests
    }

    // MARK: - Files

    func expand(_ path: String, errors: inout [ManifestError]) -> [String] {
        if path == "-" { return ["-"] }
        guard let found = FileSystem.kind(path) else {
            errors.append(ManifestError(file: path, line: 0, message: "the path does not exist"))
            return []
        }
        guard found.isDirectory else { return [path] }
        var files: [String] = []
        walk(path, into: &files, errors: &errors)
        if files.isEmpty {
            errors.append(ManifestError(file: path, line: 0, message: "no manifest files (.yaml, .yml, .json) in the directory"))
        }
        return files
    }

    /// Bytewise lexical order at each level, like kubectl's walk; subdirectories only with
    /// `recursive`. Symlinks are followed; dangling ones are skipped.
    func walk(_ directory: String, into files: inout [String], errors: inout [ManifestError]) {
        let entries: [FileSystem.Entry]
        do {
            entries = try FileSystem.list(directory)
        } catch {
            errors.append(ManifestError(file: directory, line: 0, message: "cannot read directory: \(error)"))
            return
        }
        for entry in entries {
            let full = directory.hasSuffix("/") ? directory + entry.name : directory + "/" + entry.name
            if entry.isDirectory {
                if recursive { walk(full, into: &files, errors: &errors) }
            } else if Self.hasManifestExtension(entry.name) {
                files.append(full)
            }
        }
    }

    /// `.yaml`, `.yml` or `.json`, in any letter case. Checked on the bytes: it runs for every
    /// file of a tree, alone on one core before the files are read.
    static func hasManifestExtension(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")) else { return false }
            let suffix = bytes[(dot + 1)...]
            return extensionBytes.contains { ext in
                ext.count == suffix.count && zip(ext, suffix).allSatisfy { $0 == $1 | 0x20 }
            }
        }
    }

    /// `extensions` as lower-case ASCII bytes.
    private static let extensionBytes: [[UInt8]] = extensions.map { Array($0.utf8) }

    func loadFile(_ file: String, errors: inout [ManifestError]) -> [Manifest] {
        let text: String
        do {
            if file == "-" {
                text = try readStandardInput()
            } else {
                let bytes = try FileSystem.read(file)
                guard let decoded = String(validating: bytes, as: UTF8.self) else {
                    errors.append(ManifestError(file: file, line: 0, message: "the file is not valid UTF-8"))
                    return []
                }
                text = decoded
            }
        } catch {
            errors.append(ManifestError(file: file, line: 0, message: "cannot read: \(error)"))
            return []
        }
        return parseText(text, file: file, errors: &errors)
    }

    func parseText(_ text: String, file: String, errors: inout [ManifestError]) -> [Manifest] {
        let documents: [YAMLDocument]
        if file.lowercased().hasSuffix(".json") {
            do throws(JSONError) {
                documents = [YAMLDocument(value: try Value.parseJSON(text), index: 0, line: 1)]
            } catch {
                errors.append(ManifestError(file: file, line: error.line, column: error.column, message: error.message))
                return []
            }
        } else {
            do throws(YAMLError) {
                documents = try YAML.parseAll(text, file: file)
            } catch {
                errors.append(ManifestError(file: file, line: error.line, column: error.column, message: error.message))
                return []
            }
        }
        var manifests: [Manifest] = []
        for document in documents where !document.value.isNull {
            let source = ManifestSource(file: file, document: document.index, line: document.line)
            collect(document.value, source: source, into: &manifests, errors: &errors, depth: 0)
        }
        return manifests
    }

    /// Flattens `List` kinds (and `*List` kinds with `items`), then checks identity fields.
    func collect(_ value: Value, source: ManifestSource, into manifests: inout [Manifest], errors: inout [ManifestError], depth: Int) {
        guard value.isObject else {
            errors.append(ManifestError(file: source.file, line: source.line,
                                        message: "document \(source.document) is a \(value.typeName), not a Kubernetes object"))
            return
        }
        if let kind = value.kind, kind.hasSuffix("List"), let items = value["items"].arrayValue, depth < 8 {
            for item in items where !item.isNull {
                collect(item, source: source, into: &manifests, errors: &errors, depth: depth + 1)
            }
            return
        }
        var missing: [String] = []
        if (value.apiVersion ?? "").isEmpty { missing.append("apiVersion") }
        if (value.kind ?? "").isEmpty { missing.append("kind") }
        if (value.name ?? "").isEmpty && (value.generateName ?? "").isEmpty { missing.append("metadata.name") }
        if !missing.isEmpty {
            let what = value.kind.map { "\($0) object" } ?? "object"
            errors.append(ManifestError(file: source.file, line: source.line,
                                        message: "\(what) is missing required field\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", "))"))
            return
        }
        manifests.append(Manifest(object: value, source: source))
    }

    /// The same (group, kind, namespace, name) defined twice; objects with only
    /// `generateName` are never duplicates. Namespace is compared as written.
    func duplicates(in manifests: [Manifest]) -> [ManifestError] {
        duplicates(in: manifests, keyHashes: manifests.map { $0.object.objectKey?.hashValue })
    }

    /// Objects defined twice, given the hash of each object's identity (nil: it has none).
    /// Identities are compared only where hashes meet, which for distinct objects is almost
    /// never.
    func duplicates(in manifests: [Manifest], keyHashes: [Int?]) -> [ManifestError] {
        var firstWithHash: [Int: Int] = [:]
        firstWithHash.reserveCapacity(manifests.count)
        // Further objects whose identity differs but hashes the same: rare.
        var laterWithHash: [Int: [Int]] = [:]
        var errors: [ManifestError] = []
        for (index, hash) in keyHashes.enumerated() {
            guard let hash else { continue }
            guard let first = firstWithHash[hash] else {
                firstWithHash[hash] = index
                continue
            }
            guard let key = manifests[index].object.objectKey else { continue }
            let earlier = [first] + laterWithHash[hash, default: []]
            if let original = earlier.first(where: { manifests[$0].object.objectKey == key }) {
                let source = manifests[index].source
                errors.append(ManifestError(file: source.file, line: source.line,
                                            message: "\(key) is defined twice: first at \(manifests[original].source), again here"))
            } else {
                laterWithHash[hash, default: []].append(index)
            }
        }
        return errors
    }
}
