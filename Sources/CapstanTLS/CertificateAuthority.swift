import COpenSSL

/// A certificate and its private key, both PEM. A plain value.
public struct CertificateAndKey: Sendable, Hashable {
    public var certificatePEM: String
    public var privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// A small certificate authority for the bundled server and for tests: a self-signed CA and the
/// server and client certificates it signs. Keys are ECDSA P-256 and signatures SHA-256; each
/// certificate has a random 63-bit serial and is valid from an hour ago (clock skew) for
/// `validDays`. Server certificates name their hosts as subject alternative names (clients
/// check those, not the common name); client certificates carry the user as CN and the groups
/// as O, which is how Kubernetes reads them. A plain value holding PEM text.
public struct CertificateAuthority: Sendable, Hashable {
    public enum Usage: Sendable, Hashable { case server, client }

    public var ca: CertificateAndKey

    public init(ca: CertificateAndKey) { self.ca = ca }

    /// A new CA with its own key.
    public static func generate(commonName: String = "capstan-ca", validDays: Int = 3650) throws(TLSError) -> CertificateAuthority {
        let key = try KeyGeneration.ecP256()
        let cert = try CertificateBuilder.build(
            subject: (commonName, []), key: key, issuer: nil, issuerKey: key, validDays: validDays,
            extensions: [(NID_basic_constraints, "critical,CA:TRUE"),
                         (NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"),
                         (NID_subject_key_identifier, "hash")])
        return CertificateAuthority(ca: CertificateAndKey(certificatePEM: try PEM.encode(certificate: cert),
                                                          privateKeyPEM: try PEM.encode(privateKey: key)))
    }

    /// A certificate signed by this CA. `hosts` (servers) are DNS names or IP addresses;
    /// `organizations` (clients) become O entries.
    public func issue(_ usage: Usage, commonName: String, organizations: [String] = [], hosts: [String] = [],
                      validDays: Int = 365) throws(TLSError) -> CertificateAndKey
    {
        let issuerCerts = try PEM.certificates(Array(ca.certificatePEM.utf8), source: "the CA certificate")
        let issuerKey = try PEM.privateKey(Array(ca.privateKeyPEM.utf8), source: "the CA key")
        let key = try KeyGeneration.ecP256()
        var extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:FALSE"),
            (NID_key_usage, "critical,digitalSignature,keyEncipherment"),
            (NID_ext_key_usage, usage == .server ? "serverAuth" : "clientAuth"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
        ]
        if !hosts.isEmpty {
            let names = hosts.map { IPAddressText.isIPAddress($0) ? "IP:\($0)" : "DNS:\($0)" }
            extensions.append((NID_subject_alt_name, names.joined(separator: ",")))
        }
        let cert = try CertificateBuilder.build(
            subject: (commonName, organizations), key: key, issuer: issuerCerts[0], issuerKey: issuerKey,
            validDays: validDays, extensions: extensions)
        return CertificateAndKey(certificatePEM: try PEM.encode(certificate: cert), privateKeyPEM: try PEM.encode(privateKey: key))
    }
}

/// Key generation through OpenSSL's EVP interface.
enum KeyGeneration {
    static func ecP256() throws(TLSError) -> PrivateKeyRef {
        OpenSSLErrors.clear()
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else {
            throw TLSError.openSSL(.generation, "creating an EC key generator")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_CTX_set_group_name(ctx, "P-256") == 1,
              EVP_PKEY_generate(ctx, &key) == 1, let key
        else {
            throw TLSError.openSSL(.generation, "generating an ECDSA P-256 key")
        }
        return PrivateKeyRef(key)
    }

    /// `count` random bytes from OpenSSL's CSPRNG, as lowercase hex (bearer tokens).
    static func randomHex(_ count: Int) throws(TLSError) -> String {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw TLSError.openSSL(.generation, "reading random bytes") }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Random secrets for credentials.
public enum TLSRandom {
    /// A bearer token: `bytes` random bytes as hex (32 bytes give 64 characters).
    public static func token(bytes: Int = 32) throws(TLSError) -> String { try KeyGeneration.randomHex(bytes) }
}

/// Assembling and signing one X.509 v3 certificate.
enum CertificateBuilder {
    /// `issuer == nil` makes it self-signed (by `issuerKey`, which is then `key`).
    static func build(subject: (commonName: String, organizations: [String]), key: PrivateKeyRef, issuer: X509Ref?,
                      issuerKey: PrivateKeyRef, validDays: Int,
                      extensions: [(Int32, String)]) throws(TLSError) -> X509Ref
    {
        OpenSSLErrors.clear()
        guard let raw = X509_new() else { throw TLSError.openSSL(.generation, "creating a certificate") }
        let cert = X509Ref(raw)
        let what = "building the certificate for \(subject.commonName)"
        guard X509_set_version(raw, 2) == 1 else { throw TLSError.openSSL(.generation, what) }  // 2 means v3
        try setRandomSerial(raw, what)
        guard X509_gmtime_adj(X509_getm_notBefore(raw), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(raw), max(1, validDays) * 86400) != nil
        else { throw TLSError.openSSL(.generation, "\(what): validity") }
        guard let name = X509_get_subject_name(raw) else { throw TLSError.openSSL(.generation, what) }
        for org in subject.organizations {
            guard X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) == 1 else {
                throw TLSError.openSSL(.generation, "\(what): organization \"\(org)\"")
            }
        }
        guard X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, subject.commonName, -1, -1, 0) == 1 else {
            throw TLSError.openSSL(.generation, "\(what): common name")
        }
        let issuerName = issuer.map { X509_get_subject_name($0.pointer) } ?? name
        guard X509_set_issuer_name(raw, issuerName) == 1, X509_set_pubkey(raw, key.pointer) == 1 else {
            throw TLSError.openSSL(.generation, what)
        }
        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer?.pointer ?? raw, raw, nil, nil, 0)
        for (nid, value) in extensions {
            guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else {
                throw TLSError.openSSL(.generation, "\(what): extension \(value)")
            }
            defer { X509_EXTENSION_free(ext) }
            guard X509_add_ext(raw, ext, -1) == 1 else { throw TLSError.openSSL(.generation, "\(what): extension \(value)") }
        }
        guard X509_sign(raw, issuerKey.pointer, EVP_sha256()) > 0 else {
            throw TLSError.openSSL(.generation, "signing the certificate for \(subject.commonName)")
        }
        return cert
    }

    /// A positive serial below 2^63 (Go refuses negative serials).
    private static func setRandomSerial(_ cert: OpaquePointer, _ what: String) throws(TLSError) {
        guard let bn = BN_new() else { throw TLSError.openSSL(.generation, what) }
        defer { BN_free(bn) }
        guard BN_rand(bn, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1,
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nil
        else { throw TLSError.openSSL(.generation, "\(what): serial number") }
    }
}
