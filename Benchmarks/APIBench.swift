import CapstanAPI
import CapstanModel

/// CapstanAPI speed: cold and warm catalogue load, schema navigation, validation and
/// defaulting of a Deployment, OpenAPI v3 publication (`capstan-bench api`). Release builds
/// only give meaningful numbers; the first line is the cold load only on a fresh process.
func runAPIBench(arguments: [String]) async throws {
    let clock = ContinuousClock()
    let coldStart = clock.now
    let catalogue = APICatalogue.builtin
    let cold = clock.now - coldStart
    print("api: cold load of the built-in catalogue: \(ms(cold)) ms (\(catalogue.resources.count) resources, \(catalogue.schemas.names.count) schemas)")

    var reloads: [Duration] = []
    for _ in 0..<20 {
        let start = clock.now
        _ = try APICatalogue.loadBuiltin()
        reloads.append(clock.now - start)
    }
    print("api: reload, median of 20: \(ms(median(reloads))) ms")

    let gvk = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    let navigations = 100_000
    var found = 0
    let navStart = clock.now
    for _ in 0..<navigations {
        let containers = catalogue.schema(for: gvk)?.property("spec")?.property("template")?.property("spec")?.property("containers")
        if containers?.patchMergeKey == "name" { found += 1 }
    }
    let nav = clock.now - navStart
    print("api: schema(for:) + 4 property steps: \(ns(nav, navigations)) ns each (\(found) found)")

    let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": [
            "replicas": 3, "selector": ["matchLabels": ["app": "web"]],
            "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [[
                "name": "nginx", "image": "nginx:1.27", "ports": [["containerPort": 80]],
                "env": [["name": "A", "value": "1"], ["name": "B", "value": "2"]],
                "resources": ["limits": ["cpu": "500m", "memory": "128Mi"]],
                "readinessProbe": ["httpGet": ["path": "/", "port": 80]],
            ]]]],
        ],
    ]
    let validator = ObjectValidator(catalogue: catalogue)
    let objects = 10_000
    var errors = 0
    let validateStart = clock.now
    for _ in 0..<objects { errors += validator.validate(deployment).count }
    print("api: validate a Deployment: \(ns(clock.now - validateStart, objects) / 1000) µs each (\(errors) errors)")

    var fields = 0
    let defaultStart = clock.now
    for _ in 0..<objects {
        var copy = deployment
        Defaulter.apply(to: &copy)
        fields += copy["spec"].count
    }
    print("api: default a Deployment: \(ns(clock.now - defaultStart, objects) / 1000) µs each")

    // JSON both ways on a list of such objects: every request body and stored object goes through these.
    let list: Value = ["apiVersion": "v1", "kind": "List", "items": .array((0..<2000).map { i in
        var d = deployment
        d[path: ["metadata", "name"]] = .string("web-\(i)")
        return d
    })]
    let json = list.jsonBytes()
    var parses: [Duration] = []
    var encodes: [Duration] = []
    for _ in 0..<9 {
        let parseStart = clock.now
        let parsed = try Value.parseJSON(json)
        parses.append(clock.now - parseStart)
        let encodeStart = clock.now
        let again = parsed.jsonBytes()
        encodes.append(clock.now - encodeStart)
        precondition(again.count == json.count)
    }
    let megabytes = Double(json.count) / 1e6
    print("api: JSON parse \(String(format: "%.0f", megabytes / seconds(median(parses)))) MB/s, encode \(String(format: "%.0f", megabytes / seconds(median(encodes)))) MB/s (\(json.count / 1000) KB, median of 9)")

    let publishStart = clock.now
    let publication = catalogue.openAPIV3()
    print("api: OpenAPI v3 publication: \(ms(clock.now - publishStart)) ms (\(publication.documents.count) documents)")
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

private func median(_ samples: [Duration]) -> Duration {
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
}

private func ms(_ d: Duration) -> String {
    let (seconds, attoseconds) = d.components
    let millis = Double(seconds) * 1000 + Double(attoseconds) / 1e15
    return String(Int((millis * 100).rounded())).paddedMillis
}

private func ns(_ d: Duration, _ count: Int) -> Int {
    let (seconds, attoseconds) = d.components
    return Int((Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(max(count, 1)))
}

extension String {
    /// "1234" (hundredths) → "12.34".
    fileprivate var paddedMillis: String {
        let digits = count < 3 ? String(repeating: "0", count: 3 - count) + self : self
        return "\(digits.dropLast(2)).\(digits.suffix(2))"
    }
}
