import COpenSSL

/// A TLS failure, with OpenSSL's own reason (`certificate verify failed`) and, for verification
/// failures, the certificate check that failed (`hostname mismatch`). A plain value.
public struct TLSError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// Building a context: unreadable or malformed PEM, a key that does not match, bad options.
        case configuration
        /// The handshake failed (peer not trusted, no common protocol, alert from the peer).
        case handshake
        /// A record could not be read or written after the handshake.
        case session
        /// The peer closed the connection without a close_notify alert.
        case uncleanShutdown
        /// Generating keys or certificates failed.
        case generation
    }

    public var kind: Kind
    /// What we were doing and about what (`reading the CA certificates in /etc/ca.pem`).
    public var context: String
    /// OpenSSL's reason strings, outermost first (`certificate verify failed`).
    public var reason: String
    /// The certificate check that failed, when verification failed (`self-signed certificate`).
    public var verifyError: String?

    public init(_ kind: Kind, _ context: String, reason: String = "", verifyError: String? = nil) {
        self.kind = kind
        self.context = context
        self.reason = reason
        self.verifyError = verifyError
    }

    public var description: String {
        var s = "TLS \(kind.rawValue) error: \(context)"
        if !reason.isEmpty { s += ": \(reason)" }
        if let verifyError { s += " (\(verifyError))" }
        return s
    }

    /// An error with the reasons OpenSSL queued on this thread (the queue is emptied).
    static func openSSL(_ kind: Kind, _ context: String, verifyError: String? = nil) -> TLSError {
        TLSError(kind, context, reason: OpenSSLErrors.drain(), verifyError: verifyError)
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrors {
    /// Empties the queue; call before an operation whose failure is then read with `drain`.
    static func clear() { ERR_clear_error() }

    /// The queued reasons joined with "; " (at most eight, the rest are dropped), then cleared.
    static func drain() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            guard reasons.count < 8 else { continue }
            if let text = ERR_reason_error_string(code) {
                let reason = String(cString: text)
                if !reasons.contains(reason) { reasons.append(reason) }
            } else {
                reasons.append("error code \(code)")
            }
        }
        return reasons.joined(separator: "; ")
    }
}
