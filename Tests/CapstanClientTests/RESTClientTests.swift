import CapstanModel
import Foundation
import Synchronization
import Testing

@testable import CapstanClient

/// A transport that records requests and answers from a closure.
final class RecordingTransport: Sendable {
    let requests = Mutex<[TransportRequest]>([])
    let handler: @Sendable (TransportRequest) -> StreamingResponse

    init(_ handler: @escaping @Sendable (TransportRequest) -> StreamingResponse) { self.handler = handler }

    var transport: ClosureTransport {
        ClosureTransport(streaming: { (r) async throws(APIError) -> StreamingResponse in
            self.requests.withLock { $0.append(r) }
            return self.handler(r)
        })
    }

    var paths: [String] { requests.withLock { $0.map(\.path) } }
}

func json(_ status: Int, _ value: Value, contentType: String = "application/json") -> StreamingResponse {
    StreamingResponse(TransportResponse(status: status, headers: ["Content-Type": contentType], body: value.jsonBytes()))
}

let aggregatedType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

let aggregatedCore: Value = ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": [
    ["metadata": [:], "versions": [["version": "v1", "resources": [
        ["resource": "pods", "responseKind": ["group": "", "version": "v1", "kind": "Pod"], "scope": "Namespaced",
         "singularResource": "pod", "verbs": ["get", "list"], "shortNames": ["po"],
         "subresources": [["subresource": "log", "responseKind": ["group": "", "version": "v1", "kind": "Pod"], "verbs": ["get"]]]],
    ]]]],
]]
let aggregatedApis: Value = ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:], "items": [
    ["metadata": ["name": "example.com"], "versions": [["version": "v1", "resources": [
        ["resource": "widgets", "responseKind": ["group": "example.com", "version": "v1", "kind": "Widget"], "scope": "Cluster",
         "verbs": ["get", "list"]],
    ]]]],
]]

@Suite struct RESTClientTests {
    @Test func buildsPathsQueriesAndBodies() async throws {
        let rec = RecordingTransport { r in
            if r.method == "GET", r.path.contains("/deployments?") {
                return json(200, ["kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": ["resourceVersion": "7", "continue": "abc"],
                                  "items": [["metadata": ["name": "a"]]]])
            }
            return json(200, ["kind": "Deployment", "apiVersion": "apps/v1", "metadata": ["name": "web"]])
        }
        let client = RESTClient(transport: rec.transport, headers: ["Authorization": "Bearer t"])
        let page = try await client.list(.deployments, namespace: "demo", options: ListOptions(
            labelSelector: try LabelSelector.parse("app=web,tier in (a,b)"), limit: 5))
        #expect(page.resourceVersion == "7")
        #expect(page.continueToken == "abc")
        #expect(page.items.first?.kind == "Deployment")
        #expect(page.items.first?.apiVersion == "apps/v1")
        _ = try await client.get(.namespaces, namespace: nil, name: "kube system")
        _ = try await client.patch(.deployments, namespace: "demo", name: "web", type: .apply, ["spec": [:]],
                                   options: PatchOptions(fieldManager: "capstan", force: true))
        _ = try await client.delete(.deployments, namespace: "demo", name: "web",
                                    options: DeleteOptions(propagationPolicy: .foreground, dryRun: true))
        _ = try await client.createSubresource(.pods, namespace: "demo", name: "p", subresource: "binding", ["target": ["name": "n1"]],
                                               options: WriteOptions())
        let requests = rec.requests.withLock { $0 }
        #expect(requests.map(\.path) == [
            "/apis/apps/v1/namespaces/demo/deployments?labelSelector=app%3Dweb%2Ctier%20in%20%28a%2Cb%29&limit=5",
            "/api/v1/namespaces/kube%20system",
            "/apis/apps/v1/namespaces/demo/deployments/web?fieldManager=capstan&force=true",
            "/apis/apps/v1/namespaces/demo/deployments/web?dryRun=All",
            "/api/v1/namespaces/demo/pods/p/binding",
        ])
        #expect(requests.map(\.method) == ["GET", "GET", "PATCH", "DELETE", "POST"])
        #expect(requests[2].headers["Content-Type"] == "application/apply-patch+yaml")
        #expect(requests[0].headers["authorization"] == "Bearer t")
        let deleteBody = try Value.parseJSON(requests[3].body)
        #expect(deleteBody["propagationPolicy"] == "Foreground")
        #expect(deleteBody["kind"] == "DeleteOptions")
    }

    @Test func errorResponsesBecomeAPIErrors() async throws {
        let rec = RecordingTransport { _ in
            json(404, Status(code: 404, reason: "NotFound", message: #"deployments.apps "x" not found"#).value)
        }
        let client = RESTClient(transport: rec.transport)
        do {
            _ = try await client.get(.deployments, namespace: "demo", name: "x")
            Issue.record("404 not raised")
        } catch {
            #expect(error.isNotFound)
            #expect(error.request == "GET /apis/apps/v1/namespaces/demo/deployments/x")
            #expect(error.description == #"Error from server (NotFound): deployments.apps "x" not found"#)
        }
    }

    @Test func watchFramesEventsAcrossArbitraryChunks() async throws {
        let events: [Value] = [
            ["type": "ADDED", "object": ["kind": "Pod", "metadata": ["name": "a {\"}", "resourceVersion": "5"]]],
            ["type": "MODIFIED", "object": ["kind": "Pod", "metadata": ["name": "a", "resourceVersion": "6"]]],
            ["type": "BOOKMARK", "object": ["kind": "Pod", "metadata": ["resourceVersion": "9"]]],
            ["type": "ERROR", "object": Status(code: 410, reason: "Expired", message: "too old").value],
        ]
        var bytes: [UInt8] = []
        for (i, e) in events.enumerated() { bytes += e.jsonBytes() + (i == 1 ? [] : [0x0A]) }
        let wire = bytes
        let rec = RecordingTransport { _ in
            // Chunks of 7 bytes: events split mid-token, and the second has no newline after it.
            let stream = AsyncThrowingStream<[UInt8], any Error> { c in
                var i = 0
                while i < wire.count { c.yield(Array(wire[i..<min(wire.count, i + 7)])); i += 7 }
                c.finish()
            }
            return StreamingResponse(status: 200, headers: ["Content-Type": "application/json"], body: stream)
        }
        let client = RESTClient(transport: rec.transport)
        let stream = try await client.watch(.pods, namespace: "demo", options: WatchOptions(
            resourceVersion: "4", allowWatchBookmarks: true, timeoutSeconds: 30))
        var got: [WatchEvent] = []
        for try await e in stream { got.append(e) }
        #expect(got.map(\.type) == [.added, .modified, .bookmark, .error])
        #expect(got[0].object.name == "a {\"}")
        #expect(got[2].resourceVersion == "9")
        #expect(got[3].error?.isGone == true)
        #expect(rec.paths == ["/api/v1/namespaces/demo/pods?allowWatchBookmarks=true&resourceVersion=4&timeoutSeconds=30&watch=true"])
    }

    @Test func truncatedWatchStreamThrows() async throws {
        let rec = RecordingTransport { _ in
            StreamingResponse(status: 200, body: AsyncThrowingStream { c in
                c.yield(Array(#"{"type":"ADDED","object":{"#.utf8))
                c.finish()
            })
        }
        let client = RESTClient(transport: rec.transport)
        let stream = try await client.watch(.pods, namespace: nil, options: WatchOptions())
        await #expect(throws: APIError.self) { for try await _ in stream {} }
    }

    @Test func aggregatedDiscoveryIsTwoRequestsAndCached() async throws {
        let dir = NSTemporaryDirectory() + "capstan-disc-\(UUID().uuidString.prefix(8))"
        let rec = RecordingTransport { r in
            #expect(r.headers["Accept"] == Discovery.aggregatedAccept)
            return json(200, r.path == "/api" ? aggregatedCore : aggregatedApis, contentType: aggregatedType)
        }
        let cache = DiscoveryCache(cacheDir: dir, server: "http://127.0.0.1:6443")
        #expect(cache.directory == dir + "/discovery/127.0.0.1_6443")
        let client = RESTClient(transport: rec.transport, discoveryCache: cache)
        let widget = try await client.mapping(for: GroupVersionKind(group: "example.com", version: "v1", kind: "Widget"))
        #expect(widget.plural == "widgets" && !widget.namespaced)
        #expect(try await client.resolve("po").gvr == .pods)
        #expect(rec.paths == ["/api", "/apis"])

        // A second client reads the disk cache: no requests at all.
        let rec2 = RecordingTransport { _ in json(500, [:]) }
        let client2 = RESTClient(transport: rec2.transport, discoveryCache: cache)
        let pods = try await client2.resolve("pods")
        #expect(pods.subresource("log") != nil)
        #expect(rec2.paths.isEmpty)

        // A miss refreshes once (and fails here, the server being broken).
        await #expect(throws: APIError.self) { try await client2.resolve("gizmos") }
        #expect(rec2.paths == ["/api"])

        // Past the TTL the cache is not trusted.
        #expect(cache.load(now: Date().addingTimeInterval(7 * 3600)) == nil)
        #expect(cache.load() != nil)
        cache.invalidate()
        #expect(cache.load() == nil)
    }

    @Test func aggregatedBodyWithPlainJSONTypeIsReadAsLegacy() async throws {
        let legacyApps: Value = ["kind": "APIResourceList", "groupVersion": "apps/v1", "resources": [
            ["name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment",
             "verbs": ["get"], "shortNames": ["deploy"]],
            ["name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale", "group": "autoscaling",
             "version": "v1", "verbs": ["get", "patch"]],
        ]]
        let rec = RecordingTransport { r in
            switch r.path {
            case "/api": return json(200, ["kind": "APIVersions", "versions": ["v1"]])
            case "/apis": return json(200, ["kind": "APIGroupList", "apiVersion": "v1", "groups": [
                ["name": "apps", "versions": [["groupVersion": "apps/v1", "version": "v1"]],
                 "preferredVersion": ["groupVersion": "apps/v1", "version": "v1"]]]])
            case "/api/v1": return json(200, ["kind": "APIResourceList", "groupVersion": "v1", "resources": [
                ["name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": ["get"]]]])
            case "/apis/apps/v1": return json(200, legacyApps)
            default: return json(404, [:])
            }
        }
        let client = RESTClient(transport: rec.transport)
        let deploy = try await client.resolve("deploy")
        #expect(deploy.gvk == GroupVersionKind(group: "apps", version: "v1", kind: "Deployment"))
        #expect(deploy.subresource("scale")?.responseKind.group == "autoscaling")
        #expect(Set(rec.paths) == ["/api", "/apis", "/api/v1", "/apis/apps/v1"])
    }
}
