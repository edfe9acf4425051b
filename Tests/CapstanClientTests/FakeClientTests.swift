import CapstanAPI
import CapstanModel
import Testing

@testable import CapstanClient

func configMap(_ name: String, namespace: String = "demo", labels: [String: String] = [:], data: Value = [:]) -> Value {
    var labelObject: ValueObject = [:]
    for (k, v) in labels.sorted(by: { $0.key < $1.key }) { labelObject[k] = .string(v) }
    return ["apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labelObject)],
            "data": data]
}

@Suite struct FakeClientTests {
    @Test func createGetUpdateConflictDelete() async throws {
        let client = FakeClient()
        let created = try await client.create(.configMaps, namespace: "demo", configMap("a", data: ["k": "1"]))
        #expect(created.uid?.isEmpty == false)
        #expect(created.resourceVersion == "1")

        await #expect(throws: APIError.self) { try await client.create(.configMaps, namespace: "demo", configMap("a")) }
        do {
            _ = try await client.create(.configMaps, namespace: "demo", configMap("a"))
        } catch {
            #expect(error.isAlreadyExists)
            #expect(error.code == 409)
        }

        var edited = created
        edited["data"] = ["k": "2"]
        let updated = try await client.update(.configMaps, namespace: "demo", edited)
        #expect(updated["data"]["k"] == "2")
        #expect(updated.resourceVersion == "2")

        // The stale version is refused.
        do {
            _ = try await client.update(.configMaps, namespace: "demo", edited)
            Issue.record("stale update accepted")
        } catch {
            #expect(error.isConflict)
            #expect(!error.isAlreadyExists)
        }

        _ = try await client.delete(.configMaps, namespace: "demo", name: "a")
        do {
            _ = try await client.get(.configMaps, namespace: "demo", name: "a")
            Issue.record("deleted object still readable")
        } catch {
            #expect(error.isNotFound)
            #expect(error.description == #"Error from server (NotFound): configmaps "a" not found"#)
        }
    }

    @Test func generateNameAndSelectors() async throws {
        let client = FakeClient()
        var object = configMap("", labels: ["app": "web"])
        object[path: ["metadata", "name"]] = .null
        object[path: ["metadata", "generateName"]] = "web-"
        let created = try await client.create(.configMaps, namespace: "demo", object)
        #expect(created.name?.hasPrefix("web-") == true)
        #expect(created.name?.count == 9)
        _ = try await client.create(.configMaps, namespace: "demo", configMap("db", labels: ["app": "db"]))
        _ = try await client.create(.configMaps, namespace: "other", configMap("web", namespace: "other", labels: ["app": "web"]))

        let web = try await client.list(.configMaps, namespace: nil, options: ListOptions(labelSelector: try LabelSelector.parse("app=web")))
        #expect(web.items.count == 2)
        #expect(web.items.allSatisfy { $0.kind == "ConfigMap" })
        let demo = try await client.list(.configMaps, namespace: "demo")
        #expect(demo.items.count == 2)
        let byName = try await client.list(.configMaps, namespace: nil,
                                           options: ListOptions(fieldSelector: try FieldSelector.parse("metadata.name=db")))
        #expect(byName.items.map(\.name) == ["db"])

        let page1 = try await client.list(.configMaps, namespace: nil, options: ListOptions(limit: 2))
        #expect(page1.items.count == 2)
        #expect(page1.continueToken != nil)
        let all = try await client.listAll(.configMaps, namespace: nil, options: ListOptions(limit: 2))
        #expect(all.items.count == 3)
    }

    @Test func statusSubresourceAndGeneration() async throws {
        let client = FakeClient()
        let deployment: Value = ["apiVersion": "apps/v1", "kind": "Deployment",
                                 "metadata": ["name": "web", "namespace": "demo"],
                                 "spec": ["replicas": 1]]
        var live = try await client.create(deployment)
        #expect(live["metadata"]["generation"] == 1)
        live["status"] = ["replicas": 1]
        live = try await client.updateStatus(.deployments, namespace: "demo", live)
        #expect(live["status"]["replicas"] == 1)
        #expect(live["metadata"]["generation"] == 1)
        // A main-resource update cannot change status, but a spec change bumps generation.
        live["status"] = ["replicas": 9]
        live[path: ["spec", "replicas"]] = 3
        live = try await client.update(live)
        #expect(live["status"]["replicas"] == 1)
        #expect(live["metadata"]["generation"] == 2)
        let scaled = try await client.scale(.deployments, namespace: "demo", name: "web", replicas: 5)
        #expect(scaled["kind"] == "Scale")
        #expect(try await client.get(.deployments, namespace: "demo", name: "web")["spec"]["replicas"] == 5)
    }

    @Test func finalizersAndPreconditions() async throws {
        let client = FakeClient()
        var object = configMap("f")
        object[path: ["metadata", "finalizers"]] = ["example.com/hold"]
        let created = try await client.create(object)
        do {
            _ = try await client.delete(.configMaps, namespace: "demo", name: "f",
                                        options: DeleteOptions(preconditions: Preconditions(uid: "wrong")))
            Issue.record("precondition ignored")
        } catch {
            #expect(error.isConflict)
        }
        let deleting = try await client.delete(.configMaps, namespace: "demo", name: "f")
        #expect(deleting["metadata"]["deletionTimestamp"].stringValue != nil)
        var cleared = deleting
        cleared[path: ["metadata", "finalizers"]] = []
        _ = try await client.update(cleared)
        await #expect(throws: APIError.self) { try await client.get(.configMaps, namespace: "demo", name: "f") }
        _ = created
    }

    @Test func patchTypes() async throws {
        let client = FakeClient()
        _ = try await client.create(configMap("p", data: ["a": "1", "b": "2"]))
        let merged = try await client.patch(.configMaps, namespace: "demo", name: "p", type: .merge, ["data": ["a": .null, "c": "3"]])
        #expect(merged["data"] == ["b": "2", "c": "3"])
        let jsonPatched = try await client.patch(.configMaps, namespace: "demo", name: "p", type: .json,
                                                 [["op": "replace", "path": "/data/b", "value": "20"],
                                                  ["op": "add", "path": "/metadata/labels/x", "value": "y"]])
        #expect(jsonPatched["data"]["b"] == "20")
        #expect(jsonPatched["metadata"]["labels"]["x"] == "y")
        let applied = try await client.apply(configMap("new", data: ["z": "1"]), fieldManager: "test")
        #expect(applied["data"]["z"] == "1")
    }

    @Test func watchFromVersionAndExpired() async throws {
        let client = FakeClient()
        let first = try await client.create(configMap("w1"))
        let rv = first.resourceVersion ?? ""
        _ = try await client.create(configMap("w2"))
        let stream = try await client.watch(.configMaps, namespace: "demo", options: WatchOptions(resourceVersion: rv))
        var it = stream.makeAsyncIterator()
        let e1 = try await it.next()
        #expect(e1?.type == .added)
        #expect(e1?.object.name == "w2")
        _ = try await client.delete(.configMaps, namespace: "demo", name: "w1")
        let e2 = try await it.next()
        #expect(e2?.type == .deleted)
        #expect(e2?.object.name == "w1")
        stream.stop()

        await client.compact()
        let old = try await client.watch(.configMaps, namespace: "demo", options: WatchOptions(resourceVersion: rv))
        var events: [WatchEvent] = []
        for try await e in old { events.append(e) }
        #expect(events.count == 1)
        #expect(events.first?.type == .error)
        #expect(events.first?.error?.isGone == true)
    }

    @Test func labelChangeLeavesFilteredWatch() async throws {
        let client = FakeClient()
        let created = try await client.create(configMap("x", labels: ["app": "web"]))
        let stream = try await client.watch(.configMaps, namespace: nil,
                                            options: WatchOptions(labelSelector: try LabelSelector.parse("app=web")))
        var it = stream.makeAsyncIterator()
        #expect(try await it.next()?.type == .added)
        var relabelled = created
        relabelled[path: ["metadata", "labels", "app"]] = "db"
        _ = try await client.update(relabelled)
        #expect(try await it.next()?.type == .deleted)
    }

    @Test func injectedFailuresAndActions() async throws {
        let client = FakeClient()
        await client.failNext("list", resource: .pods, with: .server(500, "InternalError", "boom"))
        do {
            _ = try await client.list(.pods, namespace: nil)
            Issue.record("injected failure not raised")
        } catch {
            #expect(error.isInternalError)
        }
        _ = try await client.list(.pods, namespace: nil)
        #expect(await client.actions.map(\.description) == ["list pods ", "list pods "])
    }

    @Test func mappingAndResolve() async throws {
        let client = FakeClient()
        let info = try await client.mapping(for: GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(info.plural == "deployments")
        #expect(info.namespaced)
        #expect(try await client.resolve("deploy").gvr == .deployments)
        #expect(try await client.resolve("ns").namespaced == false)
        do {
            _ = try await client.resolve("frobnicators")
            Issue.record("unknown resource resolved")
        } catch {
            #expect(error.message == #"the server doesn't have a resource type "frobnicators""#)
        }
    }
}

@Suite struct APIErrorTests {
    @Test func readsStatusBodies() {
        let body = Array(#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"The Deployment \"web\" is invalid","reason":"Invalid","details":{"name":"web","group":"apps","kind":"Deployment","causes":[{"reason":"FieldValueInvalid","message":"Invalid value: -1","field":"spec.replicas"}]},"code":422}"#.utf8)
        let error = APIError.fromHTTP(code: 422, body: body, request: "PUT /x")
        #expect(error.isInvalid)
        #expect(error.causes.first?.field == "spec.replicas")
        #expect(error.status.details?.kind == "Deployment")
        #expect(Status(value: error.status.value) == error.status)
    }

    @Test func plainTextBodiesUseTheCode() {
        let error = APIError.fromHTTP(code: 404, body: Array("404 page not found".utf8), request: "GET /x")
        #expect(error.isNotFound)
        #expect(error.message == "404 page not found")
        let gone = APIError.fromHTTP(code: 410, body: [], request: "")
        #expect(gone.isGone)
        // A known reason wins over the code.
        let conflict = APIError.server(409, "AlreadyExists", "exists")
        #expect(conflict.isAlreadyExists && !conflict.isConflict)
        // Local failures are never server conditions.
        #expect(!APIError.local(.transport, "refused").isNotFound)
    }
}
