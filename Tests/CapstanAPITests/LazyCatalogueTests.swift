import CapstanModel
import Testing

@testable import CapstanAPI

/// The built-in catalogue decodes its definitions on first use (`LazyDefinition`) after one
/// checking walk over the text (`JSONSkimmer`); these tests hold that to the eager parse.
@Suite struct LazyCatalogueTests {
    /// The catalogue as it was read before definitions were lazy: the resource file parsed
    /// whole and every definition decoded.
    static func eagerCatalogue() throws -> APICatalogue {
        let document = try Value.parseJSON(try APICatalogueTests.resourceFileBytes())
        return try APICatalogue(catalogueDocument: document)
    }

    static func lazyDefinition(_ catalogue: APICatalogue, _ name: String) -> LazyDefinition? {
        guard case .lazy(let definition)? = catalogue.schemas.definitions[name] else { return nil }
        return definition
    }

    /// Every definition, decoded lazily one by one, equals the eager decode of the resource
    /// file, key order included (served documents are written in that order); so do the
    /// kind index, the reference table, the groups and the resources.
    @Test func lazyCatalogueEqualsTheEagerParseOfTheResourceFile() throws {
        let eager = try Self.eagerCatalogue()
        let lazy = try APICatalogue.loadBuiltin()
        #expect(Set(lazy.schemas.names) == Set(eager.schemas.names))
        #expect(lazy.schemas.names.count == eager.schemas.definitions.count)
        for name in eager.schemas.names {
            #expect(Self.lazyDefinition(lazy, name) != nil, "\(name) is not lazy")
            let expected = try #require(eager.schemas.definition(named: name))
            let got = try #require(lazy.schemas.definition(named: name), "\(name) does not decode")
            #expect(got == expected, "\(name)")
            #expect(got.jsonBytes(.compact) == expected.jsonBytes(.compact), "\(name): key order")
        }
        #expect(lazy.schemas.allDefinitions == eager.schemas.allDefinitions)
        #expect(lazy.schemas.kindIndex == eager.schemas.kindIndex)
        #expect(lazy.groups == eager.groups)
        #expect(lazy.resources == eager.resources)
        #expect(lazy.schemas.kindIndex.count > 150)
    }

    /// A `$ref` in any of its forms resolves to the same definition in either catalogue, and
    /// to what cutting the reference by hand names.
    @Test(arguments: ["#/definitions/io.k8s.api.core.v1.PodSpec", "#/components/schemas/io.k8s.api.core.v1.PodSpec",
                      "io.k8s.api.core.v1.PodSpec", "elsewhere/io.k8s.api.core.v1.PodSpec", "#/definitions/nothing.Here",
                      "#/definitions/", "#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"])
    func referencesResolveAlike(_ ref: String) throws {
        let eager = try Self.eagerCatalogue().schemas
        let lazy = try APICatalogue.loadBuiltin().schemas
        let node: Value = ["$ref": .string(ref)]
        let resolved = lazy.resolve(node, depth: 0)
        #expect(resolved == eager.resolve(node, depth: 0))
        let name = OpenAPISchemas.definitionName(ref)
        #expect(resolved == (eager.definition(named: name) ?? node))
    }

    /// What the API server publishes from the schemas is the same, byte for byte.
    @Test func servedOpenAPIDocumentsAreUnchanged() throws {
        let eager = try Self.eagerCatalogue().openAPIV3()
        let lazy = try APICatalogue.loadBuiltin().openAPIV3()
        #expect(lazy.hashes == eager.hashes)
        #expect(lazy.root == eager.root)
    }

    /// Loading decodes no definition; validating a Deployment decodes what its schema reaches
    /// and nothing unrelated.
    @Test func definitionsAreDecodedOnFirstUse() throws {
        let catalogue = try APICatalogue.loadBuiltin()
        let decodedAtLoad = catalogue.schemas.names.filter { Self.lazyDefinition(catalogue, $0)?.isDecoded != false }
        #expect(decodedAtLoad.isEmpty)
        let deployment: Value = [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
            "spec": ["selector": ["matchLabels": ["app": "web"]],
                     "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "i"]]]]],
        ]
        #expect(ObjectValidator(catalogue: catalogue).validate(deployment).isEmpty)
        #expect(Self.lazyDefinition(catalogue, "io.k8s.api.apps.v1.Deployment")?.isDecoded == true)
        #expect(Self.lazyDefinition(catalogue, "io.k8s.api.core.v1.Container")?.isDecoded == true)
        #expect(Self.lazyDefinition(catalogue, "io.k8s.api.batch.v1.CronJob")?.isDecoded == false)
        #expect(Self.lazyDefinition(catalogue, "io.k8s.api.rbac.v1.ClusterRole")?.isDecoded == false)
    }

    /// Many tasks asking for the same undecoded definitions at once all get one consistent
    /// value, equal to the eager one.
    @Test func concurrentFirstUseGivesOneResult() async throws {
        let eager = try Self.eagerCatalogue()
        let catalogue = try APICatalogue.loadBuiltin()
        let names = ["io.k8s.api.core.v1.PodSpec", "io.k8s.api.core.v1.Container", "io.k8s.api.apps.v1.Deployment",
                     "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "io.k8s.api.core.v1.Volume"]
        let results = await withTaskGroup(of: [Value?].self) { group in
            for task in 0..<64 {
                group.addTask {
                    // Each task walks the names from a different start, so first uses collide.
                    let order = names.indices.map { names[($0 + task) % names.count] }
                    var seen = [Value?](repeating: nil, count: names.count)
                    for name in order {
                        seen[names.firstIndex(of: name) ?? 0] = catalogue.schemas.definition(named: name)
                    }
                    return seen
                }
            }
            var all: [[Value?]] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 64)
        let expected = names.map { eager.schemas.definition(named: $0) }
        #expect(expected.allSatisfy { $0 != nil })
        for result in results { #expect(result == expected) }
        for name in names { #expect(Self.lazyDefinition(catalogue, name)?.isDecoded == true) }
    }

    /// Custom resources join a lazy catalogue without decoding it, and leave it as it was.
    @Test func addingACustomResourceKeepsBuiltinDefinitionsLazy() throws {
        let catalogue = try APICatalogue.loadBuiltin()
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
                     "versions": [["name": "v1", "served": true, "storage": true,
                                   "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object"]]]]]]],
        ]
        let extended = try catalogue.adding(customResourceDefinition: crd)
        #expect(extended.schemas.names.count > catalogue.schemas.names.count)
        #expect(extended.schemas.definitionName(for: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")) != nil)
        #expect(Self.lazyDefinition(extended, "io.k8s.api.batch.v1.CronJob")?.isDecoded == false)
        #expect(extended.schemas.definition(named: "io.k8s.api.batch.v1.CronJob")
                == catalogue.schemas.definition(named: "io.k8s.api.batch.v1.CronJob"))
    }

    // MARK: - The checking walk

    /// Text the parser rejects, the walk rejects too, and the other way round; so a value
    /// the walk accepted always decodes later.
    @Test(arguments: [
        "{}", "[]", "  {\"a\" : [1, -2.5e+3, 0, true, false, null, \"x\"]}  ", "\"\\u00e9\\n\\\"\"", "[[[]]]",
        "\"\\ud83d\\ude00\"", "\"\\ud800\"", "\"\\ud800\\u0041\"", "-0", "0.5", "1E9", "{\"a\":{}}",
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{,}", "[,1]", "{\"a\" 1}", "{a:1}", "{\"a\":}", "01", "-", "1.", "1e",
        "1e+", ".5", "+1", "tru", "nul", "falsey", "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"", "\"\\ud800\\u12G4\"",
        "\"a\u{01}b\"", "[1] [2]",
        // Long strings (the walk checks eight bytes at a time).
        "\"abcdefgh\"", "\"abcdefghijklmnopqrstuvwxyz0123456789\"", "\"abcdefghijklmnop",
        "\"abcdefg\\nhijklmnop\"", "\"abcdefgh\\qijklmnop\"", "\"abcdefghijklmno\u{1F}p\"", "\"ab\u{7F}\u{80}cdéèêëüñ漢字😀xy\"",
        "[\"abcdefghijklmnop\",\"qrstuvwxyz\u{0}\"]", "{\"abcdefghijkl\":\"mnopqrstuvw\\u00e9xyz\"}", "{\"a\":1}}", "[1 2]", "\"\\\"", "nan", "[\"\\/\\b\\f\\r\\t\"]",
    ])
    func walkAcceptsWhatTheParserAccepts(_ text: String) {
        let parsed = (try? Value.parseJSON(text)) != nil
        var bytes = Array(text.utf8)
        let walked = bytes.withUnsafeMutableBufferPointer { buffer -> Bool in
            var walk = JSONSkimmer(UnsafeBufferPointer(buffer))
            guard (try? walk.skipValue(depth: 0)) != nil else { return false }
            walk.skipWhitespace()
            return walk.index == buffer.count
        }
        #expect(walked == parsed, "\(text.debugDescription): parser \(parsed), walk \(walked)")
    }

    /// The walk takes plain string bytes eight at a time: whatever the position of a quote,
    /// backslash, control or non-ASCII byte, it decides as the parser does.
    @Test func walkFindsTheOddByteAnywhereInALongString() {
        let odd: [[UInt8]] = [[0x22], [0x5C, 0x6E], [0x5C, 0x71], [0x1F], [0x00], [0x20], [0x7F], [0xC3, 0xA9], [0x5C, 0x75, 0x30, 0x30, 0x65, 0x39]]
        for insert in odd {
            for position in 0..<20 {
                var bytes: [UInt8] = [0x22] + [UInt8](repeating: 0x61, count: position) + insert
                bytes += [UInt8](repeating: 0x62, count: 19 - position) + [0x22]
                let parsed = (try? Value.parseJSON(bytes)) != nil
                let walked = bytes.withUnsafeBufferPointer { buffer -> Bool in
                    var walk = JSONSkimmer(buffer)
                    guard (try? walk.skipValue(depth: 0)) != nil else { return false }
                    return walk.index == buffer.count
                }
                #expect(walked == parsed, "\(insert) at \(position): parser \(parsed), walk \(walked)")
            }
        }
    }

    @Test func walkKeepsTheParsersNestingBound() {
        for depth in [511, 512, 513] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let parsed = (try? Value.parseJSON(text)) != nil
            let walked = Array(text.utf8).withUnsafeBufferPointer { buffer in
                var walk = JSONSkimmer(buffer)
                return (try? walk.skipValue(depth: 0)) != nil
            }
            #expect(walked == parsed, "depth \(depth)")
        }
    }

    /// Broken catalogue text is reported when the catalogue is loaded, not when a definition
    /// is first used, wherever the fault lies.
    @Test(arguments: [
        #"{"groups":[],"resources":[],"definitions":{"a":{"type":"object",}}}"#,
        #"{"groups":[],"resources":[],"definitions":{"a":{"type":"obj\ect"}}}"#,
        #"{"groups":[],"resources":[],"definitions":{"a":{"minimum":01}}}"#,
        #"{"groups":[],"resources":[],"definitions":{"a":{"type":"object"}}"#,
        #"{"groups":[],"resources":[],"definitions":{"a":{"type":"object"}}} x"#,
        #"{"groups":[],"resources":[],"definitions":{"a":{"x-kubernetes-group-version-kind":[{"kind":tru}]}}}"#,
    ])
    func malformedTextIsReportedAtLoad(_ text: String) {
        #expect(throws: CatalogueError.self) { try APICatalogue.load(catalogueText: .bytes(Array(text.utf8))) }
        #expect(throws: (any Error).self) { try Value.parseJSON(text) }
    }

    @Test(arguments: [#"[]"#, #"{"groups":[],"resources":[]}"#, #"{"groups":[],"resources":{},"definitions":{}}"#,
                      #"{"groups":[],"resources":[],"definitions":[]}"#])
    func aDocumentThatIsNoCatalogueIsReported(_ text: String) {
        #expect(throws: CatalogueError.self) { try APICatalogue.load(catalogueText: .bytes(Array(text.utf8))) }
    }

    /// Repeated names (the last wins), escaped names and keys, kinds claimed twice, and
    /// definitions that are no objects come out as the eager parse has them.
    @Test func oddTextGivesWhatTheParseGives() throws {
        let text = #"""
            {"groups":[{"name":"x","versions":["v1"]}],
             "resources":[{"group":"x","version":"v1","kind":"A","resource":"as","definition":"x.A"}],
             "definitions":{
               "x.A":{"type":"string"},
               "x.A":{"type":"object","x-kubernetes-group-version-kind":[{"group":"x","kind":"A","version":"v1"}],
                      "properties":{"b":{"$ref":"#/definitions/x.\u0042"}}},
               "x.\u0042":{"type":"object","x-kubernetes-group-version-\u006bind":[{"group":"x","kind":"B","version":"v1"}]},
               "x.C":{"x-kubernetes-group-version-kind":[{"group":"x","kind":"A","version":"v1"},{"kind":"NoVersion"}],
                      "x-kubernetes-group-version-kind":[{"group":"x","kind":"C","version":"v1"}]},
               "x.D":[1,2],
               "x.E":{"x-kubernetes-group-version-kind":[{"group":"x","kind":"A","version":"v1"}]}
             },
             "definitions2":{}}
            """#
        let eager = try APICatalogue(catalogueDocument: try Value.parseJSON(text))
        let lazy = try APICatalogue.load(catalogueText: .bytes(Array(text.utf8)))
        #expect(lazy.schemas.allDefinitions == eager.schemas.allDefinitions)
        #expect(Set(lazy.schemas.names) == ["x.A", "x.B", "x.C", "x.D", "x.E"])
        #expect(lazy.schemas.kindIndex == eager.schemas.kindIndex)
        #expect(lazy.schemas.definitionName(for: GroupVersionKind(group: "x", version: "v1", kind: "A")) == "x.A")
        #expect(lazy.schemas.definitionName(for: GroupVersionKind(group: "x", version: "v1", kind: "B")) == "x.B")
        #expect(lazy.schemas.schema(named: "x.A")?.property("b")?.type == "object")
        #expect(lazy.resources == eager.resources)
    }
}
