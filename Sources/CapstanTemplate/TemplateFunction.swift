/// A function callable from templates (`{{ lookup "v1" "Pod" "ns" "x" }}`) or an object
/// method (`{{ .Files.Get "x" }}`).
///
/// Parameters are declared with Go types so that arguments are checked and converted the way
/// Go's reflection-based call does: a literal `3` passed to a `string` parameter fails with
/// `wrong type for value; expected string; got int`, and a wrong count with
/// `wrong number of args for NAME: want 1 got 2`. A thrown `TemplateFunctionError` becomes
/// Go's `error calling NAME: MESSAGE`.
public struct TemplateFunction: Sendable {
    /// Go parameter types the call checks against.
    public enum Parameter: Sendable, Equatable {
        /// `interface{}`: anything, including nil.
        case any
        case string
        /// Go `int`: accepts int values (and integer literals).
        case int
        /// Go `int64`.
        case int64
        /// Go `float64`.
        case float64
        case bool
        /// `[]interface{}`.
        case list
        /// `map[string]interface{}`.
        case map
    }

    public var parameters: [Parameter]
    /// When set, any number of further arguments of this type may follow (Go `...T`).
    public var variadic: Parameter?
    public var body: @Sendable (_ arguments: [TemplateValue], _ context: FunctionContext) throws -> TemplateValue

    public init(_ parameters: [Parameter] = [], variadic: Parameter? = nil,
                _ body: @escaping @Sendable (_ arguments: [TemplateValue], _ context: FunctionContext) throws -> TemplateValue) {
        self.parameters = parameters
        self.variadic = variadic
        self.body = body
    }

    /// A function that does not need the execution context.
    public static func simple(_ parameters: [Parameter] = [], variadic: Parameter? = nil,
                              _ body: @escaping @Sendable (_ arguments: [TemplateValue]) throws -> TemplateValue) -> TemplateFunction {
        TemplateFunction(parameters, variadic: variadic) { args, _ in try body(args) }
    }
}

/// The error a function throws; the evaluator reports it as `error calling NAME: message`.
public struct TemplateFunctionError: Error, Sendable, Equatable {
    public var message: String
    /// Set by `fail` and `required`: the message is the chart author's, and Helm reports it
    /// as `execution error at (FILE:LINE:COL): MESSAGE`.
    public var isUserFailure: Bool
    public init(_ message: String, isUserFailure: Bool = false) {
        self.message = message
        self.isUserFailure = isUserFailure
    }
}

/// What a function may learn about the render it is called from.
public struct FunctionContext: Sendable {
    /// The template (file) whose text is executing, e.g. `mychart/templates/a.yaml`.
    public var templateName: String
    /// The options of the render.
    public var options: TemplateOptions

    public init(templateName: String, options: TemplateOptions) {
        self.templateName = templateName
        self.options = options
    }
}
