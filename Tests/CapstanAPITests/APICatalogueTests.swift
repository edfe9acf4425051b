import CapstanModel
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import CapstanAPI

@Suite struct APICatalogueTests {
    let catalogue = APICatalogue.builtin
    static let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    static let pod = GroupVersionKind(group: "", version: "v1", kind: "Pod")

    @Test func embeddedCatalogueDecodes() throws {
        let fresh = try APICatalogue.loadBuiltin()
        #expect(fresh.resources.count == catalogue.resources.count)
        #expect(catalogue.resources.count > 60)
        #expect(catalogue.schemas.names.count > 500)
        // Definitions are decoded on first use: every one of them must decode.
        #expect(fresh.schemas.allDefinitions.count == fresh.schemas.names.count)
    }

    @Test func deploymentsAreNamespacedAppsV1() throws {
        let r = try #require(catalogue.resource(for: GroupVersionResource(group: "apps", version: "v1", resource: "deployments")))
        #expect(r.gvk == Self.deployment)
        #expect(r.namespaced)
        #expect(r.scope == "Namespaced")
        #expect(r.singular == "deployment")
        #expect(r.shortNames == ["deploy"])
        #expect(r.categories == ["all"])
        #expect(r.verbs == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
        #expect(r.definition == "io.k8s.api.apps.v1.Deployment")
        #expect(catalogue.resource(for: Self.deployment)?.plural == "deployments")
        #expect(catalogue.isNamespaced(Self.deployment) == true)
    }

    @Test func scaleSubresourceSpeaksAutoscalingV1() throws {
        let r = try #require(catalogue.resource(for: Self.deployment))
        let scale = try #require(r.subresource("scale"))
        #expect(scale.responseKind == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))
        #expect(scale.verbs == ["get", "patch", "update"])
        #expect(r.subresource("status")?.responseKind == Self.deployment)
    }

    @Test func podSubresourcesMatchDiscovery() throws {
        let pods = try #require(catalogue.resource(for: Self.pod))
        let subs = Dictionary(uniqueKeysWithValues: pods.subresources.map { ($0.name, $0) })
        #expect(subs["log"]?.verbs == ["get"])
        #expect(subs["exec"]?.verbs == ["create", "get"])
        #expect(subs["exec"]?.responseKind.kind == "PodExecOptions")
        #expect(subs["portforward"]?.verbs == ["create", "get"])
        #expect(subs["binding"]?.verbs == ["create"])
        #expect(subs["eviction"]?.responseKind == GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"))
        #expect(subs["ephemeralcontainers"]?.verbs == ["get", "patch", "update"])
        #expect(subs["status"]?.verbs == ["get", "patch", "update"])
    }

    @Test func namespacesAreClusterScoped() throws {
        let ns = try #require(catalogue.resource(named: "ns"))
        #expect(ns.gvk == GroupVersionKind(group: "", version: "v1", kind: "Namespace"))
        #expect(!ns.namespaced)
        #expect(ns.verbs == ["create", "delete", "get", "list", "patch", "update", "watch"])
        #expect(ns.subresource("finalize")?.verbs == ["update"])
        #expect(catalogue.isNamespaced(GroupVersionKind(group: "", version: "v1", kind: "Node")) == false)
        #expect(catalogue.isNamespaced(GroupVersionKind(group: "", version: "v1", kind: "Nope")) == nil)
    }

    @Test(arguments: [
        ("po", "pods"), ("svc", "services"), ("deploy", "deployments"), ("rs", "replicasets"),
        ("sts", "statefulsets"), ("ds", "daemonsets"), ("cm", "configmaps"), ("ns", "namespaces"),
        ("no", "nodes"), ("pv", "persistentvolumes"), ("pvc", "persistentvolumeclaims"),
        ("sa", "serviceaccounts"), ("ep", "endpoints"), ("ing", "ingresses"), ("netpol", "networkpolicies"),
        ("pdb", "poddisruptionbudgets"), ("crd", "customresourcedefinitions"), ("crds", "customresourcedefinitions"),
        ("cj", "cronjobs"), ("hpa", "horizontalpodautoscalers"), ("ev", "events"), ("limits", "limitranges"),
        ("quota", "resourcequotas"), ("rc", "replicationcontrollers"), ("sc", "storageclasses"),
        ("csr", "certificatesigningrequests"), ("pc", "priorityclasses"),
    ])
    func shortNamesResolve(short: String, plural: String) {
        #expect(catalogue.resource(named: short)?.plural == plural)
    }

    @Test func namesResolveLikeKubectl() {
        #expect(catalogue.resource(named: "deployment")?.gvk == Self.deployment)
        #expect(catalogue.resource(named: "Deployment")?.gvk == Self.deployment)
        #expect(catalogue.resource(named: "DEPLOYMENTS")?.gvk == Self.deployment)
        #expect(catalogue.resource(named: "deployments.apps")?.gvk == Self.deployment)
        #expect(catalogue.resource(named: "deployments.v1.apps")?.gvk == Self.deployment)
        #expect(catalogue.resource(named: "deployments.v2.apps") == nil)
        #expect(catalogue.resource(named: "frobnicators") == nil)
        // Core group first, so `events` is core/v1 unless qualified.
        #expect(catalogue.resource(named: "events")?.gvk.group == "")
        #expect(catalogue.resource(named: "events.events.k8s.io")?.gvk.group == "events.k8s.io")
        #expect(catalogue.resource(named: "ingresses.networking.k8s.io")?.gvk.kind == "Ingress")
        // Preferred version first: autoscaling/v2 before v1.
        #expect(catalogue.resolve("hpa").map(\.gvk.version) == ["v2", "v1"])
        #expect(catalogue.resource(named: "hpa.v1.autoscaling")?.gvk.version == "v1")
        #expect(catalogue.resources(forKind: "deployment").first?.gvk == Self.deployment)
        #expect(catalogue.resources(forKind: "Event", group: "events.k8s.io").count == 1)
    }

    @Test func groupsListPreferredVersionsFirst() {
        #expect(catalogue.groups.first?.name == "")
        #expect(catalogue.preferredVersion(ofGroup: "autoscaling") == "v2")
        #expect(catalogue.group(named: "autoscaling")?.versions == ["v2", "v1"])
        for name in ["apps", "batch", "networking.k8s.io", "rbac.authorization.k8s.io", "coordination.k8s.io",
            "discovery.k8s.io", "policy", "storage.k8s.io", "events.k8s.io", "apiextensions.k8s.io",
            "scheduling.k8s.io", "node.k8s.io", "admissionregistration.k8s.io", "certificates.k8s.io"]
        {
            #expect(catalogue.preferredVersion(ofGroup: name) == "v1", "group \(name)")
            #expect(!catalogue.resources(inGroupVersion: GroupVersion(group: name, version: "v1")).isEmpty, "group \(name)")
        }
        // Every resource belongs to a listed group-version.
        let served = Set(catalogue.groups.flatMap(\.groupVersions))
        #expect(catalogue.resources.allSatisfy { served.contains($0.gvk.groupVersion) })
    }

    @Test func categoryAllHoldsTheWorkloads() {
        let all = Set(catalogue.resources(inCategory: "all").map(\.plural))
        #expect(all == [
            "pods", "services", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs",
            "replicationcontrollers", "horizontalpodautoscalers",
        ])
    }

    @Test func fieldSelectorsAndScalePaths() throws {
        let pods = try #require(catalogue.resource(named: "pods"))
        #expect(pods.fieldSelectors.contains("spec.nodeName"))
        #expect(pods.fieldSelectors.contains("status.phase"))
        #expect(pods.fieldSelectors.prefix(2) == ["metadata.name", "metadata.namespace"])
        #expect(catalogue.resource(named: "ns")?.fieldSelectors == ["metadata.name", "status.phase"])
        #expect(catalogue.resource(named: "cm")?.fieldSelectors == ["metadata.name", "metadata.namespace"])
        #expect(catalogue.resource(named: "events")?.fieldSelectors.contains("involvedObject.uid") == true)
        #expect(catalogue.resource(named: "deploy")?.scale == .builtin)
        #expect(catalogue.resource(named: "cm")?.scale == nil)
    }

    @Test func everyResourceWithAKindSchemaFindsIt() {
        for r in catalogue.resources where r.definition != nil {
            #expect(catalogue.schema(for: r.gvk) != nil, "\(r.gvk)")
        }
        #expect(catalogue.schema(for: GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")) != nil)
        #expect(catalogue.schema(for: GroupVersionKind(group: "", version: "v1", kind: "Status")) != nil)
    }

    // MARK: - Schema facts the patch helper relies on

    @Test func containersMergeByName() throws {
        let containers = try #require(
            catalogue.schema(for: Self.deployment)?.property("spec")?.property("template")?.property("spec")?
                .property("containers"))
        #expect(containers.type == "array")
        #expect(containers.patchMergeKey == "name")
        #expect(containers.patchStrategies == ["merge"])
        #expect(containers.listType == "map")
        #expect(containers.listMapKeys == ["name"])
    }

    @Test func containerPortsVolumeMountsAndEnvMergeKeys() throws {
        let container = try #require(catalogue.schema(for: Self.pod)?.property("spec")?.property("containers")?.items)
        #expect(container.property("ports")?.patchMergeKey == "containerPort")
        #expect(container.property("ports")?.listMapKeys == ["containerPort", "protocol"])
        #expect(container.property("volumeMounts")?.patchMergeKey == "mountPath")
        #expect(container.property("env")?.patchMergeKey == "name")
        #expect(container.property("image")?.type == "string")
        #expect(container.required == ["name"])
        let volumes = try #require(catalogue.schema(for: Self.pod)?.property("spec")?.property("volumes"))
        #expect(volumes.patchStrategies == ["merge", "retainKeys"])
    }

    @Test func serviceAndMetadataFacts() throws {
        let service = try #require(catalogue.schema(for: GroupVersionKind(group: "", version: "v1", kind: "Service")))
        let ports = try #require(service.property("spec")?.property("ports"))
        #expect(ports.patchMergeKey == "port")
        #expect(ports.listMapKeys == ["port", "protocol"])
        #expect(ports.items?.property("targetPort")?.isIntOrString == true)
        #expect(service.property("spec")?.property("type")?.enumValues == ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
        let meta = try #require(service.property("metadata"))
        #expect(meta.property("labels")?.additionalProperties?.type == "string")
        #expect(meta.property("finalizers")?.patchStrategies == ["merge"])
        #expect(meta.property("ownerReferences")?.patchMergeKey == "uid")
    }

    @Test func noDescriptionsInTheCompiledData() {
        #expect(!catalogue.schemas.allDefinitions.values.contains { $0.has("description") })
    }

    /// The JSON in Resources/ and the literal compiled into the binary must be the same bytes
    /// (both are written by tools/gen_api_catalogue.py; editing one alone is a mistake).
    @Test func embeddedDataMatchesTheResourceFile() throws {
        let bytes = try Self.resourceFileBytes()
        let embedded = builtinCatalogueJSON.withUTF8Buffer { Array($0) }
        #expect(bytes == embedded)
    }

    /// Resources/api-catalogue.json, without its final newline.
    static func resourceFileBytes() throws -> [UInt8] {
        let testFile = "\(#filePath)"
        let root = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let path = root + "/Sources/CapstanAPI/Resources/api-catalogue.json"
        let file = try #require(fopen(path, "rb"), "cannot open \(path)")
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        if bytes.last == 10 { bytes.removeLast() }
        return bytes
    }

    // MARK: - Load time (generous bound; the release measurement lives in the report/bench)

    @Test func coldLoadIsFast() throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure { _ = try APICatalogue.loadBuiltin() }
        #expect(elapsed < .milliseconds(1500), "loading the catalogue took \(elapsed)")
    }
}
