import CapstanAPI
import CapstanClient
import CapstanManifest
import CapstanModel
import CapstanYAML
import Testing
@testable import CapstanApply

/// Builds resolved manifests from YAML text, as the CLI does.
func resolve(_ yaml: String, file: String = "test.yaml") throws -> [ResolvedManifest] {
    let manifests = try ManifestLoader().parse(yaml, file: file)
    return try ManifestResolver().resolve(manifests)
}

let webV1 = """
    apiVersion: v1
    kind: Namespace
    metadata: {name: demo}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: demo, labels: {tier: frontend}}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers:
          - {name: nginx, image: "nginx:1.27"}
          - {name: sidecar, image: busybox}
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: app-config, namespace: demo}
    data: {color: blue, size: large}
    """

@Suite struct ApplyEngineTests {
    @Test func createsInOrderWithKubectlsAnnotation() async throws {
        let fake = FakeClient()
        let report = await Applier(client: fake).apply(try resolve(webV1), options: ApplyOptions())
        #expect(!report.failed)
        #expect(report.results.map(\.line) == ["namespace/demo created", "configmap/app-config created",
                                               "deployment.apps/web created"])
        let cm = try await fake.get(.configMaps, namespace: "demo", name: "app-config")
        #expect(cm[path: ["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]].stringValue ==
            #"{"apiVersion":"v1","data":{"color":"blue","size":"large"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"app-config","namespace":"demo"}}"# + "\n")
        #expect(report.summary == "3 objects: 3 created")
    }

    /// Many objects of one namespaced resource in one namespace: one LIST instead of their GETs.
    /// Cluster-scoped objects keep their GETs, however many: a LIST of them would return every
    /// one in the cluster.
    @Test func listsStandInForGetsOnlyWithinANamespace() async throws {
        let fake = FakeClient()
        for i in 0..<30 { _ = try await fake.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string("other\(i)")]]) }
        var yaml = ""
        for i in 0..<10 { yaml += "apiVersion: v1\nkind: Namespace\nmetadata: {name: ns\(i)}\n---\n" }
        _ = await Applier(client: fake).apply(try resolve(yaml), options: ApplyOptions())
        for i in 0..<10 { yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i), namespace: ns0}\n---\n" }
        let before = await fake.actions.count
        let report = await Applier(client: fake).apply(try resolve(yaml), options: ApplyOptions())
        #expect(report.summary == "20 objects: 10 created, 10 unchanged")
        let sent = await fake.actions.dropFirst(before).map(\.description)
        #expect(sent.filter { $0.hasPrefix("get namespaces") }.count == 10, "\(sent)")
        #expect(!sent.contains { $0.hasPrefix("list namespaces") }, "\(sent)")
        #expect(sent.filter { $0.hasPrefix("list configmaps") }.count == 1, "\(sent)")
        #expect(!sent.contains { $0.hasPrefix("get configmaps") }, "\(sent)")
    }

    /// Objects in a namespace this run created are known to be absent: no LIST and no GET,
    /// only their creates. Objects elsewhere in the same tier are still read.
    @Test func objectsInNamespacesJustCreatedAreNotRead() async throws {
        let fake = FakeClient()
        _ = try await fake.create(.namespaces, namespace: nil, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "old"]])
        var yaml = "apiVersion: v1\nkind: Namespace\nmetadata: {name: fresh}\n---\n"
        for i in 0..<10 { yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i), namespace: fresh}\n---\n" }
        yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: old}\n"
        let before = await fake.actions.count
        let report = await Applier(client: fake).apply(try resolve(yaml), options: ApplyOptions())
        #expect(report.summary == "12 objects: 12 created")
        let sent = await fake.actions.dropFirst(before).map(\.description)
        #expect(!sent.contains { $0.hasPrefix("list configmaps") }, "\(sent)")
        #expect(sent.filter { $0.hasPrefix("get configmaps") } == ["get configmaps old/elsewhere"], "\(sent)")
        #expect(sent.filter { $0.hasPrefix("create configmaps") }.count == 11, "\(sent)")
    }

    /// Without `keepsObjects` the results and what is stored are the same; only created
    /// objects other than Namespaces and CRDs come back without the server's copy.
    @Test func droppingObjectsChangesNothingElse() async throws {
        let kept = FakeClient()
        let dropped = FakeClient()
        let a = await Applier(client: kept).apply(try resolve(webV1), options: ApplyOptions())
        let b = await Applier(client: dropped).apply(try resolve(webV1), options: ApplyOptions(keepsObjects: false))
        #expect(a.results.map(\.line) == b.results.map(\.line))
        #expect(b.results.map { $0.object != nil } == [true, false, false])
        for (resource, name) in [(GroupVersionResource.configMaps, "app-config"), (.deployments, "web")] {
            var x = try await kept.get(resource, namespace: "demo", name: name)
            var y = try await dropped.get(resource, namespace: "demo", name: name)
            for field in ["creationTimestamp", "uid", "resourceVersion"] {
                x[path: ["metadata", field]] = .null
                y[path: ["metadata", field]] = .null
            }
            #expect(x == y)
        }
        let again = await Applier(client: dropped).apply(try resolve(webV1), options: ApplyOptions(keepsObjects: false))
        #expect(again.results.allSatisfy { $0.action == .unchanged && $0.object != nil })
    }

    @Test func reapplySendsNoPatch() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        _ = await applier.apply(try resolve(webV1), options: ApplyOptions())
        await fake.clearActions()
        let again = await applier.apply(try resolve(webV1), options: ApplyOptions())
        #expect(again.results.allSatisfy { $0.action == .unchanged })
        let verbs = await fake.actions.map(\.verb)
        #expect(verbs.allSatisfy { $0 == "get" }, "\(verbs)")
    }

    @Test func removedFieldsGoAndForeignFieldsStay() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        _ = await applier.apply(try resolve(webV1), options: ApplyOptions())
        // Someone else sets a field the manifest never names.
        _ = try await fake.patch(.configMaps, namespace: "demo", name: "app-config", type: .merge,
                                 ["metadata": ["labels": ["owner": "ops"]]])
        let v2 = webV1.replacingOccurrences(of: "data: {color: blue, size: large}", with: "data: {color: green}")
        let report = await applier.apply(try resolve(v2), options: ApplyOptions())
        #expect(report.results.first { $0.typedName == "configmap/app-config" }?.action == .configured)
        #expect(report.results.first { $0.typedName == "deployment.apps/web" }?.action == .unchanged)
        let cm = try await fake.get(.configMaps, namespace: "demo", name: "app-config")
        #expect(cm["data"] == ["color": "green"])
        #expect(cm[path: ["metadata", "labels", "owner"]] == "ops")
    }

    @Test func manyObjectsAreReadWithOneListAndStayUnchanged() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        let yaml = (1...12).map { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\($0), namespace: demo}\ndata: {k: v}\n" }
            .joined(separator: "---\n")
        let first = await applier.apply(try resolve(yaml), options: ApplyOptions())
        #expect(first.count(.created) == 12)
        await fake.clearActions()
        let again = await applier.apply(try resolve(yaml), options: ApplyOptions())
        #expect(again.count(.unchanged) == 12)
        #expect(await fake.actions.map(\.verb) == ["list"])
    }

    @Test func conflictIsRetriedAfterRereading() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        _ = await applier.apply(try resolve(webV1), options: ApplyOptions())
        await fake.failNext("patch", with: .server(409, "Conflict", "the object has been modified"))
        let v2 = webV1.replacingOccurrences(of: "size: large", with: "size: small")
        let report = await applier.apply(try resolve(v2), options: ApplyOptions())
        #expect(!report.failed)
        #expect(report.results.first { $0.typedName == "configmap/app-config" }?.action == .configured)
    }

    @Test func persistentConflictFailsWithKubectlsShape() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        _ = await applier.apply(try resolve(webV1), options: ApplyOptions())
        for _ in 0..<3 { await fake.failNext("patch", with: .server(409, "Conflict", "the object has been modified")) }
        let v2 = webV1.replacingOccurrences(of: "size: large", with: "size: small")
        let report = await applier.apply(try resolve(v2, file: "m/cm.yaml"),
                                         options: ApplyOptions(conflictRetries: 2))
        #expect(report.failed)
        let line = report.results.first { $0.action == .failed }?.line
        #expect(line == "Error from server (Conflict): error when patching \"m/cm.yaml\": the object has been modified")
    }

    @Test func clientDryRunSendsNoWrites() async throws {
        let fake = FakeClient()
        let report = await Applier(client: fake).apply(try resolve(webV1), options: ApplyOptions(dryRun: .client))
        #expect(report.results.map(\.line).contains("deployment.apps/web created (dry run)"))
        let verbs = Set(await fake.actions.map(\.verb))
        #expect(verbs == ["get"])
    }

    @Test func invalidResponseIsRebuiltLikeKubectl() {
        let error = APIError.server(422, "Invalid", "ignored", details: StatusDetails(
            name: "web", group: "apps", kind: "Deployment",
            causes: [StatusCause(reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0",
                                 field: "spec.replicas")]))
        let item = try! resolve(webV1)[1]
        #expect(Failure.describe(error, verb: "creating", file: "x.yaml", item: item) ==
            "The Deployment \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0")
    }

    @Test func pruneRemovesExactlyTheDroppedMembers() async throws {
        let fake = FakeClient()
        let applier = Applier(client: fake)
        let parent = ApplySetParent(name: "inv", namespace: "demo")
        let options = ApplyOptions(prune: true, applySet: parent)
        let three = (1...3).map { "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p\($0), namespace: demo}\ndata: {k: v}\n" }
        _ = try await fake.seed([["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]],
                                 // Not a member: same namespace and kind, never applied through the set.
                                 ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "other", "namespace": "demo"]]])
        let first = await applier.apply(try resolve(three.joined(separator: "---\n")), options: options)
        #expect(!first.failed, "\(first.errors)")
        let stored = try await fake.get(.secrets, namespace: "demo", name: "inv")
        #expect(stored[path: ["metadata", "labels", ApplySetParent.idLabel]].stringValue == parent.id)
        #expect(stored[path: ["metadata", "annotations", ApplySetParent.groupKindsAnnotation]] == "ConfigMap")

        let dry = await applier.apply(try resolve([three[0], three[2]].joined(separator: "---\n")),
                                      options: ApplyOptions(dryRun: .client, prune: true, applySet: parent))
        #expect(dry.results.filter { $0.action == .pruned }.map(\.line) == ["configmap/p2 pruned (dry run)"])
        #expect((try? await fake.get(.configMaps, namespace: "demo", name: "p2")) != nil)

        let second = await applier.apply(try resolve([three[0], three[2]].joined(separator: "---\n")), options: options)
        #expect(second.results.filter { $0.action == .pruned }.map(\.typedName) == ["configmap/p2"])
        let left = try await fake.list(.configMaps, namespace: "demo").items.compactMap(\.name).sorted()
        #expect(left == ["other", "p1", "p3"])
    }

    @Test func pruneRefusesAForeignParent() async throws {
        let fake = FakeClient()
        _ = try await fake.seed([["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "inv", "namespace": "demo"]]])
        let report = await Applier(client: fake).apply(
            try resolve("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n"),
            options: ApplyOptions(prune: true, applySet: ApplySetParent(name: "inv", namespace: "demo")))
        #expect(report.failed)
        #expect(report.results.isEmpty)
        #expect(report.errors.first?.contains("is not the parent of applyset") == true)
    }

    @Test func serverSideApplySendsOneApplyPatch() async throws {
        let fake = FakeClient()
        let report = await Applier(client: fake).apply(
            try resolve("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n"),
            options: ApplyOptions(serverSide: true))
        #expect(report.results.map(\.line) == ["configmap/a serverside-applied"])
        #expect(await fake.actions.map(\.verb).filter { $0 != "create" } == ["patch"])
    }

    @Test func serverWithoutApplyPatchesGetsAClearError() async throws {
        let fake = FakeClient()
        await fake.failNext("patch", with: .server(415, "UnsupportedMediaType", "the body of the request was in an unknown format"))
        let report = await Applier(client: fake).apply(
            try resolve("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: demo}\n"),
            options: ApplyOptions(serverSide: true))
        #expect(report.failed)
        #expect(report.results[0].line.contains("does not support server-side apply"))
    }
}
