import CapstanModel
@testable import CapstanTemplate

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One golden case: sections of a `.case` file (see Golden/oracle.py for the format).
struct GoldenCase {
    var name: String
    var sections: [(name: String, body: String)]

    init(name: String, text: String) {
        self.name = name
        var sections: [(String, String)] = []
        var current: String?
        var buffer: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#### ") {
                if let c = current { sections.append((c, buffer.joined(separator: "\n"))) }
                current = String(line.dropFirst(5)).goTrimmedSpace
                buffer = []
            } else {
                buffer.append(line)
            }
        }
        if let c = current { sections.append((c, buffer.joined(separator: "\n"))) }
        self.sections = sections
    }

    func section(_ name: String) -> String? { sections.first { $0.name == name }?.body }
    var files: [(path: String, body: String)] {
        sections.filter { $0.name.hasPrefix("file ") }.map { (String($0.name.dropFirst(5)).goTrimmedSpace, $0.body) }
    }
}

/// A small stand-in for the chart layer: the top-level objects Helm 4 gives a template.
enum HelmLike {
    final class KubeVersion: TemplateObject {
        init() {}
        var goTypeName: String { "common.KubeVersion" }
        var goKind: String { "struct" }
        var printed: String { "v1.36.0" }
        func member(_ name: String) -> TemplateMember? {
            switch name {
            case "Version", "GitVersion": return .field("v1.36.0")
            case "Major": return .field("1")
            case "Minor": return .field("36")
            case "String": return .method(.simple([]) { _ in "v1.36.0" })
            default: return nil
            }
        }
    }
    final class VersionSet: TemplateObject {
        let versions: [String]
        init(versions: [String]) { self.versions = versions }
        var goTypeName: String { "common.VersionSet" }
        var goKind: String { "slice" }
        var underlying: TemplateValue? { .list(versions.map { .string($0) }) }
        func member(_ name: String) -> TemplateMember? {
            guard name == "Has" else { return nil }
            let set = Set(versions)
            return .method(.simple([.string]) { args in
                guard case .string(let s) = args[0] else { return false }
                return .bool(set.contains(s))
            })
        }
    }
    final class Capabilities: TemplateObject {
        init() {}
        var goTypeName: String { "*common.Capabilities" }
        func member(_ name: String) -> TemplateMember? {
            switch name {
            case "KubeVersion": return .field(.object(KubeVersion()))
            case "APIVersions": return .field(.object(VersionSet(versions: ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1"])))
            default: return nil
            }
        }
    }

    static func topLevel(values: Value, templateName: String) -> TemplateValue {
        let chart: TemplateValue = .dict([
            "APIVersion": "v2", "Name": "c", "Version": "0.1.0", "AppVersion": "1.16.0", "Description": "",
            "Type": "", "IsRoot": true, "Annotations": .dict([:]), "Keywords": [], "Maintainers": [], "Sources": [],
            "Dependencies": [], "Deprecated": false, "Home": "", "Icon": "", "Condition": "", "Tags": "", "KubeVersion": "",
        ])
        return .dict([
            "Values": {
                // Helm's `.Values` is the named map type `common.Values`.
                if case .map(let m) = TemplateValue(values) { return .object(NamedMap(typeName: "common.Values", map: m)) }
                return .dict([:])
            }(),
            "Release": .dict(["Name": "rel", "Namespace": "ns", "IsInstall": true, "IsUpgrade": false, "Revision": 1, "Service": "Helm"]),
            "Chart": chart,
            "Capabilities": .object(Capabilities()),
            "Template": .dict(["Name": .string(templateName), "BasePath": "c/templates"]),
            "Subcharts": .dict([:]),
        ])
    }

    /// Renders a case the way Helm would render `c/templates/t.yaml`.
    static func render(_ c: GoldenCase) -> (ok: Bool, text: String) {
        var set = TemplateSet(options: .helm)
        do {
            // Helm parses templates deepest path first, then in reverse lexical order; a later
            // definition of a name wins.
            var files = c.files.filter { $0.path.hasPrefix("templates/") }.map { ("c/" + $0.path, $0.body) }
            files.append(("c/templates/t.yaml", c.section("template") ?? ""))
            files.sort { a, b in
                let da = a.0.split(separator: "/").count, db = b.0.split(separator: "/").count
                return da != db ? da > db : a.0 > b.0
            }
            for (name, body) in files { try set.add(name: name, source: body) }
            let valuesText = c.section("values") ?? ""
            let values = valuesText.goTrimmedSpace.isEmpty ? Value.object([:]) : try Value.parseJSON(valuesText)
            return (true, try set.render("c/templates/t.yaml", data: topLevel(values: values, templateName: "c/templates/t.yaml")))
        } catch let e as TemplateError {
            return (false, e.helmDescription)
        } catch {
            return (false, "\(error)")
        }
    }
}

enum GoldenFiles {
    /// `Golden/` beside this file; `CAPSTAN_GOLDEN_DIR` points the runner at another corpus
    /// (used for local differential runs against generated cases).
    static var directory: String {
        if let override = getenv("CAPSTAN_GOLDEN_DIR") { return String(cString: override) }
        return builtinDirectory
    }

    /// Where the committed corpus and `oracle.py` live.
    static var builtinDirectory: String {
        let file = #filePath
        let dir = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return dir + "/Golden"
    }

    static func list() -> [String] {
        guard let d = opendir(directory) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".case") { names.append(name) }
        }
        return names.sorted()
    }

    static func read(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func cases() -> [GoldenCase] {
        list().compactMap { name in read(directory + "/" + name).map { GoldenCase(name: name, text: $0) } }
    }

    /// Runs a command and returns (exit status, stdout).
    static func run(_ command: String) -> (Int32, String) {
        guard let p = popen(command, "r") else { return (-1, "") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, p)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        let status = pclose(p)
        return (status, String(decoding: bytes, as: UTF8.self))
    }
}
