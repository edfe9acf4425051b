import CapstanAPI
import CapstanModel

/// Server-side printing for `kubectl get` (Accept `as=Table`): the columns a real cluster
/// prints per kind (priority 1 columns show only with `-o wide`), cells formatted by the
/// server, and `rows[].object` as PartialObjectMetadata (or the full object with
/// `includeObject=Object`, nothing with `None`). Pure functions.
enum TablePrinter {
    static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    struct Column: Sendable {
        var name: String
        var type: String = "string"
        var format: String = ""
        var priority: Int = 0
        var description: String { name }
    }

    /// Columns and a row function for one kind.
    struct Printer: Sendable {
        var columns: [Column]
        var cells: @Sendable (Value) -> [Value]
    }

    static func table(for req: ResourceRequest, objects: [Value], resourceVersion: String, includeObject: String,
                      withColumns: Bool) -> Value
    {
        let printer = self.printer(group: req.group, resource: req.plural)
        let columns: [Value] = printer.columns.map {
            ["name": .string($0.name), "type": .string($0.type), "format": .string($0.format),
             "description": .string($0.description), "priority": .int(Int64($0.priority))]
        }
        let rows: [Value] = objects.map { object in
            var row: Value = ["cells": .array(printer.cells(object))]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default: row["object"] = partialMetadata(object)
            }
            return row
        }
        var table: Value = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(resourceVersion)]]
        table["columnDefinitions"] = withColumns ? .array(columns) : .null
        table["rows"] = .array(rows)
        return table
    }

    static func partialMetadata(_ object: Value) -> Value {
        var meta = object["metadata"]
        meta.removeValue(forKey: "managedFields")
        return ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": meta]
    }

    static func printer(group: String, resource: String) -> Printer {
        switch (group, resource) {
        case ("", "pods"): return PodPrinter.printer
        case ("apps", "deployments"): return WorkloadPrinters.deployments
        case ("apps", "replicasets"): return WorkloadPrinters.replicaSets
        case ("apps", "statefulsets"): return WorkloadPrinters.statefulSets
        case ("apps", "daemonsets"): return WorkloadPrinters.daemonSets
        case ("batch", "jobs"): return WorkloadPrinters.jobs
        case ("batch", "cronjobs"): return WorkloadPrinters.cronJobs
        case ("", "services"): return NetworkPrinters.services
        case ("", "endpoints"): return NetworkPrinters.endpoints
        case ("networking.k8s.io", "ingresses"): return NetworkPrinters.ingresses
        case ("", "nodes"): return CorePrinters.nodes
        case ("", "namespaces"): return CorePrinters.namespaces
        case ("", "events"): return CorePrinters.events
        case ("", "configmaps"): return CorePrinters.configMaps
        case ("", "secrets"): return CorePrinters.secrets
        case ("", "serviceaccounts"): return CorePrinters.serviceAccounts
        case ("", "persistentvolumeclaims"): return CorePrinters.persistentVolumeClaims
        case ("apiextensions.k8s.io", "customresourcedefinitions"): return CorePrinters.customResourceDefinitions
        default: return defaultPrinter
        }
    }

    static let defaultPrinter = Printer(
        columns: [name, Column(name: "Age")],
        cells: { [.string($0.name ?? ""), .string(age($0))] })

    // MARK: - Cell helpers

    static let name = Column(name: "Name", format: "name")

    static func age(_ object: Value) -> String {
        WallClock.age(of: object[path: ["metadata", "creationTimestamp"]])
    }

    static func int(_ v: Value) -> Int64 { v.intValue ?? 0 }

    static func orNone(_ s: String?) -> String {
        guard let s, !s.isEmpty else { return "<none>" }
        return s
    }

    /// `app=web,tier=fe` for a LabelSelector object, `<none>` when empty.
    static func selector(_ v: Value) -> String {
        guard v.isObject else { return "<none>" }
        return LabelSelector.format(structured: v)
    }

    /// `app=web` for a plain map (Service selectors), sorted by key.
    static func mapSelector(_ v: Value) -> String {
        guard let o = v.objectValue, !o.isEmpty else { return "<none>" }
        return o.keys.sorted().map { "\($0)=\(o[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    static func containers(_ podSpec: Value) -> (names: String, images: String) {
        let cs = podSpec["containers"].arrayValue ?? []
        return (cs.compactMap { $0["name"].stringValue }.joined(separator: ","),
                cs.compactMap { $0["image"].stringValue }.joined(separator: ","))
    }
}
