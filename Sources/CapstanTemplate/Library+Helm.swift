/// Helm's own functions that need no engine access: `required`, `fail`. (`include` and `tpl`
/// are in `Builtins`; the YAML ones in `Library+YAML.swift`; `lookup` is the chart layer's.)
extension Library {
    static let helm: [String: TemplateFunction] = [
        "required": TemplateFunction([.string, .any]) { args, context in
            let missing: Bool
            switch args[1] {
            case .null: missing = true
            case .string(let s): missing = s.isEmpty
            default: missing = false
            }
            if missing {
                if context.options.lintMode { return .string("") }
                throw TemplateFunctionError(Conv.str(args[0]), isUserFailure: true)
            }
            return args[1]
        },
        "fail": .fn([.string]) { throw TemplateFunctionError(Conv.str($0[0]), isUserFailure: true) },
    ]
}
