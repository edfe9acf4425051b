/// What a `TLSContext` is built from. A plain value; PEM inputs are bytes (callers read files
/// or decode kubeconfig `*-data` fields) and `source` strings name them in errors.
public struct TLSConfiguration: Sendable, Hashable {
    public enum Role: Sendable, Hashable { case client, server }

    /// PEM bytes and where they came from (`/etc/capstan/ca.crt`, `certificate-authority-data`).
    public struct PEMSource: Sendable, Hashable {
        public var bytes: [UInt8]
        public var source: String
        public init(bytes: [UInt8], source: String) {
            self.bytes = bytes
            self.source = source
        }
        public init(text: String, source: String) { self.init(bytes: Array(text.utf8), source: source) }
    }

    public var role: Role
    /// Certificates trusted to sign the peer's. Clients with none use the system's roots;
    /// servers with some ask clients for a certificate and verify it (it stays optional, so
    /// clients may authenticate another way).
    public var trustRoots: PEMSource?
    /// Clients only: skip verifying the server (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// Our own certificate (leaf first, then intermediates) and its key. Required on servers.
    public var certificateChain: PEMSource?
    public var privateKey: PEMSource?

    public init(role: Role, trustRoots: PEMSource? = nil, insecureSkipVerify: Bool = false,
                certificateChain: PEMSource? = nil, privateKey: PEMSource? = nil)
    {
        self.role = role
        self.trustRoots = trustRoots
        self.insecureSkipVerify = insecureSkipVerify
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }

    public static func client(trustRoots: PEMSource? = nil, insecureSkipVerify: Bool = false,
                              certificateChain: PEMSource? = nil, privateKey: PEMSource? = nil) -> TLSConfiguration
    {
        TLSConfiguration(role: .client, trustRoots: trustRoots, insecureSkipVerify: insecureSkipVerify,
                         certificateChain: certificateChain, privateKey: privateKey)
    }

    public static func server(certificateChain: PEMSource, privateKey: PEMSource,
                              clientCertificateRoots: PEMSource? = nil) -> TLSConfiguration
    {
        TLSConfiguration(role: .server, trustRoots: clientCertificateRoots,
                         certificateChain: certificateChain, privateKey: privateKey)
    }
}

/// Who the peer proved to be with a verified certificate (the server's view of a client).
public struct TLSPeerIdentity: Sendable, Hashable {
    /// The subject's common name (CN); Kubernetes reads it as the user name.
    public var commonName: String
    /// The subject's organizations (O); Kubernetes reads them as groups.
    public var organizations: [String]

    public init(commonName: String, organizations: [String]) {
        self.commonName = commonName
        self.organizations = organizations
    }
}
