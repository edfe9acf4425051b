import CapstanAPI
import CapstanModel
import NIOHTTP1

/// A failed request, carried as the Kubernetes `Status` object the client sees. Every error the
/// server returns goes through this type, so kubectl always gets `reason`, `code` and
/// `details` (it rebuilds its messages from them, see kubectl-wire.md §9).
struct StatusError: Error, Sendable, CustomStringConvertible {
    var code: Int
    var reason: String
    var message: String
    var details: Value

    init(code: Int, reason: String, message: String, details: Value = .null) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object.
    var status: Value {
        var s: Value = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
                        "message": .string(message), "reason": .string(reason)]
        if details != .null { s["details"] = details }
        s["code"] = .int(Int64(code))
        return s
    }

    var response: HTTPResponse {
        .json(HTTPResponseStatus(statusCode: code), status.jsonBytes())
    }

    /// `deployments.apps` / `pods`: the group-qualified resource of messages.
    static func qualified(_ resource: String, _ group: String) -> String {
        group.isEmpty ? resource : "\(resource).\(group)"
    }

    static func details(name: String?, group: String, kind: String, causes: [Value]? = nil) -> Value {
        var d: Value = .object([:])
        if let name, !name.isEmpty { d["name"] = .string(name) }
        d["group"] = .string(group)
        d["kind"] = .string(kind)
        if let causes { d["causes"] = .array(causes) }
        return d
    }

    // MARK: - The reasons Kubernetes uses

    static func notFound(group: String, resource: String, name: String) -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "\(qualified(resource, group)) \"\(name)\" not found",
                    details: details(name: name, group: group, kind: resource))
    }

    /// A path the server does not serve at all.
    static func pathNotFound() -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                    details: .object([:]))
    }

    static func alreadyExists(group: String, resource: String, name: String) -> StatusError {
        StatusError(code: 409, reason: "AlreadyExists", message: "\(qualified(resource, group)) \"\(name)\" already exists",
                    details: details(name: name, group: group, kind: resource))
    }

    static func conflict(group: String, resource: String, name: String, _ why: String =
        "the object has been modified; please apply your changes to the latest version and try again") -> StatusError
    {
        StatusError(code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on \(qualified(resource, group)) \"\(name)\": \(why)",
                    details: details(name: name, group: group, kind: resource))
    }

    /// 422 with one cause per field error, in the shape kubectl rebuilds its message from.
    static func invalid(kind: GroupKind, name: String, errors: [FieldError]) -> StatusError {
        let causes: [Value] = errors.map {
            ["reason": .string($0.causeType), "message": .string($0.message), "field": .string($0.field)]
        }
        return StatusError(code: 422, reason: "Invalid", message: errors.invalidMessage(kind: kind, name: name),
                           details: details(name: name, group: kind.group, kind: kind.kind, causes: causes))
    }

    static func invalid(kind: GroupKind, name: String, field: String, message: String, reason: String = "FieldValueInvalid") -> StatusError {
        let cause: Value = ["reason": .string(reason), "message": .string(message), "field": .string(field)]
        let text = "\(kind) \"\(name)\" is invalid: \(field.isEmpty ? "" : field + ": ")\(message)"
        return StatusError(code: 422, reason: "Invalid", message: text,
                           details: details(name: name, group: kind.group, kind: kind.kind, causes: [cause]))
    }

    static func badRequest(_ message: String) -> StatusError {
        StatusError(code: 400, reason: "BadRequest", message: message)
    }

    static func forbidden(group: String, resource: String, name: String, _ why: String) -> StatusError {
        let head = name.isEmpty ? qualified(resource, group) : "\(qualified(resource, group)) \"\(name)\""
        return StatusError(code: 403, reason: "Forbidden", message: "\(head) is forbidden: \(why)",
                           details: details(name: name, group: group, kind: resource))
    }

    static func methodNotAllowed() -> StatusError {
        StatusError(code: 405, reason: "MethodNotAllowed",
                    message: "the server does not allow this method on the requested resource", details: .object([:]))
    }

    /// 410: a watch or list from a revision whose history is gone.
    static func expired(_ message: String) -> StatusError {
        StatusError(code: 410, reason: "Expired", message: message)
    }

    static func unsupportedMediaType(_ contentType: String) -> StatusError {
        StatusError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format: \(contentType)")
    }

    static func requestEntityTooLarge() -> StatusError {
        StatusError(code: 413, reason: "RequestEntityTooLarge",
                    message: "Request entity too large: limit is \(HTTPServer.maxBodyBytes)")
    }

    static func internalError(_ message: String) -> StatusError {
        StatusError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
                    details: ["causes": [["message": .string(message)]]])
    }

    static func serviceUnavailable(_ message: String) -> StatusError {
        StatusError(code: 503, reason: "ServiceUnavailable", message: message)
    }
}

/// The success Status returned by deletes of most kinds.
func successStatus(name: String, group: String, resource: String, uid: String?) -> Value {
    var d = StatusError.details(name: name, group: group, kind: resource)
    if let uid { d["uid"] = .string(uid) }
    return ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Success", "details": d]
}
