import COpenSSL

/// An OpenSSL `SSL_CTX` configured once from a `TLSConfiguration`; sessions (`TLSHandler`s) are
/// made from it. Immutable after `init` — OpenSSL allows creating sessions from one context on
/// many threads at once, so the type is shared freely (`@unchecked Sendable` on that basis).
public final class TLSContext: @unchecked Sendable {
    public let role: TLSConfiguration.Role
    public let insecureSkipVerify: Bool
    /// Servers: whether clients are asked for a certificate.
    public let verifiesClientCertificates: Bool
    let pointer: OpaquePointer

    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        OpenSSLErrors.clear()
        let method = configuration.role == .client ? TLS_client_method() : TLS_server_method()
        guard let ctx = SSL_CTX_new(method) else { throw TLSError.openSSL(.configuration, "creating a TLS context") }
        // From here on `self` owns ctx; deinit frees it if a later step throws.
        pointer = ctx
        role = configuration.role
        insecureSkipVerify = configuration.role == .client && configuration.insecureSkipVerify
        verifiesClientCertificates = configuration.role == .server && configuration.trustRoots != nil

        guard capstan_ssl_ctx_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 else {
            throw TLSError.openSSL(.configuration, "requiring TLS 1.2 or newer")
        }
        // Renegotiation is a TLS 1.2 relic that would let SSL_write wait for a read; refuse it.
        capstan_ssl_ctx_disable_renegotiation(ctx)

        if let chain = configuration.certificateChain {
            guard let key = configuration.privateKey else {
                throw TLSError(.configuration, "\(chain.source) has no private key to go with it")
            }
            try useCertificate(chain, key: key)
        } else if configuration.role == .server {
            throw TLSError(.configuration, "a TLS server needs a certificate and a private key")
        }

        switch configuration.role {
        case .client:
            let alpn: [UInt8] = [UInt8(TLSDefaults.applicationProtocol.utf8.count)] + Array(TLSDefaults.applicationProtocol.utf8)
            // Unlike most OpenSSL calls, 0 means success here.
            guard SSL_CTX_set_alpn_protos(ctx, alpn, UInt32(alpn.count)) == 0 else {
                throw TLSError.openSSL(.configuration, "offering ALPN \(TLSDefaults.applicationProtocol)")
            }
            if insecureSkipVerify {
                SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
            } else {
                if let roots = configuration.trustRoots {
                    try trust(roots)
                } else if SSL_CTX_set_default_verify_paths(ctx) != 1 {
                    throw TLSError.openSSL(.configuration, "loading the system's trusted certificates")
                }
                SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            }
        case .server:
            capstan_ssl_ctx_select_http11(ctx)
            // One process, no resumption across restarts: a session cache buys nothing here.
            _ = capstan_ssl_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
            if let roots = configuration.trustRoots {
                try trust(roots)
                for cert in try PEM.certificates(roots.bytes, source: roots.source) {
                    // Tells clients which issuers we accept, so they pick the right certificate.
                    guard SSL_CTX_add_client_CA(ctx, cert.pointer) == 1 else {
                        throw TLSError.openSSL(.configuration, "announcing the client CAs of \(roots.source)")
                    }
                }
                // Verify a certificate when one is sent, but do not demand one: clients may
                // authenticate with a bearer token instead.
                SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            } else {
                SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nil)
            }
        }
    }

    deinit { SSL_CTX_free(pointer) }

    private func useCertificate(_ chain: TLSConfiguration.PEMSource, key: TLSConfiguration.PEMSource) throws(TLSError) {
        let certs = try PEM.certificates(chain.bytes, source: chain.source)
        let privateKey = try PEM.privateKey(key.bytes, source: key.source)
        OpenSSLErrors.clear()
        guard SSL_CTX_use_certificate(pointer, certs[0].pointer) == 1 else {
            throw TLSError.openSSL(.configuration, "using the certificate in \(chain.source)")
        }
        for intermediate in certs.dropFirst() where capstan_ssl_ctx_add1_chain_cert(pointer, intermediate.pointer) != 1 {
            throw TLSError.openSSL(.configuration, "adding the intermediate certificates of \(chain.source)")
        }
        guard SSL_CTX_use_PrivateKey(pointer, privateKey.pointer) == 1 else {
            throw TLSError.openSSL(.configuration, "using the private key in \(key.source) with the certificate in \(chain.source)")
        }
        guard SSL_CTX_check_private_key(pointer) == 1 else {
            throw TLSError.openSSL(.configuration, "the private key in \(key.source) does not match the certificate in \(chain.source)")
        }
    }

    private func trust(_ roots: TLSConfiguration.PEMSource) throws(TLSError) {
        guard let store = SSL_CTX_get_cert_store(pointer) else {
            throw TLSError.openSSL(.configuration, "opening the certificate store")
        }
        for cert in try PEM.certificates(roots.bytes, source: roots.source) {
            OpenSSLErrors.clear()
            if X509_STORE_add_cert(store, cert.pointer) != 1 {
                throw TLSError.openSSL(.configuration, "trusting the certificates in \(roots.source)")
            }
        }
    }
}
