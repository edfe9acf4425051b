import CapstanModel
import Testing
@testable import CapstanPatch

/// The create body made by splicing the annotation into the manifest's own JSON is, byte for
/// byte, the modified object written with sorted keys.
@Suite struct LastAppliedBodyTests {
    static let manifests: [Value] = [
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"], "data": ["k": "<v> & \"q\"\n\u{2028}"]],
        ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["namespace": "n", "name": "b", "annotations": [:]]],
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "annotations": .null]],
        // Annotations on both sides of the last-applied key, and one of its own to be replaced.
        ["apiVersion": "v1", "kind": "ConfigMap",
         "metadata": ["name": "d", "annotations": ["zeta": "1", "alpha": "2", LastApplied.annotation: "stale",
                                                   "kubectl.kubernetes.io/a": "3", "kubectl.kubernetes.io/z": "4"]]],
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "e", "annotations": ["a": "only before"]]],
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "f", "annotations": ["z": "only after"]]],
        ["apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": ["name": "web", "labels": ["app": "web"], "annotations": ["note": "é😀"]],
         "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "web"]],
                  "template": ["metadata": ["labels": ["app": "web"]],
                               "spec": ["containers": [["name": "main", "image": "nginx:1.27", "ports": [["containerPort": 8080]],
                                                        "resources": ["requests": ["cpu": 0.5, "memory": "64Mi"]]]]]]]],
        ["apiVersion": "v1", "kind": "List", "metadata": [:], "items": []],
    ]

    @Test(arguments: manifests)
    func bodyIsTheModifiedObjectWrittenSorted(_ manifest: Value) throws {
        let body = LastApplied.modifiedJSON(manifest)
        #expect(body == LastApplied.modified(manifest).jsonBytes(.goMarshal),
                "\(String(decoding: body, as: UTF8.self))")
        let parsed = try Value.parseJSON(body)
        #expect(parsed[path: ["metadata", "annotations", LastApplied.annotation]] == .string(LastApplied.configuration(for: manifest)))
    }

    /// Without a metadata object there is no place to splice: the body is written whole.
    @Test func withoutMetadataTheBodyIsWrittenWhole() {
        let manifest: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": "not an object"]
        #expect(LastApplied.modifiedJSON(manifest) == LastApplied.modified(manifest).jsonBytes(.goMarshal))
    }

    @Test func insertionPoints() {
        func point(_ v: Value, _ key: String, _ path: [String], _ options: JSONOptions = .goMarshal) -> String? {
            let (bytes, point) = v.jsonBytes(options, insertionPointFor: key, in: path)
            guard let point else { return nil }
            let before = String(decoding: bytes[..<point.offset], as: UTF8.self)
            let after = String(decoding: bytes[point.offset...], as: UTF8.self)
            return before + (point.commaBefore ? "," : "") + "^" + (point.commaAfter ? "," : "") + after
        }
        let v: Value = ["m": ["b": 1, "d": 2], "e": [:], "s": "x"]
        #expect(point(v, "a", ["m"]) == #"{"e":{},"m":{^,"b":1,"d":2},"s":"x"}"#)
        #expect(point(v, "c", ["m"]) == #"{"e":{},"m":{"b":1,^,"d":2},"s":"x"}"#)
        #expect(point(v, "z", ["m"]) == #"{"e":{},"m":{"b":1,"d":2,^},"s":"x"}"#)
        #expect(point(v, "a", ["e"]) == #"{"e":{^},"m":{"b":1,"d":2},"s":"x"}"#)
        #expect(point(v, "f", []) == #"{"e":{},^,"m":{"b":1,"d":2},"s":"x"}"#)
        #expect(point(v, "b", ["m"]) == nil)  // already there
        // The text is the value's whole JSON whether or not there is a point.
        for (key, path) in [("b", ["m"]), ("a", ["s"]), ("a", ["missing"]), ("c", ["m"])] {
            #expect(v.jsonBytes(.goMarshal, insertionPointFor: key, in: path).bytes == v.jsonBytes(.goMarshal))
        }
        #expect(point(v, "a", ["s"]) == nil)  // not an object
        #expect(point(v, "a", ["missing"]) == nil)
        // Unsorted: the new member goes last.
        #expect(point(v, "a", ["m"], .compact) == #"{"m":{"b":1,"d":2,^},"e":{},"s":"x"}"#)
        #expect(point(v, "a", ["m"], JSONOptions(indent: 2, sortKeys: true)) == nil)
    }
}
