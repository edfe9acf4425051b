import Foundation
import Testing
import CapstanModel
import CapstanYAML
import CapstanTestSupport

/// End-to-end: the real `capstan` binary built beside the tests.
enum Binary {
    static var path: String { Capstan.binary }
    static var repoRoot: String { Capstan.repoRoot }

    static func run(_ arguments: [String], input: String? = nil) throws -> Oracle.Output {
        try Oracle.run(path, arguments, input: input)
    }
}

@Suite struct CLITests {
    @Test func applyDryRunPrintsEverySeedObject() throws {
        let out = try Binary.run(["apply", "-f", Binary.repoRoot + "/manifests", "--recursive", "--dry-run=client"])
        #expect(out.status == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.contains("deployment.apps/myapp-deploy created (dry run)"))
        #expect(lines.contains("statefulset.apps/nginx-web created (dry run)"))
        #expect(lines.contains("ingress.networking.k8s.io/tomcat created (dry run)"))
        #expect(lines.count == 15)
    }

    @Test func yamlOutputFillsTheDefaultNamespace() throws {
        let out = try Binary.run(["apply", "-f", Binary.repoRoot + "/manifests/myapp", "--dry-run=client", "-o", "yaml", "-n", "demo"])
        #expect(out.status == 0, "\(out.stderr)")
        let objects = try YAML.parseValues(out.stdout)
        #expect(objects.count == 5)
        #expect(objects.allSatisfy { $0.namespace == "demo" })
    }

    @Test func stdinAndNameOutput() throws {
        let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\n"
        let out = try Binary.run(["apply", "-f", "-", "--dry-run=client", "-o", "name"], input: manifest)
        #expect(out.stdout == "configmap/from-stdin\n")
        let json = try Binary.run(["apply", "-f", "-", "--dry-run=client", "-o", "json"], input: manifest)
        #expect(try Value.parseJSON(json.stdout)["metadata"]["namespace"] == "default")
    }

    @Test func badInputFailsBeforePrintingAnything() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n".write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: Widget\nmetadata: {name: w}\n".write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let out = try Binary.run(["apply", "-f", dir, "--dry-run=client"])
        #expect(out.status == 1)
        #expect(out.stdout.isEmpty)
        #expect(out.stderr.contains("b.yaml:1: resource mapping not found"))
    }

    @Test func versionPrints() throws {
        let out = try Binary.run(["version"])
        #expect(out.stdout.hasPrefix("Capstan version v"))
    }
}
