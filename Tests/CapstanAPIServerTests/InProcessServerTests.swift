import CapstanModel
import CapstanStore
import Foundation
import Testing
@testable import CapstanAPIServer

/// The server in-process on an ephemeral port over a `MemoryStore`, driven through HTTP.
extension ServerTests {
@Suite struct InProcessServerTests {
    static func withServer(_ body: (HTTPTestClient, MemoryStore) async throws -> Void) async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        let port = try await server.start(port: 0)
        do {
            try await body(HTTPTestClient(base: "http://127.0.0.1:\(port)"), store)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        await store.close()
    }

    static func configMap(_ name: String, _ data: Value = ["a": "1"]) -> Value {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
    }

    /// Shutting down twice, or from two places at once, returns instead of hanging on event
    /// loops the first call stopped.
    @Test(.timeLimit(.minutes(1))) func shutdownTwiceReturns() async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        let port = try await server.start(port: 0)
        let client = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        #expect(try await client.get("/version").status == 200)
        async let first: Void = server.shutdown()
        async let second: Void = server.shutdown()
        _ = await (first, second)
        await server.shutdown()
        await store.close()
    }

    @Test func discoveryAndOpenAPI() async throws {
        try await Self.withServer { client, _ in
            let agg = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            let apis = try await client.get("/apis", accept: agg)
            #expect(apis.status == 200)
            #expect(apis.header("Content-Type") == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            let apps = (apis.json["items"].arrayValue ?? []).first { $0["metadata"]["name"] == "apps" }
            let deploy = (apps?["versions"][0]["resources"].arrayValue ?? []).first { $0["resource"] == "deployments" }
            #expect(deploy?["shortNames"] == ["deploy"])
            #expect(deploy?["categories"] == ["all"])
            #expect(deploy?["singularResource"] == "deployment")
            #expect((deploy?["subresources"].arrayValue ?? []).contains { $0["subresource"] == "scale" && $0["responseKind"]["kind"] == "Scale" })
            let core = try await client.get("/api", accept: agg)
            #expect(core.json["items"][0]["metadata"]["name"] == .null)
            let legacy = try await client.get("/api")
            #expect(legacy.json["kind"] == "APIVersions")
            #expect(try await client.get("/apis/apps/v1").json["groupVersion"] == "apps/v1")
            #expect(try await client.get("/apis/apps").json["preferredVersion"]["version"] == "v1")
            #expect(try await client.get("/version").json["major"] == "1")

            let root = try await client.get("/openapi/v3")
            let etag = try #require(root.header("Etag"))
            let notModified = try await client.request("GET", "/openapi/v3", headers: ["If-None-Match": etag])
            #expect(notModified.status == 304)
            let url = try #require(root.json["paths"]["apis/apps/v1"]["serverRelativeURL"].stringValue)
            let doc = try await client.get(url)
            #expect(doc.header("Cache-Control") == "public, immutable")
            #expect(doc.header("Expires") != nil)
            let patchOp = doc.json["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
            #expect(patchOp["x-kubernetes-group-version-kind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
            let params = (patchOp["parameters"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            #expect(params.contains("fieldValidation") && params.contains("dryRun"))
            #expect(doc.json["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"].isObject)
            #expect(try await client.get("/openapi/v2").status == 404)
        }
    }

    @Test func createGetUpdatePatchAndErrors() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/configmaps"
            let created = try await client.post(base, Self.configMap("a"))
            #expect(created.status == 201)
            #expect(created.json["metadata"]["uid"].stringValue?.count == 36)
            let rv = try #require(created.json["metadata"]["resourceVersion"].stringValue)
            let again = try await client.post(base, Self.configMap("a"))
            #expect(again.status == 409 && again.json["reason"] == "AlreadyExists")
            let missing = try await client.get(base + "/nope")
            #expect(missing.status == 404 && missing.json["message"] == "configmaps \"nope\" not found")

            // Optimistic concurrency: a stale resourceVersion is a 409 Conflict.
            var update = created.json
            update["data"] = ["a": "2"]
            let ok = try await client.put(base + "/a", update)
            #expect(ok.status == 200 && ok.json["data"]["a"] == "2")
            let stale = try await client.put(base + "/a", update)
            #expect(stale.status == 409 && stale.json["reason"] == "Conflict")
            #expect(rv != ok.json["metadata"]["resourceVersion"].stringValue)

            // Patches of every type, and a resourceVersion precondition inside a patch.
            let merge = try await client.patch(base + "/a", ["data": ["b": "x"]], type: "application/merge-patch+json")
            #expect(merge.json["data"] == ["a": "2", "b": "x"])
            let json = try await client.patch(base + "/a", [["op": "remove", "path": "/data/b"]], type: "application/json-patch+json")
            #expect(json.json["data"] == ["a": "2"])
            let smp = try await client.patch(base + "/a", ["data": ["c": "y"]], type: "application/strategic-merge-patch+json")
            #expect(smp.json["data"] == ["a": "2", "c": "y"])
            let precondition = try await client.patch(base + "/a", ["metadata": ["resourceVersion": .string(rv)], "data": ["d": "z"]],
                                                      type: "application/strategic-merge-patch+json")
            #expect(precondition.status == 409)
            let apply = try await client.patch(base + "/a", Self.configMap("a"), type: "application/apply-patch+yaml")
            #expect(apply.status == 415 && apply.json["reason"] == "UnsupportedMediaType")

            // generateName, dry run, missing namespace.
            let generated = try await client.post(base, ["metadata": ["generateName": "gen-"], "data": [:]])
            #expect(generated.json["metadata"]["name"].stringValue?.hasPrefix("gen-") == true)
            #expect(generated.json["metadata"]["name"].stringValue?.count == 9)
            let dry = try await client.post(base + "?dryRun=All", Self.configMap("dry"))
            #expect(dry.status == 201)
            #expect(try await client.get(base + "/dry").status == 404)
            let noNamespace = try await client.post("/api/v1/namespaces/ghost/configmaps", Self.configMap("x"))
            #expect(noNamespace.status == 404 && noNamespace.json["message"] == "namespaces \"ghost\" not found")

            // Field validation: Strict fails, Warn warns and drops.
            var bogus = Self.configMap("bogus")
            bogus["spec"] = ["x": 1]
            let strict = try await client.post(base + "?fieldValidation=Strict", bogus)
            #expect(strict.status == 400 && strict.json["reason"] == "BadRequest")
            #expect(strict.json["message"].stringValue?.contains("unknown field \"spec\"") == true)
            let warn = try await client.post(base + "?fieldValidation=Warn", bogus)
            #expect(warn.status == 201)
            #expect(warn.header("Warning")?.contains("unknown field") == true)
            #expect(warn.json["spec"] == .null)
        }
    }

    @Test func validationAndImmutabilityAre422() async throws {
        try await Self.withServer { client, _ in
            let base = "/apis/apps/v1/namespaces/default/deployments"
            var d: Value = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                            "spec": ["replicas": -1, "selector": ["matchLabels": ["app": "web"]],
                                     "template": ["metadata": ["labels": ["app": "web"]],
                                                  "spec": ["containers": [["name": "c", "image": "nginx"]]]]]]
            let invalid = try await client.post(base, d)
            #expect(invalid.status == 422 && invalid.json["reason"] == "Invalid")
            #expect((invalid.json["details"]["causes"].arrayValue ?? []).contains { $0["field"] == "spec.replicas" })
            d[path: ["spec", "replicas"]] = 1
            let created = try await client.post(base, d)
            #expect(created.status == 201)
            #expect(created.json["metadata"]["generation"] == 1)
            let immutable = try await client.patch(base + "/web", ["spec": ["selector": ["matchLabels": ["app": "x"]],
                                                                             "template": ["metadata": ["labels": ["app": "x"]]]]],
                                                   type: "application/merge-patch+json")
            #expect(immutable.status == 422)
            #expect((immutable.json["details"]["causes"].arrayValue ?? []).contains {
                $0["field"] == "spec.selector" && $0["message"].stringValue?.hasSuffix("field is immutable") == true })

            // Metadata changes keep the generation; spec changes bump it; status goes through /status only.
            let labelled = try await client.patch(base + "/web", ["metadata": ["labels": ["x": "y"]]], type: "application/merge-patch+json")
            #expect(labelled.json["metadata"]["generation"] == 1)
            let scaled = try await client.patch(base + "/web/scale", ["spec": ["replicas": 4]], type: "application/merge-patch+json")
            #expect(scaled.json["kind"] == "Scale" && scaled.json["spec"]["replicas"] == 4 && scaled.json["status"]["selector"] == "app=web")
            let afterScale = try await client.get(base + "/web")
            #expect(afterScale.json["spec"]["replicas"] == 4 && afterScale.json["metadata"]["generation"] == 2)
            let ignored = try await client.patch(base + "/web", ["status": ["replicas": 7]], type: "application/merge-patch+json")
            #expect(ignored.json["status"]["replicas"] == .null)
            let status = try await client.patch(base + "/web/status", ["status": ["replicas": 7], "spec": ["replicas": 9]],
                                                type: "application/merge-patch+json")
            #expect(status.json["status"]["replicas"] == 7 && status.json["spec"]["replicas"] == 4)
            #expect(status.json["metadata"]["generation"] == 2)
            let scaleGet = try await client.get(base + "/web/scale")
            #expect(scaleGet.json["status"]["replicas"] == 7)
        }
    }

    @Test func finalizersAndPropagation() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/configmaps"
            var cm = Self.configMap("f")
            cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await client.post(base, cm)
            let deleting = try await client.delete(base + "/f")
            #expect(deleting.status == 200)
            #expect(deleting.json["metadata"]["deletionTimestamp"].stringValue != nil)
            #expect(try await client.get(base + "/f").status == 200)
            let added = try await client.patch(base + "/f", ["metadata": ["finalizers": ["example.com/hold", "more"]]], type: "application/merge-patch+json")
            #expect(added.status == 422)
            let released = try await client.patch(base + "/f", ["metadata": ["finalizers": nil]], type: "application/merge-patch+json")
            #expect(released.status == 200)
            #expect(try await client.get(base + "/f").status == 404)

            _ = try await client.post(base, Self.configMap("fg"))
            let foreground = try await client.delete(base + "/fg", ["propagationPolicy": "Foreground"])
            #expect(foreground.json["metadata"]["finalizers"] == ["foregroundDeletion"])
            _ = try await client.post(base, Self.configMap("or"))
            let orphan = try await client.delete(base + "/or", ["propagationPolicy": "Orphan"])
            #expect(orphan.json["metadata"]["finalizers"] == ["orphan"])
            let created = try await client.post(base, Self.configMap("bg"))
            let wrongUID = try await client.delete(base + "/bg", ["preconditions": ["uid": "nope"]])
            #expect(wrongUID.status == 409)
            let background = try await client.delete(base + "/bg", ["propagationPolicy": "Background",
                                                                     "preconditions": ["uid": created.json["metadata"]["uid"]]])
            #expect(background.json["kind"] == "Status" && background.json["status"] == "Success")
            #expect(try await client.get(base + "/bg").status == 404)

            // Namespaces terminate; creating in a terminating namespace is forbidden.
            _ = try await client.post("/api/v1/namespaces", ["metadata": ["name": "term"]])
            let ns = try await client.delete("/api/v1/namespaces/term")
            #expect(ns.json["status"]["phase"] == "Terminating")
            let refused = try await client.post("/api/v1/namespaces/term/configmaps", Self.configMap("x"))
            #expect(refused.status == 403 && refused.json["reason"] == "Forbidden")
        }
    }

    @Test func watchReplaysInOrderAndExpiresOldRevisions() async throws {
        try await Self.withServer { client, store in
            let base = "/api/v1/namespaces/default/configmaps"
            let first = try await client.post(base, Self.configMap("w"))
            let start = try #require(first.json["metadata"]["resourceVersion"].stringValue)
            for i in 1...5 { _ = try await client.patch(base + "/w", ["data": ["a": .string("v\(i)")]], type: "application/merge-patch+json") }
            _ = try await client.delete(base + "/w")
            let replay = try await client.get(base + "?watch=true&resourceVersion=\(start)&timeoutSeconds=1")
            let events = replay.events
            #expect(events.map { $0["type"].stringValue ?? "" } == ["MODIFIED", "MODIFIED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"])
            #expect(events.prefix(5).map { $0["object"]["data"]["a"].stringValue ?? "" } == ["v1", "v2", "v3", "v4", "v5"])
            let revisions = events.compactMap { $0["object"]["metadata"]["resourceVersion"].stringValue.flatMap(Int64.init) }
            #expect(revisions == revisions.sorted() && Set(revisions).count == 6)

            // The watch-list protocol: state, then the initial-events-end bookmark.
            _ = try await client.post(base, Self.configMap("x1"))
            let list = try await client.get(base + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1")
            let types = list.events.map { $0["type"].stringValue ?? "" }
            #expect(types.first == "ADDED" && types.last == "BOOKMARK")
            #expect(list.events.last?["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"] == "true")

            try await store.compact(keepingRevisionsAfter: await store.currentRevision)
            let expired = try await client.get(base + "?watch=true&resourceVersion=\(start)")
            #expect(expired.status == 410 && expired.json["reason"] == "Expired")
        }
    }

    @Test func concurrentUpdatesWithRetriesLoseNothing() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/configmaps"
            _ = try await client.post(base, Self.configMap("counter", ["n": "0"]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        while true {
                            var object = try await client.get(base + "/counter").json
                            let n = Int(object["data"]["n"].stringValue ?? "0") ?? 0
                            object["data"]["n"] = .string(String(n + 1))
                            let reply = try await client.put(base + "/counter", object)
                            if reply.status == 200 { return }
                            #expect(reply.status == 409)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await client.get(base + "/counter").json["data"]["n"] == "100")
        }
    }

    @Test func requestBodiesOver3MiBAre413() async throws {
        try await Self.withServer { client, _ in
            let big = [UInt8](repeating: UInt8(ascii: "a"), count: 3 * 1024 * 1024 + 10)
            let reply = try await client.request("POST", "/api/v1/namespaces/default/configmaps", rawBody: big)
            #expect(reply.status == 413 && reply.json["reason"] == "RequestEntityTooLarge")
        }
    }

    @Test func listsPageWithContinueAndSelectLabels() async throws {
        try await Self.withServer { client, _ in
            let base = "/api/v1/namespaces/default/configmaps"
            for i in 0..<5 {
                var cm = Self.configMap("p\(i)")
                cm[path: ["metadata", "labels"]] = ["even": .string(i % 2 == 0 ? "yes" : "no")]
                _ = try await client.post(base, cm)
            }
            var names: [String] = []
            var token = ""
            repeat {
                let page = try await client.get(base + "?limit=2" + (token.isEmpty ? "" : "&continue=\(token)"))
                names += (page.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue }
                token = page.json["metadata"]["continue"].stringValue ?? ""
            } while !token.isEmpty
            #expect(names == ["p0", "p1", "p2", "p3", "p4"])
            let even = try await client.get(base + "?labelSelector=even%3Dyes")
            #expect((even.json["items"].arrayValue ?? []).count == 3)
            let table = try await client.get(base, accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")
            #expect(table.json["kind"] == "Table" && (table.json["rows"].arrayValue ?? []).count == 5)
            let all = try await client.get("/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault")
            #expect((all.json["items"].arrayValue ?? []).count == 5)
        }
    }

    @Test func selectorsUseTheKindsSelectableFields() async throws {
        try await Self.withServer { client, _ in
            let pods = "/api/v1/namespaces/default/pods"
            for (name, node) in [("a", "n1"), ("b", "n2")] {
                let pod: Value = ["apiVersion": "v1", "kind": "Pod",
                                  "metadata": ["name": .string(name), "labels": ["app": "web", "tier": .string(name)]],
                                  "spec": ["nodeName": .string(node), "containers": [["name": "c", "image": "nginx"]]]]
                _ = try await client.post(pods, pod)
            }
            func names(_ query: String) async throws -> [String] {
                let list = try await client.get(pods + "?" + query)
                return (list.json["items"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue }
            }
            #expect(try await names("fieldSelector=spec.nodeName%3Dn2") == ["b"])
            #expect(try await names("fieldSelector=spec.nodeName!%3Dn2,metadata.name%3Da") == ["a"])
            #expect(try await names("labelSelector=app%3Dweb,tier%20notin%20(a)") == ["b"])
            // A field the kind does not expose is refused, as Kubernetes does, not silently ignored.
            let bad = try await client.get(pods + "?fieldSelector=spec.foo%3Dx")
            #expect(bad.status == 400)
            #expect(bad.json["message"].stringValue?.contains("spec.foo") == true)
            let badLabels = try await client.get(pods + "?labelSelector=app%20in%20(")
            #expect(badLabels.status == 400)
        }
    }

    @Test func customResourcesAreServedValidatedAndPruned() async throws {
        try await Self.withServer { client, _ in
            let crd: Value = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": "widgets.example.com"],
                "spec": ["group": "example.com", "scope": "Namespaced",
                         "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]],
                         "versions": [["name": "v1", "served": true, "storage": true,
                                       "schema": ["openAPIV3Schema": ["type": "object", "properties": [
                                           "spec": ["type": "object", "properties": ["size": ["type": "integer", "minimum": 1]]]]]]]]],
            ]
            #expect(try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
            let agg = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
            let apis = try await client.get("/apis", accept: agg)
            #expect((apis.json["items"].arrayValue ?? []).contains { $0["metadata"]["name"] == "example.com" })
            let root = try await client.get("/openapi/v3")
            #expect(root.json["paths"]["apis/example.com/v1"].isObject)
            let base = "/apis/example.com/v1/namespaces/default/widgets"
            let w: Value = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["size": 2, "extra": 1]]
            let pruned = try await client.post(base + "?fieldValidation=Ignore", w)
            #expect(pruned.status == 201 && pruned.json["spec"] == ["size": 2])
            var bad = w
            bad[path: ["metadata", "name"]] = "bad"
            bad[path: ["spec"]] = ["size": 0]
            #expect(try await client.post(base, bad).status == 422)
            let smp = try await client.patch(base + "/w", ["spec": ["size": 3]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 415)

            // Deleting the CRD takes its objects along: created again, it starts empty.
            #expect(try await client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").status == 200)
            #expect(try await client.get(base).status == 404)
            #expect(try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status == 201)
            let again = try await client.get(base)
            #expect(again.status == 200 && (again.json["items"].arrayValue ?? []).isEmpty, "\(again.json)")
        }
    }
}
}
