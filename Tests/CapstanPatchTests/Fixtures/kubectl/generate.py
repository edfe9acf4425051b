#!/usr/bin/env python3
"""Regenerates cases.json: strategic-merge patch/object pairs and what real kubectl 1.37 makes of
them (`kubectl patch --local -f OBJ --type strategic -p PATCH -o json`).

Run from anywhere: python3 generate.py [path/to/kubectl]. The Swift test KubectlOracleTests reads
cases.json (golden) and, when kubectl is present, re-runs kubectl on every pair.
"""
import copy, json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

def deployment():
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "demo", "labels": {"app": "web", "tier": "frontend"},
                     "annotations": {"note": "x"}, "finalizers": ["a.example/one", "b.example/two"]},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "nginx", "image": "nginx:1.27", "args": ["--a", "--b"],
                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}],
                         "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}],
                         "volumeMounts": [{"name": "data", "mountPath": "/data"}, {"name": "cfg", "mountPath": "/etc/cfg"}],
                         "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}}},
                        {"name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]},
                    ],
                    "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "app-config"}}],
                    "imagePullSecrets": [{"name": "regcred"}],
                    "tolerations": [{"key": "k", "operator": "Exists"}],
                },
            },
        },
    }

def deployment_with_injected():
    d = deployment()
    d["spec"]["template"]["spec"]["containers"].append({"name": "istio-proxy", "image": "proxy:1"})
    return d

def pod():
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "namespace": "demo", "labels": {"app": "p"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-1", "controller": True}]},
        "spec": {
            "initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "app", "image": "app:1", "env": [{"name": "X", "value": "x"}],
                            "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
            "hostAliases": [{"ip": "10.0.0.1", "hostnames": ["a.local"]}],
            "tolerations": [{"key": "t1", "operator": "Exists"}, {"key": "t2", "operator": "Exists"}],
            "volumes": [{"name": "v", "emptyDir": {}}],
            "nodeSelector": {"disk": "ssd"},
        },
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]},
    }

def service():
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "web", "namespace": "demo"},
        "spec": {"selector": {"app": "web", "tier": "frontend"}, "type": "ClusterIP",
                 "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"},
                           {"name": "https", "port": 443, "targetPort": 8443, "protocol": "TCP"}]},
    }

def statefulset():
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "db", "namespace": "demo"},
        "spec": {
            "serviceName": "db", "replicas": 3,
            "selector": {"matchLabels": {"app": "db"}},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}},
            "template": {"metadata": {"labels": {"app": "db"}},
                         "spec": {"containers": [{"name": "pg", "image": "postgres:16",
                                                  "ports": [{"containerPort": 5432, "name": "pg"}],
                                                  "volumeMounts": [{"name": "pgdata", "mountPath": "/var/lib/postgresql"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "pgdata"},
                                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
        },
    }

def configmap():
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": "demo", "labels": {"a": "1", "b": "2"}},
            "data": {"color": "blue", "size": "large", "shape": "round"}}

def tmpl(patch):
    return {"spec": {"template": {"spec": patch}}}

def ctr(name, **fields):
    d = {"name": name}
    d.update(fields)
    return d

CASES = [
    # --- Deployment: plain fields, maps, nulls
    ("deploy-replicas", deployment, {"spec": {"replicas": 5}}),
    ("deploy-label-add-remove", deployment, {"metadata": {"labels": {"tier": None, "track": "stable"}}}),
    ("deploy-annotations-null", deployment, {"metadata": {"annotations": None}}),
    ("deploy-null-missing-key", deployment, {"spec": {"paused": None, "minReadySeconds": 5}}),
    ("deploy-empty-patch", deployment, {}),
    ("deploy-resources-map-merge", deployment, tmpl({"containers": [ctr("nginx", resources={"limits": {"cpu": "1"}, "requests": {"cpu": "100m"}})]})),
    ("deploy-type-change", deployment, {"spec": {"selector": "not-a-map"}}),
    # --- containers: merge by name
    ("deploy-container-image", deployment, tmpl({"containers": [ctr("nginx", image="nginx:1.28")]})),
    ("deploy-container-add", deployment, tmpl({"containers": [ctr("logger", image="fluent-bit")]})),
    ("deploy-container-add-with-setorder", deployment, tmpl({"$setElementOrder/containers": [{"name": "nginx"}, {"name": "logger"}, {"name": "sidecar"}],
                                                               "containers": [ctr("logger", image="fluent-bit")]})),
    ("deploy-container-delete", deployment, tmpl({"containers": [{"$patch": "delete", "name": "sidecar"}]})),
    ("deploy-container-delete-and-change", deployment, tmpl({"$setElementOrder/containers": [{"name": "nginx"}],
                                                               "containers": [ctr("nginx", image="nginx:1.28"), {"$patch": "delete", "name": "sidecar"}]})),
    ("deploy-container-list-replace", deployment, tmpl({"containers": [ctr("only", image="only:1"), {"$patch": "replace"}]})),
    ("deploy-container-reorder", deployment, tmpl({"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}]})),
    ("deploy-container-patch-order-no-directive", deployment, tmpl({"containers": [ctr("sidecar", image="busybox:1.37"), ctr("nginx", image="nginx:1.28")]})),
    ("deploy-new-container-keeps-directives", deployment, tmpl({"containers": [ctr("new", image="x", env=[{"name": "Q", "value": None}], args=None,
                                                                                 **{"$setElementOrder/env": [{"name": "Q"}]})]})),
    # --- env, ports, volumeMounts inside a container
    ("deploy-env-change", deployment, tmpl({"containers": [ctr("nginx", env=[{"name": "B", "value": "20"}])]})),
    ("deploy-env-add-setorder", deployment, tmpl({"containers": [ctr("nginx", env=[{"name": "Z", "value": "26"}],
                                                                        **{"$setElementOrder/env": [{"name": "Z"}, {"name": "A"}, {"name": "B"}, {"name": "C"}]})]})),
    ("deploy-env-reorder-partial", deployment, tmpl({"containers": [ctr("nginx", **{"$setElementOrder/env": [{"name": "C"}, {"name": "A"}]})]})),
    ("deploy-env-delete", deployment, tmpl({"containers": [ctr("nginx", env=[{"$patch": "delete", "name": "A"}])]})),
    ("deploy-env-value-from", deployment, tmpl({"containers": [ctr("nginx", env=[{"name": "A", "value": None, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])]})),
    ("deploy-ports-merge", deployment, tmpl({"containers": [ctr("nginx", ports=[{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 80, "name": "http"}])]})),
    ("deploy-ports-delete", deployment, tmpl({"containers": [ctr("nginx", ports=[{"$patch": "delete", "containerPort": 443}])]})),
    ("deploy-ports-setorder", deployment, tmpl({"containers": [ctr("nginx", **{"$setElementOrder/ports": [{"containerPort": 443}, {"containerPort": 80}]})]})),
    ("deploy-volumemounts-by-path", deployment, tmpl({"containers": [ctr("nginx", volumeMounts=[{"mountPath": "/data", "readOnly": True}, {"mountPath": "/cache", "name": "cache"}])]})),
    ("deploy-args-atomic", deployment, tmpl({"containers": [ctr("nginx", args=["--c"])]})),
    ("deploy-args-delete-from-primitive", deployment, tmpl({"containers": [ctr("nginx", **{"$deleteFromPrimitiveList/args": ["--a"]})]})),
    # --- volumes (merge,retainKeys), strategy (retainKeys), imagePullSecrets, tolerations
    ("deploy-volume-retainkeys", deployment, tmpl({"volumes": [{"name": "cfg", "secret": {"secretName": "s"}, "$retainKeys": ["name", "secret"]}]})),
    ("deploy-volume-add", deployment, tmpl({"volumes": [{"name": "cache", "emptyDir": {"medium": "Memory"}}]})),
    ("deploy-volume-delete-setorder", deployment, tmpl({"$setElementOrder/volumes": [{"name": "cfg"}], "volumes": [{"$patch": "delete", "name": "data"}]})),
    ("deploy-strategy-retainkeys", deployment, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}),
    ("deploy-strategy-retainkeys-null", deployment, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": None}}}),
    ("deploy-strategy-map-delete", deployment, {"spec": {"strategy": {"$patch": "delete"}}}),
    ("deploy-template-labels-replace", deployment, {"spec": {"template": {"metadata": {"labels": {"$patch": "replace", "app": "web2", "v": "2"}}}}}),
    ("deploy-image-pull-secrets", deployment, tmpl({"imagePullSecrets": [{"name": "other"}]})),
    ("deploy-tolerations-atomic", deployment, tmpl({"tolerations": [{"key": "k2", "operator": "Exists"}]})),
    ("deploy-selector-matchlabels", deployment, {"spec": {"selector": {"matchLabels": {"app": "web", "v": "2"}}}}),
    # --- finalizers: primitive merge list
    ("deploy-finalizers-add", deployment, {"metadata": {"finalizers": ["c.example/three"]}}),
    ("deploy-finalizers-delete", deployment, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.example/one"]}}),
    ("deploy-finalizers-setorder", deployment, {"metadata": {"$setElementOrder/finalizers": ["b.example/two", "c.example/three", "a.example/one"],
                                                               "finalizers": ["c.example/three"]}}),
    ("deploy-finalizers-add-existing", deployment, {"metadata": {"finalizers": ["b.example/two", "z.example/z"]}}),
    # --- new subtrees carrying directives
    ("deploy-new-subtree-with-delete-directive", deployment, {"spec": {"progressDeadlineSeconds": 60,
                                                                         "revisionHistoryLimit": 3},
                                                                "metadata": {"newMap": {"$patch": "delete"}}}),
    ("deploy-setorder-added-list", deployment, tmpl({"$setElementOrder/initContainers": [{"name": "i1"}, {"name": "i2"}],
                                                     "initContainers": [ctr("i1", image="a"), ctr("i2", image="b")]})),
    # --- in-place list surgery: Kubernetes deletes and appends on the original's Go backing
    #     array, and $setElementOrder then places live-only items by that modified array
    ("aliasing-delete-add-live-only", deployment_with_injected, tmpl({"$setElementOrder/containers": [{"name": "nginx"}, {"name": "logger"}],
        "containers": [ctr("logger", image="log:1"), {"$patch": "delete", "name": "sidecar"}]})),
    ("aliasing-fuzz-102", lambda: {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {}}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "img-0", "env": [{"name": "A", "value": "2"}, {"name": "C", "value": "0"}, {"name": "B", "value": "2"}], "ports": [{"containerPort": 8080, "protocol": "TCP"}]}, {"name": "c", "image": "img-2"}]}}}}, {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "img-0", "env": [{"$patch": "delete", "name": "E"}], "ports": [{"containerPort": 443, "name": "p"}]}, {"name": "c", "image": "img-1", "env": [{"$patch": "delete", "name": "B"}]}, {"name": "a", "image": "img-2", "env": [{"name": "E", "value": None}, {"$patch": "delete", "name": "C"}, {"name": "A", "value": None}], "$setElementOrder/env": [{"name": "E"}, {"name": "A"}], "$deleteFromPrimitiveList/args": ["-b"]}], "$setElementOrder/containers": [{"name": "b"}, {"name": "c"}, {"name": "a"}]}}}}),
    ("aliasing-fuzz-152", lambda: {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": ["f/1"]}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "img-2", "env": [{"name": "C", "value": "1"}, {"name": "A", "value": "2"}, {"name": "D", "value": "1"}, {"name": "B", "value": "1"}], "args": []}, {"name": "c", "image": "img-2", "env": [{"name": "D", "value": "0"}, {"name": "B", "value": "0"}]}, {"name": "d", "image": "img-1", "env": [{"name": "D", "value": "0"}]}]}}, "strategy": {"type": "Recreate"}}}, {"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "c"}, {"name": "b"}], "$setElementOrder/containers": [{"name": "b"}, {"name": "c"}, {"name": "d"}]}}}}),
    ("aliasing-fuzz-248", lambda: {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "finalizers": ["f/1"], "labels": {}}, "spec": {"template": {"spec": {"containers": [{"name": "b", "image": "img-2", "env": [{"name": "C", "value": "1"}, {"name": "B", "value": "2"}], "volumeMounts": [{"name": "v", "mountPath": "/a"}]}, {"name": "c", "image": "img-2", "ports": [{"containerPort": 80, "protocol": "TCP"}], "args": ["-c"]}]}}, "strategy": {"type": "Recreate"}}}, {"spec": {"template": {"spec": {"containers": [{"name": "e", "image": "img-2", "env": [{"name": "E", "value": None}, {"$patch": "delete", "name": "A"}, {"$patch": "delete", "name": "C"}], "$deleteFromPrimitiveList/args": []}, {"name": "b", "env": [{"$patch": "delete", "name": "C"}, {"name": "E", "value": None}, {"name": "A", "value": "2"}], "$setElementOrder/env": [{"name": "E"}, {"name": "A"}], "ports": [{"containerPort": 9090}, {"containerPort": 80, "name": "p"}]}, {"name": "a"}]}}, "replicas": 5}, "metadata": {"$setElementOrder/finalizers": ["f/2", "f/4"], "labels": None}}),
    ("aliasing-fuzz-258", lambda: {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "img-1", "args": ["-c", "-b", "-a"]}, {"name": "d", "image": "img-0", "env": [{"name": "A", "value": "2"}, {"name": "B", "value": "1"}], "ports": [{"containerPort": 8080, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}], "args": ["-a", "-c"]}], "volumes": [{"name": "w", "secret": {"secretName": "s"}}]}}, "replicas": 2}}, {"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "a"}, {"name": "c", "image": "img-3"}, {"name": "e", "env": [{"name": "A", "value": None}, {"name": "B", "value": None}, {"name": "E", "value": None}]}], "$setElementOrder/containers": [{"name": "c"}, {"name": "e"}, {"name": "b"}]}}, "replicas": None}, "metadata": {"finalizers": [], "$deleteFromPrimitiveList/finalizers": ["f/9"]}}),
    # --- Pod
    ("pod-ownerrefs-merge-uid", pod, {"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "n", "uid": "u-2"}]}}),
    ("pod-ownerrefs-delete", pod, {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": "u-1"}]}}),
    ("pod-hostaliases-by-ip", pod, {"spec": {"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["b.local"]}, {"ip": "10.0.0.2", "hostnames": ["c.local"]}]}}),
    ("pod-initcontainers-merge", pod, {"spec": {"initContainers": [ctr("init", command=["true"]), ctr("init2", image="b")]}}),
    ("pod-tolerations-replace", pod, {"spec": {"tolerations": [{"key": "t3", "operator": "Exists"}]}}),
    ("pod-status-conditions", pod, {"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "Initialized", "status": "True"}]}}),
    ("pod-nodeselector-null", pod, {"spec": {"nodeSelector": {"disk": None, "zone": "a"}}}),
    ("pod-volumemount-delete", pod, {"spec": {"containers": [ctr("app", volumeMounts=[{"$patch": "delete", "mountPath": "/v"}])]}}),
    ("pod-volume-replace-source", pod, {"spec": {"volumes": [{"name": "v", "hostPath": {"path": "/tmp"}, "$retainKeys": ["hostPath", "name"]}]}}),
    ("pod-setorder-interleaves-live-only", pod, {"spec": {"containers": [ctr("c", image="c"), ctr("b", image="b")],
                                                          "$setElementOrder/containers": [{"name": "c"}, {"name": "b"}]}}),
    ("pod-setorder-new-items-around-live", pod, {"spec": {"containers": [ctr("c", image="c"), ctr("b", image="b")],
                                                          "$setElementOrder/containers": [{"name": "c"}, {"name": "app"}, {"name": "b"}]}}),
    ("err-setorder-patch-order-differs", pod, {"spec": {"containers": [ctr("b", image="b"), ctr("c", image="c")],
                                                          "$setElementOrder/containers": [{"name": "c"}, {"name": "app"}, {"name": "b"}]}}),
    ("pod-finalizers-new-list-with-order", pod, {"metadata": {"$setElementOrder/finalizers": ["f2", "f1"], "finalizers": ["f2", "f1"]}}),
    ("pod-env-add-without-order", pod, {"spec": {"containers": [ctr("app", env=[{"name": "Y", "value": "y"}])]}}),
    ("err-finalizers-order-differs", pod, {"metadata": {"$setElementOrder/finalizers": ["f2", "f1"], "finalizers": ["f1", "f2"]}}),
    # --- Service
    ("svc-ports-merge-by-port", service, {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 8443, "name": "alt"}]}}),
    ("svc-ports-delete", service, {"spec": {"$setElementOrder/ports": [{"port": 80}], "ports": [{"$patch": "delete", "port": 443}]}}),
    ("svc-ports-replace", service, {"spec": {"ports": [{"port": 9000, "name": "only"}, {"$patch": "replace"}]}}),
    ("svc-selector-change", service, {"spec": {"selector": {"tier": None, "track": "canary"}, "type": "NodePort"}}),
    ("svc-selector-replace", service, {"spec": {"selector": {"$patch": "replace", "run": "x"}}}),
    # --- StatefulSet
    ("sts-replicas-and-image", statefulset, {"spec": {"replicas": 5, "template": {"spec": {"containers": [ctr("pg", image="postgres:17")]}}}}),
    ("sts-vct-atomic", statefulset, {"spec": {"volumeClaimTemplates": [{"metadata": {"name": "logs"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]}}),
    ("sts-update-strategy", statefulset, {"spec": {"updateStrategy": {"type": "OnDelete", "rollingUpdate": None}}}),
    ("sts-container-ports-add", statefulset, {"spec": {"template": {"spec": {"containers": [ctr("pg", ports=[{"containerPort": 9187, "name": "metrics"}])]}}}}),
    # --- ConfigMap
    ("cm-data-change-delete", configmap, {"data": {"color": "green", "size": None}}),
    ("cm-data-replace", configmap, {"data": {"$patch": "replace", "only": "one"}}),
    ("cm-data-delete", configmap, {"data": {"$patch": "delete"}}),
    ("cm-labels-retainkeys-free", configmap, {"metadata": {"labels": {"c": "3"}}, "binaryData": {"b": "AAE="}}),
    ("cm-top-level-replace", configmap, {"$patch": "replace", "apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "cfg2"}, "data": {"k": "v"}}),
    # --- errors kubectl rejects
    ("err-map-patch-merge", deployment, {"spec": {"strategy": {"$patch": "merge", "type": "Recreate"}}}),
    ("err-list-patch-merge", deployment, tmpl({"containers": [{"$patch": "merge", "name": "nginx"}]})),
    ("err-unknown-directive", deployment, tmpl({"containers": [{"$patch": "explode", "name": "nginx"}]})),
    ("err-missing-merge-key", deployment, tmpl({"containers": [{"image": "nameless"}]})),
    ("err-delete-missing-merge-key", deployment, tmpl({"containers": [{"$patch": "delete"}]})),
    ("err-retainkeys-missing-field", deployment, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": {"maxSurge": 2}}}}),
    ("err-setorder-mismatch", deployment, tmpl({"$setElementOrder/containers": [{"name": "nginx"}], "containers": [ctr("other", image="o")]})),
    ("cm-new-list-mixed-types-taken-whole", configmap, {"metadata": {"finalizers": ["a", 1]}, "data": {}}),
    ("err-mixed-list-types", deployment, {"metadata": {"finalizers": [7]}}),
    ("err-list-of-lists", deployment, {"metadata": {"finalizers": [["x"]]}}),
    ("err-retainkeys-not-list", deployment, {"spec": {"strategy": {"$retainKeys": "type", "type": "Recreate"}}}),
]

def find_kubectl():
    if len(sys.argv) > 1:
        return sys.argv[1]
    return shutil.which("kubectl")

def main():
    kubectl = find_kubectl()
    version = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, env={**os.environ, "KUBECONFIG": "/dev/null"}).stdout
    if "v1.37" not in version:
        sys.exit(f"{kubectl} is not kubectl 1.37: {version}")
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make, patch in CASES:
            obj = make()
            path = os.path.join(tmp, "obj.json")
            with open(path, "w") as f:
                json.dump(obj, f)
            r = subprocess.run([kubectl, "patch", "--local", "-f", path, "--type", "strategic", "-p", json.dumps(patch), "-o", "json"],
                               capture_output=True, text=True, env={**os.environ, "KUBECONFIG": "/dev/null"})
            case = {"name": name, "object": obj, "patch": patch}
            if r.returncode == 0:
                case["expected"] = json.loads(r.stdout)
            else:
                case["error"] = r.stderr.strip()
            out.append(case)
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump({"kubectl": version.splitlines()[0], "cases": out}, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out)} cases, {sum('error' in c for c in out)} errors")

main()
