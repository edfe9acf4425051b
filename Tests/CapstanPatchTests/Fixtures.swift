import CapstanAPI
import CapstanModel
import Testing

@testable import CapstanPatch

/// Parses JSON written in a test; a typo is a test bug, reported as an issue.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Value {
    do {
        return try Value.parseJSON(text)
    } catch {
        Issue.record("bad JSON in test: \(error)", sourceLocation: sourceLocation)
        return .null
    }
}

/// A small OpenAPI v2 document exercising every kind of patch metadata.
enum TestSchema {
    static let document = json("""
    {"definitions": {
      "test.Root": {"type": "object", "properties": {
        "apiVersion": {"type": "string"}, "kind": {"type": "string"},
        "metadata": {"$ref": "#/definitions/test.Meta"},
        "spec": {"$ref": "#/definitions/test.Spec"},
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}},
      "test.Meta": {"type": "object", "properties": {
        "name": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
        "ownerReferences": {"type": "array", "items": {"type": "object"}, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "uid"}}},
      "test.Spec": {"type": "object", "properties": {
        "replicas": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/definitions/test.Item"}, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name"},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge"},
        "atomic": {"type": "array", "items": {"$ref": "#/definitions/test.Item"}},
        "whole": {"type": "object", "x-kubernetes-patch-strategy": "replace", "additionalProperties": {"type": "string"}},
        "strategy": {"allOf": [{"$ref": "#/definitions/test.Strategy"}], "x-kubernetes-patch-strategy": "retainKeys"},
        "volumes": {"type": "array", "items": {"$ref": "#/definitions/test.Volume"}, "x-kubernetes-patch-strategy": "merge,retainKeys", "x-kubernetes-patch-merge-key": "name"},
        "ports": {"type": "array", "items": {"type": "object"}, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"]},
        "bad": {"type": "array", "items": {"type": "string"}, "x-kubernetes-patch-strategy": "merge,replace"}}},
      "test.Item": {"type": "object", "properties": {
        "name": {"type": "string"}, "image": {"type": "string"},
        "args": {"type": "array", "items": {"type": "string"}},
        "env": {"type": "array", "items": {"type": "object"}, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name"}}},
      "test.Strategy": {"type": "object", "properties": {"type": {"type": "string"}, "rolling": {"type": "object"}}},
      "test.Volume": {"type": "object", "properties": {"name": {"type": "string"}, "emptyDir": {"type": "object"}, "secret": {"type": "object"}}}
    }}
    """)

    static let meta: PatchMeta = {
        (try? PatchMeta.fromOpenAPI(document, definition: "test.Root")).flatMap { $0 } ?? .none
    }()

    static let listMapMeta: PatchMeta = {
        (try? PatchMeta.fromOpenAPI(document, definition: "test.Root", options: PatchMetaOptions(mergeListMaps: true))).flatMap { $0 } ?? .none
    }()
}

func apply(_ patch: String, to object: String, meta: PatchMeta = TestSchema.meta) throws(PatchError) -> Value {
    try StrategicMerge.apply(patch: json(patch), to: json(object), meta: meta)
}

func twoWay(_ original: String, _ modified: String, meta: PatchMeta = TestSchema.meta) throws(PatchError) -> Value {
    try StrategicMerge.createTwoWay(original: json(original), modified: json(modified), meta: meta)
}

/// Catches a PatchError (or records that none came).
func patchError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> PatchError? {
    do {
        try body()
        Issue.record("expected a PatchError", sourceLocation: sourceLocation)
        return nil
    } catch let error as PatchError {
        return error
    } catch {
        Issue.record("expected a PatchError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
