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
    /// The error of the `include`d template this one wraps (empty when none).
    public var nested: [TemplateError] = []
    /// The chart author's message when `fail` or `required` stopped the render, at any depth.
    public var userMessage: String?
    /// True when the innermost cause is a plain function error (e.g. `index out of range`);
    /// Helm then prints the Go text unchanged.
    public var helmKeepsGoText = false

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

    /// The text Helm 4 prints for this error (it restructures Go's message):
    /// - parse errors: `parse error at (FILE:LINE): MESSAGE`
    /// - `fail`/`required`: `execution error at (FILE:LINE:COL): MESSAGE` (outermost location)
    /// - template errors, also through nested `include`s: one block per level,
    ///   `FILE:LINE:COL\n  executing "NAME" at <CONTEXT>:\n    MESSAGE`
    /// - errors returned by other functions: Go's text unchanged.
    public var helmDescription: String {
        switch kind {
        case .parse:
            // Helm keeps only the last ": "-separated part of Go's message.
            let last = message.split(separator: ": ", omittingEmptySubsequences: false).last.map(String.init) ?? message
            return "parse error at (\(file):\(line)): \(last)"
        case .undefinedTemplate: return description
        default: break
        }
        if let userMessage { return "execution error at (\(file):\(line):\(column)): \(userMessage)" }
        if helmKeepsGoText || file.isEmpty { return description }
        var blocks: [String] = []
        var level: TemplateError? = self
        while let e = level {
            var text = e.message
            if let inner = e.nested.first, let r = text.firstRange(of: ": " + inner.description) {
                text = String(text[..<r.lowerBound]) + ":"
            } else if text.hasPrefix("error calling "), let r = text.firstRange(of: ": template: ") {
                text = String(text[..<r.lowerBound]) + ":\ntemplate: " + String(text[r.upperBound...])
            }
            blocks.append("\(e.file):\(e.line):\(e.column)\n  executing \"\(e.executing)\" at <\(e.context)>:\n    \(text)")
            level = e.nested.first
        }
        return blocks.joined(separator: "\n").goTrimmedSpace
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
