import Foundation
import Testing
import CapstanModel

/// `capstan patch create|apply` through the real binary: inputs from files and stdin, the
/// conflict exit status, and clear errors for bad input.
@Suite struct PatchCommandTests {
    let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-patch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, labels: {app: web, tier: front}}
    spec:
      replicas: 2
      template:
        spec:
          containers:
          - {name: web, image: "nginx:1.25"}
          - {name: log, image: busybox}
    """

    @Test func createsAStrategicPatchFromYAMLFiles() throws {
        let original = try write("o.yaml", Self.deployment)
        let modified = try write("m.yaml", Self.deployment
            .replacingOccurrences(of: ", tier: front", with: "")
            .replacingOccurrences(of: "\n      - {name: log, image: busybox}", with: ""))
        let out = try Binary.run(["patch", "create", "--original", original, "--modified", modified, "--kind", "apps/v1/Deployment"])
        #expect(out.status == 0, "\(out.stderr)")
        let patch = try Value.parseJSON(out.stdout)
        #expect(patch["metadata"]["labels"]["tier"] == .null)
        #expect(patch["metadata"]["labels"].has("tier"))
        #expect(patch["spec"]["template"]["spec"]["containers"] == [["$patch": "delete", "name": "log"]])
    }

    @Test func threeWayConflictExitsWithStatusThree() throws {
        let original = try write("o.yaml", Self.deployment)
        let modified = try write("m.yaml", Self.deployment.replacingOccurrences(of: "nginx:1.25", with: "nginx:1.27"))
        let current = try write("c.yaml", Self.deployment.replacingOccurrences(of: "nginx:1.25", with: "nginx:1.26"))
        let out = try Binary.run(["patch", "create", "--original", original, "--modified", modified, "--current", current,
                                  "--kind", "apps/v1/Deployment", "--overwrite=false"])
        #expect(out.status == 3)
        #expect(out.stderr.contains("conflict"))
        #expect(out.stderr.contains("containers"))
    }

    @Test func appliesAPatchReadFromStandardInput() throws {
        let object = try write("obj.yaml", Self.deployment)
        let out = try Binary.run(["patch", "apply", "--patch", "-", "--object", object, "--kind", "apps/v1/Deployment"],
                                 input: #"{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}"#)
        #expect(out.status == 0, "\(out.stderr)")
        let patched = try Value.parseJSON(out.stdout)
        let containers = patched["spec"]["template"]["spec"]["containers"]
        #expect(containers.count == 2)
        #expect(containers[0]["image"] == "nginx:1.27")
        #expect(containers[1]["name"] == "log")
    }

    @Test func jsonPatchErrorsNameTheOperation() throws {
        let object = try write("obj.yaml", Self.deployment)
        let patch = try write("p.json", #"[{"op":"test","path":"/spec/replicas","value":2},{"op":"remove","path":"/spec/nope"}]"#)
        let out = try Binary.run(["patch", "apply", "--patch", patch, "--object", object, "--type", "json"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("/spec/nope"))
        #expect(!out.stderr.contains("Fatal error"))
    }

    @Test func unreadableInputIsAClearError() throws {
        let out = try Binary.run(["patch", "apply", "--patch", dir + "/missing.json", "--object", dir + "/missing.yaml", "--kind", "v1/Pod"])
        #expect(out.status != 0)
        #expect(out.stderr.contains("missing"))
    }
}
