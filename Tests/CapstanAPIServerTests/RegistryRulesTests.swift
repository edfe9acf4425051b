import CapstanAPI
import CapstanModel
import Testing
@testable import CapstanAPIServer

@Suite struct RegistryRulesTests {
    let deployment: Value = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "web", "namespace": "demo", "uid": "u1", "generation": 4, "creationTimestamp": "2026-01-01T00:00:00Z"],
        "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "web"]]],
        "status": ["replicas": 1, "observedGeneration": 4],
    ]

    @Test func generationBumpsOnlyOnSpecChanges() throws {
        let req = try #require(resourceRequest("apps", "v1", "deployments"))
        var labelsOnly = deployment
        labelsOnly[path: ["metadata", "labels"]] = ["a": "b"]
        RegistryRules.bumpGeneration(old: deployment, new: &labelsOnly, req: req)
        #expect(labelsOnly[path: ["metadata", "generation"]] == 4)

        var statusOnly = deployment
        statusOnly[path: ["status", "replicas"]] = 3
        RegistryRules.bumpGeneration(old: deployment, new: &statusOnly, req: req)
        #expect(statusOnly[path: ["metadata", "generation"]] == 4)

        var specChange = deployment
        specChange[path: ["spec", "replicas"]] = 5
        RegistryRules.bumpGeneration(old: deployment, new: &specChange, req: req)
        #expect(specChange[path: ["metadata", "generation"]] == 5)
    }

    @Test func mainResourceKeepsStatusAndStatusSubresourceKeepsSpec() throws {
        let req = try #require(resourceRequest("apps", "v1", "deployments"))
        var wanted = deployment
        wanted[path: ["spec", "replicas"]] = 9
        wanted[path: ["status", "replicas"]] = 9
        wanted[path: ["metadata", "uid"]] = "forged"
        let viaMain = RegistryRules.mergeUpdate(old: deployment, new: wanted, req: req, statusSubresource: false)
        #expect(viaMain[path: ["spec", "replicas"]] == 9)
        #expect(viaMain[path: ["status", "replicas"]] == 1)
        #expect(viaMain[path: ["metadata", "uid"]] == "u1")
        let viaStatus = RegistryRules.mergeUpdate(old: deployment, new: wanted, req: req, statusSubresource: true)
        #expect(viaStatus[path: ["spec", "replicas"]] == 1)
        #expect(viaStatus[path: ["status", "replicas"]] == 9)
    }

    @Test func selectorsAreImmutable() throws {
        let req = try #require(resourceRequest("apps", "v1", "deployments"))
        var changed = deployment
        changed[path: ["spec", "selector"]] = ["matchLabels": ["app": "other"]]
        let errors = RegistryRules.immutableFieldErrors(old: deployment, new: changed, req: req)
        #expect(errors.map(\.field) == ["spec.selector"])
        #expect(errors.first?.message.hasSuffix("field is immutable") == true)
        #expect(RegistryRules.immutableFieldErrors(old: deployment, new: deployment, req: req).isEmpty)
    }

    @Test func createFillsIdentityAndResetsStatus() throws {
        let req = try #require(resourceRequest("apps", "v1", "deployments"))
        var object = deployment
        object[path: ["metadata"]] = ["name": "web", "resourceVersion": "12", "generation": 7]
        RegistryRules.prepareCreate(&object, req)
        #expect(object[path: ["metadata", "generation"]] == 1)
        #expect(object[path: ["metadata", "resourceVersion"]] == .null)
        #expect(object[path: ["metadata", "uid"]].stringValue?.count == 36)
        #expect(object[path: ["metadata", "creationTimestamp"]].stringValue.flatMap(WallClock.parse) != nil)
        #expect(object["status"] == .object([:]))

        let cmReq = try #require(resourceRequest("", "v1", "configmaps"))
        var cm: Value = ["metadata": ["name": "c"], "data": ["a": "b"]]
        RegistryRules.prepareCreate(&cm, cmReq)
        #expect(cm[path: ["metadata", "generation"]] == .null)
    }

    @Test func podQoSClasses() {
        #expect(RegistryRules.qosClass(["containers": [["name": "a"]]]) == "BestEffort")
        #expect(RegistryRules.qosClass(["containers": [["name": "a", "resources": ["limits": ["cpu": "1", "memory": "1Gi"]]]]]) == "Guaranteed")
        #expect(RegistryRules.qosClass(["containers": [["name": "a", "resources": ["requests": ["cpu": "1"]]]]]) == "Burstable")
    }

    @Test func storageKeysAndCodec() throws {
        #expect(StorageKey.objectKey(group: "", resource: "pods", namespace: "demo", name: "p") == "/registry/core/pods/demo/p")
        #expect(StorageKey.objectKey(group: "apps", resource: "deployments", namespace: nil, name: "x") == "/registry/apps/deployments/x")
        let bytes = ObjectCodec.encode(["metadata": ["name": "a", "resourceVersion": "5"]])
        #expect(!String(decoding: bytes, as: UTF8.self).contains("resourceVersion"))
        let decoded = try ObjectCodec.decode(bytes, revision: 9, apiVersion: "v1")
        #expect(decoded[path: ["metadata", "resourceVersion"]] == "9")
        #expect(decoded["apiVersion"] == "v1")
    }
}
