import CapstanModel
import Testing
@testable import CapstanApply

@Suite struct ApplyOrderTests {
    @Test func namespacesAndCRDsFirstThenHelmOrder() {
        let kinds = ["Deployment", "Widget", "Service", "CustomResourceDefinition", "ConfigMap", "Namespace", "Ingress",
                     "ServiceAccount", "Secret", "ClusterRole", "Job"]
        let tiers = ApplyOrder.tiers(kinds) { $0 }
        #expect(tiers.map { $0[0] } == ["Namespace", "CustomResourceDefinition", "ServiceAccount", "Secret", "ConfigMap",
                                        "ClusterRole", "Service", "Deployment", "Job", "Ingress", "Widget"])
    }

    @Test func oneTierKeepsInputOrder() {
        let tiers = ApplyOrder.tiers([("ConfigMap", 1), ("Service", 2), ("ConfigMap", 3)]) { $0.0 }
        #expect(tiers.map { $0.map(\.1) } == [[1, 3], [2]])
    }
}

@Suite struct ApplySetTests {
    /// The id kubectl computes: `applyset-` + base64url(sha256("inv.demo.Secret.")) + `-v1`
    /// (value checked with Python's hashlib).
    @Test func idMatchesKubectlsFormula() {
        #expect(ApplySetParent(name: "inv", namespace: "demo").id == "applyset-9XfZZLRdQa0vRQK_cJ2uYTWCPpH9T9QCoRipCUiED6Q-v1")
        #expect(ApplySetParent(name: "inv2", namespace: "demo").id == "applyset-ebTQQGJQlZjCsYPe7667KAg91EAtdFo-S7nFLDG0Aus-v1")
    }

    @Test func sha256KnownAnswer() {
        let hex = SHA256.hash(Array("abc".utf8)).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func parsesTheFlag() throws {
        #expect(try ApplySetParent(flag: "configmaps/x", namespace: "n").kind == .configMap)
        #expect(try ApplySetParent(flag: "x", namespace: "n").kind == .secret)
        #expect(throws: ApplyError.self) { try ApplySetParent(flag: "deployments/x", namespace: "n") }
    }

    @Test func parentRecordsSortedGroupKindsAndOtherNamespaces() {
        let p = ApplySetParent(name: "inv", namespace: "demo")
        let o = p.object(groupKinds: ["Service", "Deployment.apps", "ConfigMap"], namespaces: ["demo", "b", "a"])
        #expect(o[path: ["metadata", "annotations", ApplySetParent.groupKindsAnnotation]] == "ConfigMap,Deployment.apps,Service")
        #expect(o[path: ["metadata", "annotations", ApplySetParent.namespacesAnnotation]] == "a,b")
        let (gks, nss) = ApplySetParent.recorded(in: o)
        #expect(gks == ["ConfigMap", "Deployment.apps", "Service"])
        #expect(nss == ["a", "b"])
    }
}

@Suite struct HealthTests {
    @Test func deploymentRollout() {
        var d: Value = ["kind": "Deployment", "metadata": ["generation": 2], "spec": ["replicas": 2],
                        "status": ["observedGeneration": 1]]
        #expect(Health.state(of: d) != .ready)
        d["status"] = ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1]
        #expect(Health.state(of: d) == .progressing("1 of 2 updated replicas are available"))
        d[path: ["status", "availableReplicas"]] = 2
        #expect(Health.state(of: d) == .ready)
    }

    @Test func jobsPodsAndServices() {
        let job: Value = ["kind": "Job", "status": ["conditions": [["type": "Complete", "status": "True"]]]]
        #expect(Health.state(of: job) == .ready)
        let failed: Value = ["kind": "Job", "status": ["conditions": [["type": "Failed", "status": "True"]]]]
        #expect(Health.state(of: failed) == .failed("job failed"))
        let pod: Value = ["kind": "Pod", "status": ["phase": "Running", "conditions": [["type": "Ready", "status": "False"]]]]
        #expect(Health.state(of: pod) != .ready)
        let svc: Value = ["kind": "Service", "spec": ["selector": ["app": "web"]]]
        #expect(Health.state(of: svc, endpoints: nil) != .ready)
        #expect(Health.state(of: svc, endpoints: ["subsets": [["addresses": [["ip": "10.0.0.1"]]]]]) == .ready)
        #expect(Health.state(of: ["kind": "Service", "spec": ["type": "ExternalName"]]) == .ready)
    }
}

@Suite struct LineDiffTests {
    @Test func shortestEditScript() {
        let a = ["a", "b", "c", "a", "b", "b", "a"], b = ["c", "b", "a", "b", "a", "c"]
        let edits = LineDiff.edits(a, b)
        #expect(edits.filter { if case .same = $0 { return false } else { return true } }.count == 5)
        // Applying the script to `a` gives `b`.
        #expect(edits.compactMap { if case .removed = $0 { return nil } else { return $0.text } } == b)
        #expect(edits.compactMap { if case .added = $0 { return nil } else { return $0.text } } == a)
    }

    /// Expected texts are GNU `diff -u` output for the same inputs.
    @Test func unifiedHunksMatchGNUDiff() {
        let a = (1...10).map { "line \($0)" }
        var b = a
        b[4] = "changed"
        b.append("new")
        #expect(LineDiff.unified(a, b, from: "x", to: "y") == "--- x\n+++ y\n@@ -2,9 +2,10 @@\n line 2\n line 3\n line 4\n-line 5\n+changed\n line 6\n line 7\n line 8\n line 9\n line 10\n+new\n")
        let c = (1...20).map { "line \($0)" }
        var d = c
        d[2] = "x"
        d[14] = "y"
        #expect(LineDiff.unified(c, d, from: "x", to: "y") == "--- x\n+++ y\n@@ -1,6 +1,6 @@\n line 1\n line 2\n-line 3\n+x\n line 4\n line 5\n line 6\n@@ -12,7 +12,7 @@\n line 12\n line 13\n line 14\n-line 15\n+y\n line 16\n line 17\n line 18\n")
        #expect(LineDiff.unified(a, a, from: "x", to: "y") == "")
    }

    @Test func emptySides() {
        #expect(LineDiff.unified([], ["a"], from: "x", to: "y") == "--- x\n+++ y\n@@ -0,0 +1 @@\n+a\n")
        #expect(LineDiff.unified(["a"], [], from: "x", to: "y") == "--- x\n+++ y\n@@ -1 +0,0 @@\n-a\n")
    }
}

@Suite struct DiffMaskingTests {
    @Test func secretValuesAreMaskedButChangesShow() {
        let live: Value = ["apiVersion": "v1", "kind": "Secret", "data": ["a": "MQ==", "b": "Mg=="],
                           "metadata": ["annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"a\":\"MQ==\"}}"]]]
        var merged = live
        merged[path: ["data", "b"]] = "Mw=="
        merged[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] = "{\"data\":{\"a\":\"Mw==\"}}"
        let (l, m) = Differ.masked(live: live, merged: merged)
        #expect(l?["data"] == ["a": "***", "b": "*** (before)"])
        #expect(m?["data"] == ["a": "***", "b": "*** (after)"])
        #expect(l?[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]] == "*** (before)")
        let text = (l.map { "\($0)" } ?? "") + (m.map { "\($0)" } ?? "")
        #expect(!text.contains("Mw==") && !text.contains("MQ=="))
    }

    @Test func managedMetadataIsLeftOut() {
        let o: Value = ["metadata": ["name": "x", "uid": "u", "resourceVersion": "5", "generation": 2,
                                     "creationTimestamp": "t", "managedFields": [], "labels": ["a": "b"]]]
        #expect(Differ.clean(o) == ["metadata": ["name": "x", "labels": ["a": "b"]]])
    }
}
