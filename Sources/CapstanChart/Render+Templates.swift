import CapstanModel
import CapstanTemplate

extension ChartRenderer {
    private struct Renderable {
        var source: String
        var data: [String: TemplateValue]
        var basePath: String
    }

    /// Renders every template of the chart tree with one shared template set, as Helm's engine
    /// does: all files are parsed first (deepest charts first, so a parent's `define` wins),
    /// then each non-partial file executes with its own chart's context.
    static func renderTemplates(_ chart: Chart, values: ValueObject, options: RenderOptions) throws(ChartError) -> [String: String] {
        let release: TemplateValue = .map([
            "Name": .string(options.releaseName), "Namespace": .string(options.namespace),
            "IsUpgrade": .bool(options.isUpgrade), "IsInstall": .bool(!options.isUpgrade),
            "Revision": .int(options.revision), "Service": "Helm",
        ])
        let caps = TemplateValue.object(CapabilitiesObject(
            kube: options.kubeVersion, apiVersions: defaultAPIVersions + options.extraAPIVersions))
        var renderables: [String: Renderable] = [:]
        _ = collect(chart, parentPath: [], values: TemplateValue(.object(values), numbers: .typed),
                    isRoot: true, release: release, caps: caps, into: &renderables, depth: 0)

        let order = renderables.keys.sorted { a, b in
            let ca = a.utf8.count(where: { $0 == UInt8(ascii: "/") }), cb = b.utf8.count(where: { $0 == UInt8(ascii: "/") })
            if ca != cb { return ca > cb }
            return Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) == false && a != b
        }
        var set = TemplateSet(options: .helm, functions: [
            "lookup": .simple([.string, .string, .string, .string]) { _ in .map([:]) },
        ])
        for name in order {
            guard let r = renderables[name] else { continue }
            do { try set.add(name: name, source: r.source) } catch {
                throw templateError(error, parse: true, file: name)
            }
        }
        var out: [String: String] = [:]
        for name in order {
            if baseName(name).hasPrefix("_") { continue }
            guard var data = renderables[name]?.data, let base = renderables[name]?.basePath else { continue }
            data["Template"] = .map(["Name": .string(name), "BasePath": .string(base)])
            do {
                out[name] = try set.render(name, data: .map(data))
            } catch {
                throw templateError(error, parse: false, file: name)
            }
        }
        return out
    }

    /// Builds each chart's `.` (Chart, Files, Release, Capabilities, Values, Subcharts) and
    /// registers its templates; returns the chart's context for its parent's `.Subcharts`.
    private static func collect(_ chart: Chart, parentPath: [String], values: TemplateValue, isRoot: Bool,
                                release: TemplateValue, caps: TemplateValue,
                                into renderables: inout [String: Renderable], depth: Int) -> TemplateValue {
        var c = chart
        c.parentPath = parentPath
        let fullPath = c.fullPath
        var data: [String: TemplateValue] = [
            "Chart": .object(ChartMetadataObject(chart.metadata)),
            "Files": .object(FilesObject(chart.files)),
            "Release": release,
            "Capabilities": caps,
            "Values": values,
        ]
        var subcharts: [String: TemplateValue] = [:]
        if depth < 64 {
            for sub in chart.dependencies {
                var subValues = TemplateValue.map([:])
                if case .map(let m) = values, let v = m[sub.name], case .map = v { subValues = v }
                subcharts[sub.name] = collect(sub, parentPath: parentPath + [chart.name], values: subValues,
                                              isRoot: false, release: release, caps: caps, into: &renderables, depth: depth + 1)
            }
        }
        data["Subcharts"] = .map(subcharts)
        let library = chart.metadata.type == "library"
        for t in chart.templates {
            if library && !baseName(t.name).hasPrefix("_") { continue }
            let name = fullPath + "/" + t.name
            renderables[name] = Renderable(source: t.text, data: data, basePath: fullPath + "/templates")
        }
        return .map(data)
    }

    /// Helm's clean-up of template errors: parse errors become `parse error at (FILE:LINE): MSG`,
    /// `fail`/`required` become `execution error at (FILE:LINE:COL): MSG`, others stay as Go
    /// prints them.
    static func templateError(_ error: TemplateError, parse: Bool, file: String) -> ChartError {
        let text = error.description
        let tokens = text.components(separatedBy: ": ")
        var message = text
        if parse {
            if tokens.count == 1 {
                message = "parse error in (\(file)): \(text)"
            } else {
                message = "parse error at (\(tokens[1])): \(tokens[tokens.count - 1])"
            }
        } else if error.kind == .userFailure {
            message = "execution error at (\(error.file):\(error.line):\(error.column)): \(error.message)"
        }
        var e = ChartError(.template, message, path: error.file.isEmpty ? file : error.file)
        e.path = error.file.isEmpty ? file : error.file
        return e
    }
}
