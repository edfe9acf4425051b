/// YAML parse throughput into `Value` against a bare libyaml event scan of the same bytes
/// (the ceiling any libyaml-based reader can reach), and resident memory per Deployment.
import CYAML
import CapstanModel
import CapstanYAML
import Foundation

func runYAMLBench(arguments: [String]) async throws {
    // Memory first, on a fresh heap: 20,000 Deployments held as `Value` trees.
    do {
        let sample = generateDeployments(20_000)
        let before = residentBytes()
        let values = try YAML.parseValues(sample)
        let after = residentBytes()
        let perObject = Double(after - before) / Double(values.count)
        print(String(format: "resident memory:       %6.2f KiB per Deployment, 20,000 held (target < 10 KiB)", perObject / 1024))
        withExtendedLifetime(values) {}
    }

    let documents = 27_000
    let text = generateDeployments(documents)
    let megabytes = Double(text.utf8.count) / 1_000_000
    print(String(format: "input: %d Deployments, %.1f MB of multi-document YAML", documents, megabytes))

    let scan = bestOf(3) { _ = libyamlEventCount(text) }
    // Each run's trees are released after its clock stops: freeing is not parsing.
    var parse = Double.infinity
    for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        let values = try YAML.parseValues(text)
        parse = min(parse, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        withExtendedLifetime(values) {}
    }
    print(String(format: "libyaml events only:   %6.1f MB/s (%.2f s)", megabytes / scan, scan))
    print(String(format: "YAML → Value:          %6.1f MB/s (%.2f s)", megabytes / parse, parse))
    print(String(format: "ratio Value/events:    %6.2f  (target ≥ 0.6)", scan / parse))
}

func bestOf(_ runs: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return best
}

func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

func libyamlEventCount(_ text: String) -> Int {
    var bytes = Array(text.utf8)
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    defer { parser.deallocate() }
    yaml_parser_initialize(parser)
    defer { yaml_parser_delete(parser) }
    var count = 0
    bytes.withUnsafeMutableBufferPointer { buffer in
        yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
        var event = yaml_event_t()
        while yaml_parser_parse(parser, &event) != 0 {
            let done = event.type == YAML_STREAM_END_EVENT
            yaml_event_delete(&event)
            count += 1
            if done { break }
        }
    }
    return count
}

/// Realistic Deployments: labels, annotations with an embedded JSON block, env, probes,
/// resources, quoted strings and a flow mapping — about 2.5 KB each.
func generateDeployments(_ count: Int) -> String {
    var out = ""
    out.reserveCapacity(count * 2600)
    for i in 0..<count {
        out += """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: app-\(i)
          namespace: team-\(i % 20)
          labels:
            app: app-\(i)
            tier: backend
            version: "v\(i % 7)"
          annotations:
            deployment.kubernetes.io/revision: "\(i % 5 + 1)"
            config.example.com/settings: |
              {"retries": 3, "timeout": "30s", "features": ["a", "b", "c"], "id": \(i)}
        spec:
          replicas: \(i % 5 + 1)
          revisionHistoryLimit: 10
          selector:
            matchLabels:
              app: app-\(i)
          strategy:
            type: RollingUpdate
            rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
          template:
            metadata:
              labels:
                app: app-\(i)
                tier: backend
            spec:
              serviceAccountName: app-\(i)
              containers:
              - name: app
                image: registry.example.com/team/app:1.\(i % 50).0
                imagePullPolicy: IfNotPresent
                args: ["--port=8080", "--verbose", "--id=\(i)"]
                ports:
                - name: http
                  containerPort: 8080
                  protocol: TCP
                - name: metrics
                  containerPort: 9090
                env:
                - name: LOG_LEVEL
                  value: info
                - name: POD_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.name
                - name: ENABLE_CACHE
                  value: "true"
                resources:
                  requests:
                    cpu: 100m
                    memory: 128Mi
                  limits:
                    cpu: "1"
                    memory: 512Mi
                readinessProbe:
                  httpGet:
                    path: /healthz
                    port: http
                  initialDelaySeconds: 5
                  periodSeconds: 10
                livenessProbe:
                  tcpSocket:
                    port: 8080
                  failureThreshold: 3
              - name: sidecar
                image: registry.example.com/proxy:2.1
                ports:
                - containerPort: 15001
                volumeMounts:
                - name: config
                  mountPath: /etc/proxy
                  readOnly: true
              volumes:
              - name: config
                configMap:
                  name: proxy-\(i % 10)
        ---

        """
    }
    return out
}

/// A fixed small workload for instruction-count profiling (`valgrind --tool=callgrind`).
func runYAMLScanProfile(arguments: [String]) async throws {
    let text = generateDeployments(5_000)
    print("scanned \(libyamlEventCount(text)) events")
}

func runYAMLProfile(arguments: [String]) async throws {
    let text = generateDeployments(5_000)
    let values = try YAML.parseValues(text)
    print("parsed \(values.count) documents")
}

/// `capstan-bench yaml-files [DIR]`: per-file cost of reading and parsing a manifest tree the way
/// `capstan apply -f DIR -R` does (many small files), split into read, libyaml events and Value.
/// Without DIR, the apply bench's 1,000-object tree is generated and measured.
func runYAMLFiles(arguments: [String]) async throws {
    var generated: String?
    defer { if let generated { try? FileManager.default.removeItem(atPath: generated) } }
    let root: String
    if let given = arguments.first {
        root = given
    } else {
        let dir = NSTemporaryDirectory() + "capstan-yaml-files-\(UUID().uuidString.prefix(8))"
        generated = dir
        root = try ApplyBenchTools.generate(root: dir, count: 1000, prefix: "y-")
    }
    var paths: [String] = []
    func walk(_ dir: String) {
        for entry in (try? FileSystem.list(dir)) ?? [] {
            let full = dir + "/" + entry.name
            if entry.isDirectory { walk(full) } else if entry.name.hasSuffix(".yaml") { paths.append(full) }
        }
    }
    walk(root)
    var texts: [String] = []
    let read = bestOf(5) { texts = paths.map { String(decoding: (try? FileSystem.read($0)) ?? [], as: UTF8.self) } }
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    var sink = 0
    let events = bestOf(5) { for t in texts { sink &+= libyamlEventCount(t) } }
    let parse = bestOf(5) { for t in texts { sink &+= ((try? YAML.parseAll(t, file: "x"))?.count ?? 0) } }
    let n = Double(paths.count)
    print(String(format: "%d files, %d bytes: read %.1f µs/file, libyaml events %.1f µs/file, YAML → Value %.1f µs/file (%d)",
                 paths.count, bytes, read / n * 1e6, events / n * 1e6, parse / n * 1e6, sink))
}
