import CapstanModel
import Testing

@testable import CapstanAPI

/// Fixtures shared by the validation and defaulting tests.
enum Fixtures {
    static func deployment(name: String = "web", labels: Value = ["app": "web"], spec extra: ValueObject = [:]) -> Value {
        var spec: Value = [
            "replicas": 2,
            "selector": ["matchLabels": ["app": "web"]],
            "template": [
                "metadata": ["labels": labels],
                "spec": ["containers": [["name": "nginx", "image": "nginx:1.27", "ports": [["containerPort": 80]]]]],
            ],
        ]
        for (k, v) in extra { spec[k] = v }
        return ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func service(_ spec: Value) -> Value {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": spec]
    }

    static func pod(_ spec: Value, name: String = "p") -> Value {
        ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name)], "spec": spec]
    }
}

@Suite struct ValidationTests {
    let validator = ObjectValidator()

    func messages(_ object: Value) -> [String] { validator.validate(object).map(\.description) }

    @Test func validDeploymentHasNoErrors() {
        #expect(messages(Fixtures.deployment()) == [])
    }

    @Test func unknownFieldsAreReportedWithTheirPath() throws {
        var d = Fixtures.deployment()
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "x", "imagee": "y"]]
        var reordered: ValueObject = ["replicass": 3]  // errors come in document order
        for (k, v) in d["spec"].objectValue ?? [:] { reordered[k] = v }
        d["spec"] = .object(reordered)
        let errors = validator.validate(d)
        #expect(errors.unknownFields.map(\.description) == [
            #"unknown field "spec.replicass""#, #"unknown field "spec.template.spec.containers[0].imagee""#,
        ])
        #expect(errors.invalid.isEmpty)
        #expect(errors.strictDecodingMessage
            == #"strict decoding error: unknown field "spec.replicass", unknown field "spec.template.spec.containers[0].imagee""#)
        #expect(errors.unknownFields.first?.field == "spec.replicass")
        #expect(errors.unknownFields.last?.path.elements == [.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(0), .key("imagee")])
    }

    @Test func wrongTypesMirrorKubernetesMessages() throws {
        var d = Fixtures.deployment()
        d[path: ["spec", "replicas"]] = "3"
        let errors = validator.validate(d)
        #expect(errors.map(\.description) == [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#
        ])
        #expect(errors.first?.causeType == "FieldValueTypeInvalid")
        #expect(errors.first?.message == #"Invalid value: "string": spec.replicas in body must be of type integer: "string""#)

        d = Fixtures.deployment()
        d[path: ["spec", "template", "spec", "containers"]] = ["name": "x"]
        #expect(messages(d) == [
            #"spec.template.spec.containers: Invalid value: "object": spec.template.spec.containers in body must be of type array: "object""#
        ])
    }

    @Test func requiredContainerFields() {
        var d = Fixtures.deployment()
        d[path: ["spec", "template", "spec", "containers"]] = [["image": "nginx"], ["name": "b"]]
        #expect(messages(d) == [
            "spec.template.spec.containers[0].name: Required value",
            "spec.template.spec.containers[1].image: Required value",
        ])
    }

    @Test func selectorMustMatchTemplateLabels() {
        let d = Fixtures.deployment(labels: ["app": "other"])
        let errors = validator.validate(d)
        #expect(errors.map(\.description) == [
            "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`"
        ])
        #expect(errors.first?.causeType == "FieldValueInvalid")
        #expect(errors.invalidMessage(kind: GroupKind(group: "apps", kind: "Deployment"), name: "web")
            == "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`")
    }

    @Test func selectorRequiredAndNotEmpty() {
        var d = Fixtures.deployment()
        _ = d.remove(path: ["spec", "selector"])
        #expect(messages(d) == ["spec.selector: Required value"])
        d[path: ["spec", "selector"]] = ["matchLabels": [:]]
        #expect(messages(d) == [#"spec.selector: Invalid value: {"matchLabels":{}}: empty selector is invalid for deployment"#])
        d[path: ["spec", "selector"]] = ["matchExpressions": [["key": "app", "operator": "In", "values": ["web", "api"]]]]
        #expect(messages(d) == [])
        d[path: ["spec", "selector"]] = ["matchExpressions": [["key": "app", "operator": "In"]]]
        #expect(messages(d).contains("spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"))
    }

    @Test func metadataNames() {
        #expect(messages(Fixtures.deployment(name: "Web_1")) == [
            #"metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        ])
        var noName = Fixtures.deployment()
        noName["metadata"] = [:]
        #expect(messages(noName) == ["metadata.name: Required value: name or generateName is required"])
        noName["metadata"] = ["generateName": "web-"]
        #expect(messages(noName) == [])
        // Services need DNS-1035 labels (no leading digit); namespaces DNS-1123 labels (no dots).
        let svc = Fixtures.service(["ports": [["port": 80]]])
        var badService = svc
        badService[path: ["metadata", "name"]] = "1web"
        #expect(messages(badService).first?.hasPrefix(#"metadata.name: Invalid value: "1web": a DNS-1035 label"#) == true)
        let ns: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "a.b"]]
        #expect(messages(ns).first?.hasPrefix(#"metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label"#) == true)
        let sts: Value = ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db.x"]]
        #expect(messages(sts).contains { $0.hasPrefix(#"metadata.name: Invalid value: "db.x": a lowercase RFC 1123 label"#) })
        let role: Value = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "system:reader"]]
        #expect(messages(role) == [])
    }

    @Test func labelSyntax() {
        var d = Fixtures.deployment()
        d[path: ["metadata", "labels"]] = ["app.kubernetes.io/name": "web", "bad key": "x", "ok": "-bad"]
        let m = messages(d)
        #expect(m.count == 2)
        #expect(m[0].hasPrefix(#"metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric characters"#))
        #expect(m[1].hasPrefix(#"metadata.labels: Invalid value: "-bad": a valid label must be an empty string"#))
        d[path: ["metadata", "labels"]] = .object([("example.com/" + String(repeating: "a", count: 64)): "x"])
        #expect(messages(d).first?.contains("name part must be no more than 63 characters") == true)
    }

    @Test func enumsReportSupportedValues() {
        var d = Fixtures.deployment()
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "x", "imagePullPolicy": "Sometimes"]]
        #expect(messages(d) == [
            #"spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never""#
        ])
        d = Fixtures.deployment()
        d[path: ["spec", "template", "spec", "restartPolicy"]] = "Never"
        #expect(messages(d) == [#"spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always""#])
    }

    @Test func containerPortsAndMounts() {
        let pod = Fixtures.pod([
            "containers": [
                ["name": "a", "image": "x", "ports": [["containerPort": 0], ["containerPort": 8080, "name": "Http_Port"]],
                 "volumeMounts": [["name": "data", "mountPath": "/data"]]],
                ["name": "a", "image": "y"],
            ],
        ])
        #expect(messages(pod) == [
            "spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive",
            #"spec.containers[0].ports[1].name: Invalid value: "Http_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"#,
            #"spec.containers[0].volumeMounts[0].name: Not found: "data""#,
            #"spec.containers[1].name: Duplicate value: "a""#,
        ])
    }

    @Test func intOrStringAndQuantities() {
        var svc = Fixtures.service(["ports": [["port": 80, "targetPort": "http"]]])
        #expect(messages(svc) == [])
        svc[path: ["spec", "ports"]] = [["port": 80, "targetPort": true]]
        #expect(messages(svc) == [
            #"spec.ports[0].targetPort: Invalid value: "boolean": spec.ports[0].targetPort in body must be of type integer,string: "boolean""#
        ])
        let pod = Fixtures.pod(["containers": [["name": "a", "image": "x", "resources": [
            "requests": ["cpu": 0.5, "memory": "64Mi"], "limits": ["cpu": 1, "memory": "12 GB"],
        ]]]])
        #expect(messages(pod) == [
            #"spec.containers[0].resources.limits[memory]: Invalid value: "12 GB": must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"#
        ])
    }

    @Test func services() {
        #expect(messages(Fixtures.service(["selector": ["app": "web"]])) == ["spec.ports: Required value"])
        #expect(messages(Fixtures.service(["clusterIP": "None"])) == [])
        #expect(messages(Fixtures.service(["type": "ExternalName"])) == ["spec.externalName: Required value"])
        #expect(messages(Fixtures.service(["ports": [["port": 80], ["port": 70000, "name": "b"]]])) == [
            "spec.ports[0].name: Required value",
            "spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
        ])
        #expect(messages(Fixtures.service(["ports": [["port": 80, "nodePort": 30080]]])) == [
            "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
        ])
        #expect(messages(Fixtures.service(["type": "NodePort", "ports": [["port": 80, "nodePort": 30080]]])) == [])
    }

    @Test func secretsAndConfigMaps() {
        let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "type": "kubernetes.io/tls",
            "data": ["tls.crt": "aGVsbG8=", "bad key": "!!!"]]
        #expect(messages(secret) == [
            "data[bad key]: Invalid value: \"!!!\": illegal base64 data at input byte 0",
            #"data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"#,
            "data[tls.key]: Required value",
        ])
        let cm: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["a": "1", "n": 1]]
        #expect(messages(cm) == [#"data[n]: Invalid value: "integer": data[n] in body must be of type string: "integer""#])
    }

    @Test func jobsAndCronJobs() {
        let template: Value = ["spec": ["containers": [["name": "a", "image": "x"]]]]
        let job: Value = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"], "spec": ["template": template]]
        #expect(messages(job) == [#"spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never""#])
        var ok = job
        ok[path: ["spec", "template", "spec", "restartPolicy"]] = "Never"
        #expect(messages(ok) == [])
        ok[path: ["spec", "template", "spec", "restartPolicy"]] = "Always"
        #expect(messages(ok) == [#"spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never""#])

        var cron: Value = ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(String(repeating: "c", count: 53))],
            "spec": ["schedule": "*/5 * * * *", "jobTemplate": ["spec": ["template": template]]]]
        cron[path: ["spec", "jobTemplate", "spec", "template", "spec", "restartPolicy"]] = "OnFailure"
        #expect(messages(cron) == [#"metadata.name: Invalid value: "\#(String(repeating: "c", count: 53))": must be no more than 52 characters"#])
        cron[path: ["metadata", "name"]] = "nightly"
        #expect(messages(cron) == [])
        for (schedule, ok) in [("@daily", true), ("0 3 * * MON-FRI", true), ("0 0 1 JAN,JUL ?", true), ("61 * * * *", false),
            ("* * *", false), ("TZ=UTC 0 * * * *", false), ("5-1 * * * *", false)]
        {
            cron[path: ["spec", "schedule"]] = .string(schedule)
            #expect(messages(cron).isEmpty == ok, "\(schedule): \(messages(cron))")
        }
    }

    @Test func statefulSetMountsMayNameClaimTemplates() {
        let sts: Value = ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"], "spec": [
            "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
            "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [[
                "name": "pg", "image": "postgres:16", "volumeMounts": [["name": "data", "mountPath": "/var/lib/postgresql"]],
            ]]]],
            "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": ["accessModes": ["ReadWriteOnce"],
                "resources": ["requests": ["storage": "1Gi"]]]]],
        ]]
        #expect(messages(sts) == [])
    }

    @Test func rollingUpdateParameters() {
        let d = Fixtures.deployment(spec: ["strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 0, "maxUnavailable": "0%"]]])
        #expect(messages(d) == [#"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0"#])
        let bad = Fixtures.deployment(spec: ["strategy": ["rollingUpdate": ["maxSurge": "150%", "maxUnavailable": "x"]]])
        #expect(messages(bad).count == 2)
        let negative = Fixtures.deployment(spec: ["replicas": -1])
        #expect(messages(negative) == ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"])
    }

    @Test func customResourcesUseTheirSchema() throws {
        let crd: Value = [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": ["group": "example.com", "scope": "Namespaced",
                "names": ["plural": "widgets", "kind": "Widget"],
                "versions": [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": [
                    "type": "object",
                    "properties": [
                        "spec": ["type": "object", "required": ["size"], "properties": [
                            "size": ["type": "integer", "minimum": 1, "maximum": 10],
                            "color": ["type": "string", "enum": ["red", "blue"]],
                            "name": ["type": "string", "maxLength": 5, "pattern": "^[a-z]+$"],
                            "tags": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set"],
                            "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                            "template": ["type": "object", "x-kubernetes-embedded-resource": true, "properties": ["spec": ["type": "object"]]],
                        ]],
                    ],
                ]]]],
            ],
        ]
        let validator = ObjectValidator(catalogue: try APICatalogue.builtin.adding(customResourceDefinition: crd))
        #expect(validator.validate(crd).isEmpty)
        var widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": [
            "size": 3, "color": "red", "name": "abc", "tags": ["a", "b"], "extra": ["anything": ["goes": 1]],
            "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "x"], "spec": [:]],
        ]]
        #expect(validator.validate(widget).isEmpty)
        widget["spec"] = ["size": 11, "color": "green", "name": "ABCDEF", "tags": ["a", "a"], "bogus": 1]
        #expect(validator.validate(widget).map(\.description) == [
            "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10",
            #"spec.color: Unsupported value: "green": supported values: "red", "blue""#,
            #"spec.name: Invalid value: "ABCDEF": spec.name in body should be at most 5 chars long"#,
            #"spec.name: Invalid value: "ABCDEF": spec.name in body should match '^[a-z]+$'"#,
            #"spec.tags[1]: Duplicate value: "a""#,
            #"unknown field "spec.bogus""#,
        ])
        widget["spec"] = [:]
        #expect(validator.validate(widget).map(\.description) == ["spec.size: Required value"])
    }

    @Test func crdNamesMustAgree() {
        let crd: Value = ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.org"],
            "spec": ["group": "example.com", "scope": "Namespaced", "names": ["plural": "widgets", "kind": "Widget"],
                "versions": [["name": "v1", "served": true, "storage": false]]]]
        #expect(messages(crd) == [
            #"metadata.name: Invalid value: "widgets.example.org": must be spec.names.plural+"."+spec.group"#,
            "spec.versions: Invalid value: null: must have exactly one version marked as storage version",
        ])
    }

    @Test func hostileNestingIsBounded() {
        var deep: Value = "leaf"
        for _ in 0..<2000 { deep = ["x": deep] }
        var pod = Fixtures.pod(["containers": [["name": "a", "image": "x"]]])
        pod[path: ["metadata", "annotations"]] = [:]
        pod["spec"]["overhead"] = deep
        // Must finish without crashing; the free-form depth is not walked past the bound.
        _ = validator.validate(pod)
        var nested = Fixtures.pod(["containers": [["name": "a", "image": "x"]]])
        nested[path: ["status", "conditions"]] = .array(Array(repeating: deep, count: 2))
        _ = validator.validate(nested)
    }

    @Test func fieldPathsRoundTrip() {
        let p: FieldPath = "spec.template.spec.containers[0].image"
        #expect(p.elements == [.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(0), .key("image")])
        #expect(p.description == "spec.template.spec.containers[0].image")
        #expect(FieldPath("metadata.labels").key("app.kubernetes.io/name").description == "metadata.labels[app.kubernetes.io/name]")
    }
}

@Suite struct JobSelectorTests {
    @Test func manualJobSelectorsMustMatchTheTemplate() {
        let job: Value = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"], "spec": [
            "manualSelector": true, "selector": ["matchLabels": ["run": "a"]],
            "template": ["metadata": ["labels": ["run": "b"]], "spec": ["restartPolicy": "Never", "containers": [["name": "c", "image": "i"]]]],
        ]]
        #expect(ObjectValidator().validate(job).map(\.description) == [
            "spec.template.metadata.labels: Invalid value: map[string]string{\"run\":\"b\"}: `selector` does not match template `labels`"
        ])
        var generated = job
        generated[path: ["spec", "manualSelector"]] = .null
        generated[path: ["spec", "selector"]] = .null
        Defaulter.generateJobSelector(for: &generated, uid: "u-1")
        #expect(ObjectValidator().validate(generated).isEmpty)
    }
}
