import CYAML

/// go-yaml v2's wording of a YAML syntax error (`yaml: line N: PROBLEM`), which Helm's messages
/// embed. go-yaml reports the problem without libyaml's context and counts lines its own way
/// (0-based problem line for parser errors, 1-based for scanner errors), so the text is
/// re-derived from libyaml here, only on the error path. Nil when the text parses.
func goYAMLSyntaxError(_ text: String) -> String? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buf -> String? in
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else { return nil }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) != 0 else {
                let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
                var line = 0
                if parser.problem_mark.line != 0 {
                    line = Int(parser.problem_mark.line)
                    if parser.error == YAML_SCANNER_ERROR { line += 1 }
                } else if parser.context_mark.line != 0 {
                    line = Int(parser.context_mark.line)
                }
                return line > 0 ? "yaml: line \(line): \(problem)" : "yaml: \(problem)"
            }
            let end = event.type == YAML_STREAM_END_EVENT
            yaml_event_delete(&event)
            if end { return nil }
        }
    }
}
