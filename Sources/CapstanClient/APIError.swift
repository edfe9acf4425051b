import CapstanModel

/// A Kubernetes `Status` object (`kind: Status`, `apiVersion: v1`) as the server sends it on
/// failure: HTTP code, machine-readable reason, human message and details.
public struct Status: Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status code (`404`); 0 when the failure never reached a server.
    public var code: Int
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Expired`, `Gone` …; "" when unknown.
    public var reason: String
    public var message: String
    public var details: StatusDetails?

    public init(code: Int, reason: String, message: String, details: StatusDetails? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// Reads a `Status` object; nil when `value` is not one (no `kind: Status`).
    public init?(value: Value) {
        guard value["kind"].stringValue == "Status" else { return nil }
        code = Int(value["code"].intValue ?? 0)
        reason = value["reason"].stringValue ?? ""
        message = value["message"].stringValue ?? ""
        let d = value["details"]
        details = d.isObject ? StatusDetails(value: d) : nil
    }

    /// The `Status` object, as a server would send it.
    public var value: Value {
        var s: Value = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
                        "message": .string(message), "reason": .string(reason)]
        if let details { s["details"] = details.value }
        s["code"] = .int(Int64(code))
        return s
    }

    public var description: String { message }
}

/// `Status.details`: which object the failure is about, and per-field causes (422 Invalid,
/// server-side apply conflicts).
public struct StatusDetails: Sendable, Hashable {
    public var name: String
    public var group: String
    /// The kind or resource the server named (`Deployment`, or `deployments` on NotFound).
    public var kind: String
    public var uid: String
    public var causes: [StatusCause]
    public var retryAfterSeconds: Int?

    public init(name: String = "", group: String = "", kind: String = "", uid: String = "",
                causes: [StatusCause] = [], retryAfterSeconds: Int? = nil)
    {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public init(value: Value) {
        name = value["name"].stringValue ?? ""
        group = value["group"].stringValue ?? ""
        kind = value["kind"].stringValue ?? ""
        uid = value["uid"].stringValue ?? ""
        causes = (value["causes"].arrayValue ?? []).map(StatusCause.init(value:))
        retryAfterSeconds = value["retryAfterSeconds"].intValue.map { Int($0) }
    }

    public var value: Value {
        var d: Value = .object([:])
        if !name.isEmpty { d["name"] = .string(name) }
        d["group"] = .string(group)
        d["kind"] = .string(kind)
        if !uid.isEmpty { d["uid"] = .string(uid) }
        if !causes.isEmpty { d["causes"] = .array(causes.map(\.value)) }
        if let retryAfterSeconds { d["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        return d
    }
}

/// One cause of a failure: `FieldValueInvalid` at `spec.replicas`, `FieldManagerConflict` …
public struct StatusCause: Sendable, Hashable {
    public var reason: String
    public var message: String
    public var field: String

    public init(reason: String, message: String, field: String = "") {
        self.reason = reason
        self.message = message
        self.field = field
    }

    public init(value: Value) {
        reason = value["reason"].stringValue ?? ""
        message = value["message"].stringValue ?? ""
        field = value["field"].stringValue ?? ""
    }

    public var value: Value {
        var c: Value = ["reason": .string(reason), "message": .string(message)]
        if !field.isEmpty { c["field"] = .string(field) }
        return c
    }
}

/// Every failure of a `Client` call.
///
/// `origin == .server` carries the server's `Status` verbatim (a plain-text error body is turned
/// into a `Status` with the reason implied by the HTTP code, as client-go does). Other origins
/// are failures on this side: the connection (`transport`), an unreadable response
/// (`decoding`), kubeconfig/TLS problems (`configuration`), or a request that could not be
/// built (`request`, e.g. an object without a name); those have `code == 0`.
///
/// The `is…` predicates follow client-go's `apierrors`: they look at the reason, and fall back to
/// the HTTP code only when the server sent no reason it knows.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Origin: String, Sendable, Hashable {
        case server, transport, decoding, configuration, request
    }

    public var origin: Origin
    public var status: Status
    /// What was asked: `GET /apis/apps/v1/namespaces/demo/deployments/web`; "" when unknown.
    public var request: String

    public init(origin: Origin = .server, status: Status, request: String = "") {
        self.origin = origin
        self.status = status
        self.request = request
    }

    /// A failure on this side of the wire (no HTTP status).
    public static func local(_ origin: Origin, _ message: String, request: String = "") -> APIError {
        APIError(origin: origin, status: Status(code: 0, reason: "", message: message), request: request)
    }

    /// A server failure with the given code and reason (used by fakes and in-process servers).
    public static func server(_ code: Int, _ reason: String, _ message: String, details: StatusDetails? = nil) -> APIError {
        APIError(status: Status(code: code, reason: reason, message: message, details: details))
    }

    public var code: Int { status.code }
    public var reason: String { status.reason }
    public var message: String { status.message }
    public var causes: [StatusCause] { status.details?.causes ?? [] }

    /// The reasons of `metav1.StatusReason` with their codes, for the code fallback.
    static let knownReasons: Set<String> = [
        "Unauthorized", "Forbidden", "NotFound", "AlreadyExists", "Conflict", "Gone", "Invalid", "ServerTimeout",
        "StoreReadError", "Timeout", "TooManyRequests", "BadRequest", "MethodNotAllowed", "NotAcceptable",
        "RequestEntityTooLarge", "UnsupportedMediaType", "InternalError", "Expired", "ServiceUnavailable",
    ]

    private func matches(reason expected: String, code expectedCode: Int) -> Bool {
        guard origin == .server else { return false }
        if status.reason == expected { return true }
        return !Self.knownReasons.contains(status.reason) && status.code == expectedCode
    }

    public var isNotFound: Bool { matches(reason: "NotFound", code: 404) }
    public var isAlreadyExists: Bool { matches(reason: "AlreadyExists", code: 409) }
    /// An optimistic-concurrency failure (stale `resourceVersion`, failed precondition).
    public var isConflict: Bool { matches(reason: "Conflict", code: 409) }
    public var isInvalid: Bool { matches(reason: "Invalid", code: 422) }
    /// The resource version asked for is compacted away (410 `Expired` or `Gone`): relist.
    public var isGone: Bool {
        origin == .server && (status.reason == "Expired" || status.reason == "Gone" || status.code == 410)
    }
    /// Same as `isGone`; the name client-go uses for the `Expired` reason.
    public var isResourceExpired: Bool { isGone }
    public var isForbidden: Bool { matches(reason: "Forbidden", code: 403) }
    public var isUnauthorized: Bool { matches(reason: "Unauthorized", code: 401) }
    public var isBadRequest: Bool { matches(reason: "BadRequest", code: 400) }
    public var isTooManyRequests: Bool { matches(reason: "TooManyRequests", code: 429) }
    public var isMethodNotSupported: Bool { matches(reason: "MethodNotAllowed", code: 405) }
    public var isInternalError: Bool { matches(reason: "InternalError", code: 500) }
    public var isServiceUnavailable: Bool { matches(reason: "ServiceUnavailable", code: 503) }
    public var isTimeout: Bool {
        matches(reason: "Timeout", code: 504) || matches(reason: "ServerTimeout", code: 500)
    }
    /// The connection failed or broke: worth a retry after a pause.
    public var isTransport: Bool { origin == .transport }

    /// kubectl's spelling: `Error from server (NotFound): deployments.apps "web" not found`.
    public var description: String {
        switch origin {
        case .server:
            let reason = status.reason.isEmpty ? "\(status.code)" : status.reason
            return "Error from server (\(reason)): \(status.message)"
        case .transport:
            return request.isEmpty ? "connection error: \(status.message)" : "\(request): connection error: \(status.message)"
        case .decoding:
            return request.isEmpty ? "bad response: \(status.message)" : "\(request): bad response: \(status.message)"
        case .configuration:
            return "configuration error: \(status.message)"
        case .request:
            return "invalid request: \(status.message)"
        }
    }

    /// The `Status` implied by an HTTP code when the body is not a `Status` (client-go's
    /// `NewGenericServerResponse`): reason from the code, the body text as the message.
    static func fromHTTP(code: Int, body: [UInt8], request: String) -> APIError {
        if let value = try? Value.parseJSON(body), let status = Status(value: value) {
            var s = status
            if s.code == 0 { s.code = code }
            return APIError(origin: .server, status: s, request: request)
        }
        let reason: String
        switch code {
        case 400: reason = "BadRequest"
        case 401: reason = "Unauthorized"
        case 403: reason = "Forbidden"
        case 404: reason = "NotFound"
        case 405: reason = "MethodNotAllowed"
        case 409: reason = "Conflict"
        case 410: reason = "Gone"
        case 413: reason = "RequestEntityTooLarge"
        case 415: reason = "UnsupportedMediaType"
        case 422: reason = "Invalid"
        case 429: reason = "TooManyRequests"
        case 500: reason = "InternalError"
        case 503: reason = "ServiceUnavailable"
        case 504: reason = "Timeout"
        default: reason = ""
        }
        var text = String(decoding: body.prefix(1024), as: UTF8.self)
        if text.isEmpty { text = "the server responded with status \(code)" }
        return APIError(origin: .server, status: Status(code: code, reason: reason, message: text), request: request)
    }
}
