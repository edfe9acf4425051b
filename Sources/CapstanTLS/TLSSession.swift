import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished handshake agreed on. A plain value.
public struct TLSSessionInfo: Sendable, Hashable {
    /// `TLSv1.3`, `TLSv1.2`.
    public var protocolVersion: String
    /// The ALPN protocol both sides chose (`http/1.1`), if any.
    public var applicationProtocol: String?
    /// Servers: the client's verified certificate subject, when the client sent one.
    public var peer: TLSPeerIdentity?
}

/// One OpenSSL session (`SSL*`) with its two memory BIOs: network bytes go into `readBIO`,
/// bytes for the network come out of `writeBIO`. Owned by one `TLSHandler` and used only on its
/// event loop; `SSL_free` in `deinit` frees both BIOs too.
final class TLSSession {
    let ssl: OpaquePointer
    let writeBIO: OpaquePointer
    private let readBIO: OpaquePointer

    init(context: TLSContext, serverName: String?) throws(TLSError) {
        OpenSSLErrors.clear()
        guard let ssl = SSL_new(context.pointer) else { throw TLSError.openSSL(.configuration, "creating a TLS session") }
        guard let rbio = BIO_new(BIO_s_mem()), let wbio = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.openSSL(.configuration, "creating memory BIOs")
        }
        SSL_set_bio(ssl, rbio, wbio)  // the session owns both from here
        self.ssl = ssl
        self.readBIO = rbio
        self.writeBIO = wbio
        switch context.role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let serverName, !serverName.isEmpty { try setServerName(serverName, verify: !context.insecureSkipVerify) }
        }
    }

    deinit { SSL_free(ssl) }

    /// SNI for DNS names, and the name or IP address the server's certificate must carry.
    private func setServerName(_ name: String, verify: Bool) throws(TLSError) {
        let host = name.hasPrefix("[") && name.hasSuffix("]") ? String(name.dropFirst().dropLast()) : name
        if IPAddressText.isIPAddress(host) {
            // IP addresses are not sent as SNI (RFC 6066); they are matched against IP SANs.
            if verify, X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1 {
                throw TLSError.openSSL(.configuration, "verifying the server's IP address \(host)")
            }
            return
        }
        guard capstan_ssl_set_tlsext_host_name(ssl, host) == 1 else {
            throw TLSError.openSSL(.configuration, "sending the server name \(host)")
        }
        if verify {
            X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl), UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            guard SSL_set1_host(ssl, host) == 1 else {
                throw TLSError.openSSL(.configuration, "verifying the server name \(host)")
            }
        }
    }

    /// Network bytes in. A memory BIO grows as needed, so everything is taken.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count > 0 else { return true }
        return BIO_write(readBIO, bytes.baseAddress, Int32(bytes.count)) == Int32(bytes.count)
    }

    /// Bytes waiting to go to the network.
    var hasOutput: Bool { BIO_ctrl_pending(writeBIO) > 0 }

    /// Why the last handshake failed a certificate check, if it did.
    var verifyError: String? {
        let result = SSL_get_verify_result(ssl)
        guard result != X509_V_OK else { return nil }
        return String(cString: X509_verify_cert_error_string(result))
    }

    func info(verifiesPeer: Bool) -> TLSSessionInfo {
        var alpn: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpn, &alpnLength)
        let applicationProtocol = alpn.map { String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self) }
        var peer: TLSPeerIdentity?
        if verifiesPeer, SSL_get_verify_result(ssl) == X509_V_OK, let cert = SSL_get1_peer_certificate(ssl) {
            peer = CertificateName.identity(of: cert)
            X509_free(cert)
        }
        return TLSSessionInfo(protocolVersion: String(cString: SSL_get_version(ssl)),
                              applicationProtocol: applicationProtocol, peer: peer)
    }
}

/// Reading the subject of a certificate.
enum CertificateName {
    static func identity(of cert: OpaquePointer) -> TLSPeerIdentity? {
        guard let subject = X509_get_subject_name(cert) else { return nil }
        let names = entries(subject, nid: NID_commonName)
        guard let cn = names.first, !cn.isEmpty else { return nil }
        return TLSPeerIdentity(commonName: cn, organizations: entries(subject, nid: NID_organizationName))
    }

    static func entries(_ name: OpaquePointer, nid: Int32) -> [String] {
        var out: [String] = []
        var index: Int32 = -1
        while true {
            index = X509_NAME_get_index_by_NID(name, nid, index)
            guard index >= 0 else { break }
            guard let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { continue }
            var utf8: UnsafeMutablePointer<UInt8>?
            let length = ASN1_STRING_to_UTF8(&utf8, data)
            if length >= 0, let utf8 {
                out.append(String(decoding: UnsafeBufferPointer(start: utf8, count: Int(length)), as: UTF8.self))
                capstan_openssl_free(utf8)
            }
        }
        return out
    }
}

/// Telling IP addresses from host names, without Foundation.
enum IPAddressText {
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
