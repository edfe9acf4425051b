import CapstanTLS
import NIOCore
import NIOEmbedded
import Testing

/// Certificates shared by the tests: generated once (a few milliseconds).
enum Fixtures {
    static let ca = try! CertificateAuthority.generate(commonName: "test-ca")
    static let otherCA = try! CertificateAuthority.generate(commonName: "other-ca")
    static let server = try! ca.issue(.server, commonName: "server", hosts: ["localhost", "127.0.0.1"])
    static let client = try! ca.issue(.client, commonName: "jane", organizations: ["dev", "ops"])
    static let strangerClient = try! otherCA.issue(.client, commonName: "mallory")

    static func pem(_ text: String, _ source: String) -> TLSConfiguration.PEMSource { .init(text: text, source: source) }

    static func serverContext(clientCA: CertificateAuthority? = nil) throws -> TLSContext {
        try TLSContext(.server(certificateChain: pem(server.certificatePEM, "server.crt"),
                               privateKey: pem(server.privateKeyPEM, "server.key"),
                               clientCertificateRoots: clientCA.map { pem($0.ca.certificatePEM, "client-ca.crt") }))
    }

    static func clientContext(trusting ca: CertificateAuthority = ca, insecure: Bool = false,
                              certificate: CertificateAndKey? = nil) throws -> TLSContext
    {
        try TLSContext(.client(trustRoots: insecure ? nil : pem(ca.ca.certificatePEM, "ca.crt"), insecureSkipVerify: insecure,
                               certificateChain: certificate.map { pem($0.certificatePEM, "client.crt") },
                               privateKey: certificate.map { pem($0.privateKeyPEM, "client.key") }))
    }
}

/// A client and a server channel joined by hand: bytes move only when `pump` moves them.
struct Pair {
    let client = EmbeddedChannel()
    let server = EmbeddedChannel()
    let clientHandshake: EventLoopFuture<TLSSessionInfo>
    let serverHandshake: EventLoopFuture<TLSSessionInfo>

    init(client clientContext: TLSContext, server serverContext: TLSContext, serverName: String = "localhost") throws {
        let cp = client.eventLoop.makePromise(of: TLSSessionInfo.self)
        let sp = server.eventLoop.makePromise(of: TLSSessionInfo.self)
        clientHandshake = cp.futureResult
        serverHandshake = sp.futureResult
        try server.pipeline.syncOperations.addHandler(TLSHandler(context: serverContext, handshakePromise: sp))
        try client.pipeline.syncOperations.addHandler(TLSHandler(context: clientContext, serverName: serverName, handshakePromise: cp))
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 443)
        _ = try server.connect(to: address).settled()
        _ = try client.connect(to: address).settled()
    }

    /// Moves bytes both ways until neither side has more to say. The first error a side's
    /// pipeline caught is thrown.
    func pump() throws {
        var moved = true
        var rounds = 0
        while moved && rounds < 50 {
            moved = false
            rounds += 1
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                moved = true
                if server.isActive { try server.writeInbound(bytes) }
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                moved = true
                if client.isActive { try client.writeInbound(bytes) }
            }
        }
    }

    /// Pumps and returns what each side's pipeline caught, if anything.
    func pumpCollectingErrors() -> (client: TLSError?, server: TLSError?) {
        var clientError: TLSError?
        var serverError: TLSError?
        for _ in 0..<50 {
            var moved = false
            while let bytes = try? client.readOutbound(as: ByteBuffer.self) {
                moved = true
                do { try server.writeInbound(bytes) } catch { serverError = serverError ?? error as? TLSError }
            }
            while let bytes = try? server.readOutbound(as: ByteBuffer.self) {
                moved = true
                do { try client.writeInbound(bytes) } catch { clientError = clientError ?? error as? TLSError }
            }
            if !moved { break }
        }
        return (clientError, serverError)
    }

    static func text(_ buffer: ByteBuffer?) -> String? { buffer.map { String(buffer: $0) } }
}

/// Embedded channels complete futures synchronously; `wait()` on one still pending would block
/// forever, so the tests read results this way and fail on "still pending" instead.
struct StillPending: Error {}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?  // set by a callback that runs inline on the embedded loop
}

extension EventLoopFuture {
    func settled() throws -> Value {
        let box = ResultBox<Value>()
        whenComplete { box.result = $0 }
        guard let result = box.result else { throw StillPending() }
        return try result.get()
    }
}

@Suite struct TLSHandlerTests {
    @Test func handshakeAgreesOnTLS13AndHTTP11AndCarriesDataBothWays() throws {
        let pair = try Pair(client: Fixtures.clientContext(), server: Fixtures.serverContext())
        // Written before the handshake: held, then sent once it is done.
        let written = pair.client.writeAndFlush(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        try pair.pump()
        let info = try pair.clientHandshake.settled()
        #expect(info.protocolVersion == "TLSv1.3")
        #expect(info.applicationProtocol == "http/1.1")
        #expect(try pair.serverHandshake.settled().peer == nil)
        #expect(Pair.text(try pair.server.readInbound(as: ByteBuffer.self)) == "GET / HTTP/1.1\r\n\r\n")
        try written.settled()  // completed once the held write went out

        let big = String(repeating: "x", count: 100_000)  // several TLS records
        try pair.server.writeAndFlush(ByteBuffer(string: big)).settled()
        try pair.pump()
        var received = ""
        while let part = try pair.client.readInbound(as: ByteBuffer.self) { received += String(buffer: part) }
        #expect(received == big)
    }

    @Test func closeSendsCloseNotifyAndThePeerCloses() throws {
        let pair = try Pair(client: Fixtures.clientContext(), server: Fixtures.serverContext())
        try pair.pump()
        _ = try pair.clientHandshake.settled()
        #expect(pair.server.isActive)
        try pair.client.close().settled()
        try pair.pump()
        #expect(!pair.server.isActive)
    }

    @Test func untrustedServerIsRejectedWithOpenSSLsReason() throws {
        let pair = try Pair(client: Fixtures.clientContext(trusting: Fixtures.otherCA), server: Fixtures.serverContext())
        let (clientError, _) = pair.pumpCollectingErrors()
        let error = try #require(clientError)
        #expect(error.kind == .handshake)
        #expect(error.reason.contains("certificate verify failed"), "\(error)")
        #expect(error.verifyError == "unable to get local issuer certificate", "\(error)")
        #expect(throws: TLSError.self) { try pair.clientHandshake.settled() }
        #expect(!pair.client.isActive)
    }

    @Test func hostnameAndIPMismatchesAreRejected() throws {
        for (name, expected) in [("example.com", "hostname mismatch"), ("10.1.2.3", "IP address mismatch")] {
            let pair = try Pair(client: Fixtures.clientContext(), server: Fixtures.serverContext(), serverName: name)
            let error = try #require(pair.pumpCollectingErrors().client)
            #expect(error.verifyError == expected, "\(error)")
        }
        // The certificate's IP SAN matches.
        let pair = try Pair(client: Fixtures.clientContext(), server: Fixtures.serverContext(), serverName: "127.0.0.1")
        try pair.pump()
        #expect(try pair.clientHandshake.settled().protocolVersion == "TLSv1.3")
    }

    @Test func insecureSkipVerifyAcceptsAnyServer() throws {
        let pair = try Pair(client: Fixtures.clientContext(insecure: true), server: Fixtures.serverContext(), serverName: "example.com")
        try pair.pump()
        #expect(try pair.clientHandshake.settled().applicationProtocol == "http/1.1")
    }

    @Test func serverReadsTheClientCertificateIdentity() throws {
        let pair = try Pair(client: Fixtures.clientContext(certificate: Fixtures.client),
                            server: Fixtures.serverContext(clientCA: Fixtures.ca))
        pair.client.writeAndFlush(ByteBuffer(string: "ping"), promise: nil)
        try pair.pump()
        let peer = try pair.serverHandshake.settled().peer
        #expect(peer == TLSPeerIdentity(commonName: "jane", organizations: ["dev", "ops"]))
        #expect(Pair.text(try pair.server.readInbound(as: ByteBuffer.self)) == "ping")
    }

    @Test func clientCertificateFromAnUnknownCAIsRejected() throws {
        let pair = try Pair(client: Fixtures.clientContext(certificate: Fixtures.strangerClient),
                            server: Fixtures.serverContext(clientCA: Fixtures.ca))
        let (_, serverError) = pair.pumpCollectingErrors()
        let error = try #require(serverError)
        #expect(error.kind == .handshake && error.reason.contains("certificate verify failed"), "\(error)")
        #expect(throws: TLSError.self) { try pair.serverHandshake.settled() }
    }

    @Test func plainHTTPToATLSServerFailsTheHandshakeAndCloses() throws {
        let server = EmbeddedChannel()
        let handshake = try TLSHandler.install(on: server, context: Fixtures.serverContext())
        _ = try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 443)).settled()
        #expect {
            try server.writeInbound(ByteBuffer(string: "GET /api HTTP/1.1\r\nHost: x\r\n\r\n"))
        } throws: { error in
            (error as? TLSError)?.kind == .handshake && (error as? TLSError)?.reason.contains("http request") == true
        }
        #expect(throws: TLSError.self) { try handshake.settled() }
        #expect(!server.isActive)
        server.embeddedEventLoop.run()
    }

    @Test func clientWithoutCertificateIsAllowedButAnonymous() throws {
        let pair = try Pair(client: Fixtures.clientContext(), server: Fixtures.serverContext(clientCA: Fixtures.ca))
        try pair.pump()
        #expect(try pair.serverHandshake.settled().peer == nil)
    }
}

@Suite struct TLSContextTests {
    @Test func malformedPEMIsAConfigurationErrorNamingItsSource() {
        #expect {
            try TLSContext(.client(trustRoots: .init(text: "not a certificate", source: "kubeconfig: certificate-authority-data")))
        } throws: { error in
            let e = error as? TLSError
            return e?.kind == .configuration && e?.description.contains("no PEM certificate in kubeconfig: certificate-authority-data") == true
        }
    }

    @Test func keyThatDoesNotMatchTheCertificateIsRefused() {
        #expect {
            try TLSContext(.server(certificateChain: Fixtures.pem(Fixtures.server.certificatePEM, "server.crt"),
                                   privateKey: Fixtures.pem(Fixtures.client.privateKeyPEM, "client.key")))
        } throws: { error in
            (error as? TLSError)?.description
                == "TLS configuration error: using the private key in client.key with the certificate in server.crt: key values mismatch"
        }
    }

    @Test func serverNeedsACertificate() {
        #expect(throws: TLSError.self) { try TLSContext(TLSConfiguration(role: .server)) }
    }

    @Test func generatedTokensAreLongRandomHex() throws {
        let a = try TLSRandom.token(), b = try TLSRandom.token()
        #expect(a.count == 64 && a != b && a.allSatisfy { $0.isHexDigit })
    }
}
