import CapstanModel

/// A file of a chart, named by its path relative to the chart root (`templates/deploy.yaml`).
public struct ChartFile: Sendable, Equatable {
    public var name: String
    public var data: [UInt8]

    public init(name: String, data: [UInt8]) {
        self.name = name
        self.data = data
    }

    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// A loaded chart: metadata, default values, templates, other files and the subcharts found in
/// `charts/`. Immutable value; rendering works on copies.
public struct Chart: Sendable {
    public var metadata: ChartMetadata
    /// Defaults from `values.yaml` (numbers are float64, as Helm reads YAML).
    public var values: ValueObject
    /// Raw `values.schema.json`, when the chart ships one.
    public var schema: [UInt8]?
    /// Files under `templates/`, in load order.
    public var templates: [ChartFile]
    /// Every other file except Chart.yaml, values.yaml, the schema and `charts/` content:
    /// what `.Files` sees, including `crds/`.
    public var files: [ChartFile]
    /// Subcharts loaded from `charts/` (directories and archives).
    public var dependencies: [Chart]
    /// The chain of names from the top chart: `["parent", "child"]` for a child. Set when the
    /// tree is assembled for rendering; used for template paths like `parent/charts/child/…`.
    var parentPath: [String] = []

    public init(metadata: ChartMetadata, values: ValueObject? = nil, schema: [UInt8]? = nil,
                templates: [ChartFile] = [], files: [ChartFile] = [], dependencies: [Chart] = []) {
        self.metadata = metadata
        self.values = values ?? ValueObject()
        self.schema = schema
        self.templates = templates
        self.files = files
        self.dependencies = dependencies
    }

    public var name: String { metadata.name }

    /// `parent/charts/child`: the prefix of this chart's template names.
    public var fullPath: String {
        (parentPath + [name]).joined(separator: "/charts/")
    }

    /// CRD files (`crds/*.yaml|yml|json`) of this chart and, recursively, its subcharts, with
    /// the file name Helm prints (`parent/charts/child/crds/x.yaml`).
    public var crdObjects: [(filename: String, file: ChartFile)] { crdObjects(parentPath: parentPath, depth: 0) }

    private func crdObjects(parentPath: [String], depth: Int) -> [(filename: String, file: ChartFile)] {
        let prefix = (parentPath + [name]).joined(separator: "/charts/")
        var out: [(filename: String, file: ChartFile)] = []
        for f in files where f.name.hasPrefix("crds/") && hasManifestExtension(f.name) {
            out.append((prefix + "/" + f.name, f))
        }
        guard depth < 64 else { return out }
        for d in dependencies { out.append(contentsOf: d.crdObjects(parentPath: parentPath + [name], depth: depth + 1)) }
        return out
    }
}

func hasManifestExtension(_ name: String) -> Bool {
    let lower = name.lowercased()
    return lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json")
}
