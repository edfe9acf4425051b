/// A value with Go fields and methods, supplied by the chart layer: `.Files`,
/// `.Capabilities`, `.Capabilities.KubeVersion`, `.Capabilities.APIVersions`, ….
///
/// `{{ .Files.Get "x" }}` asks `member("Get")` of the `.Files` object and calls the returned
/// method with `["x"]`; `{{ .Capabilities.KubeVersion.Major }}` asks for fields in turn. A
/// member that does not exist is an execution error shaped like Go's
/// (`can't evaluate field Foo in type *common.Capabilities`).
///
/// Objects that Go implements as named map or slice types (Helm's `files` is a
/// `map[string][]byte`, `APIVersions` a `[]string`) return that content from `underlying`, so
/// `range`, `len`, `index` and printing treat them like the map or list they are.
///
/// Conforming types are immutable final classes (safe to share across tasks): an object in a
/// `TemplateValue` is then one reference, so copying a value (which the evaluator does at
/// every step) is a retain, not a generic copy of an inline existential.
public protocol TemplateObject: AnyObject, Sendable {
    /// Go type for `typeOf` and error messages, e.g. `*common.Capabilities`, `engine.files`.
    var goTypeName: String { get }
    /// Go `reflect.Kind` for `kindOf`: `ptr`, `struct`, `map`, `slice`. Default: `ptr`.
    var goKind: String { get }
    /// A field (value) or method (callable) by its exported Go name; nil when there is none.
    func member(_ name: String) -> TemplateMember?
    /// The map/list content of map- or slice-typed objects; nil for structs. Default: nil.
    var underlying: TemplateValue? { get }
    /// What `{{ . }}` and `%v` print (a Go `String()` method's result, if the type has one).
    /// Default: the `underlying` value printed Go-style, else `&{…}`-free `goTypeName`.
    var printed: String { get }
    /// What `toJson`/`toYaml` see (Go marshals exported fields by their JSON tags).
    /// Default: `underlying`, else an empty map.
    var marshalled: TemplateValue { get }
}

extension TemplateObject {
    public var goKind: String { "ptr" }
    public var underlying: TemplateValue? { nil }
    public var printed: String {
        if let u = underlying { return GoFormat.print(u) }
        return goTypeName
    }
    public var marshalled: TemplateValue { underlying ?? .dict([:]) }
}

/// A field value or a method of a `TemplateObject`.
public enum TemplateMember: Sendable {
    case field(TemplateValue)
    case method(TemplateFunction)
}

/// A Go named map type, such as Helm's `common.Values` (`.Values`): behaves as the map it
/// holds (fields are keys, `range`, `index`, `len`, printing, passing to `map` parameters such
/// as `set`/`merge`) while `typeOf` reports its own name — and, like Go, `dig` refuses it.
public final class NamedMap: TemplateObject {
    public let goTypeName: String
    public let map: TemplateMap

    public init(typeName: String, map: TemplateMap) {
        self.goTypeName = typeName
        self.map = map
    }

    public var goKind: String { "map" }
    public var underlying: TemplateValue? { .map(map) }
    public func member(_ name: String) -> TemplateMember? { nil }
}

/// A Go slice of a concrete element type (`[]string` from `keys`/`splitList`/`sortAlpha`,
/// `[]int` from `until`): ranges, prints and marshals like a list, but `typeOf` says
/// `[]string` and it is not assignable to `[]interface{}` parameters — as in Go.
public final class TypedList: TemplateObject {
    public let elementType: String
    public let items: [TemplateValue]

    public init(elementType: String, items: [TemplateValue]) {
        self.elementType = elementType
        self.items = items
    }

    public static func strings(_ items: [String]) -> TemplateValue {
        .object(TypedList(elementType: "string", items: items.map { .string($0) }))
    }

    public var goTypeName: String { "[]" + elementType }
    public var goKind: String { "slice" }
    public var underlying: TemplateValue? { .list(items) }
    public func member(_ name: String) -> TemplateMember? { nil }
}

/// Go's `map[string]string` (what `split`/`splitn` return): its keys read like a map's, but it
/// is not assignable to `map[string]interface{}` parameters.
public final class StringMap: TemplateObject {
    public let entries: [String: String]
    public init(_ entries: [String: String]) { self.entries = entries }
    public var goTypeName: String { "map[string]string" }
    public var goKind: String { "map" }
    public var underlying: TemplateValue? { .dict(entries.mapValues { .string($0) }) }
    public func member(_ name: String) -> TemplateMember? { nil }
}
