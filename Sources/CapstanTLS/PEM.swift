import COpenSSL

/// An owned `X509*`, freed when the last reference goes. Confined to the task that made it.
final class X509Ref {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_free(pointer) }
}

/// An owned `EVP_PKEY*`, freed when the last reference goes. Confined to the task that made it.
final class PrivateKeyRef {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { EVP_PKEY_free(pointer) }
}

/// Reading and writing PEM through memory BIOs.
enum PEM {
    /// PEM inputs larger than this are refused (a CA bundle is a few hundred KB at most).
    static let maxBytes = 4 << 20

    /// Every certificate in a PEM bundle, in order; `source` names the input in errors.
    static func certificates(_ pem: [UInt8], source: String) throws(TLSError) -> [X509Ref] {
        var found: [X509Ref] = []
        try withReadBIO(pem, source: source) { (bio) throws(TLSError) in
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) {
                found.append(X509Ref(x509))
            }
            // Reading stops with "no start line" at the end of the input; only a bundle without
            // any certificate is an error.
            let reason = OpenSSLErrors.drain()
            if found.isEmpty {
                throw TLSError(.configuration, "no PEM certificate in \(source)", reason: reason)
            }
        }
        return found
    }

    /// The first private key (PKCS#8, traditional RSA or EC) in a PEM input.
    static func privateKey(_ pem: [UInt8], source: String) throws(TLSError) -> PrivateKeyRef {
        var key: PrivateKeyRef?
        try withReadBIO(pem, source: source) { (bio) throws(TLSError) in
            // No password callback: encrypted keys fail instead of prompting on a terminal.
            guard let k = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                throw TLSError.openSSL(.configuration, "no usable PEM private key in \(source)")
            }
            key = PrivateKeyRef(k)
        }
        guard let key else { throw TLSError(.configuration, "no PEM private key in \(source)") }
        return key
    }

    static func encode(certificate: X509Ref) throws(TLSError) -> String {
        try withWriteBIO("encoding a certificate as PEM") { bio in PEM_write_bio_X509(bio, certificate.pointer) }
    }

    /// PKCS#8, unencrypted (the file's permissions protect it).
    static func encode(privateKey: PrivateKeyRef) throws(TLSError) -> String {
        try withWriteBIO("encoding a private key as PEM") { bio in
            PEM_write_bio_PrivateKey(bio, privateKey.pointer, nil, nil, 0, nil, nil)
        }
    }

    private static func withReadBIO(_ pem: [UInt8], source: String,
                                    _ body: (OpaquePointer) throws(TLSError) -> Void) throws(TLSError)
    {
        guard pem.count <= maxBytes else {
            throw TLSError(.configuration, "\(source) is larger than \(maxBytes) bytes")
        }
        OpenSSLErrors.clear()
        let result: Result<Void, TLSError> = pem.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                return .failure(TLSError.openSSL(.configuration, "reading \(source)"))
            }
            defer { BIO_free(bio) }
            do throws(TLSError) { try body(bio) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    private static func withWriteBIO(_ what: String, _ write: (OpaquePointer) -> Int32) throws(TLSError) -> String {
        OpenSSLErrors.clear()
        guard let bio = BIO_new(BIO_s_mem()) else { throw TLSError.openSSL(.generation, what) }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw TLSError.openSSL(.generation, what) }
        return String(decoding: MemoryBIO.drain(bio), as: UTF8.self)
    }
}

/// Reading what a memory BIO holds.
enum MemoryBIO {
    /// Everything pending in `bio`, removed from it.
    static func drain(_ bio: OpaquePointer) -> [UInt8] {
        let pending = Int(BIO_ctrl_pending(bio))
        guard pending > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: pending)
        let read = out.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32($0.count)) }
        if read < pending { out.removeLast(pending - max(0, Int(read))) }
        return out
    }
}
