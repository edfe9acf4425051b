import CapstanModel
import Testing

@testable import CapstanAPI

@Suite struct UpdateAndStatusTests {
    let validator = ObjectValidator()

    func updateMessages(_ new: Value, _ old: Value) -> [String] {
        validator.validateUpdate(new, old: old).map(\.description)
    }

    @Test func selectorsAndNamesAreImmutable() {
        let old = Fixtures.deployment()
        var new = old
        new[path: ["spec", "replicas"]] = 5
        #expect(updateMessages(new, old) == [])
        new[path: ["spec", "selector"]] = ["matchLabels": ["app": "web", "tier": "fe"]]
        new[path: ["spec", "template", "metadata", "labels"]] = ["app": "web", "tier": "fe"]
        #expect(updateMessages(new, old) == [
            #"spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable"#
        ])
        var renamed = old
        renamed[path: ["metadata", "name"]] = "web2"
        #expect(updateMessages(renamed, old) == [#"metadata.name: Invalid value: "web2": field is immutable"#])
    }

    @Test func statefulSetSpecIsMostlyFrozen() {
        let old: Value = ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"], "spec": [
            "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
            "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "pg", "image": "postgres:16"]]]],
        ]]
        var new = old
        new[path: ["spec", "replicas"]] = 3
        new[path: ["spec", "template", "spec", "containers"]] = [["name": "pg", "image": "postgres:17"]]
        #expect(updateMessages(new, old) == [])
        new[path: ["spec", "serviceName"]] = "db2"
        #expect(updateMessages(new, old).first?.hasPrefix("spec: Forbidden: updates to statefulset spec for fields other than") == true)
    }

    @Test func podsMayChangeOnlyImagesAndTolerations() {
        let old = Fixtures.pod(["containers": [["name": "a", "image": "x:1"]], "tolerations": [["key": "k", "operator": "Exists"]]])
        var new = old
        new[path: ["spec", "containers"]] = [["name": "a", "image": "x:2"]]
        new[path: ["spec", "tolerations"]] = [["key": "k", "operator": "Exists"], ["key": "j", "operator": "Exists"]]
        #expect(updateMessages(new, old) == [])
        new[path: ["spec", "containers"]] = [["name": "a", "image": "x:2", "command": ["sh"]]]
        #expect(updateMessages(new, old).first?.hasPrefix("spec: Forbidden: pod updates may not change fields") == true)
    }

    @Test func servicesJobsSecretsAndBindings() {
        let svc = Fixtures.service(["clusterIP": "10.96.0.10", "ports": [["port": 80]]])
        var moved = svc
        moved[path: ["spec", "clusterIP"]] = "10.96.0.11"
        #expect(updateMessages(moved, svc) == [#"spec.clusterIP: Invalid value: "10.96.0.11": field is immutable"#])

        let job: Value = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "j"], "spec": [
            "template": ["spec": ["restartPolicy": "Never", "containers": [["name": "a", "image": "x"]]]]]]
        var changed = job
        changed[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "y"]]
        #expect(updateMessages(changed, job).first?.hasPrefix("spec.template: Invalid value:") == true)

        let secret: Value = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "immutable": true, "data": ["a": "YQ=="]]
        var edited = secret
        edited["data"] = ["a": "Yg=="]
        #expect(updateMessages(edited, secret) == ["data: Forbidden: field is immutable when `immutable` is set"])

        let rb: Value = ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "b"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"]]
        var other = rb
        other[path: ["roleRef", "name"]] = "r2"
        #expect(updateMessages(other, rb).first?.hasPrefix("roleRef: Invalid value:") == true)
    }

    @Test func invalidStatusMatchesTheApiServerShape() {
        var d = Fixtures.deployment()
        d[path: ["spec", "replicas"]] = -1
        let status = validator.validate(d).invalidStatus(kind: GroupKind(group: "apps", kind: "Deployment"), name: "web")
        #expect(status == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
            "reason": "Invalid",
            "details": ["name": "web", "group": "apps", "kind": "Deployment", "causes": [
                ["reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0", "field": "spec.replicas"],
            ]],
            "code": 422,
        ])
        d[path: ["spec", "replicas"]] = -2
        d[path: ["spec", "selector"]] = .null
        let two = validator.validate(d)
        #expect(two.invalidMessage(kind: GroupKind(group: "apps", kind: "Deployment"), name: "web")
            == "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -2: must be greater than or equal to 0]")
    }

    @Test func strictDecodingStatusAndWarnings() throws {
        var d = Fixtures.deployment()
        d[path: ["spec", "replicass"]] = 1
        let errors = validator.validate(d)
        let status = try #require(errors.strictDecodingStatus(gvk: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")))
        #expect(status["code"] == 400)
        #expect(status["reason"] == "BadRequest")
        #expect(status["message"]
            == #"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicass""#)
        #expect(errors.unknownFieldWarnings == [#"unknown field "spec.replicass""#])
        #expect(validator.validate(Fixtures.deployment()).strictDecodingStatus(gvk: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")) == nil)
    }

    @Test func claimsIngressesAutoscalersBudgets() {
        let pvc: Value = ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "c"], "spec": ["accessModes": ["ReadWriteSometimes"]]]
        #expect(validator.validate(pvc).map(\.description) == [
            #"spec.accessModes[0]: Unsupported value: "ReadWriteSometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod""#,
            "spec.resources[storage]: Required value",
        ])
        let ing: Value = ["apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": ["name": "i"], "spec": ["rules": [[
            "host": "Example.com", "http": ["paths": [["path": "api", "pathType": "Prefix", "backend": ["service": ["name": "s", "port": [:]]]]]],
        ]]]]
        let m = validator.validate(ing).map(\.description)
        #expect(m.count == 3)
        #expect(m.contains(#"spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path"#))
        #expect(m.contains(#"spec.rules[0].http.paths[0].backend.service.port: Invalid value: {}: port name or number is required"#))
        let hpa: Value = ["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "h"],
            "spec": ["minReplicas": 3, "maxReplicas": 2, "scaleTargetRef": ["kind": "Deployment", "name": "web"]]]
        #expect(validator.validate(hpa).map(\.description) == ["spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"])
        let pdb: Value = ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "p"],
            "spec": ["minAvailable": 1, "maxUnavailable": "50%"]]
        #expect(validator.validate(pdb).map(\.description).first?.hasSuffix("minAvailable and maxUnavailable cannot be both set") == true)
    }

    @Test func requestsMayNotExceedLimits() {
        let pod = Fixtures.pod(["containers": [["name": "a", "image": "x", "resources": [
            "requests": ["cpu": "1500m", "memory": "1Gi"], "limits": ["cpu": 1, "memory": "2Gi"],
        ]]]])
        #expect(validator.validate(pod).map(\.description) == [
            #"spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1"#
        ])
        #expect(QuantityValue.parse("1.5Gi") == 1.5 * 1_073_741_824)
        #expect(QuantityValue.parse("250m") == 0.25)
        #expect(QuantityValue.parse("1e3") == 1000)
        #expect(QuantityValue.parse("12 GB") == nil)
    }
}

@Suite struct PruningTests {
    @Test func unknownFieldsAreDroppedLikeTheApiServerDecodes() {
        var d = Fixtures.deployment()
        d[path: ["spec", "replicass"]] = 3
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "x", "imagee": "y", "env": [["name": "A", "vaule": "1"]]]]
        d[path: ["metadata", "labels"]] = ["any": "label"]
        d[path: ["metadata", "annotations"]] = ["a": "b"]
        let removed = SchemaPruner().prune(&d)
        #expect(removed.map(\.description) == [
            "spec.template.spec.containers[0].imagee", "spec.template.spec.containers[0].env[0].vaule", "spec.replicass",
        ])
        #expect(d["spec"]["replicass"] == .null)
        #expect(d["spec"]["template"]["spec"]["containers"][0] == ["name": "a", "image": "x", "env": [["name": "A"]]])
        #expect(d["metadata"]["labels"] == ["any": "label"])
        #expect(ObjectValidator().validate(d).isEmpty)
        // Pruning twice removes nothing more.
        #expect(SchemaPruner().prune(&d).isEmpty)
    }

    @Test func preservedAndEmbeddedFieldsStay() throws {
        let crd = CustomResourceTests.widgetCRD(versions: [[
            "name": "v1", "served": true, "storage": true,
            "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": ["type": "object", "properties": [
                "known": ["type": "string"],
                "free": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "inner": ["type": "object", "x-kubernetes-embedded-resource": true, "properties": ["spec": ["type": "object", "properties": [:]]]],
            ]]]]],
        ]])
        let pruner = SchemaPruner(catalogue: try APICatalogue.builtin.adding(customResourceDefinition: crd))
        var widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": [
            "known": "k", "unknown": 1, "free": ["x": ["y": 1]],
            "inner": ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"], "data": ["dropped": "yes"]],
        ], "status": ["dropped": true]]
        let removed = pruner.prune(&widget)
        #expect(removed.map(\.description) == ["spec.unknown", "spec.inner.data", "status"])
        #expect(widget["spec"]["free"] == ["x": ["y": 1]])
        #expect(widget["spec"]["inner"] == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
    }
}
