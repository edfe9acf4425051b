@testable import CapstanChart
import CapstanModel
import Testing

/// `helm template` output assembly: manifests, then hooks; CRDs, --skip-tests, --show-only.
@Suite struct TemplateOutputTests {
    private func render(_ options: RenderOptions, values: ValueObject = ValueObject()) throws -> (RenderResult, String) {
        let chart = try ChartLoader.load(path: Corpus.charts + "/umbrella")
        let result = try ChartRenderer.render(chart, values: values, options: options)
        return (result, try ChartRenderer.templateOutput(result, options: options))
    }

    private func sources(_ text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix("# Source: ") }.map { String($0.dropFirst(10)) }
    }

    @Test func manifestsThenHooksSortedByKind() throws {
        let (result, out) = try render(RenderOptions(releaseName: "rel", namespace: "ns"))
        let golden = try #require(Corpus.golden("umbrella-default")?["manifest"].stringValue)
        #expect(out.hasPrefix(golden.goTrimmedSpace + "\n---\n# Source: umbrella/templates/hooks.yaml\n"))
        #expect(result.hooks.map(\.manifest.kind) == ["ConfigMap", "Pod", "Job"])
        #expect(result.hooks.map(\.manifest.name) == ["rel-hook-cm", "rel-test", "rel-migrate"])
        #expect(!out.contains("rel-unknown-hook"))
        #expect(result.notes == "Thank you for installing umbrella as rel.\nFrontend title: Umbrella\n")
    }

    @Test func skipTestsAndCRDs() throws {
        var options = RenderOptions(releaseName: "rel")
        options.skipTests = true
        options.includeCRDs = true
        let (_, out) = try render(options)
        #expect(!out.contains("rel-test"))
        #expect(out.hasPrefix("---\n# Source: umbrella/crds/widgets.yaml\napiVersion: apiextensions.k8s.io/v1\n"))
        #expect(sources(out).prefix(2) == ["umbrella/crds/widgets.yaml", "umbrella/charts/api/crds/gizmos.yaml"])
    }

    @Test func showOnlyKeepsOrderAndGlobs() throws {
        var options = RenderOptions(releaseName: "rel")
        options.showOnly = ["templates/tests/*", "charts/api/templates/deployment.yaml"]
        let (_, out) = try render(options)
        #expect(sources(out) == ["umbrella/templates/tests/test-conn.yaml", "umbrella/charts/api/templates/deployment.yaml"])
        #expect(out.hasPrefix("---\n# Source: umbrella/templates/tests/test-conn.yaml\n"))
        options.showOnly = ["templates/missing.yaml"]
        #expect(throws: ChartError.self) { try render(options) }
    }

    @Test func setIntegersStayIntegers() throws {
        var values = ValueObject()
        try StrvalsParser.parse("big=1000000", into: &values, mode: .typed)
        let (result, _) = try render(RenderOptions(releaseName: "rel"), values: values)
        let cm = try #require(result.files["umbrella/templates/configmap.yaml"])
        #expect(cm.contains("big: \"1000000\""))
        let (fromFile, _) = try render(RenderOptions(releaseName: "rel"))
        #expect(fromFile.files["umbrella/templates/configmap.yaml"]?.contains("big: \"1e+06\"") == true)
    }

    @Test func chartErrors() throws {
        var options = RenderOptions(releaseName: "rel")
        options.kubeVersion = try KubeVersion(parsing: "1.19")
        do {
            _ = try render(options)
            Issue.record("expected kubeVersion error")
        } catch let e as ChartError {
            #expect(e.message == "chart requires kubeVersion: >=1.20.0-0 which is incompatible with Kubernetes v1.19.0")
        }
        let library = try ChartLoader.load(path: Corpus.charts + "/umbrella/charts/libcommon")
        #expect(throws: ChartError.self) { try ChartRenderer.render(library, values: ValueObject(), options: options) }
    }
}

/// The one-call driver renders exactly what file-by-file rendering does.
@Suite struct DriverTests {
    @Test(arguments: Corpus.cases.filter { $0.chart == "umbrella" || $0.chart == "scaffold" })
    func driverMatchesPerFile(_ c: Corpus.Case) throws {
        var chart = try ChartLoader.load(path: Corpus.charts + "/" + c.chart)
        let values = try ValueOptionsTestHook.parse(c.values)
        let options = RenderOptions(releaseName: c.release, namespace: c.namespace)
        try Dependencies.process(&chart, values: values)
        let merged = try Coalesce.values(chart, values, merge: false)
        let viaDriver = Result { try ChartRenderer.renderTemplatesReportingPath(chart, values: merged, options: options, useDriver: true) }
        let perFile = Result { try ChartRenderer.renderTemplates(chart, values: merged, options: options, useDriver: false) }
        switch (viaDriver, perFile) {
        case let (.success(a), .success(b)):
            #expect(a.files == b)
            #expect(a.usedDriver, "the one-call path fell back for \(c.name)")
        case let (.failure(a), .failure(b)):
            #expect(String(describing: a) == String(describing: b))
        default:
            Issue.record("driver and per-file rendering disagree on success")
        }
    }
}

@Suite struct MayDefineTests {
    /// Every way an action can start with `define`/`block` is seen; text that merely
    /// mentions the words is not (it parses with the wrapped files, as it may).
    @Test func findsDefineAndBlockActions() {
        for yes in [#"{{define "a"}}{{end}}"#, #"x {{- define "a" -}}{{end}}"#, "{{\n\t block \"b\" .}}{{end}}",
                    "a: {b}\n{{{ define \"a\"}}", "{{ end }}{{block \"x\" .}}y{{end}}", "{{-\r\ndefine \"z\"}}{{end}}"] {
            #expect(ChartRenderer.mayDefine(yes), "\(yes)")
        }
        for no in ["", "{", "{{", "define: block", "{{ .Values.define }}", "{ define }", "{{ include \"block\" . }}"] {
            #expect(!ChartRenderer.mayDefine(no), "\(no)")
        }
    }
}

@Suite struct SplitOutputTests {
    @Test func splitsAtSeparatorsOnly() {
        let sep = ChartRenderer.driverSeparator
        #expect(ChartRenderer.splitOutput("a" + sep + "" + sep + "é\n" + sep) == ["a", "", "é\n", ""])
        #expect(ChartRenderer.splitOutput("no separator") == ["no separator"])
        #expect(ChartRenderer.splitOutput("") == [""])
        // NUL bytes that do not start a separator, and a separator cut short at the end.
        #expect(ChartRenderer.splitOutput("\u{0}x" + sep + "\u{0}\u{0}" + sep + "y\u{0}\u{1}") == ["\u{0}x", "\u{0}\u{0}", "y\u{0}\u{1}"])
        #expect(ChartRenderer.splitOutput(String(sep.dropLast())) == [String(sep.dropLast())])
        #expect(ChartRenderer.splitOutput(sep) == ["", ""])
    }
}
