import CapstanTLS

/// How a server protects itself: TLS (HTTPS) and authentication. Both nil means plain HTTP
/// with every request trusted, which `APIServer.start` allows on loopback only. A plain value
/// (the `TLSContext` inside is immutable and shared).
public struct ServerSecurity: Sendable {
    public var tls: TLSContext?
    public var authenticator: Authenticator?

    public init(tls: TLSContext? = nil, authenticator: Authenticator? = nil) {
        self.tls = tls
        self.authenticator = authenticator
    }

    public static let none = ServerSecurity()

    public var isSecured: Bool { tls != nil && authenticator != nil }

    /// Refuses to expose an unprotected server beyond this machine.
    func check(host: String) throws(ServerSecurityError) {
        if !isSecured && !Self.isLoopback(host) {
            throw ServerSecurityError(message: """
                refusing to serve on \(host) without TLS and authentication: anyone who can reach it could \
                read and change the whole cluster. Pass --tls (or --tls-cert-file and --tls-private-key-file), \
                or listen on 127.0.0.1
                """)
        }
    }

    /// `127.0.0.0/8`, `::1` and `localhost`. Wildcards (`0.0.0.0`, `::`) are not loopback.
    static func isLoopback(_ host: String) -> Bool {
        let h = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let octets = h.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

public struct ServerSecurityError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
