import CapstanClient
import CapstanManifest

/// kubectl's wording for per-object failures (the shapes in kubectl-wire.md §9).
enum Failure {
    /// `Error from server (NotFound): error when creating "x.yaml": namespaces "demo" not found`;
    /// 422s are rebuilt from the Status details as kubectl does:
    /// `The Deployment "web" is invalid: spec.replicas: Invalid value: -1: …`.
    static func describe(_ error: APIError, verb: String, file: String, item: ResolvedManifest) -> String {
        guard error.origin == .server else { return "error: \(item.typedName) (\(file)): \(error)" }
        if error.isInvalid, let details = error.status.details {
            let kind = details.kind.isEmpty ? item.resource.gvk.kind : details.kind
            let name = details.name.isEmpty ? (item.object.name ?? "") : details.name
            let causes = details.causes.map { $0.field.isEmpty ? $0.message : "\($0.field): \($0.message)" }
            let body: String
            switch causes.count {
            case 0: body = error.message
            case 1: body = causes[0]
            default: body = "[" + causes.joined(separator: ", ") + "]"
            }
            return "The \(kind) \"\(name)\" is invalid: \(body)"
        }
        let reason = error.reason.isEmpty ? "\(error.code)" : error.reason
        return "Error from server (\(reason)): error when \(verb) \"\(file)\": \(error.message)"
    }

    /// A run-level failure line: the server's words as kubectl prints them, else `error: …`.
    static func line(_ error: any Error) -> String {
        if let error = error as? APIError, error.origin == .server { return error.description }
        return "error: \(error)"
    }
}
