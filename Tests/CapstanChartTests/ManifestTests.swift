@testable import CapstanChart
import Testing

/// Document splitting and Helm's install ordering.
@Suite struct ManifestTests {
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
            try ManifestSorter.sort(["c/templates/x.yaml": "metadata:\n  annotations:\n    w: 5\n"])
        }
    }
}
