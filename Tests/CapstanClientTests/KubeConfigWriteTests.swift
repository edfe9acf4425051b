import CapstanClient
import Foundation
import Testing

/// `capstan cluster up` making the bundled cluster the default context.
@Suite struct KubeConfigWriteTests {
    @Test func defaultContextIsAddedAndOtherEntriesKept() throws {
        let dir = NSTemporaryDirectory() + "kc-write-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/.kube/config"
        // Absent file (and folder): created.
        try KubeConfig.setDefaultContext(name: "capstan", server: "http://127.0.0.1:7001", in: path)
        var config = try KubeConfig.load(files: [path])
        #expect(config.currentContext == "capstan")
        #expect(try config.resolve().endpoint.description == "http://127.0.0.1:7001")

        // Someone else's entries survive; ours is replaced, not duplicated.
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "clusters:\n", with: "clusters:\n- name: prod\n  cluster: {server: \"https://prod:6443\"}\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try KubeConfig.setDefaultContext(name: "capstan", server: "http://127.0.0.1:7002", in: path)
        config = try KubeConfig.load(files: [path])
        #expect(config.clusters["prod"]?.server == "https://prod:6443")
        #expect(try config.resolve().endpoint.port == 7002)
        let again = try String(contentsOfFile: path, encoding: .utf8)
        #expect(again.components(separatedBy: "name: capstan").count - 1 == 3)  // one cluster, user, context
    }

    @Test func writePathFollowsKubectl() {
        #expect(KubeConfig.defaultWritePath(environment: ["KUBECONFIG": "/a:/b", "HOME": "/h"]) == "/a")
        #expect(KubeConfig.defaultWritePath(environment: ["KUBECONFIG": "", "HOME": "/h"]) == "/h/.kube/config")
    }

    @Test func brokenFileIsNotOverwritten() throws {
        let path = NSTemporaryDirectory() + "kc-broken-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "clusters: 7\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: KubeConfigError.self) { try KubeConfig.setDefaultContext(name: "capstan", server: "http://x:1", in: path) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "clusters: 7\n")
    }
}
