#!/usr/bin/env python3
"""Renders the chart-test corpus with Helm 4 (helm-python-sdk) and prints the results as JSON.

Usage: helm_oracle.py CASES_JSON CHARTS_DIR [CASE_NAME ...]
Output: {"case": {"files": {...}, "manifest": str|null, "notes": str|null, "error": str|null}}

`files` is Helm's engine output per template; `manifest` is what a client-side dry-run install
records (sorted manifests with `# Source:` headers, no hooks), only for cases whose options a
plain install supports. Values come from the case's YAML, parsed by Helm itself.
"""
import json
import os
import sys
import tempfile

from helm_python import chart as hchart
from helm_python import config as hconfig
from helm_python import _native

KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{cluster: {server: "http://127.0.0.1:1"}, name: c}]
contexts: [{context: {cluster: c, user: u}, name: c}]
current-context: c
users: [{name: u, user: {}}]
"""


def run_case(case, charts_dir, cfg):
    out = {"files": None, "manifest": None, "notes": None, "error": None}
    path = os.path.join(charts_dir, case["chart"])
    values = {}
    try:
        if case.get("values"):
            values = hchart.values_from_yaml(case["values"])
        c = hchart.Chart.load(path)
    except Exception as e:  # noqa: BLE001 - the message is the result
        out["error"] = str(e)
        return out
    opts = {"name": case.get("release", "release-name"), "namespace": case.get("namespace", "default")}
    if case.get("is_upgrade"):
        opts["is_upgrade"] = True
        opts["is_install"] = False
    if case.get("kube_version"):
        opts["kube_version"] = case["kube_version"]
    if case.get("api_versions"):
        opts["api_versions"] = case["api_versions"]
    try:
        rendered = _native.call_string("helm_render", c._raw(), json.dumps(values), json.dumps(opts))
        out["files"] = json.loads(rendered)
    except Exception as e:  # noqa: BLE001
        out["error"] = str(e)
        return out
    plain = not (case.get("is_upgrade") or case.get("kube_version") or case.get("api_versions"))
    # The SDK's install checks dependencies after aliasing (helm template checks before), so
    # cases about aliases of unmatched versions skip it.
    plain = plain and case.get("oracle_install", True)
    if plain:
        try:
            rel = cfg.install(c, opts["name"], values, dry_run="client", namespace=opts["namespace"])
            out["manifest"] = rel.get("manifest", "")
            out["notes"] = rel.get("notes", "")
        except Exception as e:  # noqa: BLE001
            out["error"] = "install: " + str(e)
    return out


def main():
    cases = json.load(open(sys.argv[1]))
    charts_dir = sys.argv[2]
    only = set(sys.argv[3:])
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as kc:
        kc.write(KUBECONFIG)
    cfg = hconfig.Config(kubeconfig_path=kc.name, storage_driver="memory", namespace="default")
    results = {}
    for case in cases:
        if only and case["name"] not in only:
            continue
        results[case["name"]] = run_case(case, charts_dir, cfg)
    os.unlink(kc.name)
    json.dump(results, sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
