import CapstanTLS
import CapstanTestSupport
import Foundation
import Testing

/// End to end over HTTPS: the real `capstan server --tls` driven by real kubectl 1.37 with the
/// kubeconfig the server wrote (CA data and an admin token). Fails in CI without kubectl.
extension ServerTests {
@Suite struct TLSE2ETests {
    @Test func kubectlTalksToTheTLSServerWithTheGeneratedKubeconfig() async throws {
        guard oracleAvailable(Oracle.kubectl != nil, "kubectl 1.37") else { return }
        let server = ServerProcess(arguments: ["--tls"])
        try await server.startAsync()
        defer { server.cleanUp() }
        #expect(server.scheme == "https")
        let config = try String(contentsOfFile: server.kubeconfig, encoding: .utf8)
        #expect(config.contains("server: https://127.0.0.1:") && config.contains("certificate-authority-data: ")
            && config.contains("token: "))
        let mode = try FileManager.default.attributesOfItem(atPath: server.kubeconfig)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        var out = try await server.kubectl(["get", "ns", "-o", "name"])
        #expect(out.status == 0 && out.stdout.contains("namespace/kube-system"), "\(out.stderr)")
        let manifest = server.dataDir + "/cm.yaml"
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: over-tls\ndata:\n  k: v\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        out = try await server.kubectl(["apply", "-f", manifest])
        #expect(out.status == 0 && out.stdout.contains("configmap/over-tls created"), "\(out.stdout)\(out.stderr)")
        out = try await server.kubectl(["get", "cm", "over-tls", "-o", "jsonpath={.data.k}"])
        #expect(out.stdout == "v")

        // A token the server does not know: 401, which kubectl reports as missing credentials.
        // (With no credentials at all, kubectl asks for a user name on https before sending
        // anything; the 401 for requests without a token is checked in SecureServerTests.)
        out = try await server.kubectl(["--token", "not-the-token", "get", "ns"])
        #expect(out.status == 1 && out.stderr.contains("error: You must be logged in to the server"), "\(out.stderr)")
        // Restarting on the same directory keeps the CA and the token: the kubeconfig stays valid.
        server.stop()
        try await server.startAsync()
        out = try await server.kubectl(["get", "cm", "over-tls", "-o", "name"])
        #expect(out.status == 0 && out.stdout == "configmap/over-tls\n", "\(out.stderr)")
    }

    /// `capstan apply` and `capstan diff` read the same generated kubeconfig (CA data, token).
    @Test func capstanAppliesAndDiffsOverTLS() async throws {
        let server = ServerProcess(arguments: ["--tls"])
        try await server.startAsync()
        defer { server.cleanUp() }
        let manifest = server.dataDir + "/cm.yaml"
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: capstan-over-tls\ndata:\n  k: v\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let kubeconfig = server.kubeconfig
        var out = try await offPool { try Capstan.run(["apply", "-f", manifest, "--kubeconfig", kubeconfig]) }
        #expect(out.status == 0 && out.stdout.contains("configmap/capstan-over-tls created"), "\(out.stdout)\(out.stderr)")
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: capstan-over-tls\ndata:\n  k: changed\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        out = try await offPool { try Capstan.run(["diff", "-f", manifest, "--kubeconfig", kubeconfig]) }
        #expect(out.status == 1 && out.stdout.contains("+  k: changed"), "\(out.stdout)\(out.stderr)")
        out = try await offPool { try Capstan.run(["apply", "-f", manifest, "--kubeconfig", kubeconfig]) }
        #expect(out.status == 0 && out.stdout.contains("configmap/capstan-over-tls configured"), "\(out.stdout)\(out.stderr)")
    }

    @Test func kubectlAuthenticatesWithAClientCertificateOrATokenFromTheTokenFile() async throws {
        guard oracleAvailable(Oracle.kubectl != nil, "kubectl 1.37") else { return }
        let dir = NSTemporaryDirectory() + "capstan-e2e-creds-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clientCA = try CertificateAuthority.generate(commonName: "clients")
        let jane = try clientCA.issue(.client, commonName: "jane", organizations: ["system:masters"])
        try clientCA.ca.certificatePEM.write(toFile: dir + "/clients.crt", atomically: true, encoding: .utf8)
        try "tok-bob,bob,1001,\"devs,ops\"\n".write(toFile: dir + "/tokens.csv", atomically: true, encoding: .utf8)

        let server = ServerProcess(arguments: ["--tls", "--client-ca-file", dir + "/clients.crt", "--token-auth-file", dir + "/tokens.csv"])
        try await server.startAsync()
        defer { server.cleanUp() }
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: \(server.base)
                certificate-authority: \(server.dataDir)/pki/ca.crt
            users:
            - name: jane
              user:
                client-certificate-data: \(base64(jane.certificatePEM))
                client-key-data: \(base64(jane.privateKeyPEM))
            contexts:
            - name: jane
              context: {cluster: c, user: jane}
            current-context: jane
            """
        try kubeconfig.write(toFile: dir + "/jane.kubeconfig", atomically: true, encoding: .utf8)
        var out = try await server.kubectl(["--kubeconfig", dir + "/jane.kubeconfig", "get", "ns", "default", "-o", "name"])
        #expect(out.status == 0 && out.stdout == "namespace/default\n", "\(out.stderr)")
        out = try await server.kubectl(["--token", "tok-bob", "get", "ns", "default", "-o", "name"])
        #expect(out.status == 0 && out.stdout == "namespace/default\n", "\(out.stderr)")
    }

    @Test func serverRefusesAWildcardAddressWithoutTLS() async throws {
        let dir = NSTemporaryDirectory() + "capstan-refuse-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try await offPool { try Capstan.run(["server", "--data-dir", dir, "--address", "0.0.0.0", "--port", "0"]) }
        #expect(out.status != 0)
        #expect(out.stderr.contains("refusing to serve on 0.0.0.0 without TLS and authentication"), "\(out.stderr)")
    }
}
}
