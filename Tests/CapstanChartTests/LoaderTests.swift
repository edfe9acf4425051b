@testable import CapstanChart
import Foundation
import Testing
import CapstanModel
import CapstanTemplate

/// Archives, .helmignore, version constraints and schema messages.
@Suite struct LoaderTests {
    @Test func loadsArchiveWithOwnInflate() throws {
        let path = Corpus.charts + "/umbrella/charts/frontend-1.4.0.tgz"
        let chart = try ChartLoader.load(path: path)
        #expect(chart.name == "frontend")
        #expect(chart.templates.map(\.name) == ["templates/service.yaml"])
        #expect(chart.values["title"] == "default-title")
    }

    @Test func inflateStoredAndCorrupt() {
        // A stored (uncompressed) deflate block holding "hi".
        let stored: [UInt8] = [0x01, 0x02, 0x00, 0xFD, 0xFF, 0x68, 0x69]
        #expect((try? inflate(stored).output) == Array("hi".utf8))
        #expect(throws: ArchiveError.self) { try gunzip([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]) }
        #expect(throws: ArchiveError.self) { try gunzip([1, 2, 3]) }
    }

    @Test func umbrellaDirectoryHonoursHelmignore() throws {
        let chart = try ChartLoader.load(path: Corpus.charts + "/umbrella")
        let names = chart.files.map(\.name)
        #expect(names.contains("files/lines.txt"))
        #expect(!names.contains("files/conf/old.bak"))
        #expect(!names.contains("README-internal.md"))
        #expect(!names.contains("ignored/secret.txt"))
        #expect(Set(chart.dependencies.map(\.name)) == ["backend", "frontend", "libcommon"])
    }

    @Test func helmignoreRules() throws {
        let rules = try HelmIgnore(parsing: "*.tmp\n/top.txt\nsub/x.txt\nbuild/\n")
        #expect(rules.ignores("a/b/c.tmp", isDirectory: false))
        #expect(rules.ignores("top.txt", isDirectory: false))
        #expect(!rules.ignores("a/top.txt", isDirectory: false))
        #expect(rules.ignores("sub/x.txt", isDirectory: false))
        #expect(rules.ignores("build", isDirectory: true))
        #expect(!rules.ignores("build", isDirectory: false))
        // Helm 4.2: an unmatched negation ignores the path.
        let neg = try HelmIgnore(parsing: "!keep.txt\n")
        #expect(neg.ignores("Chart.yaml", isDirectory: false))
        #expect(!neg.ignores("keep.txt", isDirectory: false))
        #expect(throws: ChartError.self) { try HelmIgnore(parsing: "a/**/b\n") }
        // Malformed globs fail the load whatever their shape; well-formed ones do not.
        for bad in ["[a", "a\\", "*[", "x[]", "*.[", "\\"] {
            #expect(throws: ChartError.self, "\(bad)") { try HelmIgnore(parsing: bad + "\n") }
        }
        for good in ["[ab]c", "a\\*", "*", "?", "*.swp", "[^x]", "a[-]b", "/x", "d/"] {
            #expect(throws: Never.self, "\(good)") { try HelmIgnore(parsing: good + "\n") }
        }
    }

    /// Plain-name and `*suffix` rules match by comparison; the result equals the glob
    /// matcher's for names with and without `/`, multi-byte text and near misses.
    @Test func helmignoreShortcutsAgreeWithGlob() throws {
        let patterns = ["*.swp", "*", ".git", "*~", "*.tar.gz", "*é", "a*b", "[ab]c", "?x", "ab\\*", "docs/*.md", "x/y"]
        let names = ["a.swp", ".swp", "swp", "dir/a.swp", "a.swpx", ".git", ".gitx", "git", "file~", "~", "a.tar.gz",
                     "tar.gz", "café", "é", "ab", "acb", "ac", "bx", "ab*", "docs/a.md", "x/y", "", "a/b/c"]
        for pattern in patterns {
            var rules = HelmIgnore()
            try rules.add(pattern)
            let rule = try #require(rules.rules.first)
            for name in names {
                let n = Array(name.unicodeScalars)
                #expect(rule.matches(n) == rule.matchesByGlob(n), "\(pattern) vs \(name)")
            }
        }
        var rules = HelmIgnore()
        try rules.add("*.swp"); try rules.add(".git"); try rules.add("a*b")
        #expect(rules.rules.map(\.shape) == [.starSuffix(Array(".swp".unicodeScalars)[...]), .literal, .general])
    }

    @Test func semverConstraints() {
        #expect(isCompatibleRange(">=1.20.0-0", "v1.36.0"))
        #expect(!isCompatibleRange(">=1.20.0-0", "v1.19.4"))
        #expect(isCompatibleRange("~0.3.0", "0.3.1"))
        #expect(!isCompatibleRange("~0.3.0", "0.4.0"))
        #expect(isCompatibleRange("^1.2.3", "1.9.0"))
        #expect(!isCompatibleRange("^1.2.3", "2.0.0"))
        #expect(isCompatibleRange("1.x", "1.4.0"))
        #expect(isCompatibleRange(">1.0, <2.0 || =3.0.0", "3.0.0"))
        #expect(isCompatibleRange("1.0 - 2.0", "1.5.0"))
        #expect(!isCompatibleRange(">=1.0.0", "1.5.0-beta"))
        #expect(!isCompatibleRange("", "1.0.0"))
        #expect(SemVer(parsing: "1.2").map { [$0.major, $0.minor, $0.patch] } == [1, 2, 0])
        #expect(SemVer(parsing: "v1.29.0-rc.1+b").map { [$0.prerelease, $0.metadata] } == ["rc.1", "b"])
        #expect(SemVer(parsing: "x.y") == nil)
        #expect(SemVer(parsing: "1.2.3-") == nil)
        #expect(SemVer(parsing: "V1.2.3") == nil)
    }

    /// `.Chart` fields converted one at a time: every `chart.Metadata` field exists, values as
    /// Chart.yaml gives them, absent ones as Go's zero values, unknown names are no member.
    @Test func chartObjectFieldsOnDemand() throws {
        let meta = try ChartMetadata(document: ["apiVersion": "v2", "name": "web", "version": "1.2.0",
                                                "appVersion": 3, "annotations": ["a": "b"], "keywords": ["k"]])
        let object = ChartMetadataObject(meta)
        for name in ChartMetadata.templateFieldNames { #expect(object.member(name) != nil, "\(name)") }
        #expect(object.member("Nope") == nil)
        let text = "{{ .Chart.Name }}|{{ .Chart.AppVersion }}|{{ .Chart.Home }}|{{ .Chart.Keywords }}|"
            + "{{ .Chart.Annotations }}|{{ .Chart.Deprecated }}|{{ .Chart.Dependencies }}|{{ .Chart }}"
        let chart = Chart(metadata: meta, templates: [ChartFile(name: "templates/a.txt", data: Array(text.utf8))])
        let files = try ChartRenderer.renderTemplates(chart, values: ValueObject(), options: RenderOptions())
        #expect(files["web/templates/a.txt"] == "web|3||[k]|map[a:b]|false|[]|&{web  [] 1.2.0  [k] []  v2   3 false map[a:b]  [] }")
    }

    /// Remembered answers (asked twice) are the direct check's answers.
    @Test func compatibleRangeMemoAgreesWithDirectCheck() {
        let pairs = [(">=1.20.0-0", "v1.36.0"), ("~0.3.0", "0.4.0"), ("^1.2.3", "1.9.0"), ("", "1.0.0"),
                     ("1.x", "1.4.0"), ("bad", "1.0.0"), (">=1.0.0", "nope")]
        for _ in 0..<2 {
            for (constraint, version) in pairs {
                #expect(isCompatibleRange(constraint, version) == SemanticVersion.satisfies(constraint, version))
            }
        }
    }

    @Test func schemaMessagesLikeHelm() throws {
        let schema = #"{"type":"object","required":["name"],"properties":{"a":{"type":"integer","minimum":5},"mode":{"enum":["x","y"]},"list":{"type":"array","items":{"type":"string"}}}}"#
        let v = try SchemaValidator(schema: Array(schema.utf8))
        let text = SchemaValidator.render(v.validate(["a": 1, "mode": "z", "list": [1, 2]]))
        #expect(Set(text.split(separator: "\n")) == [
            "- at '': missing property 'name'",
            "- at '/a': minimum: got 1, want 5",
            "- at '/mode': value must be one of 'x', 'y'",
            "- at '/list': validation failed",
            "  - at '/list/0': got number, want string",
            "  - at '/list/1': got number, want string",
        ])
        #expect(v.validate(["name": "n", "a": .double(7)]).isEmpty)
        #expect(SchemaValidator.render(v.validate(["name": "n", "a": .double(7.5)])) == "- at '/a': got number, want integer\n")
    }

    @Test func filesGlob() {
        #expect(FileGlob("files/**")?.matches("files/conf/a.txt") == true)
        #expect(FileGlob("files/*")?.matches("files/conf/a.txt") == false)
        #expect(FileGlob("files/*.{txt,pem}")?.matches("files/c.pem") == true)
        #expect(FileGlob("f?les/[a-c].txt")?.matches("files/b.txt") == true)
        #expect(FileGlob("[") == nil)
    }
}
