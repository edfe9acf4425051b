/// CapstanChart: Helm charts, rendered exactly as Helm 4's `helm template` renders them.
///
/// It owns chart loading (directories with `.helmignore`, `.tgz` archives through a built-in
/// inflate, `charts/` subcharts), Chart.yaml metadata, value merging (`-f`, `--set` and
/// friends, chart defaults, globals, `null` deletion), dependency processing (aliases,
/// conditions, tags, import-values), `values.schema.json` validation, the template context
/// (`.Values .Release .Chart .Capabilities .Files .Template .Subcharts`) and Helm's output
/// pipeline (split documents, hooks vs manifests, install order by kind, `# Source:` headers).
///
/// It must not implement the template language (that is CapstanTemplate) nor talk to a
/// cluster: `lookup` returns nothing, as in `helm template`.
///
/// The one algorithm to know: `ChartRenderer.render` = check dependencies → process them
/// against the user values → coalesce values → validate schemas → check kubeVersion → render
/// every template of the tree with one shared template set → `ManifestSorter.sort`.
/// Everything is value types; nothing is shared between renders.
public enum CapstanChart {
    /// Loads, renders and formats a chart as `helm template` prints it.
    public static func template(chartPath: String, values: ValueOptions, options: RenderOptions) throws(ChartError) -> String {
        let chart = try ChartLoader.load(path: chartPath)
        let user = try values.merged()
        let result = try ChartRenderer.render(chart, values: user, options: options)
        return try ChartRenderer.templateOutput(result, options: options)
    }
}
