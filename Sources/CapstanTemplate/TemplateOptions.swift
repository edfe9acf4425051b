/// How a `TemplateSet` parses and executes, and the limits that keep hostile templates bounded.
public struct TemplateOptions: Sendable, Equatable {
    /// What a map lookup of a missing key yields (Go's `missingkey=` option). It applies only to
    /// map keys, never to fields of objects.
    public enum MissingKey: Sendable, Equatable {
        /// Go's default (`missingkey=invalid`): the result is "no value"; a field of it is
        /// again "no value" (no error).
        case invalid
        /// `missingkey=zero`, Helm's normal mode: the result is a nil `interface{}`, which
        /// prints `<no value>`; a field of it fails with
        /// `nil pointer evaluating interface {}.x`.
        case zero
        /// `missingkey=error` (Helm's `--strict` lint): `map has no entry for key "x"`.
        case error
    }

    public var missingKey: MissingKey
    /// Helm strips every `<no value>` from a rendered template. True in `.helm`.
    public var replaceNoValue: Bool
    /// Helm lint mode: `required` yields an empty value instead of failing, `fail` still fails.
    public var lintMode: Bool
    /// Maximum nesting of `include`/`template`/`tpl` (Helm: 1000 for include).
    public var maxIncludeDepth: Int
    /// Maximum bytes one render may produce (output of nested includes counts too).
    public var maxOutputBytes: Int
    /// Maximum number of loop iterations and actions evaluated in one render; stops runaway
    /// `range` over huge integers.
    public var maxSteps: Int
    /// Maximum nesting of parentheses/control structures while parsing.
    public var maxParseDepth: Int

    public init(missingKey: MissingKey = .zero, replaceNoValue: Bool = true, lintMode: Bool = false,
                maxIncludeDepth: Int = 1000, maxOutputBytes: Int = 64 << 20, maxSteps: Int = 50_000_000,
                maxParseDepth: Int = 1000) {
        self.missingKey = missingKey
        self.replaceNoValue = replaceNoValue
        self.lintMode = lintMode
        self.maxIncludeDepth = maxIncludeDepth
        self.maxOutputBytes = maxOutputBytes
        self.maxSteps = maxSteps
        self.maxParseDepth = maxParseDepth
    }

    /// Helm's normal rendering: missing keys print nothing.
    public static let helm = TemplateOptions()
    /// Helm `--strict`: missing map keys are errors.
    public static let helmStrict = TemplateOptions(missingKey: .error)
    /// Plain Go text/template defaults: `<no value>` stays in the output.
    public static let goDefault = TemplateOptions(missingKey: .invalid, replaceNoValue: false)
}
