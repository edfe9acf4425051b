import CapstanModel
import CapstanYAML

/// YAML input for `patch create|apply`: one document (Kubernetes' scalar rules, via CapstanYAML).
func parseYAML(_ text: String, name: String) throws -> Value {
    do {
        return try YAML.parse(text, file: name)
    } catch {
        throw CLIError("\(error)")
    }
}
