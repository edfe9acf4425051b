import CapstanModel
import CapstanTemplate

/// Everything a render needs besides the chart and values: the release, the cluster it
/// pretends to talk to, and `helm template` output switches.
public struct RenderOptions: Sendable {
    public var releaseName: String
    public var namespace: String
    public var revision: Int
    public var isUpgrade: Bool
    public var kubeVersion: KubeVersion
    /// Added to Helm's default API versions (`--api-versions`).
    public var extraAPIVersions: [String]
    public var includeCRDs: Bool
    public var skipTests: Bool
    /// `--show-only` patterns (chart-relative, e.g. `templates/deploy.yaml`).
    public var showOnly: [String]
    public var skipSchemaValidation: Bool
    /// Reuse parsed templates of an unchanged chart across renders (see `TemplateSetCache`).
    public var cacheTemplates: Bool = true

    public init(releaseName: String = "release-name", namespace: String = "default", revision: Int = 1,
                isUpgrade: Bool = false, kubeVersion: KubeVersion = .helmDefault, extraAPIVersions: [String] = [],
                includeCRDs: Bool = false, skipTests: Bool = false, showOnly: [String] = [],
                skipSchemaValidation: Bool = false) {
        self.releaseName = releaseName
        self.namespace = namespace
        self.revision = revision
        self.isUpgrade = isUpgrade
        self.kubeVersion = kubeVersion
        self.extraAPIVersions = extraAPIVersions
        self.includeCRDs = includeCRDs
        self.skipTests = skipTests
        self.showOnly = showOnly
        self.skipSchemaValidation = skipSchemaValidation
    }
}

/// The outcome of rendering a chart, before it is printed.
public struct RenderResult: Sendable {
    /// Every rendered, non-partial template by full name (`chart/templates/x.yaml`), as Helm's
    /// engine returns them (NOTES.txt included, empty files included).
    public var files: [String: String]
    /// The top chart's rendered NOTES.txt.
    public var notes: String
    public var hooks: [Hook]
    public var manifests: [Manifest]
    /// CRD files (`crds/`) of the chart tree, in Helm's order.
    public var crds: [(filename: String, content: String)]
}

/// Renders charts like `helm template`: dependency processing, value coalescing, schema
/// validation, one template set for the whole chart tree, then Helm's manifest sorting.
public enum ChartRenderer {
    /// Helm's default `Capabilities.APIVersions` when no cluster is asked.
    public static let defaultAPIVersions: [String] = [
        "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1",
        "admissionregistration.k8s.io/v1beta1", "internal.apiserver.k8s.io/v1alpha1", "apps/v1",
        "apps/v1beta1", "apps/v1beta2", "authentication.k8s.io/v1", "authentication.k8s.io/v1alpha1",
        "authentication.k8s.io/v1beta1", "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
        "autoscaling/v1", "autoscaling/v2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1",
        "certificates.k8s.io/v1beta1", "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2",
        "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1", "discovery.k8s.io/v1",
        "discovery.k8s.io/v1beta1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1",
        "flowcontrol.apiserver.k8s.io/v1beta2", "flowcontrol.apiserver.k8s.io/v1beta3",
        "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1", "node.k8s.io/v1alpha1",
        "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
        "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1",
        "resource.k8s.io/v1beta2", "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3",
        "scheduling.k8s.io/v1alpha2", "scheduling.k8s.io/v1beta1", "scheduling.k8s.io/v1",
        "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1",
        "storagemigration.k8s.io/v1beta1", "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
    ]

    /// Renders `chart` with user-supplied values (already merged from -f/--set…).
    public static func render(_ chart: Chart, values userValues: ValueObject, options: RenderOptions) throws(ChartError) -> RenderResult {
        let type = chart.metadata.type
        if !(type.isEmpty || type == "application") {
            throw ChartError(.load, "\(type) charts are not installable")
        }
        try Dependencies.check(chart)
        var chart = chart
        var files = try renderFiles(&chart, values: userValues, options: options, checkKubeVersion: true)
        var notes = ""
        let topNotes = chart.name + "/templates/NOTES.txt"
        for key in files.keys where key.hasSuffix("NOTES.txt") {
            if key == topNotes { notes = files[key] ?? "" }
        }
        let rendered = files
        files = files.filter { !$0.key.hasSuffix("NOTES.txt") }
        let (hooks, manifests) = try ManifestSorter.sort(files)
        let crds = chart.crdObjects.map { (filename: $0.filename, content: $0.file.text) }
        return RenderResult(files: rendered, notes: notes, hooks: hooks, manifests: manifests, crds: crds)
    }

    /// What Helm's engine returns for a chart (every non-partial template rendered, NOTES.txt
    /// and empty files included): dependency processing, value coalescing and schema
    /// validation, then the templates. `chart` is left with its dependencies processed.
    public static func renderFiles(_ chart: inout Chart, values userValues: ValueObject, options: RenderOptions,
                                   checkKubeVersion: Bool = false) throws(ChartError) -> [String: String] {
        try Dependencies.process(&chart, values: userValues)
        let values = try Coalesce.values(chart, userValues, merge: false)
        if !options.skipSchemaValidation {
            let report = try schemaReport(chart, values, depth: 0)
            if !report.isEmpty {
                throw ChartError(.schema, "values don't meet the specifications of the schema(s) in the following chart(s):\n" + report)
            }
        }
        if checkKubeVersion, !chart.metadata.kubeVersion.isEmpty,
           !isCompatibleRange(chart.metadata.kubeVersion, options.kubeVersion.version) {
            throw ChartError(.kubeVersion, "chart requires kubeVersion: \(chart.metadata.kubeVersion) which is incompatible with Kubernetes \(options.kubeVersion.version)")
        }
        return try renderTemplates(chart, values: values, options: options)
    }

    /// The manifest part of a release (what `helm install --dry-run` records): sorted
    /// non-hook documents with `# Source:` headers, CRDs first when asked for.
    public static func manifestText(_ result: RenderResult, includeCRDs: Bool) -> String {
        var manifest = ""
        if includeCRDs {
            for crd in result.crds { manifest += "---\n# Source: \(crd.filename)\n\(crd.content)\n" }
        }
        for m in result.manifests { manifest += "---\n# Source: \(m.path)\n\(m.content)\n" }
        return manifest
    }

    /// `helm template`'s standard output for a render.
    public static func templateOutput(_ result: RenderResult, options: RenderOptions) throws(ChartError) -> String {
        let manifest = manifestText(result, includeCRDs: options.includeCRDs)
        var out = manifest.goTrimmedSpace + "\n"
        for h in result.hooks where !(options.skipTests && h.isTest) {
            out += "---\n# Source: \(h.manifest.path)\n\(h.manifest.content)\n"
        }
        guard !options.showOnly.isEmpty else { return out }
        let docs = ManifestSorter.splitManifests(out)
        var selected: [String] = []
        for pattern in options.showOnly {
            var missing = true
            for doc in docs {
                guard let name = sourceName(doc) else { continue }
                if globMatch(pattern, name) == true {
                    selected.append(doc)
                    missing = false
                }
            }
            if missing { throw ChartError(.usage, "could not find template \(pattern) in chart") }
        }
        return selected.map { "---\n\($0)\n" }.joined()
    }

    /// The chart-relative path in a document's `# Source: CHART/PATH` line.
    private static func sourceName(_ doc: String) -> String? {
        guard let r = doc.firstRange(of: "# Source: ") else { return nil }
        let rest = doc[r.upperBound...]
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return nil }
        let pre = rest[..<slash]
        if pre.contains("\n") { return nil }
        let after = rest[rest.index(after: slash)...]
        let line = after.prefix { $0 != "\n" && $0 != "\r" }
        return line.isEmpty ? nil : String(line)
    }

    private static func schemaReport(_ chart: Chart, _ values: ValueObject, depth: Int) throws(ChartError) -> String {
        guard depth < 64 else { return "" }
        var report = ""
        if let schema = chart.schema {
            let failures = try SchemaValidator(schema: schema).validate(.object(values))
            if !failures.isEmpty { report += "\(chart.name):\n" + SchemaValidator.render(failures) }
        }
        for sub in chart.dependencies {
            let subValues = values[sub.name]?.objectValue ?? ValueObject()
            report += try schemaReport(sub, subValues, depth: depth + 1)
        }
        return report
    }
}
