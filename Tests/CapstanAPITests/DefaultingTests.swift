import CapstanModel
import Testing

@testable import CapstanAPI

@Suite struct DefaultingTests {
    /// The pod spec every template gets (values from Kubernetes' SetDefaults_PodSpec/Container).
    static let defaultedNginx: Value = [
        "name": "nginx", "image": "nginx:1.27", "ports": [["containerPort": 80, "protocol": "TCP"]],
        "imagePullPolicy": "IfNotPresent", "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File", "resources": [:],
    ]

    static func expectDefaultedPodSpec(_ spec: Value) {
        #expect(spec["dnsPolicy"] == "ClusterFirst")
        #expect(spec["restartPolicy"] == "Always")
        #expect(spec["securityContext"] == [:])
        #expect(spec["terminationGracePeriodSeconds"] == 30)
        #expect(spec["schedulerName"] == "default-scheduler")
    }

    @Test func deployment() {
        let d = Defaulter.defaulted(Fixtures.deployment())
        let spec = d["spec"]
        #expect(spec["replicas"] == 2)  // given values are kept
        #expect(spec["strategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        #expect(spec["revisionHistoryLimit"] == 10)
        #expect(spec["progressDeadlineSeconds"] == 600)
        Self.expectDefaultedPodSpec(spec["template"]["spec"])
        #expect(spec["template"]["spec"]["containers"] == [Self.defaultedNginx])
        // Pod-only defaults do not reach templates.
        #expect(spec["template"]["spec"]["enableServiceLinks"] == .null)

        var noReplicas = Fixtures.deployment()
        _ = noReplicas.remove(path: ["spec", "replicas"])
        noReplicas[path: ["spec", "strategy"]] = ["type": "Recreate"]
        let r = Defaulter.defaulted(noReplicas)
        #expect(r["spec"]["replicas"] == 1)
        #expect(r["spec"]["strategy"] == ["type": "Recreate"])
    }

    @Test func defaultingIsIdempotentAndKeepsUserValues() {
        var d = Fixtures.deployment(spec: ["strategy": ["rollingUpdate": ["maxSurge": 1]]])
        d[path: ["spec", "template", "spec", "containers"]] = [["name": "a", "image": "busybox", "imagePullPolicy": "Never"]]
        let once = Defaulter.defaulted(d)
        #expect(Defaulter.defaulted(once) == once)
        #expect(once["spec"]["strategy"]["rollingUpdate"] == ["maxSurge": 1, "maxUnavailable": "25%"])
        #expect(once["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never")
    }

    @Test(arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
        ("registry.example.com:5000/team/app", "Always"), ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
        ("nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"),
        ("nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "Always"),
        ("localhost/app", "Always"), ("Bad/Image", "IfNotPresent"), ("", "IfNotPresent"),
    ])
    func imagePullPolicy(image: String, policy: String) {
        #expect(PodDefaults.pullPolicy(image) == .init(policy))
    }

    @Test func pod() {
        let p = Defaulter.defaulted(Fixtures.pod([
            "hostNetwork": true,
            "containers": [[
                "name": "app", "image": "app:v1", "ports": [["containerPort": 8080]],
                "resources": ["limits": ["cpu": "500m", "memory": "128Mi"], "requests": ["cpu": "100m"]],
                "livenessProbe": ["httpGet": ["port": 8080]],
                "readinessProbe": ["grpc": ["port": 9090], "periodSeconds": 5],
                "env": [["name": "NODE", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]]],
            ]],
            "volumes": [["name": "scratch"], ["name": "cfg", "configMap": ["name": "cfg"]], ["name": "host", "hostPath": ["path": "/x"]]],
        ]))
        let spec = p["spec"]
        Self.expectDefaultedPodSpec(spec)
        #expect(spec["enableServiceLinks"] == true)
        let c = spec["containers"][0]
        #expect(c["resources"]["requests"] == ["cpu": "100m", "memory": "128Mi"])
        #expect(c["ports"][0] == ["containerPort": 8080, "hostPort": 8080, "protocol": "TCP"])
        #expect(c["livenessProbe"] == [
            "httpGet": ["port": 8080, "path": "/", "scheme": "HTTP"],
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
        ])
        #expect(c["readinessProbe"]["periodSeconds"] == 5)
        #expect(c["readinessProbe"]["grpc"] == ["port": 9090, "service": ""])
        #expect(c["env"][0]["valueFrom"]["fieldRef"] == ["fieldPath": "spec.nodeName", "apiVersion": "v1"])
        #expect(spec["volumes"] == [
            ["name": "scratch", "emptyDir": [:]],
            ["name": "cfg", "configMap": ["name": "cfg", "defaultMode": 420]],
            ["name": "host", "hostPath": ["path": "/x", "type": ""]],
        ])
    }

    @Test func replicaSetAndDaemonSet() {
        let rs: Value = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "r"],
            "spec": ["selector": ["matchLabels": ["a": "b"]], "template": ["spec": ["containers": [["name": "c", "image": "i"]]]]]]
        let r = Defaulter.defaulted(rs)
        #expect(r["spec"]["replicas"] == 1)
        Self.expectDefaultedPodSpec(r["spec"]["template"]["spec"])

        var ds = rs
        ds["kind"] = "DaemonSet"
        let d = Defaulter.defaulted(ds)
        #expect(d["spec"]["replicas"] == .null)
        #expect(d["spec"]["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
        #expect(d["spec"]["revisionHistoryLimit"] == 10)
        ds[path: ["spec", "updateStrategy"]] = ["type": "OnDelete"]
        #expect(Defaulter.defaulted(ds)["spec"]["updateStrategy"] == ["type": "OnDelete"])
    }

    @Test func statefulSet() {
        let sts: Value = ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db"], "spec": [
            "selector": ["matchLabels": ["app": "db"]], "serviceName": "db",
            "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "pg", "image": "postgres"]]]],
            "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": ["accessModes": ["ReadWriteOnce"]]]],
        ]]
        let s = Defaulter.defaulted(sts)["spec"]
        #expect(s["replicas"] == 1)
        #expect(s["podManagementPolicy"] == "OrderedReady")
        #expect(s["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        #expect(s["revisionHistoryLimit"] == 10)
        #expect(s["persistentVolumeClaimRetentionPolicy"] == ["whenDeleted": "Retain", "whenScaled": "Retain"])
        #expect(s["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem")
        #expect(s["volumeClaimTemplates"][0]["status"] == ["phase": "Pending"])
        #expect(s["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always")
        // An explicit OnDelete strategy gets no rolling-update block.
        var onDelete = sts
        onDelete[path: ["spec", "updateStrategy"]] = ["type": "OnDelete"]
        #expect(Defaulter.defaulted(onDelete)["spec"]["updateStrategy"] == ["type": "OnDelete"])
    }

    @Test func jobsAndCronJobs() {
        let job: Value = ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "pi"], "spec": [
            "template": ["metadata": ["labels": ["app": "pi"]], "spec": ["restartPolicy": "Never", "containers": [["name": "pi", "image": "perl:5.34"]]]],
        ]]
        let j = Defaulter.defaulted(job)
        #expect(j["spec"]["completions"] == 1)
        #expect(j["spec"]["parallelism"] == 1)
        #expect(j["spec"]["backoffLimit"] == 6)
        #expect(j["spec"]["completionMode"] == "NonIndexed")
        #expect(j["spec"]["suspend"] == false)
        #expect(j["spec"]["podReplacementPolicy"] == "TerminatingOrFailed")
        #expect(j["metadata"]["labels"] == ["app": "pi"])
        #expect(j["spec"]["template"]["spec"]["restartPolicy"] == "Never")

        var parallel = job
        parallel[path: ["spec", "parallelism"]] = 3
        parallel[path: ["spec", "backoffLimitPerIndex"]] = 1
        let p = Defaulter.defaulted(parallel)
        #expect(p["spec"]["completions"] == .null)
        #expect(p["spec"]["backoffLimit"] == 2147483647)

        var selected = j
        Defaulter.generateJobSelector(for: &selected, uid: "1234")
        #expect(selected["spec"]["selector"] == ["matchLabels": ["batch.kubernetes.io/controller-uid": "1234"]])
        #expect(selected["spec"]["manualSelector"] == false)
        #expect(selected["spec"]["template"]["metadata"]["labels"]["job-name"] == "pi")
        #expect(selected["spec"]["template"]["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "pi")

        let cron: Value = ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "c"], "spec": [
            "schedule": "@daily", "jobTemplate": ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "busybox:1"]]]]]],
        ]]
        let c = Defaulter.defaulted(cron)["spec"]
        #expect(c["concurrencyPolicy"] == "Allow")
        #expect(c["suspend"] == false)
        #expect(c["successfulJobsHistoryLimit"] == 3)
        #expect(c["failedJobsHistoryLimit"] == 1)
        #expect(c["jobTemplate"]["spec"]["backoffLimit"] == .null)
        Self.expectDefaultedPodSpec(c["jobTemplate"]["spec"]["template"]["spec"])
    }

    @Test func services() {
        let svc = Defaulter.defaulted(Fixtures.service(["selector": ["app": "web"], "ports": [["port": 80], ["port": 53, "protocol": "UDP", "targetPort": "dns"]]]))
        #expect(svc["spec"] == [
            "selector": ["app": "web"],
            "ports": [["port": 80, "protocol": "TCP", "targetPort": 80], ["port": 53, "protocol": "UDP", "targetPort": "dns"]],
            "sessionAffinity": "None", "type": "ClusterIP", "internalTrafficPolicy": "Cluster",
            "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"],
        ])
        #expect(svc["status"] == ["loadBalancer": [:]])

        let lb = Defaulter.defaulted(Fixtures.service(["type": "LoadBalancer", "ports": [["port": 443]], "sessionAffinity": "ClientIP"]))["spec"]
        #expect(lb["externalTrafficPolicy"] == "Cluster")
        #expect(lb["allocateLoadBalancerNodePorts"] == true)
        #expect(lb["sessionAffinityConfig"] == ["clientIP": ["timeoutSeconds": 10800]])

        let external = Defaulter.defaulted(Fixtures.service(["type": "ExternalName", "externalName": "db.example.com"]))["spec"]
        #expect(external["ipFamilyPolicy"] == .null)
        #expect(external["internalTrafficPolicy"] == .null)

        let headless = Defaulter.defaulted(Fixtures.service(["clusterIP": "None", "selector": ["app": "db"]]))["spec"]
        #expect(headless["clusterIPs"] == ["None"])
        #expect(headless["ipFamilyPolicy"] == "SingleStack")
        let selectorless = Defaulter.defaulted(Fixtures.service(["clusterIP": "None"]))["spec"]
        #expect(selectorless["ipFamilyPolicy"] == "RequireDualStack")
        #expect(selectorless["ipFamilies"] == ["IPv4", "IPv6"])
        let dual = Defaulter(clusterIPFamilies: ["IPv6", "IPv4"]).defaulted(Fixtures.service(["ports": [["port": 80]], "ipFamilyPolicy": "PreferDualStack"]))
        #expect(dual["spec"]["ipFamilies"] == ["IPv6", "IPv4"])
    }

    @Test func coreKinds() {
        let ns = Defaulter.defaulted(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]])
        #expect(ns["metadata"]["labels"] == ["kubernetes.io/metadata.name": "demo"])
        #expect(ns["spec"] == ["finalizers": ["kubernetes"]])
        #expect(ns["status"] == ["phase": "Active"])

        #expect(Defaulter.defaulted(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"]])["type"] == "Opaque")

        let pvc = Defaulter.defaulted(["apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "c"],
            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]]])
        #expect(pvc["spec"]["volumeMode"] == "Filesystem")
        #expect(pvc["status"] == ["phase": "Pending"])

        let pv = Defaulter.defaulted(["apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "v"],
            "spec": ["capacity": ["storage": "1Gi"], "hostPath": ["path": "/data"]]])
        #expect(pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain")
        #expect(pv["spec"]["volumeMode"] == "Filesystem")
        #expect(pv["spec"]["hostPath"]["type"] == "")
        #expect(pv["status"] == ["phase": "Pending"])

        let rc = Defaulter.defaulted(["apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "rc"],
            "spec": ["template": ["metadata": ["labels": ["app": "x"]], "spec": ["containers": [["name": "c", "image": "i"]]]]]])
        #expect(rc["spec"]["selector"] == ["app": "x"])
        #expect(rc["metadata"]["labels"] == ["app": "x"])
        #expect(rc["spec"]["replicas"] == 1)
    }

    @Test func otherGroups() {
        let hpa = Defaulter.defaulted(["apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "h"],
            "spec": ["maxReplicas": 5, "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "web"],
                "behavior": ["scaleDown": ["stabilizationWindowSeconds": 60]]]])
        #expect(hpa["spec"]["minReplicas"] == 1)
        #expect(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80)
        #expect(hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"] == 60)
        #expect(hpa["spec"]["behavior"]["scaleDown"]["selectPolicy"] == "Max")
        #expect(hpa["spec"]["behavior"]["scaleUp"]["policies"].count == 2)

        let np = Defaulter.defaulted(["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "n"],
            "spec": ["podSelector": [:], "egress": [["ports": [["port": 53]]]]]])
        #expect(np["spec"]["policyTypes"] == ["Ingress", "Egress"])
        #expect(np["spec"]["egress"][0]["ports"][0]["protocol"] == "TCP")

        let rb = Defaulter.defaulted(["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "b"],
            "roleRef": ["kind": "Role", "name": "r"], "subjects": [["kind": "User", "name": "u"], ["kind": "ServiceAccount", "name": "s"]]])
        #expect(rb["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io")
        #expect(rb["subjects"][0]["apiGroup"] == "rbac.authorization.k8s.io")
        #expect(rb["subjects"][1]["apiGroup"] == "")

        let sc = Defaulter.defaulted(["apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": "s"], "provisioner": "x"])
        #expect(sc["reclaimPolicy"] == "Delete")
        #expect(sc["volumeBindingMode"] == "Immediate")

        let hook = Defaulter.defaulted(["apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
            "metadata": ["name": "m"], "webhooks": [["name": "w.example.com", "clientConfig": ["service": ["name": "s", "namespace": "n"]],
                "rules": [["operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]]]]]])
        let w = hook["webhooks"][0]
        #expect(w["failurePolicy"] == "Fail")
        #expect(w["timeoutSeconds"] == 10)
        #expect(w["reinvocationPolicy"] == "Never")
        #expect(w["rules"][0]["scope"] == "*")
        #expect(w["clientConfig"]["service"]["port"] == 443)

        let crd = Defaulter.defaulted(CustomResourceTests.widgetCRD())
        #expect(crd["spec"]["names"]["listKind"] == "WidgetList")
        #expect(crd["spec"]["conversion"] == ["strategy": "None"])

        let pc = Defaulter.defaulted(["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": ["name": "p"], "value": 10])
        #expect(pc["preemptionPolicy"] == "PreemptLowerPriority")
    }

    @Test func defaultedObjectsStillValidate() {
        let validator = ObjectValidator()
        for object in [Fixtures.deployment(), Fixtures.service(["ports": [["port": 80]]]),
            Fixtures.pod(["containers": [["name": "a", "image": "b"]]])]
        {
            #expect(validator.validate(Defaulter.defaulted(object)).map(\.description) == [], "\(object.kind ?? "")")
        }
    }

    @Test func unknownKindsPassUnchanged() {
        let widget: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["x": 1]]
        #expect(Defaulter.defaulted(widget) == widget)
        #expect(Defaulter.defaulted(["kind": "Pod"]) == ["kind": "Pod"])
    }
}

@Suite struct PodAdmissionTests {
    @Test func podsGetTheServiceAccountTolerationsAndPriority() {
        var pod = Defaulter.defaulted(Fixtures.pod(["containers": [["name": "a", "image": "x"]]]))
        PodAdmission.apply(to: &pod, tokenVolumeSuffix: "abcde")
        let spec = pod["spec"]
        #expect(spec["serviceAccountName"] == "default")
        #expect(spec["serviceAccount"] == "default")
        #expect(spec["priority"] == 0)
        #expect(spec["preemptionPolicy"] == "PreemptLowerPriority")
        #expect(spec["tolerations"] == [
            ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
            ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300],
        ])
        #expect(spec["volumes"][0]["name"] == "kube-api-access-abcde")
        #expect(spec["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"] == 3607)
        #expect(spec["containers"][0]["volumeMounts"] == [
            ["name": "kube-api-access-abcde", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true],
        ])
        #expect(ObjectValidator().validate(pod).isEmpty)
    }

    @Test func optOutsAndExistingTolerations() {
        var pod = Fixtures.pod(["containers": [["name": "a", "image": "x"]], "automountServiceAccountToken": false,
            "serviceAccountName": "robot", "priorityClassName": "system-node-critical",
            "tolerations": [["operator": "Exists"]]])
        PodAdmission.apply(to: &pod, tokenVolumeSuffix: "z")
        #expect(pod["spec"]["serviceAccount"] == "robot")
        #expect(pod["spec"]["volumes"] == .null)
        #expect(pod["spec"]["tolerations"] == [["operator": "Exists"]])
        #expect(pod["spec"]["priority"] == 2000001000)
    }
}
