import CapstanTLS
import FoundationEssentials

/// What `capstan server` was told about TLS and authentication, from its flags.
public struct ServerSecurityOptions: Sendable {
    /// Serve HTTPS; without certificate files, with a generated CA in `dataDir/pki`.
    public var tls = false
    public var certFile: String?
    public var privateKeyFile: String?
    public var clientCAFile: String?
    public var tokenAuthFile: String?
    public var dataDir: String
    /// Names and addresses the generated server certificate must carry besides the loopback ones.
    public var extraHosts: [String] = []

    public init(dataDir: String) { self.dataDir = dataDir }

    public var wantsTLS: Bool { tls || certFile != nil || privateKeyFile != nil }
}

/// The security of a server started from `ServerSecurityOptions`, and what a kubeconfig for
/// its administrator needs.
public struct ServerCredentials: Sendable {
    public var security: ServerSecurity
    /// PEM of the CA that signed the serving certificate, when capstan generated it.
    public var certificateAuthorityPEM: String?
    /// The administrator's bearer token (user `capstan-admin`, group `system:masters`).
    public var adminToken: String?

    public static let adminUser = "capstan-admin"

    /// Builds it: TLS from the given files or from `dataDir/pki` (the CA and the admin token are
    /// created once and kept, so kubeconfigs stay valid across restarts; the serving certificate
    /// is issued afresh each start for the current names), tokens from the token file plus the
    /// admin token, client certificates checked against `clientCAFile`.
    public static func make(_ options: ServerSecurityOptions) throws -> ServerCredentials {
        guard options.wantsTLS else {
            if options.tokenAuthFile != nil || options.clientCAFile != nil {
                throw ServerSecurityError(message: "--token-auth-file and --client-ca-file need TLS: add --tls (credentials must not travel in clear text)")
            }
            return ServerCredentials(security: .none)
        }
        let pki = options.dataDir + "/pki"
        try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var caPEM: String?
        let chain: TLSConfiguration.PEMSource
        let key: TLSConfiguration.PEMSource
        switch (options.certFile, options.privateKeyFile) {
        case let (cert?, keyFile?):
            chain = try read(cert, flag: "--tls-cert-file")
            key = try read(keyFile, flag: "--tls-private-key-file")
        case (nil, nil):
            let ca = try loadOrCreateCA(in: pki)
            caPEM = ca.ca.certificatePEM
            let hosts = ["localhost", "127.0.0.1", "::1"] + options.extraHosts.filter { !["0.0.0.0", "::", ""].contains($0) }
            let serving = try ca.issue(.server, commonName: "capstan-apiserver", hosts: Array(Set(hosts)).sorted())
            chain = .init(text: serving.certificatePEM, source: "the generated serving certificate")
            key = .init(text: serving.privateKeyPEM, source: "the generated serving key")
        default:
            throw ServerSecurityError(message: "--tls-cert-file and --tls-private-key-file go together")
        }
        let clientCA = try options.clientCAFile.map { try read($0, flag: "--client-ca-file") }
        let tls = try TLSContext(.server(certificateChain: chain, privateKey: key, clientCertificateRoots: clientCA))

        let token = try loadOrCreateToken(at: pki + "/admin.token")
        var tokens: [String: UserInfo] = [:]
        if let file = options.tokenAuthFile {
            let text = String(decoding: try read(file, flag: "--token-auth-file").bytes, as: UTF8.self)
            tokens = try Authenticator.parseTokenFile(text, file: file)
        }
        tokens[token] = UserInfo(name: adminUser, uid: adminUser, groups: ["system:masters"])
        return ServerCredentials(security: ServerSecurity(tls: tls, authenticator: Authenticator(tokens: tokens)),
                                 certificateAuthorityPEM: caPEM, adminToken: token)
    }

    static func read(_ path: String, flag: String) throws -> TLSConfiguration.PEMSource {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerSecurityError(message: "\(flag): cannot read \(path)")
        }
        return .init(bytes: [UInt8](data), source: path)
    }

    static func loadOrCreateCA(in dir: String) throws -> CertificateAuthority {
        let (certPath, keyPath) = (dir + "/ca.crt", dir + "/ca.key")
        if let cert = FileManager.default.contents(atPath: certPath), let key = FileManager.default.contents(atPath: keyPath) {
            return CertificateAuthority(ca: CertificateAndKey(certificatePEM: String(decoding: cert, as: UTF8.self),
                                                              privateKeyPEM: String(decoding: key, as: UTF8.self)))
        }
        let ca = try CertificateAuthority.generate(commonName: "capstan-ca")
        try writePrivate(ca.ca.privateKeyPEM, to: keyPath)
        try writePrivate(ca.ca.certificatePEM, to: certPath)
        return ca
    }

    static func loadOrCreateToken(at path: String) throws -> String {
        if let data = FileManager.default.contents(atPath: path) {
            let token = String(decoding: data, as: UTF8.self).goTrimmedSpace
            if !token.isEmpty { return token }
        }
        let token = try TLSRandom.token()
        try writePrivate(token + "\n", to: path)
        return token
    }

    /// Written readable by the owner only.
    static func writePrivate(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ServerSecurityError(message: "cannot write \(path)")
        }
    }
}
