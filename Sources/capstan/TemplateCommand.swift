import ArgumentParser
import CapstanChart
import CapstanModel

/// `capstan template RELEASE CHART …`: render a chart locally and print what `helm template`
/// prints. Argument parsing only; the work is `CapstanChart.template`.
struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Render chart templates locally and display the output (like `helm template`).")

    @Argument(help: "Release name (optional; defaults to release-name) followed by the chart path (directory or .tgz).")
    var arguments: [String]

    @Option(name: [.customShort("f"), .customLong("values")], help: "Values file (repeatable; later files win).")
    var valueFiles: [String] = []

    @Option(name: .customLong("set"), help: "Set values (a.b=c,list={x,y},arr[0].k=v).")
    var set: [String] = []

    @Option(name: .customLong("set-string"), help: "Set string values.")
    var setString: [String] = []

    @Option(name: .customLong("set-json"), help: "Set JSON values (a.b=JSON or a JSON object).")
    var setJSON: [String] = []

    @Option(name: .customLong("set-file"), help: "Set values from files (key=path).")
    var setFile: [String] = []

    @Option(name: [.short, .customLong("namespace")], help: "Namespace of the release.")
    var namespace: String = "default"

    @Option(name: [.short, .customLong("show-only")], help: "Only show manifests rendered from the given templates.")
    var showOnly: [String] = []

    @Flag(name: .customLong("include-crds"), help: "Include CRDs in the templated output.")
    var includeCRDs = false

    @Flag(name: .customLong("skip-tests"), help: "Skip test hooks in the output.")
    var skipTests = false

    @Flag(name: .customLong("is-upgrade"), help: "Set .Release.IsUpgrade instead of .Release.IsInstall.")
    var isUpgrade = false

    @Flag(name: .customLong("skip-schema-validation"), help: "Do not validate values against values.schema.json.")
    var skipSchemaValidation = false

    @Option(name: .customLong("kube-version"), help: "Kubernetes version for .Capabilities.KubeVersion.")
    var kubeVersion: String?

    @Option(name: [.short, .customLong("api-versions")], help: "Extra API versions for .Capabilities.APIVersions (repeatable, comma-separated).")
    var apiVersions: [String] = []

    func run() throws {
        do {
            let output = try render()
            print(output, terminator: "")
        } catch {
            var stderr = StandardStream.error
            print("Error: \(error.description)", to: &stderr)
            throw ExitCode(1)
        }
    }

    /// Validates arguments and renders; all failures are `ChartError`s with Helm's wording.
    func render() throws(ChartError) -> String {
        let release: String
        let chartPath: String
        switch arguments.count {
        case 1: release = "release-name"; chartPath = arguments[0]
        case 2: release = arguments[0]; chartPath = arguments[1]
        default:
            throw ChartError(.usage, "\"capstan template\" requires at most 2 arguments (release name and chart)")
        }
        try validateReleaseName(release)
        var options = RenderOptions(releaseName: release, namespace: namespace)
        if let kubeVersion { options.kubeVersion = try KubeVersion(parsing: kubeVersion) }
        options.extraAPIVersions = apiVersions.flatMap { $0.split(separator: ",").map(String.init) }
        options.includeCRDs = includeCRDs
        options.skipTests = skipTests
        options.isUpgrade = isUpgrade
        options.showOnly = showOnly
        options.skipSchemaValidation = skipSchemaValidation
        let values = ValueOptions(valueFiles: valueFiles, jsonValues: setJSON, values: set,
                                  stringValues: setString, fileValues: setFile)
        do {
            return try CapstanChart.template(chartPath: chartPath, values: values, options: options)
        } catch where error.kind == .template || error.kind == .manifest {
            var e = error
            e.message += "\n\nUse --debug flag to render out invalid YAML"
            throw e
        }
    }

    /// Helm's release-name rule: DNS-1123-like labels joined by dots, at most 53 characters.
    private func validateReleaseName(_ name: String) throws(ChartError) {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid = !name.isEmpty && name.count <= 53 && labels.allSatisfy { label in
            guard let f = label.first, let l = label.last else { return false }
            let ok: (Character) -> Bool = { ($0.isASCII && ($0.isLowercase || $0.isNumber)) }
            return ok(f) && ok(l) && label.allSatisfy { ok($0) || $0 == "-" }
        }
        if !valid {
            throw ChartError(.usage, "release name \"\(name)\": invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53")
        }
    }
}
