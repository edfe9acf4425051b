import Foundation
import Testing

@testable import CapstanClient

private func tempDir() -> String {
    let dir = NSTemporaryDirectory() + "capstan-kubeconfig-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

private func write(_ text: String, _ path: String) {
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
}

private let first = """
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev
  cluster:
    server: http://127.0.0.1:6443
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: http://first.example:80
contexts:
- name: dev
  context: {cluster: dev, user: alice, namespace: team-a}
users:
- name: alice
  user:
    tokenFile: token.txt
"""

private let second = """
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster:
    server: http://second.example:81
- name: prod
  cluster:
    server: https://prod.example
    insecure-skip-tls-verify: true
contexts:
- name: prod
  context: {cluster: prod, user: bob}
- name: other
  context: {cluster: shared, user: bob}
users:
- name: bob
  user:
    token: secret-token
    client-certificate-data: Q0VSVA==
    client-key: /abs/key.pem
"""

@Suite struct KubeConfigTests {
    @Test func relativeFilesResolveAgainstTheKubeconfigsFolder() throws {
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}
            """
        // A one-letter relative name once trapped inside Foundation's path handling.
        #expect(try KubeConfig(text: text, file: "k").clusters["c"]?.certificateAuthority == "ca.crt")
        #expect(try KubeConfig(text: text, file: "dir/k").clusters["c"]?.certificateAuthority == "dir/ca.crt")
        #expect(try KubeConfig(text: text, file: "/k").clusters["c"]?.certificateAuthority == "/ca.crt")
        #expect(parentDirectory(of: "a/b/config") == "a/b")
    }

    @Test func mergesFilesFirstWins() throws {
        let dir = tempDir()
        write(first, dir + "/a.yaml")
        write(second, dir + "/b.yaml")
        write("s3cr3t\n", dir + "/token.txt")
        let config = try KubeConfig.loadDefault(environment: ["KUBECONFIG": "\(dir)/a.yaml:\(dir)/missing.yaml:\(dir)/b.yaml"])
        #expect(config.currentContext == "dev")
        #expect(config.clusters["shared"]?.server == "http://first.example:80")
        #expect(config.clusters["prod"]?.insecureSkipTLSVerify == true)
        #expect(config.clusters["dev"]?.certificateAuthority == dir + "/certs/ca.crt")
        #expect(config.users["bob"]?.clientKey == "/abs/key.pem")
        #expect(config.users["bob"]?.clientCertificateData == "Q0VSVA==")
        #expect(config.contexts.count == 3)

        let dev = try config.resolve()
        #expect(dev.endpoint == ServerEndpoint(scheme: "http", host: "127.0.0.1", port: 6443))
        #expect(dev.namespace == "team-a")
        #expect(try dev.authHeaders()["authorization"] == "Bearer s3cr3t")

        let other = try config.resolve(context: "other", namespace: "x")
        #expect(other.namespace == "x")
        #expect(other.endpoint.port == 80)
        #expect(try other.authHeaders()["Authorization"] == "Bearer secret-token")
    }

    @Test func explicitPathWinsAndMustExist() throws {
        let dir = tempDir()
        write(second, dir + "/b.yaml")
        let config = try KubeConfig.loadDefault(explicitPath: dir + "/b.yaml", environment: ["KUBECONFIG": dir + "/nope"])
        #expect(config.currentContext == "prod")
        #expect(throws: KubeConfigError.self) { try KubeConfig.loadDefault(explicitPath: dir + "/nope", environment: [:]) }
    }

    @Test func httpsCredentialsThatCannotBeReadAreReportedWithTheirField() throws {
        let config = try KubeConfig(text: second, file: "/x/b.yaml")
        let prod = try config.resolve()
        #expect(prod.endpoint.port == 443)
        do {
            _ = try prod.makeClient()
            Issue.record("an unreadable client key was accepted")
        } catch {
            #expect(error.description == "/x/b.yaml: users.user.client-key: cannot read /abs/key.pem")
        }
        var broken = prod
        broken.user?.clientKey = nil
        broken.user?.clientKeyData = "S0VZ"
        #expect { try broken.tlsContext() } throws: { error in
            "\(error)".contains("no PEM certificate in /x/b.yaml: users.user.client-certificate-data")
        }
    }

    @Test func errorsNameFileAndField() {
        let bad = """
        clusters:
        - name: c
          cluster:
            server: 42
        """
        do {
            _ = try KubeConfig(text: bad, file: "/etc/kc")
            Issue.record("bad server accepted")
        } catch {
            #expect(error.description == "/etc/kc: clusters[0].cluster.server: expected a string, found integer")
        }
        do {
            let config = try KubeConfig(text: first, file: "/etc/kc")
            _ = try config.resolve(context: "nope")
            Issue.record("unknown context accepted")
        } catch {
            #expect(error.message == "context \"nope\" does not exist")
        }
        #expect(throws: KubeConfigError.self) { try ServerEndpoint("ftp://x") }
        #expect(throws: KubeConfigError.self) { try ServerEndpoint("http://x:99999") }
        #expect((try? ServerEndpoint("https://[::1]:6443")) == ServerEndpoint(scheme: "https", host: "::1", port: 6443))
    }
}

@Suite struct TokenFileTests {
    @Test func tokenFileIsRereadAfterItsRefreshPeriod() throws {
        let dir = NSTemporaryDirectory() + "capstan-token-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/token"
        FileManager.default.createFile(atPath: path, contents: Data("one\n".utf8))
        let source = TokenFileSource(path: path, refreshSeconds: 60)
        let t0 = Date()
        #expect(try source.token(now: t0) == "one")
        FileManager.default.createFile(atPath: path, contents: Data("two\n".utf8))
        #expect(try source.token(now: t0.addingTimeInterval(10)) == "one")   // cached
        #expect(try source.token(now: t0.addingTimeInterval(61)) == "two")   // reread
        try FileManager.default.removeItem(atPath: path)
        #expect(try source.token(now: t0.addingTimeInterval(200)) == "two")  // last good token kept
        #expect(throws: APIError.self) { try TokenFileSource(path: dir + "/missing").token() }
    }

    @Test func clientsSendTheTokenFromTheFile() async throws {
        let dir = NSTemporaryDirectory() + "capstan-token-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/token", contents: Data("file-token\n".utf8))
        let rec = RecordingTransport { _ in json(200, ["kind": "Namespace", "metadata": ["name": "x"]]) }
        let client = RESTClient(transport: rec.transport, tokenFile: TokenFileSource(path: dir + "/token"))
        _ = try await client.get(.namespaces, namespace: nil, name: "x")
        #expect(rec.requests.withLock { $0.first?.headers["Authorization"] } == "Bearer file-token")
    }
}
