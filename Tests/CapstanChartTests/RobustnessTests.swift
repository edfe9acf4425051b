@testable import CapstanChart
import CapstanModel
import Foundation
import Testing

/// Hostile charts end in a `ChartError` (or a bounded result), never a crash or a hang:
/// malformed templates, cyclic `include`, deep recursion, huge `range` — also when the render
/// runs on a thread with a small stack (deep work moves to a big-stack thread on demand).
@Suite struct ChartRobustnessTests {
    static let chartYAML = "apiVersion: v2\nname: c\nversion: 0.1.0\n"

    static func render(_ templates: [String: String], values: ValueObject = ValueObject()) throws(ChartError) -> RenderResult {
        var files = [ChartFile(name: "Chart.yaml", data: Array(chartYAML.utf8))]
        for (name, text) in templates.sorted(by: { $0.key < $1.key }) {
            files.append(ChartFile(name: "templates/" + name, data: Array(text.utf8)))
        }
        let chart = try ChartLoader.loadFiles(files)
        return try ChartRenderer.render(chart, values: values, options: RenderOptions(releaseName: "rel"))
    }

    static func error(_ templates: [String: String], values: ValueObject = ValueObject()) -> String? {
        do throws(ChartError) {
            _ = try render(templates, values: values)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func malformedTemplateIsAParseError() {
        let message = Self.error(["a.yaml": "x: {{ .Values.a \n"])
        #expect(message == "parse error at (c/templates/a.yaml:2): unclosed action started at c/templates/a.yaml:1")
        #expect(Self.error(["a.yaml": "{{ if }}"]) == "parse error at (c/templates/a.yaml:1): missing value for if")
    }

    @Test func cyclicIncludeIsBounded() {
        let message = Self.error(["_h.tpl": #"{{ define "loop" }}{{ include "loop" . }}{{ end }}"#, "a.yaml": #"{{ include "loop" . }}"#])
        #expect(message?.hasSuffix("rendering template has a nested reference name: loop: unable to execute template") == true)
    }

    @Test func deepTemplateRecursionIsBounded() {
        let message = Self.error(["a.yaml": #"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#])
        #expect(message?.contains("exceeded maximum template depth (1000)") == true)
    }

    @Test func hugeRangeIsBounded() {
        let big = String(repeating: "x", count: 1 << 20)
        let message = Self.error(["a.yaml": "{{ range 1000000000 }}{{ $.Values.big }}{{ end }}"], values: ["big": .string(big)])
        #expect(message?.contains("output exceeds") == true)
    }

    @Test func mutualRecursionOfIncludeAndTplIsBounded() {
        let message = Self.error(["_h.tpl": #"{{ define "a" }}{{ tpl "{{ include \"a\" . }}" . }}{{ end }}"#, "a.yaml": #"{{ include "a" . }}"#])
        #expect(message != nil)
    }

    /// Deep nesting rendered from a thread with a 256 KiB stack: the deep part moves to a big
    /// stack, so the depth limit (not the thread) ends it; a shallow chart renders in place.
    @Test func smallStackThreadsStayBounded() async {
        let results: (String?, String?) = await withCheckedContinuation { continuation in
            let thread = Thread {
                let deep = Self.error(["_h.tpl": #"{{ define "loop" }}{{ include "loop" . }}{{ end }}"#, "a.yaml": #"{{ include "loop" . }}"#])
                let shallow = try? Self.render(["a.yaml": #"a: {{ include "x" . }}{{ define "x" }}1{{ end }}"#]).files["c/templates/a.yaml"]
                continuation.resume(returning: (deep, shallow))
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        #expect(results.0?.hasSuffix("unable to execute template") == true)
        #expect(results.1 == "a: 1")
    }
}
