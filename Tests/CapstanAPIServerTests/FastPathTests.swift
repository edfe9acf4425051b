import CapstanAPI
import CapstanModel
import CapstanStore
import Testing
@testable import CapstanAPIServer

/// The server's per-request shortcuts give what the long way gives.
extension ServerTests {
@Suite struct FastPathTests {
    /// Create and get answer with the stored bytes plus the revision (no second encoding);
    /// the bytes must be exactly those of decoding the stored object and encoding it again.
    @Test func createAndGetBodiesEqualDecodedStoredObjects() async throws {
        try await InProcessServerTests.withServer { client, store in
            let deployment: Value = [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["note": "<&> \u{2028} \"q\""]],
                "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                         "template": ["metadata": ["labels": ["app": "web"]],
                                      "spec": ["containers": [["name": "c", "image": "nginx", "ports": [["containerPort": 80]]]]]]],
            ]
            // Key order other than apiVersion, kind first: the splice declines, encoding answers.
            let reordered: Value = ["kind": "ConfigMap", "metadata": ["name": "late"], "apiVersion": "v1", "data": ["a": "1"]]
            let cases: [(String, String, Value, String)] = [
                ("/apis/apps/v1/namespaces/default/deployments", "/registry/apps/deployments/default/web", deployment, "apps/v1"),
                ("/api/v1/namespaces/default/configmaps", "/registry/core/configmaps/default/late", reordered, "v1"),
                ("/api/v1/namespaces", "/registry/core/namespaces/fresh", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "fresh"]], "v1"),
            ]
            for (collection, key, object, apiVersion) in cases {
                let created = try await client.post(collection, object)
                #expect(created.status == 201, "\(created.text)")
                let kv = try #require(try await store.get(key))
                let expected = try ObjectCodec.decode(kv, apiVersion: apiVersion).jsonBytes()
                #expect(created.text == String(decoding: expected, as: UTF8.self))
                let name = object["metadata"]["name"].stringValue ?? ""
                let got = try await client.get(collection + "/" + name)
                #expect(got.status == 200)
                #expect(got.text == String(decoding: expected, as: UTF8.self))
            }
            // A Table is still printed from the decoded object.
            let table = try await client.get(cases[0].0 + "/web", accept: "application/json;as=Table;v=v1;g=meta.k8s.io")
            #expect(table.json["kind"] == "Table")
        }
    }

    /// The served API is built once per catalogue and rebuilt when a CRD changes it.
    @Test func servedAPIFollowsTheCatalogue() throws {
        let server = APIServer(store: MemoryStore(compaction: .disabled))
        let first = server.servedAPI()
        #expect(server.servedAPI().catalogue === first.catalogue)
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
                     "versions": [["name": "v1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]]]],
        ]
        try server.registry.register(customResourceDefinition: crd)
        let second = server.servedAPI()
        #expect(second.catalogue !== first.catalogue)
        #expect(second.resource(GroupVersion(group: "example.com", version: "v1"), "widgets") != nil)
        #expect(first.resource(GroupVersion(group: "example.com", version: "v1"), "widgets") == nil)
        #expect(second.groups.map(\.name) == ServedAPI(server.registry.current).groups.map(\.name))
    }

    /// Query strings split like Go's url.ParseQuery: by '&', then at the first '='.
    @Test func queriesSplitByBytes() {
        let parsed = URLCoding.parseQuery("fieldManager=kubectl-client-side-apply&&fieldValidation=Strict&a=b=c&flag&x=%41+%2B&=v&é=ü")
        let expected: [(String, String)] = [("fieldManager", "kubectl-client-side-apply"), ("fieldValidation", "Strict"),
                                            ("a", "b=c"), ("flag", ""), ("x", "A +"), ("", "v"), ("é", "ü")]
        #expect(parsed.map(\.0) == expected.map(\.0))
        #expect(parsed.map(\.1) == expected.map(\.1))
        let request = HTTPRequest(method: .GET, uri: "/api/v1/namespaces/a%2Fb/pods?watch=1&x=y?z")
        #expect(request.path == "/api/v1/namespaces/a/b/pods")
        #expect(request.query.map(\.0) == ["watch", "x"] && request.query("x") == "y?z")
        #expect(HTTPRequest(method: .GET, uri: "/version").query.isEmpty)
    }

    @Test(arguments: [("application/json;as=Table;v=v1", "as=Table", true), ("abc", "abcd", false),
                      ("aab", "ab", true), ("application/yaml", "yaml", true), ("x", "y", false)])
    func containsBytesAgreesWithContains(_ hay: String, _ needle: String, _ expected: Bool) {
        #expect(hay.containsBytes(needle) == expected)
    }
}
}

/// Uids come from a buffer of system random bytes (`RandomBytes`), not two draws each.
extension ServerTests {
@Suite struct UIDTests {
    @Test func uidsAreDistinctVersion4AcrossBufferRefills() {
        // 3 × 256 uids: the 4 KiB buffer is refilled twice on the way.
        let uids = (0..<768).map { _ in Identifiers.uid() }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            let bytes = Array(uid.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"), "\(uid)")
            #expect("89ab".utf8.contains(bytes[19]), "\(uid)")
            #expect(bytes.enumerated().allSatisfy { [8, 13, 18, 23].contains($0.offset) || "0123456789abcdef".utf8.contains($0.element) })
        }
    }
}
}
