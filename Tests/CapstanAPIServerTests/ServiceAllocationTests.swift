import CapstanModel
import CapstanStore
import Foundation
import Testing
@testable import CapstanAPIServer

/// Service cluster IPs and node ports: allocation, validation, updates, release, dry run,
/// concurrency, the repair pass and the `kubernetes` Service — through HTTP on a MemoryStore.
extension ServerTests {
@Suite struct ServiceAllocationTests {
    static let services = "/api/v1/namespaces/default/services"
    static let ipKeys = "/registry/capstan.dev/serviceipallocations/"
    static let portKeys = "/registry/capstan.dev/servicenodeportallocations/"

    static func withServer(_ addressing: ServiceAddressing = .standard, store: MemoryStore = MemoryStore(compaction: .disabled),
                           _ body: (HTTPTestClient, MemoryStore, Int) async throws -> Void) async throws
    {
        let server = APIServer(store: store, services: addressing)
        let port = try await server.start(port: 0)
        do {
            try await body(HTTPTestClient(base: "http://127.0.0.1:\(port)"), store, port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
        await store.close()
    }

    static func service(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil, nodePort: Int? = nil,
                        ports: [Int] = [80]) -> Value
    {
        var spec: Value = ["type": .string(type), "selector": ["app": .string(name)]]
        if type == "ExternalName" { spec["externalName"] = "db.example.com" }
        var list: [Value] = []
        for (i, p) in ports.enumerated() {
            var entry: Value = ["name": .string("p\(i)"), "port": .int(Int64(p))]
            if i == 0, let nodePort { entry["nodePort"] = .int(Int64(nodePort)) }
            list.append(entry)
        }
        spec["ports"] = .array(list)
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func keys(_ store: MemoryStore, _ prefix: String) async throws -> [String] {
        try await store.list(prefix: prefix).items.map { String($0.key.dropFirst(prefix.count)) }
    }

    @Test func typesGetWhatKubernetesGives() async throws {
        try await Self.withServer { client, store, _ in
            let web = try await client.post(Self.services, Self.service("web"))
            #expect(web.status == 201, "\(web.json)")
            let spec = web.json["spec"]
            let ip = try #require(spec["clusterIP"].stringValue)
            #expect(ip == "10.96.1.1", "dynamic IPs start above the static band")
            #expect(spec["clusterIPs"] == [.string(ip)] && spec["ipFamilies"] == ["IPv4"] && spec["ipFamilyPolicy"] == "SingleStack")

            let np = try await client.post(Self.services, Self.service("np", type: "NodePort", ports: [80, 443]))
            let nodePorts = (np.json["spec"]["ports"].arrayValue ?? []).compactMap(\.["nodePort"].intValue)
            #expect(nodePorts.count == 2 && Set(nodePorts).count == 2 && nodePorts.allSatisfy { (30000...32767).contains($0) }, "\(np.json)")
            #expect(np.json["spec"]["clusterIP"] == "10.96.1.2")
            let lb = try await client.post(Self.services, Self.service("lb", type: "LoadBalancer"))
            #expect(lb.json["spec"]["ports"][0]["nodePort"].intValue != nil && lb.json["spec"]["clusterIP"].stringValue != nil)
            #expect(lb.json["spec"]["healthCheckNodePort"] == .null)
            var local = Self.service("local", type: "LoadBalancer")
            local["spec"]["externalTrafficPolicy"] = "Local"
            let lbLocal = try await client.post(Self.services, local).json["spec"]
            let check = try #require(lbLocal["healthCheckNodePort"].intValue, "\(lbLocal)")
            #expect((30000...32767).contains(check) && lbLocal["ports"][0]["nodePort"].intValue != check)
            #expect(try await client.delete(Self.services + "/local").status == 200)
            #expect(try await store.get(Self.portKeys + String(check)) == nil)

            let headless = try await client.post(Self.services, Self.service("db", clusterIP: "None"))
            #expect(headless.status == 201 && headless.json["spec"]["clusterIP"] == "None" && headless.json["spec"]["clusterIPs"] == ["None"])
            let external = try await client.post(Self.services, Self.service("ext", type: "ExternalName"))
            #expect(external.status == 201 && external.json["spec"]["clusterIP"] == .null, "\(external.json)")

            // kubernetes (10.96.0.1) + web + np + lb; node ports of np (2) + lb (1).
            #expect(try await Self.keys(store, Self.ipKeys).sorted() == ["10.96.0.1", "10.96.1.1", "10.96.1.2", "10.96.1.3"])
            #expect(try await Self.keys(store, Self.portKeys).count == 3)
            let record = try #require(try await store.get(Self.ipKeys + ip))
            let owner = try Value.parseJSON(record.value)["serviceRef"]
            #expect(owner == ["namespace": "default", "name": "web", "uid": web.json["metadata"]["uid"]])
        }
    }

    @Test func requestedValuesAreCheckedLikeKubernetes() async throws {
        try await Self.withServer { client, store, _ in
            var r = try await client.post(Self.services, Self.service("dup", clusterIP: "10.96.0.1"))
            #expect(r.status == 422 && r.json["reason"] == "Invalid")
            #expect(r.json["message"] == #"Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated"#)
            #expect(r.json["details"]["causes"][0]["field"] == "spec.clusterIPs")

            r = try await client.post(Self.services, Self.service("far", clusterIP: "10.0.0.5"))
            #expect(r.json["message"].stringValue?.hasSuffix("provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12") == true, "\(r.json)")
            r = try await client.post(Self.services, Self.service("bad", clusterIP: "10.96.0.300"))
            #expect(r.status == 422 && r.json["details"]["causes"][0]["field"] == "spec.clusterIPs[0]", "\(r.json)")

            r = try await client.post(Self.services, Self.service("low", type: "NodePort", nodePort: 80))
            #expect(r.json["message"] == #"Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"#)
            r = try await client.post(Self.services, Self.service("first", type: "NodePort", nodePort: 30080))
            #expect(r.status == 201)
            // A failed create frees what it reserved: the IP asked for here stays free.
            r = try await client.post(Self.services, Self.service("second", type: "NodePort", clusterIP: "10.96.0.50", nodePort: 30080))
            #expect(r.json["message"] == #"Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#)
            #expect(try await store.get(Self.ipKeys + "10.96.0.50") == nil)
            r = try await client.post(Self.services, Self.service("third", clusterIP: "10.96.0.50"))
            #expect(r.status == 201 && r.json["spec"]["clusterIP"] == "10.96.0.50")
        }
    }

    @Test func updatesKeepChangeAndFreeAddresses() async throws {
        try await Self.withServer { client, store, _ in
            let created = try await client.post(Self.services, Self.service("web")).json
            let ip = try #require(created["spec"]["clusterIP"].stringValue)
            let path = Self.services + "/web"

            // A replace that leaves the IP out keeps it; one that changes it is refused.
            var replaced = Self.service("web")
            replaced["metadata"]["labels"] = ["tier": "front"]
            var r = try await client.put(path, replaced)
            #expect(r.status == 200 && r.json["spec"]["clusterIP"] == .string(ip), "\(r.json)")
            r = try await client.put(path, Self.service("web", clusterIP: "10.96.0.77"))
            #expect(r.status == 422 && (r.json["message"].stringValue ?? "").contains("field is immutable"), "\(r.json)")

            // ClusterIP → NodePort gets a node port; back to ClusterIP frees it.
            r = try await client.patch(path, ["spec": ["type": "NodePort"]], type: "application/merge-patch+json")
            let nodePort = try #require(r.json["spec"]["ports"][0]["nodePort"].intValue, "\(r.json)")
            #expect(try await store.get(Self.portKeys + String(nodePort)) != nil)
            r = try await client.patch(path, ["spec": ["type": "ClusterIP"]], type: "application/merge-patch+json")
            #expect(r.status == 200 && r.json["spec"]["ports"][0]["nodePort"] == .null, "\(r.json)")
            #expect(try await store.get(Self.portKeys + String(nodePort)) == nil)
            #expect(r.json["spec"]["clusterIP"] == .string(ip))

            // ClusterIP → ExternalName drops and frees the IP.
            r = try await client.patch(path, ["spec": ["type": "ExternalName", "externalName": "db.example.com"]],
                                       type: "application/merge-patch+json")
            #expect(r.status == 200 && r.json["spec"]["clusterIP"] == .null, "\(r.json)")
            #expect(try await store.get(Self.ipKeys + ip) == nil)

            // Delete frees; the IP can be asked for again at once.
            let other = try await client.post(Self.services, Self.service("other", type: "NodePort", nodePort: 31000)).json
            let otherIP = try #require(other["spec"]["clusterIP"].stringValue)
            #expect(try await client.delete(Self.services + "/other").status == 200)
            #expect(try await store.get(Self.ipKeys + otherIP) == nil)
            #expect(try await store.get(Self.portKeys + "31000") == nil)
            r = try await client.post(Self.services, Self.service("again", type: "NodePort", clusterIP: otherIP, nodePort: 31000))
            #expect(r.status == 201, "\(r.json)")
        }
    }

    @Test func dryRunReservesNothing() async throws {
        try await Self.withServer { client, store, _ in
            var r = try await client.post(Self.services + "?dryRun=All", Self.service("web", type: "NodePort", clusterIP: "10.96.0.9", nodePort: 30009))
            #expect(r.status == 201 && r.json["spec"]["clusterIP"] == "10.96.0.9")
            r = try await client.post(Self.services + "?dryRun=All", Self.service("auto", type: "NodePort"))
            #expect(r.json["spec"]["clusterIP"].stringValue != nil && r.json["spec"]["ports"][0]["nodePort"].intValue != nil)
            #expect(try await Self.keys(store, Self.ipKeys) == ["10.96.0.1"])
            #expect(try await Self.keys(store, Self.portKeys).isEmpty)
            r = try await client.post(Self.services + "?dryRun=All", Self.service("taken", clusterIP: "10.96.0.1"))
            #expect(r.status == 422)
            r = try await client.post(Self.services, Self.service("web", type: "NodePort", clusterIP: "10.96.0.9", nodePort: 30009))
            #expect(r.status == 201)
        }
    }

    @Test func concurrentCreatesNeverShareAnAddress() async throws {
        try await Self.withServer { client, store, _ in
            let replies = try await withThrowingTaskGroup(of: Value.self) { group in
                for i in 0..<24 {
                    group.addTask { try await client.post(Self.services, Self.service("s\(i)", type: "NodePort")).json }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ips = replies.compactMap { $0["spec"]["clusterIP"].stringValue }
            let ports = replies.compactMap { $0["spec"]["ports"][0]["nodePort"].intValue }
            #expect(ips.count == 24 && Set(ips).count == 24)
            #expect(ports.count == 24 && Set(ports).count == 24)
            #expect(try await Self.keys(store, Self.ipKeys).count == 25)
        }
    }

    @Test func kubernetesServicePointsAtTheServer() async throws {
        try await Self.withServer { client, _, port in
            let svc = try await client.get(Self.services + "/kubernetes").json
            #expect(svc["spec"]["clusterIP"] == "10.96.0.1" && svc["spec"]["type"] == "ClusterIP")
            #expect(svc["spec"]["ports"] == [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(port))]])
            #expect(svc["metadata"]["labels"] == ["component": "apiserver", "provider": "kubernetes"])
            let ep = try await client.get("/api/v1/namespaces/default/endpoints/kubernetes").json
            #expect(ep["subsets"][0]["addresses"][0]["ip"] == "127.0.0.1" && ep["subsets"][0]["ports"][0]["port"] == .int(Int64(port)))
            let slice = try await client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").json
            #expect(slice["endpoints"][0]["addresses"] == ["127.0.0.1"] && slice["metadata"]["labels"]["kubernetes.io/service-name"] == "kubernetes")
        }
    }

    /// A deleted `kubernetes` Service comes back at the next check (today: the next start)
    /// with the same cluster IP, which its deletion freed.
    @Test func deletedKubernetesServiceIsRecreated() async throws {
        let store = MemoryStore(compaction: .disabled)
        let server = APIServer(store: store)
        let port = try await server.start(port: 0)
        let client = HTTPTestClient(base: "http://127.0.0.1:\(port)")
        #expect(try await client.delete(Self.services + "/kubernetes").status == 200)
        #expect(try await store.get(Self.ipKeys + "10.96.0.1") == nil)
        try await server.ensureKubernetesService(host: "127.0.0.1", port: port)
        let svc = try await client.get(Self.services + "/kubernetes").json
        #expect(svc["spec"]["clusterIP"] == "10.96.0.1")
        #expect(try await store.get(Self.ipKeys + "10.96.0.1") != nil)
        await server.shutdown()
        await store.close()
    }

    @Test func otherRangesAreHonoured() async throws {
        let addressing = try ServiceAddressing(clusterIPRange: "172.20.0.0/24", nodePortRange: "31000-31010")
        try await Self.withServer(addressing) { client, _, _ in
            #expect(try await client.get(Self.services + "/kubernetes").json["spec"]["clusterIP"] == "172.20.0.1")
            let r = try await client.post(Self.services, Self.service("web", type: "NodePort")).json
            // A /24 has 254 usable addresses; its static band is 16.
            #expect(r["spec"]["clusterIP"] == "172.20.0.17", "\(r)")
            #expect((31000...31010).contains(r["spec"]["ports"][0]["nodePort"].intValue ?? 0))
            let far = try await client.post(Self.services, Self.service("far", clusterIP: "10.96.0.10")).json
            #expect(far["message"].stringValue?.hasSuffix("The range of valid IPs is 172.20.0.0/24") == true)
        }
    }

    /// After the ranges change, Services keep what they were given and stay updatable.
    @Test func valuesFromAnOlderRangeSurviveUpdates() async throws {
        let store = MemoryStore(compaction: .disabled)
        let old: Value = ["apiVersion": "v1", "kind": "Service",
                          "metadata": ["name": "old", "namespace": "default", "uid": "uid-old"],
                          "spec": ["type": "NodePort", "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                                   "ports": [["port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": 30600]]]]
        _ = try await store.create("/registry/core/services/default/old", value: old.jsonBytes())
        let narrow = try ServiceAddressing(clusterIPRange: "172.20.0.0/24", nodePortRange: "31000-31010")
        try await Self.withServer(narrow, store: store) { client, _, _ in
            let r = try await client.patch(Self.services + "/old", ["metadata": ["labels": ["a": "b"]]], type: "application/merge-patch+json")
            #expect(r.status == 200 && r.json["spec"]["clusterIP"] == "10.96.0.20" && r.json["spec"]["ports"][0]["nodePort"] == 30600, "\(r.json)")
        }
    }

    @Test func rangeFlagsAreParsedStrictly() {
        #expect(throws: ServiceAddressingError.self) { try ServiceAddressing(clusterIPRange: "10.96.0.1/12") }
        #expect(throws: ServiceAddressingError.self) { try ServiceAddressing(clusterIPRange: "10.96.0.0/31") }
        #expect(throws: ServiceAddressingError.self) { try ServiceAddressing(clusterIPRange: "10.96.0.0") }
        #expect(throws: ServiceAddressingError.self) { try ServiceAddressing(nodePortRange: "32767-30000") }
        #expect(IPv4.parse("010.0.0.1") == nil && IPv4.parse("1.2.3") == nil && IPv4.parse("1.2.3.4") == 0x0102_0304)
        #expect(ServiceAddressing.standard.clusterIPRange == "10.96.0.0/12" && ServiceAddressing.standard.firstClusterIP == "10.96.0.1")
    }

    /// A crash between reserving and writing the Service leaves a reservation behind; one
    /// between writing and reserving (an older store) leaves a Service without one. The repair
    /// pass at start fixes both.
    @Test func repairAtStartFreesLeaksAndRestoresMissingReservations() async throws {
        let store = MemoryStore(compaction: .disabled)
        let allocator = ServiceAllocator(store: store, addressing: .standard)
        let ghost = ServiceRef(namespace: "default", name: "ghost", uid: "uid-ghost")
        #expect(try await allocator.ips.claim(Int64(IPv4.parse("10.96.1.1") ?? 0), for: ghost, store: store, dryRun: false) == .reserved)
        #expect(try await allocator.ports.claim(30500, for: ghost, store: store, dryRun: false) == .reserved)
        let legacy: Value = ["apiVersion": "v1", "kind": "Service",
                             "metadata": ["name": "legacy", "namespace": "default", "uid": "uid-legacy"],
                             "spec": ["type": "NodePort", "clusterIP": "10.96.0.20", "ports": [["port": 80, "nodePort": 30600]]]]
        _ = try await store.create("/registry/core/services/default/legacy", value: legacy.jsonBytes())

        let report = try await allocator.repair()
        #expect(report.freed.sorted() == ["10.96.1.1", "30500"])
        #expect(report.restored.sorted() == ["10.96.0.20", "30600"])
        #expect(report.conflicts.isEmpty)

        // The server runs the same pass at start: the freed IP is handed out again.
        _ = try await allocator.ips.claim(Int64(IPv4.parse("10.96.1.5") ?? 0), for: ghost, store: store, dryRun: false)
        try await Self.withServer(store: store) { client, store, _ in
            #expect(try await store.get(Self.ipKeys + "10.96.1.5") == nil)
            let r = try await client.post(Self.services, Self.service("web")).json
            #expect(r["spec"]["clusterIP"] == "10.96.1.1", "\(r)")
            let taken = try await client.post(Self.services, Self.service("x", type: "NodePort", nodePort: 30600)).json
            #expect(taken["message"].stringValue?.hasSuffix("provided port is already allocated") == true)
        }
    }

    /// The cursor walks on; a released value is not handed out again until the walk wraps.
    @Test func dynamicAllocationWalksACursor() async throws {
        let store = MemoryStore(compaction: .disabled)
        let addressing = try ServiceAddressing(clusterIPRange: "10.0.0.0/28", nodePortRange: "30000-30003")
        let allocator = ServiceAllocator(store: store, addressing: addressing)
        let a = ServiceRef(namespace: "d", name: "a", uid: "a")
        var got: [String] = []
        // A /28 holds .1–.14; with a static band of 13 (16 capped to the range) the walk starts at .14.
        for _ in 0..<14 {
            if let ip = try await allocator.ips.claimNext(for: a, store: store, dryRun: false) { got.append(allocator.ips.text(ip)) }
        }
        #expect(got.count == 14 && Set(got).count == 14 && got.first == "10.0.0.14" && got[1] == "10.0.0.1", "\(got)")
        #expect(try await allocator.ips.claimNext(for: a, store: store, dryRun: false) == nil)
        await allocator.ips.release(Int64(IPv4.parse("10.0.0.5") ?? 0), of: a, store: store)
        let next = try await allocator.ips.claimNext(for: a, store: store, dryRun: false)
        #expect(next.map(allocator.ips.text) == "10.0.0.5")
        // Someone else's reservation is never freed.
        let b = ServiceRef(namespace: "d", name: "b", uid: "b")
        await allocator.ips.release(Int64(IPv4.parse("10.0.0.5") ?? 0), of: b, store: store)
        #expect(try await store.get(allocator.ips.key(Int64(IPv4.parse("10.0.0.5") ?? 0))) != nil)
    }
}
}
