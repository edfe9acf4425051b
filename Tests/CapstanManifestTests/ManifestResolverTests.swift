import Testing
import CapstanModel
@testable import CapstanManifest

@Suite struct ManifestResolverTests {
    func manifest(_ object: Value, line: Int = 1) -> Manifest {
        Manifest(object: object, source: ManifestSource(file: "m.yaml", document: 0, line: line))
    }

    @Test func fillsTheNamespaceOfNamespacedKindsOnly() throws {
        let resolved = try ManifestResolver(defaultNamespace: "staging").resolve([
            manifest(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]]),
            manifest(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "n"]]),
            manifest(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d", "namespace": "other"],
                      "spec": ["selector": ["matchLabels": ["a": "b"]],
                               "template": ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["name": "c", "image": "i"]]]]]]),
        ])
        #expect(resolved.map(\.object.namespace) == ["staging", nil, "other"])
        #expect(resolved.map(\.typedName) == ["configmap/a", "namespace/n", "deployment.apps/d"])
    }

    @Test func unknownKindsAndConflictingNamespacesAreErrors() {
        do {
            _ = try ManifestResolver(defaultNamespace: "x", namespaceExplicit: true).resolve([
                manifest(["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]], line: 3),
                manifest(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "y"]], line: 9),
            ])
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.count == 2)
            #expect(error.errors[0].description.hasPrefix("m.yaml:3: resource mapping not found"))
            #expect(error.errors[0].message.contains("no matches for kind \"Widget\" in version \"example.com/v1\""))
            #expect(error.errors[1].message.contains("does not match the namespace \"x\""))
        }
    }

    @Test func invalidObjectsNameTheField() {
        do {
            _ = try ManifestResolver().resolve([
                manifest(["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                          "spec": ["replicas": "three", "selector": ["matchLabels": ["a": "b"]],
                                   "template": ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["name": "c", "image": "i"]]]]]], line: 4),
            ])
            Issue.record("expected errors")
        } catch {
            #expect(error.errors.contains { $0.description.hasPrefix("m.yaml:4: Deployment \"d\": spec.replicas") })
        }
    }
}
