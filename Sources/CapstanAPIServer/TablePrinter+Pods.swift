import CapstanModel

/// `kubectl get pods`: NAME READY STATUS RESTARTS AGE; wide: IP NODE NOMINATED NODE READINESS GATES.
enum PodPrinter {
    static let printer = TablePrinter.Printer(
        columns: [
            TablePrinter.name, .init(name: "Ready"), .init(name: "Status"), .init(name: "Restarts"), .init(name: "Age"),
            .init(name: "IP", priority: 1), .init(name: "Node", priority: 1),
            .init(name: "Nominated Node", priority: 1), .init(name: "Readiness Gates", priority: 1),
        ],
        cells: cells)

    static func cells(_ pod: Value) -> [Value] {
        let spec = pod["spec"], status = pod["status"]
        let total = (spec["containers"].arrayValue ?? []).count
        let statuses = status["containerStatuses"].arrayValue ?? []
        var ready = 0
        var restarts: Int64 = 0
        var reason = status["reason"].stringValue ?? status["phase"].stringValue ?? "Unknown"
        var lastRestart: Int64?
        for cs in statuses {
            restarts += cs["restartCount"].intValue ?? 0
            if let t = cs[path: ["lastState", "terminated", "finishedAt"]].stringValue.flatMap(WallClock.parse) {
                lastRestart = max(lastRestart ?? t, t)
            }
        }
        // Init containers first, as kubectl's printer does.
        var initializing = false
        let initStatuses = status["initContainerStatuses"].arrayValue ?? []
        let initCount = (spec["initContainers"].arrayValue ?? []).count
        for (i, cs) in initStatuses.enumerated() {
            if let t = cs[path: ["state", "terminated"]].objectValue, t["exitCode"]?.intValue == 0 { continue }
            initializing = true
            if let t = cs[path: ["state", "terminated"]].objectValue {
                reason = t["reason"]?.stringValue.map { "Init:\($0)" } ?? "Init:ExitCode:\(t["exitCode"]?.intValue ?? 0)"
            } else if let w = cs[path: ["state", "waiting"]]["reason"].stringValue, w != "PodInitializing" {
                reason = "Init:\(w)"
            } else {
                reason = "Init:\(i)/\(initCount)"
            }
            break
        }
        if !initializing {
            var hasRunning = false
            for cs in statuses.reversed() {
                if let w = cs[path: ["state", "waiting"]]["reason"].stringValue, !w.isEmpty {
                    reason = w
                } else if let t = cs[path: ["state", "terminated"]].objectValue {
                    if let r = t["reason"]?.stringValue, !r.isEmpty { reason = r }
                    else if let s = t["signal"]?.intValue, s != 0 { reason = "Signal:\(s)" }
                    else { reason = "ExitCode:\(t["exitCode"]?.intValue ?? 0)" }
                } else if cs["ready"].boolValue == true, cs[path: ["state", "running"]] != .null {
                    hasRunning = true
                    ready += 1
                } else if cs[path: ["state", "running"]] != .null {
                    hasRunning = true
                }
            }
            if reason == "Completed" && hasRunning {
                let podReady = (status["conditions"].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
                reason = podReady ? "Running" : "NotReady"
            }
        }
        if pod[path: ["metadata", "deletionTimestamp"]] != .null {
            reason = status["reason"] == "NodeLost" ? "Unknown" : "Terminating"
        }
        var restartText = String(restarts)
        if let last = lastRestart, restarts > 0 {
            restartText += " (\(WallClock.humanDuration(WallClock.nowSeconds() - last)) ago)"
        }
        let ip = status["podIP"].stringValue
        let gates = (spec["readinessGates"].arrayValue ?? [])
        var gatesText = "<none>"
        if !gates.isEmpty {
            let conditions = status["conditions"].arrayValue ?? []
            let trueCount = gates.filter { g in conditions.contains { $0["type"] == g["conditionType"] && $0["status"] == "True" } }.count
            gatesText = "\(trueCount)/\(gates.count)"
        }
        return [.string(pod.name ?? ""), .string("\(ready)/\(total)"), .string(reason), .string(restartText),
                .string(TablePrinter.age(pod)), .string(TablePrinter.orNone(ip)),
                .string(TablePrinter.orNone(spec["nodeName"].stringValue)),
                .string(TablePrinter.orNone(status["nominatedNodeName"].stringValue)), .string(gatesText)]
    }
}
