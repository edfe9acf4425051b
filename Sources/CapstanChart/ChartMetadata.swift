import CapstanModel

/// One entry of `dependencies:` in Chart.yaml (or requirements.yaml for apiVersion v1 charts).
public struct ChartDependency: Sendable, Equatable {
    public var name: String
    public var version: String
    public var repository: String
    public var condition: String
    public var tags: [String]
    public var enabled: Bool
    /// Raw entries: strings (`exports.X` shorthand) or `{child:, parent:}` maps.
    public var importValues: [Value]
    public var alias: String

    public init(name: String, version: String = "", repository: String = "", condition: String = "",
                tags: [String] = [], enabled: Bool = false, importValues: [Value] = [], alias: String = "") {
        self.name = name
        self.version = version
        self.repository = repository
        self.condition = condition
        self.tags = tags
        self.enabled = enabled
        self.importValues = importValues
        self.alias = alias
    }
}

/// Chart.yaml. Typed fields for what Capstan acts on; `raw` keeps the document so `.Chart`
/// can expose every field Helm does.
public struct ChartMetadata: Sendable {
    public var apiVersion: String
    public var name: String
    public var version: String
    public var appVersion: String
    public var kubeVersion: String
    public var description: String
    /// `application` (default when empty) or `library`.
    public var type: String
    public var dependencies: [ChartDependency]
    public var raw: ValueObject

    public init(apiVersion: String = "v2", name: String, version: String, appVersion: String = "",
                kubeVersion: String = "", description: String = "", type: String = "",
                dependencies: [ChartDependency] = [], raw: ValueObject? = nil) {
        self.apiVersion = apiVersion
        self.name = name
        self.version = version
        self.appVersion = appVersion
        self.kubeVersion = kubeVersion
        self.description = description
        self.type = type
        self.dependencies = dependencies
        self.raw = raw ?? ValueObject()
    }

    /// Reads the fields Helm's `Metadata` struct has from a parsed Chart.yaml.
    init(document: ValueObject) throws(ChartError) {
        raw = document
        func str(_ key: String) throws(ChartError) -> String {
            switch document[key] {
            case nil, .null?: return ""
            case .string(let s)?: return s
            case .int(let i)?: return String(i)
            case .double(let d)?: return formatGoFloat(d)
            case .bool(let b)?: return b ? "true" : "false"
            case let other?:
                throw .load("cannot load Chart.yaml: error unmarshaling JSON: json: cannot unmarshal \(jsonKind(other)) into Go struct field Metadata.\(key) of type string")
            }
        }
        apiVersion = try str("apiVersion")
        name = try str("name")
        version = try str("version")
        appVersion = try str("appVersion")
        kubeVersion = try str("kubeVersion")
        description = try str("description")
        type = try str("type")
        dependencies = try Self.readDependencies(document["dependencies"])
        if apiVersion.isEmpty { apiVersion = "v1" }
    }

    static func readDependencies(_ value: Value?) throws(ChartError) -> [ChartDependency] {
        guard case .array(let list)? = value else { return [] }
        var out: [ChartDependency] = []
        for item in list {
            guard case .object(let o) = item else {
                throw .load("cannot load Chart.yaml: error unmarshaling JSON: json: cannot unmarshal \(jsonKind(item)) into Go struct field Metadata.dependencies of type chart.Dependency")
            }
            func s(_ k: String) -> String {
                switch o[k] {
                case .string(let v)?: return v
                case .int(let i)?: return String(i)
                case .double(let d)?: return formatGoFloat(d)
                case .bool(let b)?: return b ? "true" : "false"
                default: return ""
                }
            }
            let tags = (o["tags"]?.arrayValue ?? []).compactMap { $0.stringValue }
            out.append(ChartDependency(
                name: s("name"), version: s("version"), repository: s("repository"),
                condition: s("condition"), tags: tags, enabled: o["enabled"]?.boolValue ?? false,
                importValues: o["import-values"]?.arrayValue ?? [], alias: s("alias")))
        }
        return out
    }

    /// Helm's `Metadata.Validate`, with its messages.
    func validate() throws(ChartError) {
        if apiVersion.isEmpty { throw .load("validation: chart.metadata.apiVersion is required") }
        if name.isEmpty { throw .load("validation: chart.metadata.name is required") }
        if name.utf8.contains(UInt8(ascii: "/")) || name == "." || name == ".." {
            throw .load("validation: chart.metadata.name \"\(name)\" is invalid")
        }
        if version.isEmpty { throw .load("validation: chart.metadata.version is required") }
        if SemVer(parsing: version) == nil {
            throw .load("validation: chart.metadata.version \"\(version)\" is invalid")
        }
        if !(type.isEmpty || type == "application" || type == "library") {
            throw .load("validation: chart.metadata.type must be application or library")
        }
        var seen = Set<String>()
        for d in dependencies {
            if d.name.isEmpty { throw .load("validation: dependencies must have a name") }
            if !d.alias.isEmpty, !d.alias.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }) {
                throw .load("validation: dependency \"\(d.name)\" has disallowed characters in the alias")
            }
            let key = d.alias.isEmpty ? d.name : d.alias
            if !seen.insert(key).inserted {
                throw .load("validation: more than one dependency with name or alias \"\(key)\"")
            }
        }
    }

    /// `.Chart` as templates see it: Go's `chart.Metadata` struct, fields by Go name. Absent
    /// strings are empty strings and absent lists empty lists, as Go's zero values print.
    /// These are the fields in declaration order (how `{{ .Chart }}` prints).
    static let templateFieldNames = [
        "Name", "Home", "Sources", "Version", "Description", "Keywords", "Maintainers", "Icon", "APIVersion",
        "Condition", "Tags", "AppVersion", "Deprecated", "Annotations", "KubeVersion", "Dependencies", "Type",
    ]

    /// One field of `templateFields`, built alone (templates read a few fields of `.Chart`);
    /// nil for a name `chart.Metadata` does not have.
    func templateField(_ field: String) -> Value? {
        let d = raw
        func s(_ k: String) -> Value {
            switch d[k] {
            case .string(let v)?: return .string(v)
            case .int(let i)?: return .string(String(i))
            case .double(let x)?: return .string(formatGoFloat(x))
            case .bool(let b)?: return .string(b ? "true" : "false")
            default: return .string("")
            }
        }
        func list(_ k: String) -> Value { d[k]?.arrayValue.map(Value.array) ?? .array([]) }
        switch field {
        case "Name": return .string(name)
        case "Home": return s("home")
        case "Sources": return list("sources")
        case "Version": return .string(version)
        case "Description": return s("description")
        case "Keywords": return list("keywords")
        case "Maintainers":
            var maintainers: [Value] = []
            for m in d["maintainers"]?.arrayValue ?? [] {
                maintainers.append(.object(["Name": m["name"].stringValue.map(Value.string) ?? "",
                                            "Email": m["email"].stringValue.map(Value.string) ?? "",
                                            "URL": m["url"].stringValue.map(Value.string) ?? ""]))
            }
            return .array(maintainers)
        case "Icon": return s("icon")
        case "APIVersion": return .string(apiVersion)
        case "Condition": return s("condition")
        case "Tags": return s("tags")
        case "AppVersion": return .string(appVersion)
        case "Deprecated": return .bool(d["deprecated"]?.boolValue ?? false)
        case "Annotations": return d["annotations"]?.objectValue.map(Value.object) ?? .object([:])
        case "KubeVersion": return .string(kubeVersion)
        case "Dependencies":
            return .array(dependencies.map { dep in
                .object(["Name": .string(dep.name), "Version": .string(dep.version),
                         "Repository": .string(dep.repository), "Condition": .string(dep.condition),
                         "Tags": .array(dep.tags.map(Value.string)), "Enabled": .bool(dep.enabled),
                         "ImportValues": .array(dep.importValues), "Alias": .string(dep.alias)])
            })
        case "Type": return .string(type)
        default: return nil
        }
    }
}

func jsonKind(_ v: Value) -> String {
    switch v {
    case .null: return "null"
    case .bool: return "bool"
    case .int, .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
}
