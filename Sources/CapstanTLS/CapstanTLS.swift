/// CapstanTLS — TLS for Capstan's HTTP client and API server, on the system OpenSSL 3.
///
/// Owns: `TLSContext` (an `SSL_CTX` built from a `TLSConfiguration`: TLS 1.2 or newer, ALPN
/// http/1.1, trust roots from PEM data or a file, an own certificate and key, client-certificate
/// checks on servers), `TLSHandler` (a swift-nio channel handler that runs one TLS session over
/// a pair of memory BIOs), `CertificateAuthority` (generating a CA and the certificates it
/// signs, for `capstan server --tls` and tests), and `TLSError`, which carries OpenSSL's reason.
///
/// Must not: know about HTTP or Kubernetes (callers turn a peer identity into a user), open
/// sockets (the handler only transforms bytes in a pipeline), or depend on swift-nio-ssl and
/// its bundled BoringSSL (hundreds of C files; too slow for a 2-core CI — swift-notes.md §3).
///
/// The one flow to know: network bytes are written into the session's read BIO, then OpenSSL is
/// asked to make progress (`SSL_do_handshake` until done, then `SSL_read` for plaintext); every
/// call may leave bytes in the write BIO, which the handler drains and sends to the network.
/// Writes from the application go through `SSL_write` and leave through the same write BIO.
import COpenSSL

/// Protocol versions this module speaks: TLS 1.2 and 1.3 (older ones are refused by OpenSSL).
public enum TLSDefaults {
    /// The one application protocol offered and accepted through ALPN.
    public static let applicationProtocol = "http/1.1"
}
