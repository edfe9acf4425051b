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

    // `capstan-bench api validate-only [N] [only=KIND]`: the validation lines alone, N objects
    // each (for repeated runs and callgrind), optionally one sample.
    let validateOnly = arguments.contains("validate-only")
    var reloads: [Duration] = []
    for _ in 0..<(validateOnly ? 0 : 20) {
        let start = clock.now
        _ = try APICatalogue.loadBuiltin()
        reloads.append(clock.now - start)
    }
    if !validateOnly { print("api: reload, median of 20: \(ms(median(reloads))) ms") }

    let gvk = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    let navigations = validateOnly ? 0 : 100_000
    var found = 0
    let navStart = clock.now
    for _ in 0..<navigations {
        let containers = catalogue.schema(for: gvk)?.property("spec")?.property("template")?.property("spec")?.property("containers")
        if containers?.patchMergeKey == "name" { found += 1 }
    }
    let nav = clock.now - navStart
    if !validateOnly { print("api: schema(for:) + 4 property steps: \(ns(nav, navigations)) ns each (\(found) found)") }

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
    let objects = Int(arguments.first(where: { Int($0) != nil }) ?? "") ?? 10_000
    let only = arguments.first(where: { $0.hasPrefix("only=") }).map { String($0.dropFirst(5)) }
    for (name, object) in validationSamples(deployment: deployment) where only == nil || only == name {
        var errors = 0
        let validateStart = clock.now
        for _ in 0..<objects { errors += validator.validate(object).count }
        print("api: validate a \(name): \(micros(clock.now - validateStart, objects)) µs each (\(errors) errors)")
    }
    if only == nil || only == "update" {
        var updated = deployment
        updated[path: ["spec", "replicas"]] = 4
        var updateErrors = 0
        let updateStart = clock.now
        for _ in 0..<objects { updateErrors += validator.validateUpdate(updated, old: deployment).count }
        print("api: validate a Deployment update: \(micros(clock.now - updateStart, objects)) µs each (\(updateErrors) errors)")
    }
    if validateOnly { return }

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

/// What `capstan apply` typically sends besides Deployments, plus one invalid Deployment (its
/// errors are part of the cost a rejected object pays).
private func validationSamples(deployment: Value) -> [(String, Value)] {
    let service: Value = [
        "apiVersion": "v1", "kind": "Service",
        "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web", "app.kubernetes.io/part-of": "shop"]],
        "spec": [
            "selector": ["app": "web"], "type": "ClusterIP",
            "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"],
                      ["name": "https", "port": 443, "targetPort": "https"]],
        ],
    ]
    let configMap: Value = [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": "web-config", "namespace": "default", "annotations": ["example.com/owner": "team-a"]],
        "data": ["app.properties": "a=1\nb=2\n", "LOG_LEVEL": "info", "feature.flags": "x,y,z"],
    ]
    let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop", "labels": ["team": "a"]]]
    var invalid = deployment
    invalid[path: ["metadata", "name"]] = "Web_1"
    invalid[path: ["spec", "replicas"]] = "three"
    invalid[path: ["spec", "unknownField"]] = true
    var container = invalid[path: ["spec", "template", "spec", "containers"]][0]
    container["ports"] = [["containerPort": 70000]]
    container["bogus"] = 1
    invalid[path: ["spec", "template", "spec", "containers"]] = [container]
    return [("Deployment", deployment), ("Service", service), ("ConfigMap", configMap), ("Namespace", namespace),
            ("bad Deployment", invalid)]
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

/// Microseconds per item with one decimal (validations take a few µs each).
private func micros(_ d: Duration, _ count: Int) -> String {
    String(format: "%.1f", Double(ns(d, count)) / 1000)
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
