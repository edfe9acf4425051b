import CapstanModel
import Testing

@testable import CapstanAPI

@Suite struct CustomResourceTests {
    static func widgetCRD(versions: [Value]? = nil, scope: String = "Namespaced") -> Value {
        [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": [
                "group": "example.com",
                "scope": .string(scope),
                "names": [
                    "plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
                    "shortNames": ["wd"], "categories": ["all"],
                ],
                "versions": .array(versions ?? [
                    [
                        "name": "v1", "served": true, "storage": true,
                        "subresources": ["status": [:], "scale": ["specReplicasPath": ".spec.size", "statusReplicasPath": ".status.size",
                                                                  "labelSelectorPath": ".status.selector"]],
                        "selectableFields": [["jsonPath": ".spec.color"]],
                        "schema": ["openAPIV3Schema": [
                            "type": "object",
                            "properties": [
                                "spec": ["type": "object", "properties": [
                                    "size": ["type": "integer"],
                                    "items": ["type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                                              "items": ["type": "object", "properties": ["name": ["type": "string"]]]],
                                ]],
                            ],
                        ]],
                    ],
                    ["name": "v1beta1", "served": true, "storage": false],
                    ["name": "v1alpha1", "served": false, "storage": false],
                ]),
            ],
        ]
    }

    @Test func registersResourceVersionsAndSchema() throws {
        let cat = try APICatalogue.builtin.adding(customResourceDefinition: Self.widgetCRD())
        let widget = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
        let r = try #require(cat.resource(named: "wd"))
        #expect(r.gvk == widget)
        #expect(r.namespaced)
        #expect(r.verbs.contains("deletecollection"))
        #expect(r.subresource("scale")?.responseKind.kind == "Scale")
        #expect(r.subresource("status")?.responseKind == widget)
        #expect(r.scale == ScalePaths(specReplicasPath: ".spec.size", statusReplicasPath: ".status.size", labelSelectorPath: ".status.selector"))
        #expect(r.fieldSelectors == ["metadata.name", "metadata.namespace", "spec.color"])
        #expect(cat.group(named: "example.com")?.versions == ["v1", "v1beta1"])
        #expect(cat.resolve("widgets").map(\.gvk.version) == ["v1", "v1beta1"])
        #expect(cat.resource(named: "widgets.v1beta1.example.com")?.subresources.isEmpty == true)
        #expect(cat.resources(inCategory: "all").contains { $0.plural == "widgets" })

        let schema = try #require(cat.schema(for: widget))
        #expect(cat.schemas.definitionName(for: widget) == "com.example.v1.Widget")
        #expect(schema.property("spec")?.property("items")?.listMapKeys == ["name"])
        // The API server adds ObjectMeta to every CRD schema.
        #expect(schema.property("metadata")?.property("labels")?.additionalProperties?.type == "string")
        #expect(cat.schema(for: GroupVersionKind(group: "example.com", version: "v1beta1", kind: "Widget")) == nil)
        // The original is untouched.
        #expect(APICatalogue.builtin.resource(named: "wd") == nil)
        #expect(cat.isCustomResource(group: "example.com", plural: "widgets"))
    }

    @Test func reRegisteringReplacesAndRemovingDrops() throws {
        var cat = try APICatalogue.builtin.adding(customResourceDefinition: Self.widgetCRD())
        cat = try cat.adding(customResourceDefinition: Self.widgetCRD(versions: [
            ["name": "v2", "served": true, "storage": true],
        ], scope: "Cluster"))
        #expect(cat.resolve("widgets").map(\.gvk.version) == ["v2"])
        #expect(cat.resource(named: "widgets")?.namespaced == false)
        #expect(cat.group(named: "example.com")?.versions == ["v2"])
        #expect(cat.schema(for: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")) == nil)
        cat = cat.removingCustomResource(group: "example.com", plural: "widgets")
        #expect(cat.resource(named: "widgets") == nil)
        #expect(cat.group(named: "example.com") == nil)
        #expect(cat.resources.count == APICatalogue.builtin.resources.count)
    }

    @Test func rejectsBadDefinitions() {
        var noGroup = Self.widgetCRD()
        noGroup[path: ["spec", "group"]] = ""
        #expect(throws: CatalogueError("Required value", field: "spec.group")) {
            try APICatalogue.builtin.adding(customResourceDefinition: noGroup)
        }
        var badScope = Self.widgetCRD()
        badScope[path: ["spec", "scope"]] = "Galaxy"
        #expect(throws: CatalogueError.self) { try APICatalogue.builtin.adding(customResourceDefinition: badScope) }
        var builtin = Self.widgetCRD()
        builtin[path: ["spec", "group"]] = "apps"
        builtin[path: ["spec", "names", "plural"]] = "deployments"
        #expect(throws: CatalogueError.self) { try APICatalogue.builtin.adding(customResourceDefinition: builtin) }
        #expect(throws: CatalogueError.self) {
            try APICatalogue.builtin.adding(customResourceDefinition: ["kind": "ConfigMap"])
        }
    }

    @Test func registryIsSafeUnderConcurrentRegistrations() async throws {
        let registry = APIRegistry()
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<16 {
                group.addTask {
                    var crd = Self.widgetCRD()
                    crd[path: ["spec", "group"]] = .string("g\(i).example.com")
                    _ = try? registry.register(customResourceDefinition: crd)
                }
            }
        }
        let current = registry.current
        for i in 0..<16 {
            #expect(current.resource(named: "widgets.g\(i).example.com") != nil, "g\(i) lost")
        }
        registry.unregisterCustomResource(group: "g3.example.com", plural: "widgets")
        #expect(registry.current.resource(named: "widgets.g3.example.com") == nil)
        #expect(current.resource(named: "widgets.g3.example.com") != nil)  // snapshots do not change
    }

    @Test(arguments: [
        (["v1", "v2", "v1beta1", "v1alpha1", "v2beta3", "foo", "v10", "bar", "v11alpha2"],
         ["v10", "v2", "v1", "v2beta3", "v1beta1", "v11alpha2", "v1alpha1", "bar", "foo"]),
    ])
    func versionPriority(input: [String], expected: [String]) {
        #expect(input.sorted(by: kubeVersionPrecedes) == expected)
    }
}
