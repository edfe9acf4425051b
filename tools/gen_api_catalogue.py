#!/usr/bin/env python3
"""Compile the built-in Kubernetes API catalogue used by CapstanAPI.

Reads the Kubernetes OpenAPI v2 document (swagger.json) from the reference data directory and
writes Sources/CapstanAPI/Resources/api-catalogue.json holding facts only (no description text):

  groups       the served API groups in discovery order, each with its versions, preferred first
  resources    one entry per built-in resource of a served group-version: kind, plural, singular,
               scope, verbs, short names, categories, subresources (with verbs and response kinds)
               and the name of the definition that is its schema
  definitions  OpenAPI v2 definitions reachable from the served kinds, reduced to the keys that
               describe shape and patch/apply semantics (type, format, $ref, items, properties,
               additionalProperties, required, enum, x-kubernetes-*)

Short names, categories and a few enum facts are not in the OpenAPI data; they live in the small
tables below. The output is committed: the project builds without the reference data, and this
script is only re-run by hand when the data is updated:

    python3 tools/gen_api_catalogue.py [--data DIR] [--out FILE]
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "kubernetes-openapi"))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "Sources", "CapstanAPI", "Resources", "api-catalogue.json"))
DEFAULT_SWIFT = os.path.normpath(os.path.join(HERE, "..", "Sources", "CapstanAPI", "Generated", "BuiltinCatalogue+Data.swift"))

# Served groups in the order an API server lists them, each with its versions, preferred first.
# Only GA versions: beta and alpha APIs are off by default in a real cluster.
GROUPS = [
    ("", ["v1"]),
    ("apiregistration.k8s.io", ["v1"]),
    ("apps", ["v1"]),
    ("events.k8s.io", ["v1"]),
    ("authentication.k8s.io", ["v1"]),
    ("authorization.k8s.io", ["v1"]),
    ("autoscaling", ["v2", "v1"]),
    ("batch", ["v1"]),
    ("certificates.k8s.io", ["v1"]),
    ("networking.k8s.io", ["v1"]),
    ("policy", ["v1"]),
    ("rbac.authorization.k8s.io", ["v1"]),
    ("storage.k8s.io", ["v1"]),
    ("admissionregistration.k8s.io", ["v1"]),
    ("apiextensions.k8s.io", ["v1"]),
    ("scheduling.k8s.io", ["v1"]),
    ("coordination.k8s.io", ["v1"]),
    ("node.k8s.io", ["v1"]),
    ("discovery.k8s.io", ["v1"]),
    ("flowcontrol.apiserver.k8s.io", ["v1"]),
    ("resource.k8s.io", ["v1"]),
]

# (group, plural) -> short names, as a real API server reports them in discovery.
SHORT_NAMES = {
    ("", "componentstatuses"): ["cs"],
    ("", "configmaps"): ["cm"],
    ("", "endpoints"): ["ep"],
    ("", "events"): ["ev"],
    ("", "limitranges"): ["limits"],
    ("", "namespaces"): ["ns"],
    ("", "nodes"): ["no"],
    ("", "persistentvolumeclaims"): ["pvc"],
    ("", "persistentvolumes"): ["pv"],
    ("", "pods"): ["po"],
    ("", "replicationcontrollers"): ["rc"],
    ("", "resourcequotas"): ["quota"],
    ("", "serviceaccounts"): ["sa"],
    ("", "services"): ["svc"],
    ("apps", "daemonsets"): ["ds"],
    ("apps", "deployments"): ["deploy"],
    ("apps", "replicasets"): ["rs"],
    ("apps", "statefulsets"): ["sts"],
    ("autoscaling", "horizontalpodautoscalers"): ["hpa"],
    ("batch", "cronjobs"): ["cj"],
    ("certificates.k8s.io", "certificatesigningrequests"): ["csr"],
    ("events.k8s.io", "events"): ["ev"],
    ("networking.k8s.io", "ingresses"): ["ing"],
    ("networking.k8s.io", "networkpolicies"): ["netpol"],
    ("networking.k8s.io", "ipaddresses"): ["ip"],
    ("policy", "poddisruptionbudgets"): ["pdb"],
    ("scheduling.k8s.io", "priorityclasses"): ["pc"],
    ("storage.k8s.io", "storageclasses"): ["sc"],
    ("storage.k8s.io", "volumeattributesclasses"): ["vac"],
    ("apiextensions.k8s.io", "customresourcedefinitions"): ["crd", "crds"],
}

CATEGORIES = {
    ("", "pods"): ["all"],
    ("", "services"): ["all"],
    ("", "replicationcontrollers"): ["all"],
    ("apps", "deployments"): ["all"],
    ("apps", "replicasets"): ["all"],
    ("apps", "statefulsets"): ["all"],
    ("apps", "daemonsets"): ["all"],
    ("batch", "jobs"): ["all"],
    ("batch", "cronjobs"): ["all"],
    ("autoscaling", "horizontalpodautoscalers"): ["all"],
    ("apiextensions.k8s.io", "customresourcedefinitions"): ["api-extensions"],
    ("apiregistration.k8s.io", "apiservices"): ["api-extensions"],
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): ["api-extensions"],
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): ["api-extensions"],
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): ["api-extensions"],
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): ["api-extensions"],
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"): ["api-extensions"],
    ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"): ["api-extensions"],
}

# Field selectors a resource supports beyond metadata.name (and metadata.namespace when
# namespaced), as the API server's field label conversions accept them.
FIELD_SELECTORS = {
    ("", "pods"): ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                   "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
    ("", "events"): ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                     "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                     "reason", "reportingComponent", "source", "type"],
    ("", "namespaces"): ["status.phase"],
    ("", "nodes"): ["spec.unschedulable"],
    ("", "replicationcontrollers"): ["status.replicas"],
    ("", "secrets"): ["type"],
    ("apps", "replicasets"): ["status.replicas"],
    ("batch", "jobs"): ["status.successful"],
    ("certificates.k8s.io", "certificatesigningrequests"): ["spec.signerName"],
}

# Closed value sets that the API server enforces for built-in kinds (its validation reports
# `Unsupported value` for anything else). The v2 data carries no `enum` arrays, so the facts
# are listed here: definition suffix -> property -> allowed values.
ENUMS = {
    "core.v1.Container": {
        "imagePullPolicy": ["Always", "IfNotPresent", "Never"],
        "terminationMessagePolicy": ["FallbackToLogsOnError", "File"],
    },
    "core.v1.EphemeralContainer": {
        "imagePullPolicy": ["Always", "IfNotPresent", "Never"],
        "terminationMessagePolicy": ["FallbackToLogsOnError", "File"],
    },
    "core.v1.ContainerPort": {"protocol": ["SCTP", "TCP", "UDP"]},
    "core.v1.ServicePort": {"protocol": ["SCTP", "TCP", "UDP"]},
    "core.v1.EndpointPort": {"protocol": ["SCTP", "TCP", "UDP"]},
    "core.v1.PodSpec": {
        "restartPolicy": ["Always", "Never", "OnFailure"],
        "dnsPolicy": ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        "preemptionPolicy": ["Never", "PreemptLowerPriority"],
    },
    "core.v1.ServiceSpec": {
        "type": ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        "sessionAffinity": ["ClientIP", "None"],
        "externalTrafficPolicy": ["Cluster", "Local"],
        "internalTrafficPolicy": ["Cluster", "Local"],
        "ipFamilyPolicy": ["PreferDualStack", "RequireDualStack", "SingleStack"],
    },
    "core.v1.PersistentVolumeClaimSpec": {"volumeMode": ["Block", "Filesystem"]},
    "core.v1.PersistentVolumeSpec": {
        "volumeMode": ["Block", "Filesystem"],
        "persistentVolumeReclaimPolicy": ["Delete", "Recycle", "Retain"],
    },
    "core.v1.Toleration": {
        "operator": ["Equal", "Exists"],
        "effect": ["NoExecute", "NoSchedule", "PreferNoSchedule"],
    },
    "core.v1.Taint": {"effect": ["NoExecute", "NoSchedule", "PreferNoSchedule"]},
    "apps.v1.DeploymentStrategy": {"type": ["Recreate", "RollingUpdate"]},
    "apps.v1.StatefulSetSpec": {"podManagementPolicy": ["OrderedReady", "Parallel"]},
    "apps.v1.StatefulSetUpdateStrategy": {"type": ["OnDelete", "RollingUpdate"]},
    "apps.v1.DaemonSetUpdateStrategy": {"type": ["OnDelete", "RollingUpdate"]},
    "apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": {
        "whenDeleted": ["Delete", "Retain"],
        "whenScaled": ["Delete", "Retain"],
    },
    "batch.v1.CronJobSpec": {"concurrencyPolicy": ["Allow", "Forbid", "Replace"]},
    "batch.v1.JobSpec": {
        "completionMode": ["Indexed", "NonIndexed"],
        "podReplacementPolicy": ["Failed", "TerminatingOrFailed"],
    },
    "networking.v1.HTTPIngressPath": {"pathType": ["Exact", "ImplementationSpecific", "Prefix"]},
}

# Types whose v2 entry under-states what the wire accepts: Quantity is `type: string` in v2 but
# the API reads JSON numbers too (v3 says `oneOf: [string, number]`).
FORMAT_FACTS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "quantity",
}

SOURCE_LABEL = "Kubernetes v1.36.0"

KEEP_KEYS = {"type", "format", "$ref", "items", "properties", "additionalProperties", "required", "enum"}
VERB_ORDER = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
ACTION_VERB = {
    "get": "get", "list": "list", "post": "create", "put": "update", "patch": "patch",
    "delete": "delete", "deletecollection": "deletecollection", "watch": "watch", "watchlist": "watch",
}
CONNECT_METHOD_VERB = {"get": "get", "post": "create", "put": "update", "patch": "patch", "delete": "delete"}


def strip_schema(node, served_gvs):
    """Keeps only the fact-carrying keys of a schema node, recursively."""
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: strip_schema(prop, served_gvs) for name, prop in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = strip_schema(value, served_gvs) if isinstance(value, dict) else value
        elif key == "x-kubernetes-group-version-kind":
            kept = [e for e in value if (e.get("group", ""), e["version"]) in served_gvs]
            if kept:
                out[key] = kept
        elif key in KEEP_KEYS or key.startswith("x-kubernetes-"):
            out[key] = value
    return out


def refs(node, acc):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                acc.add(value.rsplit("/", 1)[-1])
            else:
                refs(value, acc)
    elif isinstance(node, list):
        for value in node:
            refs(value, acc)


def parse_path(path):
    """Splits an API path into (group, version, namespaced, plural, has_name, subresource)."""
    m = re.match(r"^/api/(v1)/(.*)$", path)
    if m:
        group, version, rest = "", m.group(1), m.group(2)
    else:
        m = re.match(r"^/apis/([^/]+)/([^/]+)/(.*)$", path)
        if not m:
            return None
        group, version, rest = m.group(1), m.group(2), m.group(3)
    segs = [s for s in rest.split("/") if s]
    if segs and segs[0] == "watch":
        segs = segs[1:]
    namespaced = False
    if len(segs) >= 3 and segs[0] == "namespaces" and segs[1] == "{namespace}":
        namespaced = True
        segs = segs[2:]
    if not segs:
        return None
    plural = segs[0]
    has_name = len(segs) >= 2 and segs[1] == "{name}"
    sub = segs[2] if has_name and len(segs) >= 3 else None
    return group, version, namespaced, plural, has_name, sub


def build(data_dir):
    with open(os.path.join(data_dir, "swagger.json")) as f:
        swagger = json.load(f)
    served = {(g, v) for g, versions in GROUPS for v in versions}
    resources = {}  # (group, version, plural) -> dict
    for path, item in swagger["paths"].items():
        parsed = parse_path(path)
        if not parsed:
            continue
        group, version, namespaced, plural, has_name, sub = parsed
        if (group, version) not in served:
            continue
        key = (group, version, plural)
        res = resources.setdefault(key, {"namespaced": False, "verbs": set(), "kind": None, "subresources": {}})
        if namespaced:
            res["namespaced"] = True
        for method, op in item.items():
            if method == "parameters" or not isinstance(op, dict):
                continue
            action = op.get("x-kubernetes-action")
            gvk = op.get("x-kubernetes-group-version-kind")
            if sub is None:
                verb = ACTION_VERB.get(action)
                if verb:
                    res["verbs"].add(verb)
                if gvk and res["kind"] is None:
                    res["kind"] = gvk["kind"]
            else:
                s = res["subresources"].setdefault(sub, {"verbs": set(), "gvk": None})
                verb = CONNECT_METHOD_VERB.get(method) if action == "connect" else ACTION_VERB.get(action)
                if verb:
                    s["verbs"].add(verb)
                if gvk and s["gvk"] is None:
                    s["gvk"] = gvk

    definitions = swagger["definitions"]
    gvk_to_def = {}
    for name, d in definitions.items():
        for e in d.get("x-kubernetes-group-version-kind", []):
            gvk_to_def.setdefault((e.get("group", ""), e["version"], e["kind"]), name)

    order = {gv: i for i, gv in enumerate((g, v) for g, vs in GROUPS for v in vs)}
    out_resources = []
    roots = set()
    for (group, version, plural), res in sorted(resources.items(), key=lambda kv: (order[kv[0][:2]], kv[0][2])):
        kind = res["kind"]
        if kind is None:
            continue
        definition = gvk_to_def.get((group, version, kind))
        if definition:
            roots.add(definition)
            list_def = gvk_to_def.get((group, version, kind + "List"))
            if list_def:
                roots.add(list_def)
        subs = []
        for name, s in sorted(res["subresources"].items()):
            gvk = s["gvk"] or {"group": group, "version": version, "kind": kind}
            sub_def = gvk_to_def.get((gvk.get("group", ""), gvk["version"], gvk["kind"]))
            if sub_def:
                roots.add(sub_def)
            subs.append({
                "name": name,
                "group": gvk.get("group", ""), "version": gvk["version"], "kind": gvk["kind"],
                "verbs": [v for v in VERB_ORDER if v in s["verbs"]],
            })
        entry = {
            "group": group, "version": version, "kind": kind,
            "resource": plural, "singular": kind.lower(),
            "namespaced": res["namespaced"],
            "verbs": [v for v in VERB_ORDER if v in res["verbs"]],
        }
        if (group, plural) in SHORT_NAMES:
            entry["shortNames"] = SHORT_NAMES[(group, plural)]
        if (group, plural) in CATEGORIES:
            entry["categories"] = CATEGORIES[(group, plural)]
        selectors = ["metadata.name"] + (["metadata.namespace"] if res["namespaced"] else [])
        entry["fieldSelectors"] = selectors + FIELD_SELECTORS.get((group, plural), [])
        if subs:
            entry["subresources"] = subs
        if definition:
            entry["definition"] = definition
        out_resources.append(entry)

    # Meta types every server speaks, whatever the group.
    for name in ("io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
                 "io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions"):
        if name in definitions:
            roots.add(name)

    # Closure over $ref.
    keep = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in keep or name not in definitions:
            continue
        keep.add(name)
        acc = set()
        refs(definitions[name], acc)
        todo.extend(acc - keep)

    out_defs = {}
    for name in sorted(keep):
        stripped = strip_schema(definitions[name], served)
        if name in FORMAT_FACTS:
            stripped["format"] = FORMAT_FACTS[name]
        for suffix, props in ENUMS.items():
            if name.endswith("." + suffix):
                for prop, values in props.items():
                    if prop in stripped.get("properties", {}):
                        stripped["properties"][prop]["enum"] = values
        out_defs[name] = stripped

    for suffix, props in ENUMS.items():
        if not any(n.endswith("." + suffix) for n in out_defs):
            print(f"warning: enum facts for {suffix} match no definition", file=sys.stderr)

    return {
        "source": "Kubernetes OpenAPI v2 swagger.json (" + SOURCE_LABEL + ")",
        "groups": [{"name": g, "versions": vs} for g, vs in GROUPS],
        "resources": out_resources,
        "definitions": out_defs,
    }


def write_swift(path, text):
    """Embeds the catalogue as a raw string literal; the delimiter grows until it is unambiguous."""
    hashes = "#"
    while ('"' + hashes) in text:
        hashes += "#"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("// Generated by tools/gen_api_catalogue.py from the Kubernetes OpenAPI data. Do not edit.\n")
        f.write("// The same bytes are in Resources/api-catalogue.json.\n\n")
        f.write("let builtinCatalogueJSON: StaticString = " + hashes + '"' + text + '"' + hashes + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=DEFAULT_OUT, help="the JSON catalogue (for people and diffs)")
    ap.add_argument("--swift", default=DEFAULT_SWIFT, help="the same bytes as a Swift literal (what the binary loads)")
    args = ap.parse_args()
    catalogue = build(args.data)
    text = json.dumps(catalogue, separators=(",", ":"), sort_keys=False)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
        f.write("\n")
    write_swift(args.swift, text)
    print(f"{args.out}: {len(text)} bytes, {len(catalogue['resources'])} resources, "
          f"{len(catalogue['definitions'])} definitions", file=sys.stderr)


if __name__ == "__main__":
    main()
