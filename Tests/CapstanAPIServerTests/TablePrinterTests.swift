import CapstanModel
import Testing
@testable import CapstanAPIServer

@Suite struct TablePrinterTests {
    let created = WallClock.rfc3339(WallClock.nowSeconds() - 130)

    @Test func podColumnsAndCells() throws {
        let req = try #require(resourceRequest("", "v1", "pods"))
        let pod: Value = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": "web-1", "namespace": "demo", "creationTimestamp": .string(created), "labels": ["app": "web"],
                         "managedFields": [["manager": "x"]]],
            "spec": ["nodeName": "node-1", "containers": [["name": "a", "image": "nginx"], ["name": "b", "image": "busybox"]]],
            "status": ["phase": "Running", "podIP": "10.0.0.5",
                       "containerStatuses": [
                           ["name": "a", "ready": true, "restartCount": 1, "state": ["running": ["startedAt": .string(created)]]],
                           ["name": "b", "ready": false, "restartCount": 2, "state": ["waiting": ["reason": "CrashLoopBackOff"]]],
                       ]],
        ]
        let table = TablePrinter.table(for: req, objects: [pod], resourceVersion: "7", includeObject: "Metadata", withColumns: true)
        #expect(table["kind"] == "Table" && table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table.columnNames == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        let priorities = (table["columnDefinitions"].arrayValue ?? []).map { $0["priority"].intValue ?? -1 }
        #expect(priorities == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(table.firstCells == ["web-1", "1/2", "CrashLoopBackOff", "3", "2m10s", "10.0.0.5", "node-1", "<none>", "<none>"])
        let object = table["rows"][0]["object"]
        #expect(object["kind"] == "PartialObjectMetadata")
        #expect(object["metadata"]["labels"] == ["app": "web"])
        #expect(object["metadata"]["managedFields"] == .null)
        let full = TablePrinter.table(for: req, objects: [pod], resourceVersion: "7", includeObject: "Object", withColumns: true)
        #expect(full["rows"][0]["object"] == pod)
        let none = TablePrinter.table(for: req, objects: [pod], resourceVersion: "7", includeObject: "None", withColumns: false)
        #expect(none["rows"][0]["object"] == .null && none["columnDefinitions"] == .null)
    }

    @Test func pendingPodWithoutStatuses() throws {
        let req = try #require(resourceRequest("", "v1", "pods"))
        let pod: Value = ["metadata": ["name": "p", "creationTimestamp": .string(created)],
                          "spec": ["containers": [["name": "a", "image": "x"]]], "status": ["phase": "Pending"]]
        let cells = TablePrinter.table(for: req, objects: [pod], resourceVersion: "1", includeObject: "None", withColumns: true).firstCells
        #expect(cells == ["p", "0/1", "Pending", "0", "2m10s", "<none>", "<none>", "<none>", "<none>"])
    }

    @Test func deploymentColumnsAndCells() throws {
        let req = try #require(resourceRequest("apps", "v1", "deployments"))
        let d: Value = [
            "metadata": ["name": "web", "creationTimestamp": .string(created)],
            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]],
                     "template": ["spec": ["containers": [["name": "nginx", "image": "nginx:1.27"], ["name": "side", "image": "busybox"]]]]],
            "status": ["readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2],
        ]
        let table = TablePrinter.table(for: req, objects: [d], resourceVersion: "1", includeObject: "Metadata", withColumns: true)
        #expect(table.columnNames == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        #expect(table.firstCells == ["web", "2/3", 3, 2, "2m10s", "nginx,side", "nginx:1.27,busybox", "app=web"])
    }

    @Test func serviceColumnsAndCells() throws {
        let req = try #require(resourceRequest("", "v1", "services"))
        let s: Value = ["metadata": ["name": "web", "creationTimestamp": .string(created)],
                        "spec": ["type": "NodePort", "clusterIP": "10.96.0.10", "selector": ["app": "web"],
                                 "ports": [["port": 80, "nodePort": 30080, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]]]]
        let table = TablePrinter.table(for: req, objects: [s], resourceVersion: "1", includeObject: "None", withColumns: true)
        #expect(table.columnNames == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
        #expect(table.firstCells == ["web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "2m10s", "app=web"])
    }

    @Test func otherKindsHaveTheirColumns() throws {
        func columns(_ g: String, _ r: String) throws -> [String] {
            let req = try #require(resourceRequest(g, "v1", r))
            return TablePrinter.table(for: req, objects: [], resourceVersion: "1", includeObject: "None", withColumns: true).columnNames
        }
        #expect(try columns("apps", "replicasets") == ["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"])
        #expect(try columns("apps", "statefulsets") == ["Name", "Ready", "Age", "Containers", "Images"])
        #expect(try columns("", "namespaces") == ["Name", "Status", "Age"])
        #expect(try columns("", "configmaps") == ["Name", "Data", "Age"])
        #expect(try columns("", "secrets") == ["Name", "Type", "Data", "Age"])
        #expect(try columns("", "nodes").prefix(5) == ["Name", "Status", "Roles", "Age", "Version"])
        #expect(try columns("", "events").prefix(4) == ["Last Seen", "Type", "Reason", "Object"])
        #expect(try columns("batch", "jobs").prefix(5) == ["Name", "Status", "Completions", "Duration", "Age"])
        #expect(try columns("", "persistentvolumeclaims").prefix(4) == ["Name", "Status", "Volume", "Capacity"])
        #expect(try columns("rbac.authorization.k8s.io", "roles") == ["Name", "Age"])
    }
}
