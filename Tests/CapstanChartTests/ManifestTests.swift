@testable import CapstanChart
import Testing

/// Document splitting and Helm's install ordering.
@Suite struct ManifestTests {
    /// Byte-wise `baseName` against the `Character` split it replaces.
    @Test func baseNameMatchesComponentSplit() {
        for path in ["a/b/c.yaml", "c.yaml", "a/b/", "/", "//", "", "/x", "x//y", "chart/templates/_helpers.tpl",
                     "é/ü.yaml", "dir/日本.txt", "a/b//"] {
            #expect(baseName(path) == (path.split(separator: "/").last.map(String.init) ?? path), "\(path)")
        }
    }

    @Test func splitLikeHelm() {
        #expect(ManifestSorter.splitManifests("a: 1\n---\nb: 2\n") == ["a: 1", "b: 2\n"])
        #expect(ManifestSorter.splitManifests("---\na: 1") == ["a: 1"])
        #expect(ManifestSorter.splitManifests("a: 1\n---b: 2") == ["a: 1", "b: 2"])
        #expect(ManifestSorter.splitManifests("x: |\n  --- kept\n") == ["x: |\n  --- kept\n"])
        #expect(ManifestSorter.splitManifests("a: 1   \n\n---   \n\n  b: 2") == ["a: 1", "b: 2"])
        #expect(ManifestSorter.splitManifests("  \n ") == [])
    }

    @Test func installOrderAndUnknownKinds() throws {
        let files = [
            "c/templates/a.yaml": "kind: Deployment\n---\nkind: Zed\n---\nkind: Alpha\n---\nkind: Namespace\n",
            "c/templates/b.yaml": "kind: Service\n---\nkind: Deployment\nmetadata: {name: second}\n",
        ]
        let (hooks, manifests) = try ManifestSorter.sort(files)
        #expect(hooks.isEmpty)
        #expect(manifests.map(\.kind) == ["Namespace", "Service", "Deployment", "Deployment", "Alpha", "Zed"])
        #expect(manifests[3].name == "second")
    }

    @Test func hooksAreSeparatedAndUnknownHooksDropped() throws {
        let files = ["c/templates/h.yaml": """
            kind: Job
            metadata:
              annotations: {"helm.sh/hook": "post-install", "helm.sh/hook-weight": "5"}
            ---
            kind: Pod
            metadata:
              annotations: {"helm.sh/hook": " Test-Success "}
            ---
            kind: ConfigMap
            metadata:
              annotations: {"helm.sh/hook": "sometime"}
            ---
            kind: Secret
            metadata:
              annotations: {note: x}
            """]
        let (hooks, manifests) = try ManifestSorter.sort(files)
        #expect(hooks.map(\.manifest.kind) == ["Pod", "Job"])
        #expect(hooks[0].isTest)
        #expect(hooks[1].weight == 5)
        #expect(manifests.map(\.kind) == ["Secret"])
    }

    @Test func badHeadIsAnError() {
        #expect(throws: ChartError.self) {
            try ManifestSorter.sort(["c/templates/x.yaml": "kind: [1]\n"])
        }
        #expect(throws: ChartError.self) {
            try ManifestSorter.sort(["c/templates/x.yaml": "a: b\n  c: d\n"])
        }
    }
}

/// The event-based head reader agrees with the full YAML route, or defers to it.
@Suite struct HeadScannerTests {
    static let docs = [
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: \"1\"\n    b: plain\n    c: ~\ndata: {k: v}\n",
        "kind: Pod\nmetadata: {name: p, annotations: {\"helm.sh/hook\": test}}\nspec:\n  containers: [{name: c}]\n",
        "# comment only\n",
        "apiVersion: v1\nkind: 5\n",
        "metadata:\n  annotations:\n    w: 5\n",
        "kind: &k Service\nother: *k\n",
        "kind: Service\nmetadata: null\n",
        "kind: 'quoted'\nmetadata:\n  name: \"0123\"\n",
        "apiVersion: v1\nkind: Secret\n...\nkind: Other\n",
        "just a string\n",
        "- a\n- b\n",
        "kind: [x]\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: 1}\n  name: yes\n",
    ]

    @Test(arguments: docs)
    func agreesWithFullParse(_ doc: String) throws {
        guard let fast = HeadScanner.scan(doc) else { return }
        var full: ManifestSorter.Head?
        do {
            full = try ManifestSorter.parseHeadSlow(doc, path: "t.yaml")
        } catch {
            Issue.record("fast path accepted a document the full route rejects: \(error)")
        }
        #expect(fast == full)
    }

    @Test func fastPathIsTakenForOrdinaryManifests() {
        #expect(HeadScanner.scan(Self.docs[0])?.annotations == ["a": "1", "b": "plain", "c": ""])
        #expect(HeadScanner.scan(Self.docs[1])?.kind == "Pod")
        #expect(HeadScanner.scan(Self.docs[3]) == nil)
        #expect(HeadScanner.scan(Self.docs[5]) == nil)
    }
}
