import CapstanModel
import Testing

@testable import CapstanAPI

@Suite struct DiscoveryTests {
    let catalogue = APICatalogue.builtin

    /// The deployments entry kubectl 1.37 accepted in aggregated discovery (wire notes §1.2).
    static let deploymentsEntry: Value = [
        "resource": "deployments", "responseKind": ["group": "apps", "version": "v1", "kind": "Deployment"],
        "scope": "Namespaced", "singularResource": "deployment",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        "shortNames": ["deploy"], "categories": ["all"],
        "subresources": [
            ["subresource": "scale", "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"], "verbs": ["get", "patch", "update"]],
            ["subresource": "status", "responseKind": ["group": "apps", "version": "v1", "kind": "Deployment"], "verbs": ["get", "patch", "update"]],
        ],
    ]

    @Test func aggregatedApisListsNamedGroups() throws {
        let doc = catalogue.aggregatedDiscovery(core: false)
        #expect(doc["kind"] == "APIGroupDiscoveryList")
        #expect(doc["apiVersion"] == "apidiscovery.k8s.io/v2")
        let items = try #require(doc["items"].arrayValue)
        let apps = try #require(items.first { $0["metadata"]["name"] == "apps" })
        #expect(apps["metadata"] == ["name": "apps", "creationTimestamp": nil])
        #expect(apps["versions"][0]["version"] == "v1")
        #expect(apps["versions"][0]["freshness"] == "Current")
        let deployments = try #require(apps["versions"][0]["resources"].arrayValue?.first { $0["resource"] == "deployments" })
        #expect(deployments == Self.deploymentsEntry)
        #expect(!items.contains { $0["metadata"]["name"] == .null })
        let autoscaling = try #require(items.first { $0["metadata"]["name"] == "autoscaling" })
        #expect(autoscaling["versions"].arrayValue?.map { $0["version"] } == ["v2", "v1"])
    }

    @Test func aggregatedApiHoldsOnlyTheNamelessCoreGroup() throws {
        let doc = catalogue.aggregatedDiscovery(core: true)
        let items = try #require(doc["items"].arrayValue)
        #expect(items.count == 1)
        #expect(items[0]["metadata"] == ["creationTimestamp": nil])
        let pods = try #require(items[0]["versions"][0]["resources"].arrayValue?.first { $0["resource"] == "pods" })
        #expect(pods["shortNames"] == ["po"])
        #expect(pods["categories"] == ["all"])
        #expect(pods["scope"] == "Namespaced")
        let ns = try #require(items[0]["versions"][0]["resources"].arrayValue?.first { $0["resource"] == "namespaces" })
        #expect(ns["scope"] == "Cluster")
        #expect(ns["categories"] == .null)
    }

    @Test func legacyDocuments() throws {
        #expect(catalogue.legacyAPIVersions(serverAddress: "127.0.0.1:6443") == [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"]],
        ])
        let groups = try #require(catalogue.legacyAPIGroupList()["groups"].arrayValue)
        let autoscaling = try #require(groups.first { $0["name"] == "autoscaling" })
        #expect(autoscaling["preferredVersion"] == ["groupVersion": "autoscaling/v2", "version": "v2"])
        #expect(!groups.contains { $0["name"] == "" })

        let apps = try #require(catalogue.apiResourceList(for: GroupVersion(group: "apps", version: "v1")))
        #expect(apps["groupVersion"] == "apps/v1")
        let entries = try #require(apps["resources"].arrayValue)
        let names = entries.compactMap { $0["name"].stringValue }
        let i = try #require(names.firstIndex(of: "deployments"))
        #expect(Array(names[i...].prefix(3)) == ["deployments", "deployments/scale", "deployments/status"])
        #expect(entries[i + 1] == [
            "name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale",
            "verbs": ["get", "patch", "update"], "group": "autoscaling", "version": "v1",
        ])
        #expect(entries[i + 2]["group"] == .null)
        #expect(catalogue.apiResourceList(for: GroupVersion(group: "apps", version: "v9")) == nil)
    }

    @Test func customResourcesAppearInDiscovery() throws {
        let cat = try catalogue.adding(customResourceDefinition: CustomResourceTests.widgetCRD())
        let items = try #require(cat.aggregatedDiscovery(core: false)["items"].arrayValue)
        let example = try #require(items.first { $0["metadata"]["name"] == "example.com" })
        #expect(example["versions"].arrayValue?.map { $0["version"] } == ["v1", "v1beta1"])
        #expect(example["versions"][0]["resources"][0]["shortNames"] == ["wd"])
    }

    @Test func openAPIV3DocumentsCarryWhatKubectlLooksFor() throws {
        let publication = catalogue.openAPIV3()
        let url = try #require(publication.root["paths"]["apis/apps/v1"]["serverRelativeURL"].stringValue)
        let hash = try #require(publication.hashes["apis/apps/v1"])
        #expect(url == "/openapi/v3/apis/apps/v1?hash=\(hash)")
        #expect(hash.count == 32)
        #expect(publication.root["paths"]["api/v1"] != .null)

        let apps = try #require(publication.documents["apis/apps/v1"])
        let patch = apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
        #expect(patch["x-kubernetes-group-version-kind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        let parameters = Set((patch["parameters"].arrayValue ?? []).compactMap { $0["name"].stringValue })
        #expect(parameters.isSuperset(of: ["fieldValidation", "dryRun"]))
        #expect(patch["requestBody"]["content"].has("application/strategic-merge-patch+json"))

        // Component schemas carry the real patch metadata, with v3 references.
        let deployment = try #require(apps["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].objectValue)
        #expect(deployment["x-kubernetes-group-version-kind"] == [["group": "apps", "version": "v1", "kind": "Deployment"]])
        let podSpec = apps["components"]["schemas"]["io.k8s.api.core.v1.PodSpec"]
        #expect(podSpec["properties"]["containers"]["x-kubernetes-patch-merge-key"] == "name")
        #expect(podSpec["properties"]["containers"]["items"]["$ref"] == "#/components/schemas/io.k8s.api.core.v1.Container")
        #expect(apps["components"]["schemas"]["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"].count == 2)

        // Namespaces are cluster-scoped paths.
        let core = try #require(publication.documents["api/v1"])
        #expect(core["paths"]["/api/v1/namespaces/{name}"]["patch"]["x-kubernetes-group-version-kind"]["kind"] == "Namespace")
        #expect(core["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"] != .null)

        // Deterministic.
        #expect(catalogue.openAPIV3().hashes == publication.hashes)
    }

    @Test func customResourcesGetMergePatchOnly() throws {
        let cat = try catalogue.adding(customResourceDefinition: CustomResourceTests.widgetCRD())
        let doc = try #require(cat.openAPIV3Document(for: GroupVersion(group: "example.com", version: "v1")))
        let patch = doc["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]["patch"]
        #expect(patch["x-kubernetes-group-version-kind"]["kind"] == "Widget")
        #expect(!patch["requestBody"]["content"].has("application/strategic-merge-patch+json"))
        #expect(patch["requestBody"]["content"].has("application/merge-patch+json"))
        #expect(doc["components"]["schemas"]["com.example.v1.Widget"]["properties"]["metadata"]["$ref"]
            == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
        #expect(doc["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"] != .null)
    }
}
