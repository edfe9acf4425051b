import CapstanModel
import CapstanTemplate
import CapstanYAML

/// The Go-typed objects templates reach through `.Files`, `.Capabilities` and `.Chart`.
/// All are immutable final classes, safe to share between renders.

/// `.Chart`: Helm's `*chart.Metadata`, fields by Go name.
final class ChartMetadataObject: TemplateObject {
    /// Fields are converted when a template reads them: a render reads a few of `.Chart`'s
    /// fields, and building all of them for every chart of every render cost more.
    let metadata: ChartMetadata

    init(_ metadata: ChartMetadata) { self.metadata = metadata }

    var goTypeName: String { "*chart.Metadata" }
    func member(_ name: String) -> TemplateMember? {
        metadata.templateField(name).map { .field(TemplateValue($0, numbers: .float64)) }
    }
    var printed: String {
        "&{" + ChartMetadata.templateFieldNames.map { name in
            metadata.templateField(name).map { printField(TemplateValue($0, numbers: .float64)) } ?? ""
        }.joined(separator: " ") + "}"
    }
    var marshalled: TemplateValue { TemplateValue(.object(metadata.raw), numbers: .float64) }
}

private func printField(_ v: TemplateValue) -> String {
    switch v {
    case .string(let s): return s
    case .bool(let b): return b ? "true" : "false"
    case .list(let l): return "[" + l.map(printField).joined(separator: " ") + "]"
    case .map(let m): return "map[" + m.keys.sorted().map { "\($0):\(printField(m[$0] ?? .null))" }.joined(separator: " ") + "]"
    default: return ""
    }
}

/// `.Capabilities.KubeVersion`.
public struct KubeVersion: Sendable, Equatable {
    public var version: String
    public var major: String
    public var minor: String

    /// What Helm 4 reports when no cluster is asked (`helm template`).
    public static let helmDefault = KubeVersion(version: "v1.36.0", major: "1", minor: "36")

    public init(version: String, major: String, minor: String) {
        self.version = version
        self.major = major
        self.minor = minor
    }

    /// `--kube-version` parsing (lenient semver; `1.29` → `v1.29.0`).
    public init(parsing text: String) throws(ChartError) {
        guard let v = SemVer(parsing: text) else {
            throw ChartError(.kubeVersion, "invalid kube version '\(text)': invalid semantic version")
        }
        var s = "v\(v.major).\(v.minor).\(v.patch)"
        if !v.prerelease.isEmpty { s += "-" + v.prerelease }
        if !v.metadata.isEmpty { s += "+" + v.metadata }
        self.init(version: s, major: String(v.major), minor: String(v.minor))
    }
}

final class KubeVersionObject: TemplateObject {
    let kube: KubeVersion
    init(kube: KubeVersion) { self.kube = kube }
    var goTypeName: String { "common.KubeVersion" }
    var goKind: String { "struct" }
    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "Version": return .field(.string(kube.version))
        case "Major": return .field(.string(kube.major))
        case "Minor": return .field(.string(kube.minor))
        case "String", "GitVersion":
            let v = kube.version
            return .method(.simple { _ in .string(v) })
        default: return nil
        }
    }
    var printed: String { kube.version }
    var marshalled: TemplateValue { .dict(["version": .string(kube.version), "major": .string(kube.major), "minor": .string(kube.minor)]) }
}

/// `.Capabilities.APIVersions`: a list of group/versions (and group/version/kinds) with `Has`.
final class APIVersionsObject: TemplateObject {
    let versions: [String]
    init(versions: [String]) { self.versions = versions }
    var goTypeName: String { "common.VersionSet" }
    var goKind: String { "slice" }
    func member(_ name: String) -> TemplateMember? {
        guard name == "Has" else { return nil }
        let set = Set(versions)
        return .method(.simple([.string]) { args in
            if case .string(let s)? = args.first { return .bool(set.contains(s)) }
            return .bool(false)
        })
    }
    var underlying: TemplateValue? { .list(versions.map(TemplateValue.string)) }
}

final class HelmVersionObject: TemplateObject {
    init() {}
    var goTypeName: String { "common.BuildInfo" }
    var goKind: String { "struct" }
    static let fields: [String: String] = ["Version": "v4.2", "GitCommit": "", "GitTreeState": "", "GoVersion": "go1.26.6", "KubeClientVersion": "v1.36"]
    func member(_ name: String) -> TemplateMember? { Self.fields[name].map { .field(.string($0)) } }
    var printed: String { "{v4.2   go1.26.6 v1.36}" }
    var marshalled: TemplateValue { .dict(["version": "v4.2", "go_version": "go1.26.6", "kube_client_version": "v1.36"]) }
}

final class CapabilitiesObject: TemplateObject {
    let kube: KubeVersion
    let apiVersions: [String]
    init(kube: KubeVersion, apiVersions: [String]) {
        self.kube = kube
        self.apiVersions = apiVersions
    }
    var goTypeName: String { "*common.Capabilities" }
    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "KubeVersion": return .field(.object(KubeVersionObject(kube: kube)))
        case "APIVersions": return .field(.object(APIVersionsObject(versions: apiVersions)))
        case "HelmVersion": return .field(.object(HelmVersionObject()))
        default: return nil
        }
    }
    var marshalled: TemplateValue {
        .dict(["KubeVersion": KubeVersionObject(kube: kube).marshalled,
              "APIVersions": .list(apiVersions.map(TemplateValue.string)),
              "HelmVersion": HelmVersionObject().marshalled])
    }
}

/// `.Files`: the chart's non-template files as Helm's `files` map type, with its methods.
final class FilesObject: TemplateObject {
    let files: [String: [UInt8]]

    init(_ list: [ChartFile]) {
        var m: [String: [UInt8]] = [:]
        for f in list { m[f.name] = f.data }
        files = m
    }

    init(map: [String: [UInt8]]) { files = map }

    var goTypeName: String { "files" }
    var goKind: String { "map" }
    var underlying: TemplateValue? { .dict(files.mapValues(TemplateValue.bytes)) }

    func member(_ name: String) -> TemplateMember? {
        let files = self.files
        switch name {
        case "Get":
            return .method(.simple([.string]) { args in
                guard case .string(let n)? = args.first else { return .string("") }
                return .string(files[n].map { String(decoding: $0, as: UTF8.self) } ?? "")
            })
        case "GetBytes":
            return .method(.simple([.string]) { args in
                guard case .string(let n)? = args.first else { return .bytes([]) }
                return .bytes(files[n] ?? [])
            })
        case "Glob":
            return .method(.simple([.string]) { args in
                guard case .string(let pattern)? = args.first else { return .object(FilesObject(map: [:])) }
                guard let glob = FileGlob(pattern) else { throw TemplateFunctionError("syntax error in pattern") }
                return .object(FilesObject(map: files.filter { glob.matches($0.key) }))
            })
        case "Lines":
            return .method(.simple([.string]) { args in
                guard case .string(let n)? = args.first, let data = files[n] else { return .list([]) }
                var s = String(decoding: data, as: UTF8.self)
                if s.hasSuffix("\n") { s.removeLast() }
                return .list(s.split(separator: "\n", omittingEmptySubsequences: false).map { .string(String($0)) })
            })
        case "AsConfig":
            return .method(.simple { _ in
                var o = ValueObject()
                for (k, v) in files { o[baseName(k)] = .string(String(decoding: v, as: UTF8.self)) }
                return .string(filesYAML(o))
            })
        case "AsSecrets":
            return .method(.simple { _ in
                var o = ValueObject()
                for (k, v) in files { o[baseName(k)] = .string(Base64.encode(v)) }
                return .string(filesYAML(o))
            })
        default:
            return nil
        }
    }
}

private func filesYAML(_ o: ValueObject) -> String {
    if o.isEmpty { return "{}" }
    var s = YAML.emit(.object(o))
    if s.hasSuffix("\n") { s.removeLast() }
    return s
}


/// Glob patterns as `.Files.Glob` reads them (gobwas/glob with `/` as separator): `*` and `?`
/// stay within a path segment, `**` crosses segments, `[...]`/`[!...]` classes, `{a,b}`
/// alternatives, `\` escapes.
struct FileGlob {
    private indirect enum Token {
        case literal(Unicode.Scalar)
        case any            // ?
        case star           // *
        case superStar      // **
        case set([ClosedRange<UInt32>], negated: Bool)
        case alternatives([[Token]])
    }

    private let tokens: [Token]

    init?(_ pattern: String) {
        var it = Array(pattern.unicodeScalars)[...]
        guard let t = FileGlob.parse(&it, inAlternative: false), it.isEmpty else { return nil }
        tokens = t
    }

    private static func parse(_ s: inout ArraySlice<Unicode.Scalar>, inAlternative: Bool) -> [Token]? {
        var out: [Token] = []
        while let c = s.first {
            if inAlternative && (c == "," || c == "}") { return out }
            s = s.dropFirst()
            switch c {
            case "*":
                if s.first == "*" { s = s.dropFirst(); out.append(.superStar) } else { out.append(.star) }
            case "?": out.append(.any)
            case "\\":
                guard let n = s.first else { return nil }
                s = s.dropFirst()
                out.append(.literal(n))
            case "[":
                var negated = false
                if s.first == "!" || s.first == "^" { negated = true; s = s.dropFirst() }
                var ranges: [ClosedRange<UInt32>] = []
                while let x = s.first, x != "]" {
                    s = s.dropFirst()
                    if s.first == "-", s.count > 1, let y = s.dropFirst().first, y != "]" {
                        s = s.dropFirst(2)
                        guard x.value <= y.value else { return nil }
                        ranges.append(x.value...y.value)
                    } else {
                        ranges.append(x.value...x.value)
                    }
                }
                guard s.first == "]" else { return nil }
                s = s.dropFirst()
                out.append(.set(ranges, negated: negated))
            case "{":
                var alts: [[Token]] = []
                while true {
                    guard let alt = parse(&s, inAlternative: true) else { return nil }
                    alts.append(alt)
                    guard let sep = s.first else { return nil }
                    s = s.dropFirst()
                    if sep == "}" { break }
                }
                out.append(.alternatives(alts))
            default:
                out.append(.literal(c))
            }
        }
        return inAlternative ? nil : out
    }

    func matches(_ name: String) -> Bool {
        let n = Array(name.unicodeScalars)
        var budget = 100_000
        return FileGlob.match(tokens[...], n[...], &budget)
    }

    private static func match(_ t: ArraySlice<Token>, _ n: ArraySlice<Unicode.Scalar>, _ budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        guard let first = t.first else { return n.isEmpty }
        let rest = t.dropFirst()
        switch first {
        case .literal(let c):
            guard n.first == c else { return false }
            return match(rest, n.dropFirst(), &budget)
        case .any:
            guard let c = n.first, c != "/" else { return false }
            return match(rest, n.dropFirst(), &budget)
        case .set(let ranges, let negated):
            guard let c = n.first else { return false }
            let inSet = ranges.contains { $0.contains(c.value) }
            guard inSet != negated else { return false }
            return match(rest, n.dropFirst(), &budget)
        case .star, .superStar:
            var k = n.startIndex
            while true {
                if match(rest, n[k...], &budget) { return true }
                if k == n.endIndex { return false }
                if case .star = first, n[k] == "/" { return false }
                k += 1
            }
        case .alternatives(let alts):
            return alts.contains { match(ArraySlice($0) + rest, n, &budget) }
        }
    }
}
