/// A parse or execution failure, carrying where it happened and printing like Go's
/// `text/template` errors.
///
/// - parse: `template: NAME:LINE: MESSAGE`
/// - execution: `template: NAME:LINE:COL: executing "TEMPLATE" at <CONTEXT>: MESSAGE`
///   (`NAME` is the file the failing node was parsed from, `TEMPLATE` the executing template,
///   which differs inside a `define`).
/// - undefined template: `template: no template "x" associated with template "y"`
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case parse
        case execution
        /// `render` of a name that was never added.
        case undefinedTemplate
        /// A `TemplateOptions` limit was hit (depth, output size, steps).
        case limit
        /// `fail "msg"` or `required "msg" …`: the chart author's message, not a bug in the template.
        case userFailure
    }

    public var kind: Kind
    /// File (parse name) the failing text came from.
    public var file: String
    public var line: Int
    /// 1-based byte column of the failing node (execution errors only; 0 for parse errors).
    public var column: Int
    /// The template executing when the error happened (a `define` name or the file).
    public var executing: String
    /// The failing node as Go prints it, e.g. `.Values.x.y` or `include "a" .`.
    public var context: String
    /// The innermost message, e.g. `nil pointer evaluating interface {}.y`; for errors from a
    /// nested `include`/`tpl` it holds the whole inner error text, as Go's does.
    public var message: String

    public init(kind: Kind, file: String, line: Int, column: Int = 0, executing: String = "",
                context: String = "", message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.executing = executing
        self.context = context
        self.message = message
    }

    /// The text Go's `text/template` would print.
    public var description: String {
        switch kind {
        case .parse:
            return "template: \(file):\(line): \(message)"
        case .undefinedTemplate:
            return "template: \(message)"
        case .execution, .limit, .userFailure:
            if file.isEmpty { return "template: \(message)" }
            return "template: \(file):\(line):\(column): executing \"\(executing)\" at <\(context)>: \(message)"
        }
    }
}
