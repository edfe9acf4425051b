@testable import CapstanChart
import CapstanTemplate
import Testing

/// Parsing a chart's files on two threads must build exactly the set the one-by-one parse
/// builds (same `define` overriding) and report the same first error in file order.
@Suite struct ConcurrentParseTests {
    /// 40 files: helpers that define (and redefine) names, and plain files that use them; a
    /// few big ones so both threads get work.
    private func sources(brokenAt broken: [Int] = []) -> [(String, String)] {
        (0..<40).map { i in
            let name = "mychart/templates/f\(String(format: "%02d", i)).yaml"
            var text: String
            if i % 7 == 0 {
                text = "{{define \"shared\"}}from \(i){{end}}{{define \"own\(i)\"}}own \(i): {{.x}}{{end}}"
            } else if i % 11 == 0 {
                text = "{{define \"shared\"}}{{end}}"  // empty: must not replace the earlier body
            } else {
                text = "file \(i) {{include \"shared\" .}} {{template \"own0\" .}}\n"
                text += String(repeating: "{{if .x}}x{{else}}y{{end}} {{.y | default \"d\" | quote}}\n", count: i % 5 == 0 ? 60 : 2)
            }
            if broken.contains(i) { text += "\n\n{{if .x}}{{end" }
            return (name, text)
        }
    }

    private func outputs(_ set: TemplateSet, names: [String]) -> [String] {
        names.map { name in
            do { return try set.render(name, data: .dict(["x": .string("X")])) } catch { return "error: \(error)" }
        }
    }

    @Test func perFileSetMatchesSequential() throws {
        let src = sources()
        #expect(src.reduce(0) { $0 + $1.1.utf8.count } > TemplateSet.concurrentParseBytes)
        let sequential = try ChartRenderer.perFileSet(for: src, concurrentBytes: .max)
        let concurrent = try ChartRenderer.perFileSet(for: src, concurrentBytes: 0)
        #expect(sequential.templateNames == concurrent.templateNames)
        let names = sequential.templateNames
        #expect(outputs(sequential, names: names) == outputs(concurrent, names: names))
        #expect(try concurrent.render("shared", data: .dict([:])) == "from 35")
    }

    @Test func combinedSetMatchesSequentialAndPerFile() throws {
        let src = sources()
        let targets = src.map(\.0).filter { !$0.hasSuffix("0.yaml") }
        let sequential = try #require(ChartRenderer.combinedSet(for: src, targets: targets, useCache: false, concurrentBytes: .max))
        let concurrent = try #require(ChartRenderer.combinedSet(for: src, targets: targets, useCache: false, concurrentBytes: 0))
        #expect(sequential.templateNames == concurrent.templateNames)
        #expect(!concurrent.contains(ChartRenderer.partName))
        let perFile = try ChartRenderer.perFileSet(for: src)
        for set in [sequential, concurrent] {
            #expect(outputs(set, names: targets) == outputs(perFile, names: targets))
        }
    }

    @Test func firstErrorInFileOrderIsReported() {
        // Errors in a late file and a later one; the big files land on the other thread.
        let src = sources(brokenAt: [33, 38])
        func error(_ concurrentBytes: Int) -> String {
            do {
                _ = try ChartRenderer.perFileSet(for: src, concurrentBytes: concurrentBytes)
                return "no error"
            } catch { return String(describing: error) }
        }
        let sequential = error(.max)
        #expect(sequential.contains("f33.yaml"))
        #expect(error(0) == sequential)
        #expect(ChartRenderer.combinedSet(for: src, targets: [], useCache: false, concurrentBytes: 0) == nil)
    }
}
