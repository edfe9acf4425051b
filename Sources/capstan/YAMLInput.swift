import CapstanModel

/// YAML input for commands that read documents (`patch create|apply`). Until CapstanYAML is
/// wired in here, only JSON-looking input is accepted.
func parseYAML(_ text: String, name: String) throws -> Value {
    throw CLIError("\(name): not JSON (YAML input needs CapstanYAML)")
}
