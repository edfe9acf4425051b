import CapstanModel

/// Columns of the workload kinds, as a real cluster prints them.
enum WorkloadPrinters {
    typealias P = TablePrinter
    static let wideContainers: [TablePrinter.Column] = [.init(name: "Containers", priority: 1), .init(name: "Images", priority: 1)]
    static let wideSelector = TablePrinter.Column(name: "Selector", priority: 1)

    static func templateCells(_ o: Value) -> [Value] {
        let c = P.containers(o[path: ["spec", "template", "spec"]])
        return [.string(c.names), .string(c.images)]
    }

    static let deployments = P.Printer(
        columns: [P.name, .init(name: "Ready"), .init(name: "Up-to-date", type: "integer"), .init(name: "Available", type: "integer"),
                  .init(name: "Age")] + wideContainers + [wideSelector],
        cells: { o in
            let s = o["status"]
            return [.string(o.name ?? ""), .string("\(P.int(s["readyReplicas"]))/\(P.int(o[path: ["spec", "replicas"]]))"),
                    .int(P.int(s["updatedReplicas"])), .int(P.int(s["availableReplicas"])), .string(P.age(o))]
                + templateCells(o) + [.string(P.selector(o[path: ["spec", "selector"]]))]
        })

    static let replicaSets = P.Printer(
        columns: [P.name, .init(name: "Desired", type: "integer"), .init(name: "Current", type: "integer"),
                  .init(name: "Ready", type: "integer"), .init(name: "Age")] + wideContainers + [wideSelector],
        cells: { o in
            [.string(o.name ?? ""), .int(P.int(o[path: ["spec", "replicas"]])), .int(P.int(o[path: ["status", "replicas"]])),
             .int(P.int(o[path: ["status", "readyReplicas"]])), .string(P.age(o))]
                + templateCells(o) + [.string(P.selector(o[path: ["spec", "selector"]]))]
        })

    static let statefulSets = P.Printer(
        columns: [P.name, .init(name: "Ready"), .init(name: "Age")] + wideContainers,
        cells: { o in
            [.string(o.name ?? ""), .string("\(P.int(o[path: ["status", "readyReplicas"]]))/\(P.int(o[path: ["spec", "replicas"]]))"),
             .string(P.age(o))] + templateCells(o)
        })

    static let daemonSets = P.Printer(
        columns: [P.name, .init(name: "Desired", type: "integer"), .init(name: "Current", type: "integer"),
                  .init(name: "Ready", type: "integer"), .init(name: "Up-to-date", type: "integer"),
                  .init(name: "Available", type: "integer"), .init(name: "Node Selector"), .init(name: "Age")]
            + wideContainers + [wideSelector],
        cells: { o in
            let s = o["status"]
            return [.string(o.name ?? ""), .int(P.int(s["desiredNumberScheduled"])), .int(P.int(s["currentNumberScheduled"])),
                    .int(P.int(s["numberReady"])), .int(P.int(s["updatedNumberScheduled"])), .int(P.int(s["numberAvailable"])),
                    .string(P.mapSelector(o[path: ["spec", "template", "spec", "nodeSelector"]])), .string(P.age(o))]
                + templateCells(o) + [.string(P.selector(o[path: ["spec", "selector"]]))]
        })

    static let jobs = P.Printer(
        columns: [P.name, .init(name: "Status"), .init(name: "Completions"), .init(name: "Duration"), .init(name: "Age")]
            + wideContainers + [wideSelector],
        cells: { o in
            let s = o["status"]
            let completions = o[path: ["spec", "completions"]].intValue
            let parallelism = P.int(o[path: ["spec", "parallelism"]])
            let completionText = completions.map { "\(P.int(s["succeeded"]))/\($0)" }
                ?? "\(P.int(s["succeeded"]))/1 of \(parallelism)"
            var duration = ""
            if let start = s["startTime"].stringValue.flatMap(WallClock.parse) {
                let end = s["completionTime"].stringValue.flatMap(WallClock.parse) ?? WallClock.nowSeconds()
                duration = WallClock.humanDuration(end - start)
            }
            let conditions = s["conditions"].arrayValue ?? []
            func has(_ t: String) -> Bool { conditions.contains { $0["type"] == .string(t) && $0["status"] == "True" } }
            var status = "Running"
            if has("Complete") { status = "Complete" }
            else if has("Failed") { status = "Failed" }
            else if o[path: ["metadata", "deletionTimestamp"]] != .null { status = "Terminating" }
            else if has("Suspended") { status = "Suspended" }
            else if has("FailureTarget") { status = "FailureTarget" }
            else if has("SuccessCriteriaMet") { status = "SuccessCriteriaMet" }
            else if s["startTime"] == .null && P.int(s["active"]) == 0 { status = "Pending" }
            return [.string(o.name ?? ""), .string(status), .string(completionText), .string(duration), .string(P.age(o))]
                + templateCells(o) + [.string(P.selector(o[path: ["spec", "selector"]]))]
        })

    static let cronJobs = P.Printer(
        columns: [P.name, .init(name: "Schedule"), .init(name: "Timezone"), .init(name: "Suspend", type: "boolean"),
                  .init(name: "Active", type: "integer"), .init(name: "Last Schedule"), .init(name: "Age")]
            + wideContainers + [wideSelector],
        cells: { o in
            let jobTemplate = o[path: ["spec", "jobTemplate", "spec"]]
            let c = P.containers(jobTemplate[path: ["template", "spec"]])
            let last = o[path: ["status", "lastScheduleTime"]].stringValue.flatMap(WallClock.parse)
                .map { WallClock.humanDuration(WallClock.nowSeconds() - $0) } ?? "<none>"
            return [.string(o.name ?? ""), .string(o[path: ["spec", "schedule"]].stringValue ?? ""),
                    .string(P.orNone(o[path: ["spec", "timeZone"]].stringValue)),
                    .bool(o[path: ["spec", "suspend"]].boolValue ?? false),
                    .int(Int64((o[path: ["status", "active"]].arrayValue ?? []).count)), .string(last), .string(P.age(o)),
                    .string(c.names), .string(c.images), .string(P.selector(jobTemplate["selector"]))]
        })
}
