import CapstanAPI
import CapstanModel
import Testing
@testable import CapstanAPIServer

@Suite struct StatusTests {
    @Test func notFoundNamesTheQualifiedResource() {
        let s = StatusError.notFound(group: "apps", resource: "deployments", name: "missing").status
        #expect(s["kind"] == "Status")
        #expect(s["apiVersion"] == "v1")
        #expect(s["status"] == "Failure")
        #expect(s["reason"] == "NotFound")
        #expect(s["code"] == 404)
        #expect(s["message"] == "deployments.apps \"missing\" not found")
        #expect(s["details"] == ["name": "missing", "group": "apps", "kind": "deployments"])
        #expect(StatusError.notFound(group: "", resource: "namespaces", name: "x").message == "namespaces \"x\" not found")
    }

    @Test func conflictsAndAlreadyExists() {
        let c = StatusError.conflict(group: "", resource: "configmaps", name: "a")
        #expect(c.code == 409 && c.reason == "Conflict")
        #expect(c.message.hasPrefix("Operation cannot be fulfilled on configmaps \"a\": the object has been modified"))
        let e = StatusError.alreadyExists(group: "", resource: "configmaps", name: "a")
        #expect(e.code == 409 && e.reason == "AlreadyExists" && e.message == "configmaps \"a\" already exists")
    }

    @Test func invalidCarriesOneCausePerField() {
        let errors = [FieldError.invalid("spec.replicas", -1, "must be greater than or equal to 0"),
                      FieldError.required("spec.selector")]
        let s = StatusError.invalid(kind: GroupKind(group: "apps", kind: "Deployment"), name: "web", errors: errors).status
        #expect(s["code"] == 422)
        #expect(s["reason"] == "Invalid")
        #expect(s["details"]["kind"] == "Deployment")
        #expect(s["details"]["group"] == "apps")
        #expect(s["details"]["name"] == "web")
        let causes = s["details"]["causes"].arrayValue ?? []
        #expect(causes.count == 2)
        #expect(causes.first == ["reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0",
                                 "field": "spec.replicas"])
        #expect(s["message"].stringValue?.hasPrefix("Deployment.apps \"web\" is invalid: [spec.replicas: Invalid value: -1") == true)
    }

    @Test func otherReasonsAndCodes() {
        #expect(StatusError.expired("too old").code == 410)
        #expect(StatusError.expired("too old").reason == "Expired")
        #expect(StatusError.requestEntityTooLarge().code == 413)
        #expect(StatusError.unsupportedMediaType("x").code == 415)
        #expect(StatusError.methodNotAllowed().code == 405)
        let f = StatusError.forbidden(group: "", resource: "pods", name: "p", "unable to create new content in namespace x because it is being terminated")
        #expect(f.code == 403 && f.reason == "Forbidden")
        #expect(f.message == "pods \"p\" is forbidden: unable to create new content in namespace x because it is being terminated")
        let ok = successStatus(name: "web", group: "apps", resource: "deployments", uid: "u1")
        #expect(ok["status"] == "Success" && ok["details"]["uid"] == "u1")
    }

    @Test func humanAgesMatchKubectl() {
        #expect(WallClock.humanDuration(3) == "3s")
        #expect(WallClock.humanDuration(119) == "119s")
        #expect(WallClock.humanDuration(130) == "2m10s")
        #expect(WallClock.humanDuration(600) == "10m")
        #expect(WallClock.humanDuration(3 * 3600 + 5 * 60) == "3h5m")
        #expect(WallClock.humanDuration(30 * 3600) == "30h")
        #expect(WallClock.humanDuration(3 * 86400 + 3600) == "3d1h")
        #expect(WallClock.humanDuration(100 * 86400) == "100d")
        #expect(WallClock.parse("2026-11-21T19:57:55Z").map(WallClock.rfc3339) == "2026-11-21T19:57:55Z")
        #expect(WallClock.parse("2026-11-21T21:57:55+02:00").map(WallClock.rfc3339) == "2026-11-21T19:57:55Z")
    }
}
