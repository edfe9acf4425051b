// Temporary: engine under construction. Replaced by Lexer/Parser/Executor files.
struct ParsedTemplate: Sendable {
    var name: String
    var root: ListNode
}
struct ListNode: Sendable { var isEmptyTree: Bool { true } }
enum Parser {
    static func parse(name: String, source: String, functions: [String: TemplateFunction], options: TemplateOptions) throws(TemplateError) -> [ParsedTemplate] {
        throw TemplateError(kind: .parse, file: name, line: 1, message: "engine not implemented yet")
    }
}
enum Executor {
    static func run(set: TemplateSet, name: String, data: TemplateValue) throws(TemplateError) -> String {
        throw TemplateError(kind: .undefinedTemplate, file: "", line: 0, message: "engine not implemented yet")
    }
}
enum FunctionLibrary { static let standard: [String: TemplateFunction] = [:] }
enum GoFormat { static func print(_ v: TemplateValue) -> String { "" } }
enum Base64 { static func encode(_ b: [UInt8]) -> String { "" } }
extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return self.replacing(target, with: replacement)
    }
}
