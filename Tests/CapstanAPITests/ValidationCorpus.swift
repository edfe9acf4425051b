import CapstanModel

@testable import CapstanAPI

/// A broad, deterministic corpus for the validator: valid objects of many kinds, and each of them
/// mutated field by field (wrong types, bad names, negative and out-of-range numbers, unknown
/// fields, removed fields, duplicated and extra list items, several mutations at once).
/// `ValidationCorpusTests` holds the validator's output on every case to golden values recorded
/// before the validator was optimised, so a faster path must give the same errors in the same
/// order with the same messages and field paths.
enum ValidationCorpus {
    /// One step into a value: an object key or an array index.
    enum Step: CustomStringConvertible {
        case key(String)
        case index(Int)

        var description: String {
            switch self {
            case .key(let k): return ".\(k)"
            case .index(let i): return "[\(i)]"
            }
        }
    }

    struct Case {
        var id: String
        var object: Value
        /// Validated with `validateUpdate(object, old:)` as well when set.
        var old: Value?
        var custom: Bool
    }

    // MARK: - Base objects

    static let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "shop", "labels": ["app": "web", "app.kubernetes.io/name": "web"],
                     "annotations": ["example.com/owner": "team-a", "note": "hello"],
                     "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "u-1", "controller": true]]],
        "spec": [
            "replicas": 3, "minReadySeconds": 5, "revisionHistoryLimit": 4, "progressDeadlineSeconds": 600,
            "selector": ["matchLabels": ["app": "web"],
                         "matchExpressions": [["key": "tier", "operator": "In", "values": ["fe", "be"]],
                                              ["key": "track", "operator": "Exists"]]],
            "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 1]],
            "template": [
                "metadata": ["labels": ["app": "web", "tier": "fe", "track": "stable"], "annotations": ["a.io/b": "c"]],
                "spec": [
                    "serviceAccountName": "web-sa", "restartPolicy": "Always", "terminationGracePeriodSeconds": 30,
                    "nodeSelector": ["kubernetes.io/os": "linux"],
                    "volumes": [["name": "data", "emptyDir": [:]], ["name": "conf", "configMap": ["name": "web-config"]]],
                    "initContainers": [["name": "init", "image": "busybox:1", "command": ["sh", "-c", "true"]]],
                    "containers": [
                        [
                            "name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                            "ports": [["name": "http", "containerPort": 80, "protocol": "TCP"], ["containerPort": 443, "hostPort": 8443]],
                            "env": [["name": "A", "value": "1"], ["name": "B", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]]],
                            "resources": ["limits": ["cpu": "500m", "memory": "128Mi"], "requests": ["cpu": "250m", "memory": "64Mi"]],
                            "volumeMounts": [["name": "data", "mountPath": "/data"], ["name": "conf", "mountPath": "/etc/conf", "readOnly": true]],
                            "readinessProbe": ["httpGet": ["path": "/", "port": 80], "periodSeconds": 5, "successThreshold": 2],
                            "livenessProbe": ["tcpSocket": ["port": "http"], "initialDelaySeconds": 3],
                        ],
                        ["name": "sidecar", "image": "envoy:1", "ports": [["name": "admin", "containerPort": 9901]]],
                    ],
                    "tolerations": [["key": "k", "operator": "Exists", "effect": "NoSchedule"]],
                ],
            ],
        ],
    ]

    static let statefulSet: Value = [
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"],
        "spec": [
            "serviceName": "db", "replicas": 2, "selector": ["matchLabels": ["app": "db"]],
            "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 0, "maxUnavailable": 1]],
            "ordinals": ["start": 0],
            "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [[
                "name": "pg", "image": "postgres:16", "volumeMounts": [["name": "pgdata", "mountPath": "/var/lib/pg"]],
            ]]]],
            "volumeClaimTemplates": [["metadata": ["name": "pgdata"], "spec": [
                "accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]],
            ]]],
        ],
    ]

    static let daemonSet: Value = [
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "namespace": "kube-system"],
        "spec": [
            "selector": ["matchLabels": ["app": "agent"]],
            "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]],
            "template": ["metadata": ["labels": ["app": "agent"]], "spec": [
                "hostNetwork": true, "containers": [["name": "agent", "image": "agent:2", "args": ["--v=2"]]],
            ]],
        ],
    ]

    static let replicaSet: Value = [
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "rs", "generateName": "rs-"],
        "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "rs"]],
                 "template": ["metadata": ["labels": ["app": "rs"]], "spec": ["containers": [["name": "c", "image": "i"]]]]],
    ]

    static let replicationController: Value = [
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "rc"],
        "spec": ["replicas": 1, "selector": ["app": "rc"],
                 "template": ["metadata": ["labels": ["app": "rc"]], "spec": ["containers": [["name": "c", "image": "i"]]]]],
    ]

    static let pod: Value = [
        "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "labels": ["run": "p"]],
        "spec": [
            "restartPolicy": "OnFailure", "activeDeadlineSeconds": 100,
            "containers": [["name": "main", "image": "alpine:3", "command": ["sleep", "1"],
                            "startupProbe": ["exec": ["command": ["true"]], "failureThreshold": 3],
                            "securityContext": ["runAsUser": 1000, "capabilities": ["add": ["NET_ADMIN"]]]]],
            "securityContext": ["fsGroup": 2000],
            "affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
                ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]],
            ]]]],
        ],
    ]

    static let podTemplate: Value = [
        "apiVersion": "v1", "kind": "PodTemplate", "metadata": ["name": "pt"],
        "template": ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["name": "c", "image": "i"]]]],
    ]

    static let job: Value = [
        "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "migrate"],
        "spec": ["backoffLimit": 2, "completions": 3, "parallelism": 1, "completionMode": "Indexed", "ttlSecondsAfterFinished": 60,
                 "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "m", "image": "migrate:1"]]]]],
    ]

    static let cronJob: Value = [
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "nightly"],
        "spec": ["schedule": "0 3 * * MON-FRI", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid",
                 "successfulJobsHistoryLimit": 3, "startingDeadlineSeconds": 100,
                 "jobTemplate": ["spec": ["template": ["spec": ["restartPolicy": "OnFailure", "containers": [["name": "n", "image": "n"]]]]]]],
    ]

    static let service: Value = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "labels": ["app": "web"]],
        "spec": ["type": "NodePort", "selector": ["app": "web"], "sessionAffinity": "ClientIP",
                 "sessionAffinityConfig": ["clientIP": ["timeoutSeconds": 300]],
                 "ports": [["name": "http", "port": 80, "targetPort": 8080, "nodePort": 30080, "protocol": "TCP"],
                           ["name": "https", "port": 443, "targetPort": "https"]]],
    ]

    static let externalService: Value = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "ext"],
        "spec": ["type": "ExternalName", "externalName": "db.example.com."],
    ]

    static let headlessService: Value = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "db"],
        "spec": ["clusterIP": "None", "selector": ["app": "db"]],
    ]

    static let configMap: Value = [
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web-config"],
        "data": ["app.properties": "a=1", "LOG_LEVEL": "info"], "binaryData": ["blob": "aGVsbG8="], "immutable": false,
    ]

    static let tlsSecret: Value = [
        "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "tls"], "type": "kubernetes.io/tls",
        "data": ["tls.crt": "Y3J0", "tls.key": "a2V5"], "stringData": ["extra": "x"],
    ]

    static let basicAuthSecret: Value = [
        "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "auth"], "type": "kubernetes.io/basic-auth",
        "stringData": ["username": "u", "password": "p"],
    ]

    static let tokenSecret: Value = [
        "apiVersion": "v1", "kind": "Secret",
        "metadata": ["name": "tok", "annotations": ["kubernetes.io/service-account.name": "default"]],
        "type": "kubernetes.io/service-account-token",
    ]

    static let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop", "labels": ["team": "a"]]]

    static let claim: Value = [
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
        "spec": ["accessModes": ["ReadWriteOnce"], "storageClassName": "standard", "resources": ["requests": ["storage": "10Gi"]]],
    ]

    static let ingress: Value = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "web"],
        "spec": [
            "ingressClassName": "nginx",
            "defaultBackend": ["service": ["name": "web", "port": ["number": 80]]],
            "rules": [["host": "*.example.com", "http": ["paths": [
                ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "web", "port": ["name": "http"]]]],
                ["path": "/api", "pathType": "Exact", "backend": ["service": ["name": "api", "port": ["number": 8080]]]],
            ]]]],
            "tls": [["hosts": ["example.com", "*.example.com"], "secretName": "tls"]],
        ],
    ]

    static let autoscaler: Value = [
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "web"],
        "spec": ["scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"], "minReplicas": 2, "maxReplicas": 5,
                 "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]]],
    ]

    static let disruptionBudget: Value = [
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "web"],
        "spec": ["minAvailable": "50%", "selector": ["matchLabels": ["app": "web"], "matchExpressions": [["key": "x", "operator": "DoesNotExist"]]]],
    ]

    static let role: Value = [
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "system:reader", "namespace": "shop"],
        "rules": [["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]]],
    ]

    static let roleBinding: Value = [
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "read", "namespace": "shop"],
        "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "system:reader"],
        "subjects": [["kind": "ServiceAccount", "name": "default", "namespace": "shop"]],
    ]

    static let serviceAccount: Value = [
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "web-sa"], "automountServiceAccountToken": false,
        "imagePullSecrets": [["name": "regcred"]],
    ]

    static let customResourceDefinition: Value = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": ["group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget"],
            "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "spec": ["type": "object", "required": ["size"], "minProperties": 1, "maxProperties": 8, "properties": [
                        "size": ["type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 1],
                        "ratio": ["type": "number", "exclusiveMinimum": true, "minimum": 0, "exclusiveMaximum": true, "maximum": 1],
                        "color": ["type": "string", "enum": ["red", "blue"]],
                        "name": ["type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"],
                        "tags": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set", "maxItems": 3, "minItems": 1],
                        "unique": ["type": "array", "items": ["type": "integer"], "uniqueItems": true],
                        "port": ["x-kubernetes-int-or-string": true, "enum": [80, "http"]],
                        "limits": ["type": "object", "additionalProperties": ["type": "string", "format": "quantity"]],
                        "payload": ["type": "string", "format": "byte"],
                        "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                        "template": ["type": "object", "x-kubernetes-embedded-resource": true, "properties": ["spec": ["type": "object"]]],
                        "items": ["type": "array", "items": ["type": "object", "required": ["name"], "properties": [
                            "name": ["type": "string"], "weight": ["type": "integer", "format": "int32"],
                        ]]],
                    ]],
                ],
            ]]], ["name": "v1beta1", "served": true, "storage": false]],
        ],
    ]

    static let widget: Value = [
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w", "namespace": "shop"],
        "spec": [
            "size": 3, "ratio": 0.5, "color": "red", "name": "abc", "tags": ["a", "b"], "unique": [1, 2],
            "port": "http", "limits": ["cpu": "1", "memory": "1Gi"], "payload": "aGk=",
            "extra": ["anything": ["goes": 1]],
            "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "x"], "spec": [:]],
        ],
    ]

    static let widgetItems: Value = [
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w2"],
        "spec": ["size": 1, "items": [["name": "a", "weight": 1], ["name": "b"]]],
    ]

    /// Objects the validator can say little about (no schema, no kind) still go through it.
    static let oddities: [(String, Value)] = [
        ("empty", [:]),
        ("no-kind", ["apiVersion": "v1", "metadata": ["name": "x"]]),
        ("no-apiVersion", ["kind": "ConfigMap", "metadata": ["name": "x"]]),
        ("unknown-kind", ["apiVersion": "example.org/v1", "kind": "Gadget", "metadata": ["name": "Bad_Name"], "spec": ["x": 1]]),
        ("not-an-object", "just a string"),
        ("metadata-list", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [1, 2]]),
        ("configmap-too-big", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big"],
                               "data": ["a": .string(String(repeating: "x", count: 700_000)),
                                        "b": .string(String(repeating: "y", count: 400_000))]]),
        ("secret-too-big", ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "big"],
                            "stringData": ["a": .string(String(repeating: "x", count: 1_100_000))]]),
        ("annotations-too-big", ["apiVersion": "v1", "kind": "Namespace", "metadata": [
            "name": "big", "annotations": ["a": .string(String(repeating: "x", count: 300_000))]]]),
    ]

    static let builtinBases: [(String, Value)] = [
        ("deployment", deployment), ("statefulset", statefulSet), ("daemonset", daemonSet), ("replicaset", replicaSet),
        ("rc", replicationController), ("pod", pod), ("podtemplate", podTemplate), ("job", job), ("cronjob", cronJob),
        ("service", service), ("service-ext", externalService), ("service-headless", headlessService),
        ("configmap", configMap), ("secret-tls", tlsSecret), ("secret-basic", basicAuthSecret), ("secret-token", tokenSecret),
        ("namespace", namespace), ("pvc", claim), ("ingress", ingress), ("hpa", autoscaler), ("pdb", disruptionBudget),
        ("role", role), ("rolebinding", roleBinding), ("serviceaccount", serviceAccount), ("crd", customResourceDefinition),
    ]

    static let widgetFullTags: Value = [
        "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w3"], "spec": ["size": 2, "tags": ["x", "y", "z"]],
    ]

    static let customBases: [(String, Value)] = [
        ("widget", widget), ("widget-items", widgetItems), ("widget-full-tags", widgetFullTags),
    ]

    // MARK: - Mutations

    /// Values put in place of a field: each one breaks some rule somewhere.
    static let replacements: [Value] = [
        .null, "", "Bad_Name!", -1, 0, 70000, 1.5, true, [], [:], "150%", "0%", "-", "None", "a--b",
        .string(String(repeating: "x", count: 300)), "Always", "example.com/Key", [1, 1], ["a": 1], "1Gi", "=bad=",
        "ReadWriteOncePod", "Recreate", "OnDelete", 86401, 2147483648, -2.5, "http", "*/5 * * * *", "61 * * * *",
    ]

    /// Every path in `value`, parents before children.
    static func paths(in value: Value, prefix: [Step] = []) -> [[Step]] {
        var out: [[Step]] = []
        switch value {
        case .object(let o):
            for (k, v) in o {
                let p = prefix + [.key(k)]
                out.append(p)
                out += paths(in: v, prefix: p)
            }
        case .array(let a):
            for (i, v) in a.enumerated() {
                let p = prefix + [.index(i)]
                out.append(p)
                out += paths(in: v, prefix: p)
            }
        default: break
        }
        return out
    }

    static func get(_ value: Value, _ path: ArraySlice<Step>) -> Value {
        guard let first = path.first else { return value }
        switch first {
        case .key(let k): return get(value[k], path.dropFirst())
        case .index(let i): return get(value[i], path.dropFirst())
        }
    }

    /// Sets (or with nil removes) the value at `path`; missing steps are ignored.
    static func set(_ value: inout Value, _ path: ArraySlice<Step>, _ new: Value?) {
        guard let first = path.first else { return }
        let last = path.count == 1
        switch first {
        case .key(let k):
            guard value.isObject else { return }
            if last {
                if let new { value[k] = new } else { value.removeValue(forKey: k) }
            } else if value.has(k) {
                var child = value[k]
                set(&child, path.dropFirst(), new)
                value[k] = child
            }
        case .index(let i):
            guard case .array(var items) = value, items.indices.contains(i) else { return }
            if last {
                if let new { items[i] = new } else { items.remove(at: i) }
            } else {
                set(&items[i], path.dropFirst(), new)
            }
            value = .array(items)
        }
    }

    /// A small deterministic generator (so a failing case reproduces).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33) % max(bound, 1)
        }
    }

    static func describe(_ path: [Step]) -> String { path.map(\.description).joined() }

    /// The mutated variants of one base object, with ids that say what was done.
    static func cases(named name: String, base: Value, custom: Bool) -> [Case] {
        var out = [Case(id: "\(name)", object: base, old: nil, custom: custom)]
        var gen = Generator(state: UInt64(truncatingIfNeeded: name.utf8.reduce(0) { $0 &* 31 &+ Int($1) }) | 1)
        let all = paths(in: base)
        for path in all {
            let here = describe(path)
            let current = get(base, path[...])
            var removed = base
            set(&removed, path[...], nil)
            out.append(Case(id: "\(name) remove \(here)", object: removed, old: base, custom: custom))
            // Three replacements per field, chosen by the generator from the whole list.
            for _ in 0..<3 {
                let r = replacements[gen.next(replacements.count)]
                var replaced = base
                set(&replaced, path[...], r)
                out.append(Case(id: "\(name) set \(here) = \(r.jsonString(.compact))", object: replaced, old: base, custom: custom))
            }
            switch current {
            case .object(var o):
                o["zzUnknown"] = 1
                var extended = base
                set(&extended, path[...], .object(o))
                out.append(Case(id: "\(name) unknown under \(here)", object: extended, old: nil, custom: custom))
            case .array(let items) where !items.isEmpty:
                var doubled = base
                set(&doubled, path[...], .array(items + [items[0]]))
                out.append(Case(id: "\(name) duplicate first of \(here)", object: doubled, old: base, custom: custom))
                var extra = base
                set(&extra, path[...], .array(items + [["zzUnknown": "x"]]))
                out.append(Case(id: "\(name) append object to \(here)", object: extra, old: nil, custom: custom))
            case .string(let s):
                var upper = base
                set(&upper, path[...], .string(s.uppercased() + "_"))
                out.append(Case(id: "\(name) upper \(here)", object: upper, old: base, custom: custom))
            default: break
            }
        }
        // Several mutations at once: errors from different rules must keep their order.
        for n in 0..<12 {
            var object = base
            var what: [String] = []
            for _ in 0..<3 {
                let path = all[gen.next(all.count)]
                let r = replacements[gen.next(replacements.count)]
                set(&object, path[...], r)
                what.append("\(describe(path))=\(r.jsonString(.compact))")
            }
            out.append(Case(id: "\(name) multi#\(n) \(what.joined(separator: " "))", object: object, old: base, custom: custom))
        }
        return out
    }

    static func allCases() -> [Case] {
        var out: [Case] = []
        for (name, base) in builtinBases { out += cases(named: name, base: base, custom: false) }
        for (name, base) in customBases { out += cases(named: name, base: base, custom: true) }
        for (name, object) in oddities { out.append(Case(id: name, object: object, old: object, custom: false)) }
        return out
    }

    // MARK: - Output

    /// Everything an error carries, with path elements typed (a map key and a list index print
    /// alike but are different elements).
    static func serialize(_ errors: [FieldError]) -> String {
        errors.map { e in
            let path = e.path.elements.map { element -> String in
                switch element {
                case .key(let k): return "k:\(k)"
                case .index(let i): return "i:\(i)"
                case .mapKey(let k): return "m:\(k)"
                }
            }.joined(separator: "/")
            return [e.kind.rawValue, path, e.value?.jsonString(.compact) ?? "-", e.detail, e.supported.joined(separator: ","),
                    e.displayValue ?? "-", e.description].joined(separator: "|")
        }.joined(separator: "\n")
    }

    /// 32 bits of FNV-1a: enough to tell a changed output from the recorded one.
    static func digest(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        let folded = UInt32(truncatingIfNeeded: h ^ (h >> 32))
        let hex = String(folded, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
