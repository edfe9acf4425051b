/// CapstanTemplate: Go's `text/template` language and the function library Helm charts use.
///
/// It owns the lexer, parser and evaluator of the template language (actions, pipelines,
/// variables, `if`/`range`/`with`/`define`/`template`/`block`, `break`/`continue`), Go's value
/// semantics (truthiness, comparison, `fmt` printing such as `map[a:1]` and `1e+06`), the sprig
/// functions and Helm's own (`include`, `tpl`, `required`, `toYaml`, `fromYaml`, …), and error
/// messages shaped like Go's (`template: NAME:LINE:COL: executing "NAME" at <.x>: …`).
///
/// It must not know about charts: loading files, merging values, building `.Release` or
/// `.Capabilities`, ordering templates or splitting output into manifests belong to
/// CapstanChart, which supplies data as `TemplateValue`s and `TemplateObject`s and extra
/// functions (`lookup`) as `TemplateFunction`s.
///
/// The one algorithm to know: `TemplateSet.add` parses a source once into an immutable tree
/// and registers it under its name, and every `define`/`block` inside it under theirs (a later
/// non-empty definition replaces an earlier one, as in Go). `render` walks a tree with a
/// `.`-cursor and a variable stack, writing into one output buffer; `include` and `tpl` re-enter
/// the walk with a depth counter, so recursion and output size stay bounded.
///
/// Concurrency: `TemplateSet` is an immutable-after-building value type (`Sendable`); any number
/// of renders may run concurrently on copies or on one shared instance. Maps inside the data
/// are Go-like references (`TemplateMap`): a data tree whose templates mutate it (`set`,
/// `merge`) must not be shared between concurrent renders. Parsing runs on the caller's thread
/// (again on a big stack when nesting outgrows it); each execution runs on a thread with a
/// 1 GiB (virtual) stack, so nesting limits, not the caller's stack, bound recursion.
///
/// What Helm does that the chart layer must reproduce (verified against Helm 4):
/// - Every number read from values files (and JSON) is a `float64`: build those with
///   `TemplateValue(value)` (the default `.float64` conversion), so `{{ .Values.big }}`
///   prints `1e+06` and `eq .Values.replicas 3` fails (float64 vs int); only `--set`
///   integers are `int64` (`.typed`). Values keys go through YAML 1.1: a key `y` is `true`.
/// - `.Values` has Go type `common.Values`: pass `.object(NamedMap(typeName: "common.Values",
///   map:))`; `.Release`, `.Chart` (capitalised Chart.yaml fields), `.Template`, `.Subcharts`
///   are plain maps; `.Capabilities` is `*common.Capabilities`, its `KubeVersion` prints
///   `v1.36.0`, `APIVersions` is a `common.VersionSet` with `Has`.
/// - Helm parses files deepest path first, then in reverse lexical order; the later
///   definition of a `define` wins (add them to one `TemplateSet` in that order).
/// - `<no value>` is stripped from every rendered file (`TemplateOptions.helm`), `--strict`
///   is `.helmStrict`; `tpl` text is parsed under the name `gotpl`.
/// - Helm rewrites error texts: use `TemplateError.helmDescription`.
///
/// Left out: `toYamlPretty`; crypto: `genCA`, `genCAWithKey`, `genPrivateKey`,
/// `genSelfSignedCert(WithKey)`, `genSignedCert(WithKey)`, `buildCustomCert` are declared but
/// fail (`genCA is not supported yet`) until a crypto library is available; `derivePassword`,
/// `encryptAES`, `decryptAES`, `htpasswd`, `bcrypt` are absent; time zones other than UTC,
/// `call` on function values, complex numbers. Known differences: `fromToml` words its less
/// common errors differently from BurntSushi/toml (the frequent ones match), and it reads
/// `a.b = 1` followed by `a = 2` as an error where Helm keeps the table; `b64dec` of non-UTF-8 bytes yields U+FFFD (Swift strings are
/// Unicode); regexes run on Swift's engine with the RE2 syntax charts use, and a malformed
/// pattern's reason text differs from RE2's; `keys`/`values` come out sorted where Go's order
/// is random; `template` actions nest at most `maxIncludeDepth` (1000) deep where Go allows
/// 100000; `printf` lacks hex/binary float verbs (`%x %X %b` of floats) and Go-syntax `#v`.
import CapstanModel

/// A set of named, parsed templates sharing one namespace of `define`d templates and one
/// function table — what Helm builds from all templates of a chart and its subcharts.
///
/// Typical use by the chart layer:
/// ```swift
/// var set = TemplateSet(options: .helm, functions: ["lookup": myLookup])
/// try set.add(name: "mychart/templates/_helpers.tpl", source: helpers)
/// try set.add(name: "mychart/templates/deploy.yaml", source: deploy)
/// let text = try set.render("mychart/templates/deploy.yaml", data: topLevel)
/// ```
/// Functions must be registered before the sources that use them are added: like Go, the
/// parser rejects calls to undefined functions (`function "nope" not defined`).
public struct TemplateSet: Sendable {
    public var options: TemplateOptions
    /// Built-in library (text/template builtins, sprig, Helm) plus the caller's additions.
    public private(set) var functions: [String: TemplateFunction] {
        didSet { functionTable = FunctionTable(functions) }
    }
    /// `functions` with a slot per name, for the parser to resolve calls against.
    private(set) var functionTable: FunctionTable
    /// Every named template: whole sources under their `name`, and `define`/`block` bodies.
    var templates: [String: ParsedTemplate] = [:]

    /// - Parameters:
    ///   - options: missing-key behaviour, limits, Helm post-processing.
    ///   - functions: extra or overriding functions (e.g. `lookup`); they win over built-ins.
    public init(options: TemplateOptions = .helm, functions extra: [String: TemplateFunction] = [:]) {
        self.options = options
        var table = FunctionLibrary.standard
        for (name, function) in extra { table[name] = function }
        self.functions = table
        self.functionTable = FunctionTable(table)
    }

    /// Adds or replaces functions. Sources added earlier keep their parse; only later parses
    /// see the new names.
    public mutating func addFunctions(_ extra: [String: TemplateFunction]) {
        // Merged into a copy, so the slot table is rebuilt once rather than per name.
        var table = functions
        for (name, function) in extra { table[name] = function }
        functions = table
    }

    /// Parses `source` and registers it under `name` (Helm uses the chart-relative path,
    /// e.g. `mychart/templates/deploy.yaml`), plus every template it `define`s or `block`s.
    /// A definition with an empty body does not replace an existing non-empty one.
    /// - Throws: `TemplateError` of kind `.parse`, e.g.
    ///   `template: mychart/templates/x.yaml:3: unexpected "}" in operand`.
    public mutating func add(name: String, source: String) throws(TemplateError) {
        register(try Parser.parseOnRoomyStack(name: name, source: source, functions: functionTable, options: options))
    }

    /// Parses `source` as `add` would, without registering it; `add(_:)` registers the result.
    /// Parsing reads only the function table, so several sources may be parsed at once.
    public func parse(name: String, source: String) throws(TemplateError) -> ParsedSource {
        ParsedSource(trees: try Parser.parseOnRoomyStack(name: name, source: source, functions: functionTable, options: options))
    }

    /// Parses every source, two at a time on a 2-core machine when there is enough text to
    /// pay for handing half of them to another thread (`concurrentBytes`), else one by one.
    /// Results come back in the order of `sources`, each the same as `parse(name:source:)`
    /// gives, so merging them in order with `add(_:)` builds the same set as calling
    /// `add(name:source:)` for each source in turn, and the first failure in that order is
    /// the error the sequential way reports.
    public func parseAll(_ sources: [(name: String, source: String)],
                         concurrentBytes: Int = TemplateSet.concurrentParseBytes) -> [Result<ParsedSource, TemplateError>] {
        func parseOne(_ i: Int) -> Result<ParsedSource, TemplateError> {
            do throws(TemplateError) { return .success(try parse(name: sources[i].name, source: sources[i].source)) } catch {
                return .failure(error)
            }
        }
        let sizes = sources.map { $0.source.utf8.count }
        guard sources.count >= 2, sizes.reduce(0, +) >= concurrentBytes else { return sources.indices.map(parseOne) }
        // Biggest first, each to the less loaded side: both sides finish at about the same time.
        var sides: ([Int], [Int]) = ([], [])
        var loads = (0, 0)
        for i in sources.indices.sorted(by: { sizes[$0] > sizes[$1] }) {
            if loads.0 <= loads.1 { sides.0.append(i); loads.0 += sizes[i] } else { sides.1.append(i); loads.1 += sizes[i] }
        }
        let (a, b) = LargeStack.concurrently({ sides.0.map(parseOne) }, { sides.1.map(parseOne) })
        var results = [Result<ParsedSource, TemplateError>?](repeating: nil, count: sources.count)
        for (k, i) in sides.0.enumerated() { results[i] = a[k] }
        for (k, i) in sides.1.enumerated() { results[i] = b[k] }
        return results.map { $0 ?? .failure(TemplateError(kind: .parse, file: "", line: 0, message: "internal error")) }
    }

    /// Text (bytes) below which `parseAll` parses on the calling thread only: handing work to
    /// another thread costs tens of microseconds, about what parsing 2 KB takes.
    public static let concurrentParseBytes = 4096

    /// Registers a parse result from `parse(name:source:)`; `includingRoot: false` registers
    /// only its `define`/`block` templates, not the source itself.
    public mutating func add(_ parsed: ParsedSource, includingRoot: Bool = true) {
        register(includingRoot ? parsed.trees : Array(parsed.trees.dropFirst()))
    }

    /// Makes room for the templates of `parsed` before they are `add`ed one by one, so the
    /// name table is sized once instead of regrown (and every name rehashed) as it fills.
    public mutating func reserveCapacity(for parsed: [ParsedSource]) {
        templates.reserveCapacity(templates.count + parsed.reduce(0) { $0 + $1.trees.count })
    }

    /// True when a template (file or `define`) of that name exists.
    public func contains(_ name: String) -> Bool { templates[name] != nil }

    /// All template names, sorted.
    public var templateNames: [String] { templates.keys.sorted() }

    /// Executes the template `name` with `data` as `.` and returns its output.
    ///
    /// With `options.replaceNoValue` (Helm does this) every `<no value>` in the output is
    /// removed afterwards.
    /// - Throws: `TemplateError` (`.execution`, `.limit`, `.undefinedTemplate`).
    public func render(_ name: String, data: TemplateValue) throws(TemplateError) -> String {
        let output = try Executor.run(set: self, name: name, data: data)
        return options.replaceNoValue ? output.replacingAll("<no value>", with: "") : output
    }

    mutating func register(_ trees: [ParsedTemplate]) {
        for tree in trees {
            if let old = templates[tree.name], !old.isEmptyTree, tree.isEmptyTree { continue }
            templates[tree.name] = tree
        }
    }
}

/// One parsed source: the source's own template first, then what it defines, in order.
public struct ParsedSource: Sendable {
    var trees: [ParsedTemplate]
}
