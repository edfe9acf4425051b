import CapstanModel
import CapstanTestSupport
import Foundation
import Testing

/// End to end with the real `capstan server` and `capstan controllers` binaries and kubectl
/// 1.37: Service addresses as `kubectl get svc` shows them, the 422 for a taken cluster IP,
/// the `kubernetes` Service, and the events `kubectl describe` lists.
@Suite(.serialized) struct ServiceAndEventsE2ETests {
    @Test func servicesGetAddressesAndKubectlSeesThem() async throws {
        guard let c = try ClusterProcesses.start() else { return }
        defer { c.stop() }
        // `kubectl create service` itself posts protobuf, which this server does not decode; its
        // generator's manifest goes through apply (JSON) instead.
        var out = try c.kubectl(["create", "service", "nodeport", "web", "--tcp=80:8080", "--dry-run=client", "-o", "yaml"])
        #expect(out.status == 0, "\(out.stderr)")
        out = try c.kubectl(["apply", "-f", "-"], input: out.stdout)
        #expect(out.status == 0 && out.stdout.contains("service/web created"), "\(out.stderr)")
        out = try c.kubectl(["get", "svc", "web"])
        let row = out.stdout.split(separator: "\n").last.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) } ?? []
        #expect(row.count >= 5 && row[0] == "web" && row[1] == "NodePort", "\(out.stdout)")
        if row.count >= 5 {
            #expect(row[2].hasPrefix("10.96.") && row[2] != "10.96.0.1", "\(out.stdout)")
            let ports = row[4]
            #expect(ports.hasPrefix("80:3") && ports.hasSuffix("/TCP") && Int(ports.dropFirst(3).dropLast(4)).map { (30000...32767).contains($0) } == true,
                    "\(out.stdout)")
        }

        // Asking for the kubernetes Service's IP fails the way a real cluster says it.
        let clash = """
        apiVersion: v1
        kind: Service
        metadata: {name: clash}
        spec:
          clusterIP: 10.96.0.1
          ports: [{port: 80}]
        """
        out = try c.kubectl(["apply", "-f", "-"], input: clash)
        #expect(out.status != 0)
        #expect(out.stderr.contains(#"The Service "clash" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.1"}: failed to allocate IP 10.96.0.1: provided IP is already allocated"#),
                "\(out.stderr)")

        out = try c.kubectl(["get", "svc", "kubernetes"])
        #expect(out.status == 0)
        let k = out.stdout.split(separator: "\n").last.map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(k.count >= 5 && k[0] == "kubernetes" && k[1] == "ClusterIP" && k[2] == "10.96.0.1" && k[4] == "443/TCP", "\(out.stdout)")
        out = try c.kubectl(["get", "endpoints", "kubernetes", "-o", "jsonpath={.subsets[0].addresses[0].ip}"])
        #expect(out.stdout == "127.0.0.1")
    }

    @Test func describeShowsScalingAndPodEvents() async throws {
        guard let c = try ClusterProcesses.start() else { return }
        defer { c.stop() }
        #expect(try c.kubectl(["apply", "-f", "-"], input: deploymentYAML("web")).status == 0)
        var describe = ""
        try await eventually("scaling event in describe", seconds: 20) {
            describe = try c.kubectl(["describe", "deployment", "web"]).stdout
            return describe.contains("ScalingReplicaSet")
        }
        let line = describe.split(separator: "\n").first { $0.contains("ScalingReplicaSet") }.map(String.init) ?? ""
        #expect(line.contains("Normal") && line.contains("deployment-controller") && line.contains("Scaled up replica set web-")
            && line.hasSuffix("from 0 to 3"), "\(describe)")
        var rs = ""
        try await eventually("three SuccessfulCreate events", seconds: 20) {
            rs = try c.kubectl(["describe", "replicaset", "-l", "app=web"]).stdout
            return rs.components(separatedBy: "SuccessfulCreate").count - 1 == 3
        }
        #expect(rs.contains("replicaset-controller") && rs.contains("Created pod: web-"), "\(rs)")
    }
}
