import CapstanModel
import Testing

@testable import CapstanAPI

/// The validator's compiled, cached schema nodes must be exactly what resolving the raw
/// schema afresh gives (`Schema` navigation), and validating through the cache must report
/// what an uncached walk reports.
@Suite struct CompiledSchemaTests {
    /// Walks the compiled tree beside a fresh `Schema` resolution of the same nodes.
    static func compare(_ compiled: CompiledSchema, _ fresh: Schema, _ schemas: OpenAPISchemas, path: String,
                        depth: Int, budget: inout Int) -> [String]
    {
        guard depth > 0, budget > 0 else { return [] }
        budget -= 1
        var problems: [String] = []
        if compiled.node != fresh.node { problems.append("\(path): resolved node differs") }
        if compiled.depth != fresh.depth { problems.append("\(path): depth \(compiled.depth) != \(fresh.depth)") }
        let children = compiled.children(in: schemas)
        let declared = fresh.node["properties"].objectValue ?? [:]
        if children.properties.count != declared.count { problems.append("\(path): property count differs") }
        for (key, raw) in declared {
            let freshChild = raw.isObject && fresh.depth < 128 ? Schema(node: raw, schemas: schemas, depth: fresh.depth + 1) : nil
            guard let entry = children.properties[key] else {
                problems.append("\(path).\(key): missing")
                continue
            }
            switch (entry, freshChild) {
            case (nil, nil): break
            case (let c?, let f?):
                problems += compare(c.takeUnretainedValue(), f, schemas, path: "\(path).\(key)", depth: depth - 1, budget: &budget)
            default: problems.append("\(path).\(key): presence differs")
            }
        }
        if (children.items == nil) != (fresh.items == nil) { problems.append("\(path)[]: presence differs") }
        if let c = children.items, let f = fresh.items {
            problems += compare(c.takeUnretainedValue(), f, schemas, path: "\(path)[]", depth: depth - 1, budget: &budget)
        }
        if (children.additional == nil) != (fresh.additionalProperties == nil) { problems.append("\(path){}: presence differs") }
        if let c = children.additional, let f = fresh.additionalProperties {
            problems += compare(c.takeUnretainedValue(), f, schemas, path: "\(path){}", depth: depth - 1, budget: &budget)
        }
        return problems
    }

    @Test func compiledNodesEqualFreshResolutionForBuiltinKinds() {
        let catalogue = APICatalogue.builtin
        let kinds = [
            GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"),
            GroupVersionKind(group: "", version: "v1", kind: "Service"),
            GroupVersionKind(group: "", version: "v1", kind: "ConfigMap"),
            GroupVersionKind(group: "", version: "v1", kind: "Pod"),
            GroupVersionKind(group: "batch", version: "v1", kind: "CronJob"),
            GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition"),
        ]
        for gvk in kinds {
            guard let compiled = catalogue.schemas.compiled(for: gvk), let fresh = catalogue.schema(for: gvk) else {
                Issue.record("no schema for \(gvk)")
                continue
            }
            var budget = 3000
            let problems = Self.compare(compiled, fresh, catalogue.schemas, path: gvk.kind, depth: 8, budget: &budget)
            #expect(problems.isEmpty, "\(gvk.kind): \(problems.prefix(5))")
            // Asking again gives the cached root.
            #expect(catalogue.schemas.compiled(for: gvk) === compiled)
        }
    }

    @Test func recursiveSchemasShareNodesPerDepth() {
        let catalogue = APICatalogue.builtin
        let gvk = GroupVersionKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
        guard let root = catalogue.schemas.compiled(for: gvk) else { Issue.record("no CRD schema"); return }
        // spec.versions[].schema.openAPIV3Schema.properties{} is JSONSchemaProps inside JSONSchemaProps.
        func child(_ n: CompiledSchema?, _ key: String) -> CompiledSchema? {
            n.flatMap { ($0.children(in: catalogue.schemas).properties[key] ?? nil)?.takeUnretainedValue() }
        }
        let versions = child(child(root, "spec"), "versions")
        let props = child(child(versions?.children(in: catalogue.schemas).items?.takeUnretainedValue(), "schema"), "openAPIV3Schema")
        let a = child(props, "not"), b = child(props, "not")
        #expect(a != nil && a === b)
    }

    /// Validation through the warm cache reports what a cold catalogue (fresh nodes) reports,
    /// for valid objects and for objects with every kind of schema error.
    @Test func cachedValidationEqualsColdValidation() throws {
        let objects: [Value] = [
            Fixtures.deployment(),
            Fixtures.deployment(spec: ["replicas": "two", "bogus": 1, "strategy": ["type": 3]]),
            Fixtures.service(["ports": [["port": "x", "targetPort": 8080, "protocol": "SCTP"]], "selector": ["app": "web"], "type": "Nope"]),
            Fixtures.pod(["containers": [["name": "c", "image": "i", "resources": ["requests": ["cpu": "lots"]], "extra": true]]]),
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "labels": ["a": 1]], "data": ["k": 5], "binaryData": ["b": "!!"]],
            ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"],
             "spec": ["template": ["spec": ["containers": [["name": "c", "image": "i", "ports": [["containerPort": 99999999999]]]],
                                            "restartPolicy": "Never"]], "backoffLimit": 1.5]],
        ]
        let warm = SchemaValidator(catalogue: .builtin)
        for object in objects {
            let first = warm.validate(object)
            let again = warm.validate(object)
            // A catalogue of its own: nothing compiled yet.
            let cold = try APICatalogue.builtin.adding(customResourceDefinition: CustomResourceTests.widgetCRD())
            let coldErrors = SchemaValidator(catalogue: cold).validate(object)
            // The public entry point with a `Schema` compiles a fresh root each time.
            let viaSchema = object.gvk.flatMap { APICatalogue.builtin.schema(for: $0) }.map { warm.validate(object, against: $0) } ?? []
            #expect(first == again)
            #expect(first == coldErrors)
            #expect(first == viaSchema)
        }
        #expect(!warm.validate(objects[1]).isEmpty)
    }

    /// The property table answers like a dictionary, also for keys whose hash signatures
    /// collide (same length, first two, middle and last bytes), the empty key and absent keys.
    @Test func propertyTableAnswersLikeADictionary() {
        let schema = CompiledSchema(resolved: ["type": "string"], depth: 0)
        var keys = ["", "a", "b", "ab", "ba", "apiVersion", "kind", "metadata", "spec", "status", "é", "terminationGracePeriodSeconds"]
        for middle in ["x", "y", "z", "é", "0"] { keys.append("ab\(middle)\(middle)cd") }  // one signature
        for n in 0..<40 { keys.append("key\(n)") }
        var pairs: [(key: String, schema: CompiledSchema?)] = []
        var expected: [String: CompiledSchema?] = [:]
        for (i, key) in keys.enumerated() {
            let value: CompiledSchema? = i % 3 == 0 ? nil : schema
            pairs.append((key, value))
            expected.updateValue(value, forKey: key)
        }
        let table = PropertyTable(pairs)
        defer { table.free() }
        #expect(table.count == keys.count)
        for key in keys + ["abqqcd", "abcd", "c", "key40", "Kind", "spec ", "terminationGracePeriodSecond"] {
            let got = table[key], want = expected[key]
            #expect((got == nil) == (want == nil), "\(key)")
            if let got, let want { #expect((got == nil) == (want == nil) && got?.takeUnretainedValue() === want, "\(key)") }
        }
    }
}
