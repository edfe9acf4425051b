/// Everything that can go wrong between reading a chart and printing its manifests.
///
/// `description` is the message Helm prints after `Error: ` for the same failure, so the CLI
/// can print it verbatim; `path` names the file (chart-relative or on disk) the error is about
/// when there is one.
public struct ChartError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Reading the chart: missing files, bad Chart.yaml/values.yaml, bad archive.
        case load
        /// User values: `-f` files, `--set` syntax, type clashes.
        case values
        /// Declared dependencies missing from `charts/`, or unusable.
        case dependency
        /// `values.schema.json` rejected the values.
        case schema
        /// `kubeVersion` constraint not met, or an invalid `--kube-version`.
        case kubeVersion
        /// A template failed to parse or execute (including `fail` and `required`).
        case template
        /// Rendered output that Helm cannot split or parse into manifests.
        case manifest
        /// A `--show-only` pattern matched nothing, and similar command-level failures.
        case usage
    }

    public var kind: Kind
    public var message: String
    public var path: String?

    public init(_ kind: Kind, _ message: String, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
    }

    public var description: String { message }

    static func load(_ message: String, path: String? = nil) -> ChartError { ChartError(.load, message, path: path) }
    static func values(_ message: String) -> ChartError { ChartError(.values, message) }
}
