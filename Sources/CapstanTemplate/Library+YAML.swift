import CapstanModel
import CapstanYAML

/// Helm's YAML functions. `toYaml` marshals like `sigs.k8s.io/yaml` (through JSON, so map keys
/// sort and whole floats print as integers) and drops the final newline; `fromYaml` yields
/// what `yaml.Unmarshal` into `map[string]interface{}` does (every number a float64) and
/// reports failures under an `Error` key instead of failing the render.
extension Library {
    static func toYAML(_ v: TemplateValue) -> String {
        // Both writers sort keys go-yaml's way, so the tree's own key order does not matter.
        let value = v.unorderedJSONValue
        // Most arguments are small maps and lists of plain scalars: written directly, the
        // same text libyaml gives.
        var s = YAML.emitSimpleBlock(value) ?? YAML.emit(value)
        if s.hasSuffix("\n") { s.removeLast() }
        return s
    }

    /// Shaped like sigs.k8s.io/yaml's errors; the wording after the line number is libyaml's.
    static func yamlMessage(_ e: YAMLError) -> String {
        "error converting YAML to JSON: yaml: line \(e.line): \(e.message)"
    }

    static let yaml: [String: TemplateFunction] = [
        "toYaml": .fn([.any]) { .string(toYAML($0[0])) },
        "mustToYaml": .fn([.any]) { .string(toYAML($0[0])) },
        "fromYaml": .fn([.string]) { args in
            do {
                let v = try YAML.parse(Conv.str(args[0]))
                switch v {
                case .object: return TemplateValue(v)
                case .null: return .dict([:])
                default:
                    return .dict(["Error": .string("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(v)) into Go value of type map[string]interface {}")])
                }
            } catch let error as YAMLError {
                return .dict(["Error": .string(yamlMessage(error))])
            } catch {
                return .dict(["Error": .string("\(error)")])
            }
        },
        "fromYamlArray": .fn([.string]) { args in
            do {
                let v = try YAML.parse(Conv.str(args[0]))
                switch v {
                case .array: return TemplateValue(v)
                case .null: return .list([])
                default:
                    return .list([.string("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(v)) into Go value of type []interface {}")])
                }
            } catch let error as YAMLError {
                return .list([.string(yamlMessage(error))])
            } catch {
                return .list([.string("\(error)")])
            }
        },
    ]
}
