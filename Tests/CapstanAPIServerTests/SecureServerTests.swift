import CapstanClient
import CapstanModel
import CapstanStore
import CapstanTLS
import Foundation
import Testing
@testable import CapstanAPIServer

/// HTTPS and authentication of the in-process server, through CapstanClient's transport.
extension ServerTests {
@Suite struct SecureServerTests {
    static let token = "s3cret-token"

    /// A server with TLS from a fresh CA, one token (alice) and client certificates from the same CA.
    static func withSecureServer(_ body: (Int, CertificateAuthority) async throws -> Void) async throws {
        let ca = try CertificateAuthority.generate()
        let serving = try ca.issue(.server, commonName: "apiserver", hosts: ["127.0.0.1", "localhost"])
        let tls = try TLSContext(.server(certificateChain: .init(text: serving.certificatePEM, source: "server.crt"),
                                         privateKey: .init(text: serving.privateKeyPEM, source: "server.key"),
                                         clientCertificateRoots: .init(text: ca.ca.certificatePEM, source: "ca.crt")))
        let authenticator = Authenticator(tokens: [token: UserInfo(name: "alice", uid: "1", groups: ["devs"])])
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        let port = try await server.start(port: 0, security: ServerSecurity(tls: tls, authenticator: authenticator))
        do {
            try await body(port, ca)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    static func transport(_ port: Int, trusting ca: CertificateAuthority, certificate: CertificateAndKey? = nil,
                          serverName: String? = nil) throws -> HTTPTransport
    {
        let tls = try TLSContext(.client(trustRoots: .init(text: ca.ca.certificatePEM, source: "ca.crt"),
                                         certificateChain: certificate.map { .init(text: $0.certificatePEM, source: "client.crt") },
                                         privateKey: certificate.map { .init(text: $0.privateKeyPEM, source: "client.key") }))
        return HTTPTransport(host: "127.0.0.1", port: port, defaultTimeout: .seconds(10), tls: tls, serverName: serverName)
    }

    static func get(_ transport: HTTPTransport, _ path: String, token: String? = nil) async throws -> TransportResponse {
        var headers: HeaderFields = ["Accept": "application/json"]
        if let token { headers.set("Authorization", "Bearer \(token)") }
        return try await transport.send(TransportRequest(method: "GET", path: path, headers: headers))
    }

    @Test func bearerTokenAuthenticatesAndMissingOrWrongTokensGet401() async throws {
        try await Self.withSecureServer { port, ca in
            let transport = try Self.transport(port, trusting: ca)
            defer { transport.shutdown() }
            var response = try await Self.get(transport, "/api/v1/namespaces", token: Self.token)
            #expect(response.status == 200)
            #expect(try Value.parseJSON(response.body)["kind"] == "NamespaceList")

            for token in [nil, "wrong"] {
                response = try await Self.get(transport, "/api/v1/namespaces", token: token)
                #expect(response.status == 401)
                let status = try Value.parseJSON(response.body)
                #expect(status == ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                                   "message": "Unauthorized", "reason": "Unauthorized", "code": 401])
            }
            // Health checks stay open for probes.
            #expect(try await Self.get(transport, "/healthz").status == 200)
        }
    }

    @Test func watchStreamsOverTLSUntilTheServerEndsIt() async throws {
        try await Self.withSecureServer { port, ca in
            let transport = try Self.transport(port, trusting: ca)
            defer { transport.shutdown() }
            let response = try await transport.stream(TransportRequest(
                method: "GET", path: "/api/v1/namespaces?watch=true&timeoutSeconds=1",
                headers: ["Authorization": "Bearer \(Self.token)"]))
            #expect(response.status == 200)
            var text = ""
            for try await chunk in response.body { text += String(decoding: chunk, as: UTF8.self) }
            let events = text.split(separator: "\n").compactMap { try? Value.parseJSON(String($0)) }
            #expect(events.count == 4 && events.allSatisfy { $0["type"] == "ADDED" }, "\(text)")
        }
    }

    @Test func clientCertificateAuthenticates() async throws {
        try await Self.withSecureServer { port, ca in
            let cert = try ca.issue(.client, commonName: "bob", organizations: ["system:masters"])
            let transport = try Self.transport(port, trusting: ca, certificate: cert)
            defer { transport.shutdown() }
            #expect(try await Self.get(transport, "/api/v1/namespaces/default").status == 200)
        }
    }

    @Test
    func clientThatDoesNotTrustTheServerFailsClearly() async throws {
        try await Self.withSecureServer { port, _ in
            let transport = try Self.transport(port, trusting: try CertificateAuthority.generate(commonName: "elsewhere"))
            defer { transport.shutdown() }
            let error = await #expect(throws: APIError.self) { try await Self.get(transport, "/version", token: Self.token) }
            let text = "\(error.map { "\($0)" } ?? "")"
            // The server sends its CA along (OpenSSL completes the chain from its store), which the
            // client does not trust.
            #expect(text.contains("certificate verify failed (self-signed certificate in certificate chain)"), "\(text)")
        }
    }

    @Test func hostnameMismatchFailsClearly() async throws {
        try await Self.withSecureServer { port, ca in
            let transport = try Self.transport(port, trusting: ca, serverName: "api.example.com")
            defer { transport.shutdown() }
            let error = await #expect(throws: APIError.self) { try await Self.get(transport, "/version", token: Self.token) }
            #expect("\(error.map { "\($0)" } ?? "")".contains("hostname mismatch"))
        }
    }

    @Test func kubeconfigWithCADataAndTokenReachesTheServer() async throws {
        try await Self.withSecureServer { port, ca in
            let text = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: c
                  cluster:
                    server: https://localhost:\(port)
                    certificate-authority-data: \(Data(ca.ca.certificatePEM.utf8).base64EncodedString())
                users:
                - name: u
                  user:
                    token: \(Self.token)
                contexts:
                - name: x
                  context: {cluster: c, user: u}
                current-context: x
                """
            let connection = try KubeConfig(text: text, file: "test.kubeconfig").resolve()
            let tls = try #require(try connection.tlsContext())
            let transport = HTTPTransport(host: "localhost", port: port, tls: tls)
            defer { transport.shutdown() }
            let response = try await transport.send(TransportRequest(method: "GET", path: "/api/v1/namespaces",
                                                                     headers: try connection.authHeaders()))
            #expect(response.status == 200)
        }
    }

    @Test func kubeconfigRefusesCAWithInsecureSkipVerify() throws {
        let text = """
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:1", certificate-authority-data: "AAAA", insecure-skip-tls-verify: true}
            contexts:
            - name: x
              context: {cluster: c}
            current-context: x
            """
        let connection = try KubeConfig(text: text, file: "/tmp/insecure.kubeconfig").resolve()
        #expect(throws: KubeConfigError.self) { try connection.tlsContext() }
    }

    @Test func refusesToListenBeyondLoopbackWithoutTLSAndAuthentication() async throws {
        let server = APIServer(store: MemoryStore(compaction: .disabled))
        await #expect(throws: ServerSecurityError.self) { try await server.start(host: "0.0.0.0", port: 0) }
        #expect(ServerSecurity.isLoopback("127.0.0.1") && ServerSecurity.isLoopback("::1") && ServerSecurity.isLoopback("localhost"))
        #expect(!ServerSecurity.isLoopback("0.0.0.0") && !ServerSecurity.isLoopback("10.0.0.1") && !ServerSecurity.isLoopback("::"))
    }

    @Test func tokenFileIsReadLikeKubeAPIServers() throws {
        let tokens = try Authenticator.parseTokenFile("""
            abc,alice,1001,"dev,ops"

            def,bob,1002
            "g,h",carol,1003,admins
            """, file: "tokens.csv")
        #expect(tokens["abc"] == UserInfo(name: "alice", uid: "1001", groups: ["dev", "ops"]))
        #expect(tokens["abc"]?.groups == ["dev", "ops", "system:authenticated"])
        #expect(tokens["def"] == UserInfo(name: "bob", uid: "1002"))
        #expect(tokens["g,h"]?.groups == ["admins", "system:authenticated"])
        #expect {
            try Authenticator.parseTokenFile("abc,alice\n", file: "tokens.csv")
        } throws: { "\($0)" == "tokens.csv:1: expected at least 3 columns (token, user name, uid), found 2" }
        #expect(throws: AuthenticationConfigError.self) { try Authenticator.parseTokenFile("a,\"b,1\n", file: "t") }
        #expect(Authenticator.bearerToken("bearer  xyz ") == "xyz" && Authenticator.bearerToken("Basic xyz") == nil)
    }
}
}
