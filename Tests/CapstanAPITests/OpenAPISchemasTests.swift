import Testing
import CapstanModel
@testable import CapstanAPI

@Suite struct OpenAPISchemasTests {
    static let v2: Value = [
        "definitions": [
            "example.Thing": [
                "type": "object",
                "x-kubernetes-group-version-kind": [["group": "example.com", "version": "v1", "kind": "Thing"]],
                "properties": [
                    "spec": ["$ref": "#/definitions/example.Spec"],
                ],
            ],
            "example.Spec": [
                "type": "object",
                "properties": [
                    "items": [
                        "type": "array",
                        "items": ["$ref": "#/definitions/example.Item"],
                        "x-kubernetes-patch-merge-key": "name",
                        "x-kubernetes-patch-strategy": "merge,retainKeys",
                    ],
                    "labels": ["type": "object", "additionalProperties": ["type": "string"]],
                ],
            ],
            "example.Item": ["type": "object", "required": ["name"], "properties": ["name": ["type": "string"]]],
        ],
    ]

    @Test func navigatesThroughReferences() throws {
        let schemas = try OpenAPISchemas(document: Self.v2)
        let thing = try #require(schemas.schema(for: GroupVersionKind(group: "example.com", version: "v1", kind: "Thing")))
        let items = try #require(thing.property("spec")?.property("items"))
        #expect(items.type == "array")
        #expect(items.patchMergeKey == "name")
        #expect(items.patchStrategies == ["merge", "retainKeys"])
        #expect(items.items?.required == ["name"])
        #expect(thing.property("spec")?.property("labels")?.property("anything")?.type == "string")
        #expect(thing.property("spec")?.property("nope") == nil)
    }

    @Test func readsV3AllOfWrappersAndKeepsLocalExtensions() throws {
        let v3: Value = [
            "components": ["schemas": [
                "a.Pod": ["type": "object", "properties": [
                    "spec": ["allOf": [["$ref": "#/components/schemas/a.PodSpec"]], "default": [:]],
                ]],
                "a.PodSpec": ["type": "object", "properties": [
                    "containers": [
                        "type": "array",
                        "items": ["allOf": [["$ref": "#/components/schemas/a.Container"]], "default": [:]],
                        "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    ],
                ]],
                "a.Container": ["type": "object", "properties": ["name": ["type": "string"]]],
            ]],
        ]
        let schemas = try OpenAPISchemas(document: v3)
        let containers = try #require(schemas.schema(named: "a.Pod")?.property("spec")?.property("containers"))
        #expect(containers.listType == "map")
        #expect(containers.listMapKeys == ["name"])
        #expect(containers.items?.property("name")?.type == "string")
    }

    @Test func rejectsDocumentsWithoutSchemas() {
        #expect(throws: SchemaError.self) { try OpenAPISchemas(document: ["openapi": "3.0.0"]) }
    }

    @Test func selfReferentialSchemasDoNotLoop() throws {
        let doc: Value = ["definitions": ["x.Props": ["type": "object", "properties": ["not": ["$ref": "#/definitions/x.Props"]]]]]
        let schemas = try OpenAPISchemas(document: doc)
        var s = schemas.schema(named: "x.Props")
        for _ in 0..<300 { s = s?.property("not") }
        #expect(s == nil)  // bounded depth instead of unbounded recursion
    }
}
