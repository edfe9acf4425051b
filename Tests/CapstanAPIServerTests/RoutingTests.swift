import CapstanModel
import Testing
@testable import CapstanAPIServer

extension ServerTests {
@Suite struct RoutingTests {
    @Test func discoveryAndOpenAPIPaths() {
        #expect(Route.parse("/version") == .version)
        #expect(Route.parse("/api") == .coreVersions)
        #expect(Route.parse("/apis") == .groups)
        #expect(Route.parse("/apis/apps") == .group("apps"))
        #expect(Route.parse("/api/v1") == .resourceList(GroupVersion(group: "", version: "v1")))
        #expect(Route.parse("/apis/apps/v1") == .resourceList(GroupVersion(group: "apps", version: "v1")))
        #expect(Route.parse("/openapi/v3") == .openAPIv3Root)
        #expect(Route.parse("/openapi/v3/api/v1") == .openAPIv3(GroupVersion(group: "", version: "v1")))
        #expect(Route.parse("/openapi/v3/apis/apps/v1") == .openAPIv3(GroupVersion(group: "apps", version: "v1")))
        #expect(Route.parse("/openapi/v2") == .notFound)
        #expect(Route.parse("/nope") == .notFound)
    }

    @Test func namespacedAndClusterResourcePaths() {
        let core = GroupVersion(group: "", version: "v1")
        let apps = GroupVersion(group: "apps", version: "v1")
        #expect(Route.parse("/api/v1/pods") == .resource(ResourcePath(gv: core, resource: "pods")))
        #expect(Route.parse("/api/v1/namespaces/demo/pods") == .resource(ResourcePath(gv: core, resource: "pods", namespace: "demo")))
        #expect(Route.parse("/apis/apps/v1/namespaces/demo/deployments/web/scale")
            == .resource(ResourcePath(gv: apps, resource: "deployments", namespace: "demo", name: "web", subresource: "scale")))
        #expect(Route.parse("/api/v1/nodes/n1/status") == .resource(ResourcePath(gv: core, resource: "nodes", name: "n1", subresource: "status")))
        // A namespace itself, and its status/finalize subresources, are not namespaced paths.
        #expect(Route.parse("/api/v1/namespaces") == .resource(ResourcePath(gv: core, resource: "namespaces")))
        #expect(Route.parse("/api/v1/namespaces/demo") == .resource(ResourcePath(gv: core, resource: "namespaces", name: "demo")))
        #expect(Route.parse("/api/v1/namespaces/demo/status")
            == .resource(ResourcePath(gv: core, resource: "namespaces", name: "demo", subresource: "status")))
        #expect(Route.parse("/api/v1/namespaces/demo/finalize")
            == .resource(ResourcePath(gv: core, resource: "namespaces", name: "demo", subresource: "finalize")))
        #expect(Route.parse("/api/v1/namespaces/demo/pods/a/b/c") == .notFound)
    }

    @Test func verbsFollowMethodAndName() {
        #expect(Verb.of(method: .GET, hasName: true, watch: false) == .get)
        #expect(Verb.of(method: .GET, hasName: false, watch: false) == .list)
        #expect(Verb.of(method: .GET, hasName: false, watch: true) == .watch)
        #expect(Verb.of(method: .POST, hasName: false, watch: false) == .create)
        #expect(Verb.of(method: .PUT, hasName: true, watch: false) == .update)
        #expect(Verb.of(method: .PUT, hasName: false, watch: false) == nil)
        #expect(Verb.of(method: .PATCH, hasName: true, watch: false) == .patch)
        #expect(Verb.of(method: .DELETE, hasName: true, watch: false) == .delete)
        #expect(Verb.of(method: .DELETE, hasName: false, watch: false) == .deletecollection)
    }

    @Test func queryDecodingFollowsGo() {
        let r = HTTPRequest(method: .GET, uri: "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=500&watch=true")
        #expect(r.path == "/api/v1/pods")
        #expect(r.query("labelSelector") == "app=web,tier in (a,b)")
        #expect(r.query("limit") == "500")
        #expect(r.queryBool("watch"))
        #expect(!r.queryBool("missing"))
    }

    @Test func continueTokensRoundTrip() throws {
        let t = ContinueToken(revision: 42, lastKey: "/registry/core/pods/demo/a|b")
        #expect(try ContinueToken(decoding: t.encoded) == t)
        #expect(throws: StatusError.self) { try ContinueToken(decoding: "zz") }
    }
}
}
