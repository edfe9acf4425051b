#!/usr/bin/env python3
"""Regenerates threeway.json: what real kubectl 1.37 sends for `kubectl apply` (client-side,
three-way strategic merge) given a live object and a new manifest.

A tiny local HTTP server written here plays the API server: it serves just enough discovery for
kubectl to map the kinds, answers 404 for OpenAPI (so, with --validate=false, kubectl takes patch
metadata from its compiled-in types), returns the live object on GET and records the PATCH
body. The Swift test StrategicThreeWayKubectlTests recomputes each patch from the recorded
inputs and compares.

Run: python3 generate.py [path/to/kubectl] [--out FILE]   (default FILE: threeway.json here)
"""
import concurrent.futures, copy, http.server, json, os, shutil, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

RESOURCES = {
    ("", "v1"): [("configmaps", "ConfigMap"), ("pods", "Pod"), ("services", "Service"), ("namespaces", "Namespace")],
    ("apps", "v1"): [("deployments", "Deployment"), ("statefulsets", "StatefulSet")],
    ("example.com", "v1"): [("widgets", "Widget")],
}

class Stub(http.server.BaseHTTPRequestHandler):
    live = None      # the object GET returns
    patches = []     # PATCH bodies received

    def log_message(self, *args):
        pass

    def send_json(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def not_found(self):
        self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"})

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/version":
            return self.send_json(200, {"major": "1", "minor": "37", "gitVersion": "v1.37.0", "platform": "linux/amd64"})
        if path == "/api":
            return self.send_json(200, {"kind": "APIVersions", "versions": ["v1"],
                                        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})
        if path == "/apis":
            return self.send_json(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}} for g in ("apps", "example.com")]})
        for (group, version), resources in RESOURCES.items():
            gv = f"{group}/{version}" if group else version
            prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
            if path == prefix:
                return self.send_json(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": [
                    {"name": plural, "singularName": kind.lower(), "namespaced": plural != "namespaces", "kind": kind,
                     "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]} for plural, kind in resources]})
        if path.startswith("/api/v1/namespaces/") and path.count("/") == 4:
            return self.send_json(200, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": path.rsplit("/", 1)[1]}})
        live = self.live
        if live is not None and path.endswith("/" + live["metadata"]["name"]):
            return self.send_json(200, live)
        return self.not_found()

    def do_PATCH(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(length))
        self.patches.append({"contentType": self.headers.get("Content-Type"), "body": body})
        return self.send_json(200, self.live)

def last_applied(manifest):
    m = copy.deepcopy(manifest)
    m.setdefault("metadata", {})["annotations"] = dict(m["metadata"].get("annotations", {}))
    m["metadata"]["annotations"].pop(LAST_APPLIED, None)
    return json.dumps(m, sort_keys=True, separators=(",", ":")) + "\n"

def server_side(manifest, extra=None):
    """The live object after applying `manifest`: annotation, identity, defaults, status."""
    live = copy.deepcopy(manifest)
    meta = live["metadata"]
    meta.setdefault("annotations", {})[LAST_APPLIED] = last_applied(manifest)
    meta.update({"uid": "0b6f3c84-1111-4222-8333-444455556666", "resourceVersion": "1001", "creationTimestamp": "2026-01-01T00:00:00Z"})
    if live["kind"] == "Deployment":
        spec = live["spec"]
        spec.setdefault("replicas", 1)
        spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        spec.setdefault("revisionHistoryLimit", 10)
        for c in spec["template"]["spec"]["containers"]:
            c.setdefault("imagePullPolicy", "IfNotPresent")
            c.setdefault("terminationMessagePath", "/dev/termination-log")
        spec["template"]["spec"].setdefault("restartPolicy", "Always")
        live["status"] = {"replicas": spec["replicas"], "readyReplicas": spec["replicas"]}
    if live["kind"] == "Service":
        live["spec"].setdefault("clusterIP", "10.96.0.10")
        live["spec"].setdefault("sessionAffinity", "None")
        for p in live["spec"].get("ports", []):
            p.setdefault("protocol", "TCP")
    if extra:
        extra(live)
    return live

def deployment(image="nginx:1.27", containers=None, replicas=None, env=None, labels=None, strategy=None, finalizers=None, volumes=None):
    env = env if env is not None else [{"name": "MODE", "value": "blue"}]
    cs = containers if containers is not None else [
        {"name": "nginx", "image": image, "env": env, "ports": [{"containerPort": 80}]},
        {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "3600"]},
    ]
    d = {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "demo", "labels": labels if labels is not None else {"app": "web"}},
         "spec": {"selector": {"matchLabels": {"app": "web"}},
                  "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": cs}}}}
    if replicas is not None:
        d["spec"]["replicas"] = replicas
    if strategy is not None:
        d["spec"]["strategy"] = strategy
    if finalizers is not None:
        d["metadata"]["finalizers"] = finalizers
    if volumes is not None:
        d["spec"]["template"]["spec"]["volumes"] = volumes
    return d

def configmap(data, labels=None):
    d = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "demo"}, "data": data}
    if labels is not None:
        d["metadata"]["labels"] = labels
    return d

def service(ports, selector=None, type_=None):
    d = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "demo"},
         "spec": {"selector": selector or {"app": "web"}, "ports": ports}}
    if type_:
        d["spec"]["type"] = type_
    return d

def widget(spec, labels=None):
    d = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "demo"}, "spec": spec}
    if labels is not None:
        d["metadata"]["labels"] = labels
    return d

def widget_status(live):
    live["status"] = {"ready": True}
    live["spec"]["defaulted"] = "yes"

def scale(n):
    def f(live):
        live["spec"]["replicas"] = n
        live["status"]["replicas"] = n
    return f

def hotfix_image(live):
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:hotfix"

def add_live_label(live):
    live["metadata"]["labels"]["added-live"] = "yes"

def add_live_container(live):
    live["spec"]["template"]["spec"]["containers"].append({"name": "injected", "image": "proxy:1"})

def add_live_finalizer(live):
    live["metadata"].setdefault("finalizers", []).append("controller.example/guard")

P80 = {"name": "http", "port": 80, "targetPort": 8080}
P443 = {"name": "https", "port": 443, "targetPort": 8443}

# (name, original manifest (last applied), live modifier, new manifest)
CASES = [
    ("unchanged", deployment(), None, deployment()),
    ("image-change", deployment(), None, deployment(image="nginx:1.28")),
    ("drop-sidecar-change-env-add-label", deployment(), None,
     deployment(image="nginx:1.28", env=[{"name": "MODE", "value": "green"}], labels={"app": "web", "tier": "frontend"},
                containers=[{"name": "nginx", "image": "nginx:1.28", "env": [{"name": "MODE", "value": "green"}], "ports": [{"containerPort": 80}]}], replicas=3)),
    ("replicas-removed-from-manifest", deployment(replicas=3), None, deployment()),
    ("replicas-never-set-scaled-live", deployment(), scale(7), deployment(image="nginx:1.28")),
    ("replicas-set-scaled-live", deployment(replicas=2), scale(7), deployment(replicas=2)),
    ("live-image-hotfix-overwritten", deployment(), hotfix_image, deployment(image="nginx:1.28")),
    ("live-image-hotfix-untouched-manifest", deployment(), hotfix_image, deployment()),
    ("live-label-survives", deployment(), add_live_label, deployment(labels={"app": "web", "v": "2"})),
    ("live-container-survives", deployment(), add_live_container, deployment(image="nginx:1.28")),
    ("containers-reordered", deployment(), None,
     deployment(containers=[{"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "3600"]},
                            {"name": "nginx", "image": "nginx:1.27", "env": [{"name": "MODE", "value": "blue"}], "ports": [{"containerPort": 80}]}])),
    ("container-added-first", deployment(), None,
     deployment(containers=[{"name": "init-log", "image": "log:1"},
                            {"name": "nginx", "image": "nginx:1.27", "env": [{"name": "MODE", "value": "blue"}], "ports": [{"containerPort": 80}]},
                            {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "3600"]}])),
    ("env-reorder-and-add", deployment(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]), None,
     deployment(env=[{"name": "C", "value": "3"}, {"name": "B", "value": "2"}, {"name": "A", "value": "1"}])),
    ("env-removed", deployment(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]), None,
     deployment(env=[{"name": "B", "value": "2"}])),
    ("ports-changed", deployment(), None,
     deployment(containers=[{"name": "nginx", "image": "nginx:1.27", "env": [{"name": "MODE", "value": "blue"}], "ports": [{"containerPort": 8080, "name": "web"}]},
                            {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "3600"]}])),
    ("args-changed", deployment(), None,
     deployment(containers=[{"name": "nginx", "image": "nginx:1.27", "env": [{"name": "MODE", "value": "blue"}], "ports": [{"containerPort": 80}]},
                            {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "60"]}])),
    ("strategy-to-recreate", deployment(strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}), None,
     deployment(strategy={"type": "Recreate"})),
    ("strategy-defaulted-kept", deployment(), None, deployment(strategy={"type": "RollingUpdate"})),
    ("finalizer-removed-live-one-kept", deployment(finalizers=["mine.example/a", "mine.example/b"]), add_live_finalizer,
     deployment(finalizers=["mine.example/b"])),
    ("finalizer-added", deployment(finalizers=["mine.example/a"]), None, deployment(finalizers=["mine.example/z", "mine.example/a"])),
    ("volume-source-changed", deployment(volumes=[{"name": "data", "emptyDir": {}}]), None,
     deployment(volumes=[{"name": "data", "configMap": {"name": "cfg"}}])),
    ("volume-removed", deployment(volumes=[{"name": "data", "emptyDir": {}}, {"name": "cache", "emptyDir": {}}]), None,
     deployment(volumes=[{"name": "cache", "emptyDir": {}}])),
    ("labels-all-removed", deployment(labels={"app": "web", "x": "y"}), None, deployment(labels={"app": "web"})),
    ("cm-change-and-delete", configmap({"color": "blue", "size": "large"}), None, configmap({"color": "green"})),
    ("cm-html-and-unicode", configmap({"page": "<b>a & b</b>"}), None, configmap({"page": "<i>x &amp; y</i> \u2028 é ✓", "n": "1e+06"})),
    ("cm-add-label", configmap({"a": "1"}), None, configmap({"a": "1"}, labels={"team": "x"})),
    ("cm-data-removed", configmap({"a": "1"}), None, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "demo"}}),
    ("svc-port-removed", service([P80, P443]), None, service([P80])),
    ("svc-port-changed", service([P80]), None, service([{"name": "http", "port": 80, "targetPort": 9090}])),
    ("svc-type-nodeport", service([P80]), None, service([P80], type_="NodePort")),
    # custom resources: kubectl falls back to a three-way JSON merge patch
    ("crd-field-changed-and-removed", widget({"size": 1, "color": "red", "list": [1, 2]}), widget_status, widget({"size": 2, "list": [2, 3]})),
    ("crd-unchanged-live-defaults", widget({"size": 1}), widget_status, widget({"size": 1})),
    ("crd-nested-map", widget({"opts": {"a": 1, "b": {"c": 2}}}), None, widget({"opts": {"b": {"d": 3}}, "new": {}})),
    ("crd-labels", widget({"size": 1}, labels={"a": "1"}), None, widget({"size": 1}, labels={"b": "2"})),
    ("crd-list-of-objects-replaced", widget({"items": [{"name": "a"}, {"name": "b"}]}), None, widget({"items": [{"name": "b", "x": 1}]})),
    ("conflict-env-value", deployment(), lambda live: live["spec"]["template"]["spec"]["containers"][0]["env"][0].update(value="red"),
     deployment(env=[{"name": "MODE", "value": "green"}])),
    ("conflict-label", deployment(labels={"app": "web", "t": "a"}), lambda live: live["metadata"]["labels"].update(t="live"),
     deployment(labels={"app": "web", "t": "b"})),
    ("no-conflict-same-change", deployment(labels={"app": "web", "t": "a"}), lambda live: live["metadata"]["labels"].update(t="b"),
     deployment(labels={"app": "web", "t": "b"})),
    ("conflict-args-list", deployment(), lambda live: live["spec"]["template"]["spec"]["containers"][1].update(args=["sleep", "1"]),
     deployment(containers=[{"name": "nginx", "image": "nginx:1.27", "env": [{"name": "MODE", "value": "blue"}], "ports": [{"containerPort": 80}]},
                            {"name": "sidecar", "image": "busybox:1.36", "args": ["sleep", "2"]}])),
    ("conflict-cm-deleted-live", configmap({"a": "1", "b": "2"}), lambda live: live["data"].pop("a"), configmap({"a": "9", "b": "2"})),
    ("svc-selector-changed", service([P80], selector={"app": "web", "tier": "f"}), None, service([P80], selector={"app": "web2"})),
]

def run_case(kubectl, tmp, name, original, modify, manifest):
    """One case on its own stub server (cases run in parallel)."""
    live = server_side(original, modify)
    handler = type("CaseStub", (Stub,), {"live": live, "patches": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {**os.environ, "KUBECONFIG": "/dev/null"}
    try:
        path = os.path.join(tmp, f"manifest-{name}.json")
        with open(path, "w") as f:
            json.dump(manifest, f)
        cache = os.path.join(tmp, f"cache-{name}")
        r = subprocess.run([kubectl, "apply", "-f", path, "--validate=false", "--server", url, "--cache-dir", cache],
                           capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit(f"{name}: kubectl failed: {r.stderr}")
        if len(handler.patches) > 1:
            raise SystemExit(f"{name}: more than one PATCH")
        patch = handler.patches[0] if handler.patches else None
        # The same apply with --overwrite=false: does kubectl call it a conflict?
        r2 = subprocess.run([kubectl, "apply", "-f", path, "--validate=false", "--overwrite=false", "--server", url, "--cache-dir", cache],
                            capture_output=True, text=True, env=env)
        conflict = r2.returncode != 0
        if conflict and "conflict" not in r2.stderr.lower():
            raise SystemExit(f"{name}: --overwrite=false failed without a conflict: {r2.stderr}")
        return {"name": name, "live": live, "manifest": manifest,
                "patch": patch["body"] if patch else {},
                "contentType": patch["contentType"] if patch else None,
                "kubectlSaid": r.stdout.strip(),
                "conflictWithoutOverwrite": conflict}
    finally:
        server.shutdown()

def main():
    args = sys.argv[1:]
    target = os.path.join(HERE, "threeway.json")
    if "--out" in args:
        i = args.index("--out")
        target = args[i + 1]
        del args[i:i + 2]
    kubectl = args[0] if args else shutil.which("kubectl")
    with tempfile.TemporaryDirectory() as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            out = list(pool.map(lambda c: run_case(kubectl, tmp, *c), CASES))
    with open(target, "w") as f:
        json.dump({"kubectl": subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True).stdout.splitlines()[0], "cases": out},
                  f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(out)} cases")

main()
