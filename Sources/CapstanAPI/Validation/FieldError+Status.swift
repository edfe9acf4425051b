import CapstanModel

/// The `Status` bodies an API server answers with when validation fails, shaped like the
/// Kubernetes API server's so kubectl prints them the usual way.
extension Array where Element == FieldError {
    /// 422 Invalid: `Deployment.apps "web" is invalid: …` with one `details.causes` entry per
    /// error (unknown fields excluded; see `strictDecodingStatus`).
    public func invalidStatus(kind: GroupKind, name: String) -> Value {
        let causes: [Value] = invalid.map { e in
            ["reason": .string(e.causeType), "message": .string(e.message), "field": .string(e.field)]
        }
        var details: Value = ["name": .string(name), "kind": .string(kind.kind), "causes": .array(causes)]
        if !kind.group.isEmpty { details["group"] = .string(kind.group) }
        return [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(invalidMessage(kind: kind, name: name)),
            "reason": "Invalid", "details": details, "code": 422,
        ]
    }

    /// 400 BadRequest for unknown fields under `fieldValidation=Strict`:
    /// `Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: …`.
    /// Nil when there are no unknown fields.
    public func strictDecodingStatus(gvk: GroupVersionKind) -> Value? {
        guard let decoding = strictDecodingMessage else { return nil }
        let message = "\(gvk.kind) in version \(goQuote(gvk.version)) cannot be handled as a \(gvk.kind): \(decoding)"
        return [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": "BadRequest", "code": 400,
        ]
    }

    /// `Warning` header values for unknown fields under `fieldValidation=Warn`.
    public var unknownFieldWarnings: [String] { unknownFields.map(\.message) }
}
