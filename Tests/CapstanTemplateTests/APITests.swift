import Testing
import CapstanModel
@testable import CapstanTemplate

@Test func liftsValueNumbersAsFloat64() {
    let v = TemplateValue(["a": 1, "b": [true, "x"]] as Value)
    guard case .map(let m) = v, case .float64(1)? = m["a"] else { Issue.record("expected float64"); return }
    #expect(v.goTypeName == "map[string]interface {}")
    guard case .map(let t) = TemplateValue(["a": 1] as Value, numbers: .typed), case .int64(1)? = t["a"] else {
        Issue.record("expected int64"); return
    }
}

@Test func jsonValueSortsKeysAndKeepsWholeFloatsIntegral() {
    let v: TemplateValue = .dict(["b": .float64(2), "a": .float64(1.5)])
    #expect(v.jsonValue.jsonString() == #"{"a":1.5,"b":2}"#)
}

/// A chart-layer object with a field, a method with arguments, and a map underneath.
final class FakeFiles: TemplateObject {
    let files: [String: String]
    init(files: [String: String]) { self.files = files }
    var goTypeName: String { "engine.files" }
    var goKind: String { "map" }
    var underlying: TemplateValue? { .dict(files.mapValues { .string($0) }) }
    func member(_ name: String) -> TemplateMember? {
        switch name {
        case "Get": return .method(.simple([.string]) { args in
            guard case .string(let p) = args[0] else { return "" }
            return .string(self.files[p] ?? "")
        })
        case "Count": return .field(.int(files.count))
        default: return nil
        }
    }
}

@Test func objectsFieldsMethodsAndUnderlyingMap() throws {
    var set = TemplateSet()
    try set.add(name: "f", source: """
        {{ .Files.Get "a.txt" }}|{{ .Files.Count }}|{{ len .Files }}|{{ range $k, $v := .Files }}{{ $k }}={{ $v }};{{ end }}|{{ .Files }}|{{ typeOf .Files }}|{{ kindOf .Files }}
        """)
    let data: TemplateValue = .dict(["Files": .object(FakeFiles(files: ["a.txt": "A", "b.txt": "B"]))])
    #expect(try set.render("f", data: data) == "A|2|2|a.txt=A;b.txt=B;|map[a.txt:A b.txt:B]|engine.files|map")
}

@Test func objectErrors() throws {
    var set = TemplateSet()
    try set.add(name: "f", source: "{{ .Files.Get }}")
    try set.add(name: "g", source: "{{ .Files.Count 1 }}")
    let data: TemplateValue = .dict(["Files": .object(FakeFiles(files: [:]))])
    #expect(throws: TemplateError.self) { try set.render("f", data: data) }
    do { _ = try set.render("f", data: data) } catch {
        #expect(error.message == "wrong number of args for Get: want 1 got 0")
    }
    do { _ = try set.render("g", data: data) } catch {
        #expect(error.message == "Count has arguments but cannot be invoked as function")
    }
}

@Test func extraFunctionsAndOverrides() throws {
    var set = TemplateSet(functions: [
        "lookup": .simple([.string, .string, .string, .string]) { _ in .dict([:]) },
        "upper": .simple([.string]) { _ in "overridden" },
    ])
    try set.add(name: "f", source: "{{ lookup \"v1\" \"Pod\" \"ns\" \"x\" }}|{{ upper \"a\" }}")
    #expect(try set.render("f", data: .null) == "map[]|overridden")
}

@Test func laterDefinitionWinsButEmptyDoesNot() throws {
    var set = TemplateSet()
    try set.add(name: "a", source: "{{ define \"x\" }}first{{ end }}")
    try set.add(name: "b", source: "{{ define \"x\" }}second{{ end }}")
    try set.add(name: "c", source: "{{ define \"x\" }}  {{ end }}")
    try set.add(name: "f", source: "{{ include \"x\" . }}")
    #expect(try set.render("f", data: .null) == "second")
    #expect(set.contains("x"))
    #expect(set.templateNames == ["a", "b", "c", "f", "x"])
}

@Test func mapsAreSharedReferencesLikeGo() throws {
    var set = TemplateSet()
    try set.add(name: "f", source: "{{ $_ := set .m \"k\" \"v\" }}")
    let m = TemplateMap()
    _ = try set.render("f", data: .dict(["m": .map(m)]))
    #expect(m["k"].map { GoFormat.print($0) } == "v")
}

@Test func concurrentRendersOfOneSet() async throws {
    var set = TemplateSet()
    try set.add(name: "f", source: "{{ range $i := until 50 }}{{ $i }}{{ end }}-{{ .n }}")
    let shared = set
    let results = await withTaskGroup(of: String.self) { group in
        for n in 0..<16 {
            group.addTask { (try? shared.render("f", data: .dict(["n": .int(n)]))) ?? "error" }
        }
        var all: [String] = []
        for await r in group { all.append(r) }
        return all
    }
    let prefix = (0..<50).map(String.init).joined()
    #expect(Set(results) == Set((0..<16).map { "\(prefix)-\($0)" }))
}

@Test func goFloatFormatting() {
    #expect(GoFormat.formatFloatG(1e6) == "1e+06")
    #expect(GoFormat.formatFloatG(123456) == "123456")
    #expect(GoFormat.formatFloatG(1.5) == "1.5")
    #expect(GoFormat.formatFloatG(0.0001) == "0.0001")
    #expect(GoFormat.formatFloatG(0.00001) == "1e-05")
    #expect(GoFormat.formatFloatG(-2.5e-10) == "-2.5e-10")
    #expect(GoFormat.formatFloatG(1e21) == "1e+21")
}

@Test func namedMapBehavesLikeHelmValues() throws {
    var set = TemplateSet()
    try set.add(name: "f", source: """
        {{ typeOf .Values }}|{{ kindOf .Values }}|{{ .Values.a }}|{{ typeOf .Values.m }}|{{ .Values }}|{{ len .Values }}|{{ $_ := set .Values "b" 2 }}{{ .Values.b }}|{{ hasKey .Values "a" }}|{{ range $k, $v := .Values }}{{ $k }};{{ end }}|{{ index .Values "a" }}|{{ keys .Values | sortAlpha }}
        """)
    set.addFunctions([:])
    let values = NamedMap(typeName: "common.Values", map: TemplateMap(["a": .float64(1), "m": .dict([:])]))
    #expect(try set.render("f", data: .dict(["Values": .object(values)])) ==
        "common.Values|map|1|map[string]interface {}|map[a:1 m:map[]]|2|2|true|a;b;m;|1|[a b m]")
    try set.add(name: "g", source: "{{ dig \"a\" \"x\" .Values }}")
    do {
        _ = try set.render("g", data: .dict(["Values": .object(values)]))
        Issue.record("expected dig to refuse common.Values, as Helm does")
    } catch {
        #expect(error.message == "error calling dig: interface conversion: interface {} is common.Values, not map[string]interface {}")
    }
}
