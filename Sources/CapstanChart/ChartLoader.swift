import CapstanModel
import CapstanYAML
import FoundationEssentials

/// Loading charts from a directory (honouring `.helmignore`) or a `.tgz` archive, and sorting
/// their files into metadata, values, templates, other files and subcharts as Helm's loader
/// does. Subcharts under `charts/` may be directories or archives; names starting with `_` or
/// `.` there are skipped.
public enum ChartLoader {
    /// Loads a chart from a directory or an archive path.
    public static func load(path: String) throws(ChartError) -> Chart {
        // A directory (the common case) is opened straight away; anything else is looked at.
        if let root = try? FileSystem.Directory(path) { return try loadDirectory(root, top: path) }
        guard let kind = FileSystem.kind(path) else {
            throw .load("path \"\(path)\" not found", path: path)
        }
        if kind.isDirectory { return try loadDirectory(path) }
        guard let data = try? FileSystem.read(path) else {
            throw .load("open \(path): permission denied", path: path)
        }
        return try loadArchive(data)
    }

    /// Loads a chart directory, skipping what `.helmignore` (plus Helm's default rule) ignores.
    /// Each directory is opened once and its files are read relative to it; `.helmignore` is
    /// read once, for the rules and as a chart file.
    public static func loadDirectory(_ dir: String) throws(ChartError) -> Chart {
        guard let root = try? FileSystem.Directory(dir) else {
            let top = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
            throw .load("open \(top): no such file or directory", path: top)
        }
        return try loadDirectory(root, top: dir)
    }

    private static func loadDirectory(_ root: FileSystem.Directory, top dir: String) throws(ChartError) -> Chart {
        let top = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        var rules = HelmIgnore()
        var helmignore: [UInt8]?
        if let entry = root.entries.first(where: { $0.name == ".helmignore" }), entry.isRegular,
           let data = try? root.read(entry.name) {
            helmignore = trimBOM(data)
            rules = try HelmIgnore(parsing: String(decoding: helmignore ?? [], as: UTF8.self))
        }
        rules.addDefaults()
        var files: [ChartFile] = []
        try walk(root, top: top, relative: "", rules: rules, helmignore: helmignore, into: &files, depth: 0)
        return try loadFiles(files)
    }

    /// Appends the files under `dir` (chart-relative path `relative`) in Helm's walk order:
    /// entries sorted bytewise, each directory's content where the directory sorts.
    private static func walk(_ dir: FileSystem.Directory, top: String, relative: String, rules: HelmIgnore,
                             helmignore: [UInt8]?, into files: inout [ChartFile], depth: Int) throws(ChartError) {
        for entry in dir.entries {
            let rel = relative.isEmpty ? entry.name : relative + "/" + entry.name
            if entry.isDirectory {
                if rules.ignores(rel, isDirectory: true) { continue }
                let subPath = top + "/" + rel
                guard depth + 1 < 64 else { throw .load("chart directory nested too deeply: \(rel)", path: rel) }
                guard let sub = try? FileSystem.Directory(subPath) else {
                    throw .load("open \(subPath): no such file or directory", path: subPath)
                }
                try walk(sub, top: top, relative: rel, rules: rules, helmignore: nil, into: &files, depth: depth + 1)
                continue
            }
            if rules.ignores(rel, isDirectory: false) { continue }
            // The top `.helmignore` was read for the rules already.
            let known = relative.isEmpty && entry.name == ".helmignore" ? helmignore : nil
            guard entry.isRegular, let data = known ?? (try? dir.read(entry.name)).map(trimBOM) else {
                let full = top + "/" + rel
                throw .load("cannot load irregular file \(full) as it has file mode type bits set", path: full)
            }
            files.append(ChartFile(name: rel, data: data))
        }
    }

    /// Loads a gzip-compressed tar archive held in memory.
    public static func loadArchive(_ bytes: [UInt8]) throws(ChartError) -> Chart {
        let tar: [UInt8]
        let entries: [TarEntry]
        do {
            tar = try gunzip(bytes)
            entries = try readTar(tar)
        } catch {
            throw .load(error.message)
        }
        var files: [ChartFile] = []
        for e in entries {
            // The replacement only for the rare name with a backslash.
            let name = e.name.utf8.contains(UInt8(ascii: "\\")) ? e.name.replacing("\\", with: "/") : e.name
            let (top, rest) = cutAtSlash(name[...])
            if top == "Chart.yaml" { throw .load("chart yaml not in base directory") }
            guard let rel = rest, !rel.isEmpty else { continue }
            files.append(ChartFile(name: String(rel), data: trimBOM(e.data)))
        }
        if files.isEmpty { throw .load("no files in chart archive") }
        return try loadFiles(files)
    }

    /// Sorts chart-relative files into a `Chart` (Helm's `LoadFiles`).
    public static func loadFiles(_ files: [ChartFile]) throws(ChartError) -> Chart {
        var metadata: ChartMetadata?
        for f in files where f.name == "Chart.yaml" {
            let doc: Value
            do { doc = try YAML.parse(f.text, file: "Chart.yaml") } catch {
                let detail = goYAMLSyntaxError(f.text) ?? "yaml: line \(error.line): \(error.message)"
                throw .load("cannot load Chart.yaml: error converting YAML to JSON: \(detail)", path: "Chart.yaml")
            }
            guard case .object(let o) = doc else {
                if doc.isNull { metadata = try ChartMetadata(document: [:]); continue }
                throw .load("cannot load Chart.yaml: error unmarshaling JSON: json: cannot unmarshal \(jsonKind(doc)) into Go value of type chart.Metadata", path: "Chart.yaml")
            }
            metadata = try ChartMetadata(document: o)
        }
        var values = ValueObject()
        var schema: [UInt8]?
        var templates: [ChartFile] = []
        var other: [ChartFile] = []
        var subchartFiles: [String: [ChartFile]] = [:]
        var subchartOrder: [String] = []
        for f in files {
            switch f.name {
            case "Chart.yaml":
                continue
            case "Chart.lock", "requirements.lock":
                if f.name == "requirements.lock", metadata?.apiVersion == "v1" { other.append(f) }
            case "values.yaml":
                values = try parseValuesDocument(f.text, file: "values.yaml", context: "cannot load values.yaml: cannot unmarshal yaml document")
            case "values.schema.json":
                schema = f.data
            case "requirements.yaml":
                if var md = metadata {
                    let doc = (try? YAML.parse(f.text, file: f.name)) ?? .null
                    md.dependencies = try ChartMetadata.readDependencies(doc["dependencies"])
                    if case .object(var raw) = Value.object(md.raw) {
                        raw["dependencies"] = doc["dependencies"]
                        md.raw = raw
                    }
                    metadata = md
                    if md.apiVersion == "v1" { other.append(f) }
                }
            default:
                if f.name.hasPrefix("templates/") {
                    templates.append(f)
                } else if f.name.hasPrefix("charts/") {
                    if f.name.hasSuffix(".prov") { other.append(f); continue }
                    let rest = f.name[f.name.utf8.index(f.name.utf8.startIndex, offsetBy: "charts/".utf8.count)...]
                    let cname = String(cutAtSlash(rest).head)
                    if subchartFiles[cname] == nil { subchartOrder.append(cname) }
                    subchartFiles[cname, default: []].append(ChartFile(name: String(rest), data: f.data))
                } else {
                    other.append(f)
                }
            }
        }
        guard let md = metadata else { throw .load("Chart.yaml file is missing") }
        try md.validate()
        var chart = Chart(metadata: md, values: values, schema: schema, templates: templates, files: other)
        for cname in subchartOrder {
            guard let first = cname.first, first != "_", first != "." else { continue }
            let sub = subchartFiles[cname] ?? []
            do throws(ChartError) {
                if cname.hasSuffix(".tgz") {
                    guard let file = sub.first, file.name == cname else {
                        throw .load("error unpacking subchart tar in \(md.name): expected \(cname), got \(sub.first?.name ?? "")")
                    }
                    chart.dependencies.append(try loadArchive(file.data))
                } else {
                    var inner: [ChartFile] = []
                    for f in sub {
                        guard let inside = cutAtSlash(f.name[...]).tail else { continue }
                        inner.append(ChartFile(name: String(inside), data: f.data))
                    }
                    chart.dependencies.append(try loadFiles(inner))
                }
            } catch {
                throw .load("error unpacking subchart \(cname) in \(md.name): \(error.message)")
            }
        }
        return chart
    }

    /// Parses a values document (chart defaults or a `-f` file) into a map whose numbers are
    /// float64, as Helm's YAML → JSON → `interface{}` route leaves them.
    static func parseValuesDocument(_ text: String, file: String, context: String) throws(ChartError) -> ValueObject {
        let docs: [Value]
        do { docs = try YAML.parseValues(text, file: file) } catch {
            let detail = goYAMLSyntaxError(text) ?? "yaml: line \(error.line): \(error.message)"
            throw .values("\(context): error converting YAML to JSON: \(detail)")
        }
        var out = ValueObject()
        for doc in docs {
            switch doc {
            case .null: continue
            case .object(let o):
                // Merging into an empty map gives the map itself (same keys, same order).
                if out.isEmpty, case .object(let converted) = floatNumbers(.object(o)) { out = converted; continue }
                if case .object(let merged) = mergeMaps(.object(out), floatNumbers(.object(o))) { out = merged }
            default:
                throw .values("\(context): error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(doc)) into Go value of type map[string]interface {}")
            }
        }
        return out
    }
}

/// The part of a path before its first `/` and the part after it (nil without a slash), cut
/// at the byte as Go's path functions do (no `Character` walk over the whole path).
func cutAtSlash(_ path: Substring) -> (head: Substring, tail: Substring?) {
    guard let slash = path.utf8.firstIndex(of: UInt8(ascii: "/")) else { return (path, nil) }
    return (path[..<slash], path[path.utf8.index(after: slash)...])
}

/// How often the byte `b` occurs in `s`: one pass over its contiguous UTF-8 (the generic
/// `utf8.count(where:)` and `utf8.contains` walk the view index by index, several times slower).
func byteCount(_ b: UInt8, in s: String) -> Int {
    s.utf8.withContiguousStorageIfAvailable { buf in
        var n = 0
        for c in buf where c == b { n += 1 }
        return n
    } ?? s.utf8.count(where: { $0 == b })
}

private func trimBOM(_ data: [UInt8]) -> [UInt8] {
    if data.count >= 3, data[0] == 0xEF, data[1] == 0xBB, data[2] == 0xBF { return Array(data[3...]) }
    return data
}

/// Helm's `mergeMaps` for user values: maps merge recursively, anything else is replaced.
func mergeMaps(_ a: Value, _ b: Value) -> Value {
    guard case .object(var out) = a, case .object(let bo) = b else { return b }
    for (k, v) in bo {
        if case .object = v, let existing = out[k], case .object = existing {
            out[k] = mergeMaps(existing, v)
        } else {
            out[k] = v
        }
    }
    return .object(out)
}
