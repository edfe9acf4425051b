import CapstanTLS
import FoundationEssentials

extension ClusterConnection {
    /// The TLS context for an `https` server (nil for `http`), from the cluster's
    /// `certificate-authority(-data)` and `insecure-skip-tls-verify` and the user's
    /// `client-certificate(-data)` and `client-key(-data)`. As in kubectl, `*-data` and the file
    /// form of the same field are exclusive, and a CA together with `insecure-skip-tls-verify`
    /// is refused. Without a CA the system's trusted roots apply.
    public func tlsContext() throws(KubeConfigError) -> TLSContext? {
        guard endpoint.scheme == "https" else { return nil }
        let ca = try pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                         field: "clusters.cluster.certificate-authority", in: cluster.file)
        if ca != nil && cluster.insecureSkipTLSVerify {
            throw KubeConfigError(file: cluster.file, field: "clusters.cluster.insecure-skip-tls-verify",
                                  message: "a certificate authority together with insecure-skip-tls-verify is not allowed")
        }
        let userFile = user?.file ?? cluster.file
        let cert = try pem(data: user?.clientCertificateData, file: user?.clientCertificate,
                           field: "users.user.client-certificate", in: userFile)
        let key = try pem(data: user?.clientKeyData, file: user?.clientKey, field: "users.user.client-key", in: userFile)
        if (cert == nil) != (key == nil) {
            throw KubeConfigError(file: userFile, field: cert == nil ? "users.user.client-certificate" : "users.user.client-key",
                                  message: "client-certificate and client-key go together")
        }
        do {
            return try TLSContext(.client(trustRoots: ca, insecureSkipVerify: cluster.insecureSkipTLSVerify,
                                          certificateChain: cert, privateKey: key))
        } catch {
            throw KubeConfigError(file: cluster.file, field: "clusters.cluster", message: error.description)
        }
    }

    /// PEM from `FIELD-data` (base64) or the file `FIELD` names.
    private func pem(data: String?, file: String?, field: String, in kubeconfig: String) throws(KubeConfigError) -> TLSConfiguration.PEMSource? {
        let hasData = !(data ?? "").isEmpty
        if hasData && file != nil {
            throw KubeConfigError(file: kubeconfig, field: field, message: "both \(field)-data and \(field) are set; use one")
        }
        if let data, hasData {
            guard let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError(file: kubeconfig, field: field + "-data", message: "not valid base64")
            }
            return .init(bytes: [UInt8](bytes), source: "\(kubeconfig): \(field)-data")
        }
        guard let file else { return nil }
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw KubeConfigError(file: kubeconfig, field: field, message: "cannot read \(file)")
        }
        return .init(bytes: [UInt8](bytes), source: file)
    }
}
