import CapstanModel

/// Columns of services, endpoints and ingresses.
enum NetworkPrinters {
    typealias P = TablePrinter

    static let services = P.Printer(
        columns: [P.name, .init(name: "Type"), .init(name: "Cluster-IP"), .init(name: "External-IP"), .init(name: "Port(s)"),
                  .init(name: "Age"), .init(name: "Selector", priority: 1)],
        cells: { o in
            let spec = o["spec"]
            let type = spec["type"].stringValue ?? "ClusterIP"
            var external = "<none>"
            switch type {
            case "ExternalName": external = spec["externalName"].stringValue ?? "<none>"
            case "LoadBalancer":
                let ingress = (o[path: ["status", "loadBalancer", "ingress"]].arrayValue ?? []).compactMap { $0["ip"].stringValue ?? $0["hostname"].stringValue }
                let ips = ingress + ((spec["externalIPs"].arrayValue ?? []).compactMap(\.stringValue))
                external = ips.isEmpty ? "<pending>" : ips.joined(separator: ",")
            default:
                let ips = (spec["externalIPs"].arrayValue ?? []).compactMap(\.stringValue)
                if !ips.isEmpty { external = ips.joined(separator: ",") }
            }
            let ports = (spec["ports"].arrayValue ?? []).map { p -> String in
                var s = "\(P.int(p["port"]))"
                if let np = p["nodePort"].intValue, np > 0 { s += ":\(np)" }
                return s + "/" + (p["protocol"].stringValue ?? "TCP")
            }
            return [.string(o.name ?? ""), .string(type), .string(P.orNone(spec["clusterIP"].stringValue)), .string(external),
                    .string(ports.isEmpty ? "<none>" : ports.joined(separator: ",")), .string(P.age(o)),
                    .string(P.mapSelector(spec["selector"]))]
        })

    static let endpoints = P.Printer(
        columns: [P.name, .init(name: "Endpoints"), .init(name: "Age")],
        cells: { o in
            var list: [String] = []
            for subset in o["subsets"].arrayValue ?? [] {
                let ports = (subset["ports"].arrayValue ?? []).compactMap { $0["port"].intValue }
                for a in subset["addresses"].arrayValue ?? [] {
                    let ip = a["ip"].stringValue ?? ""
                    if ports.isEmpty { list.append(ip) } else { list += ports.map { "\(ip):\($0)" } }
                }
            }
            var text = list.prefix(3).joined(separator: ",")
            if list.count > 3 { text += " + \(list.count - 3) more..." }
            return [.string(o.name ?? ""), .string(list.isEmpty ? "<none>" : text), .string(P.age(o))]
        })

    static let ingresses = P.Printer(
        columns: [P.name, .init(name: "Class"), .init(name: "Hosts"), .init(name: "Address"), .init(name: "Ports"), .init(name: "Age")],
        cells: { o in
            let spec = o["spec"]
            let hosts = (spec["rules"].arrayValue ?? []).compactMap { $0["host"].stringValue }
            let addresses = (o[path: ["status", "loadBalancer", "ingress"]].arrayValue ?? []).compactMap { $0["ip"].stringValue ?? $0["hostname"].stringValue }
            let ports = (spec["tls"].arrayValue ?? []).isEmpty ? "80" : "80, 443"
            return [.string(o.name ?? ""), .string(P.orNone(spec["ingressClassName"].stringValue)),
                    .string(hosts.isEmpty ? "*" : hosts.joined(separator: ",")), .string(addresses.joined(separator: ",")),
                    .string(ports), .string(P.age(o))]
        })
}

/// Columns of nodes, namespaces, events, config and identity kinds.
enum CorePrinters {
    typealias P = TablePrinter

    static let nodes = P.Printer(
        columns: [P.name, .init(name: "Status"), .init(name: "Roles"), .init(name: "Age"), .init(name: "Version"),
                  .init(name: "Internal-IP", priority: 1), .init(name: "External-IP", priority: 1),
                  .init(name: "OS-Image", priority: 1), .init(name: "Kernel-Version", priority: 1),
                  .init(name: "Container-Runtime", priority: 1)],
        cells: { o in
            let conditions = o[path: ["status", "conditions"]].arrayValue ?? []
            var status = conditions.first { $0["type"] == "Ready" }.map { $0["status"] == "True" ? "Ready" : "NotReady" } ?? "Unknown"
            if o[path: ["spec", "unschedulable"]].boolValue == true { status += ",SchedulingDisabled" }
            let roles = o.labels.keys.compactMap { k -> String? in
                if k.hasPrefix("node-role.kubernetes.io/") { return String(k.dropFirst("node-role.kubernetes.io/".count)) }
                return nil
            }.filter { !$0.isEmpty }.sorted()
            let addresses = o[path: ["status", "addresses"]].arrayValue ?? []
            func address(_ t: String) -> String { P.orNone(addresses.first { $0["type"] == .string(t) }?["address"].stringValue) }
            let info = o[path: ["status", "nodeInfo"]]
            return [.string(o.name ?? ""), .string(status), .string(roles.isEmpty ? "<none>" : roles.joined(separator: ",")),
                    .string(P.age(o)), .string(info["kubeletVersion"].stringValue ?? ""), .string(address("InternalIP")),
                    .string(address("ExternalIP")), .string(P.orNone(info["osImage"].stringValue)),
                    .string(P.orNone(info["kernelVersion"].stringValue)), .string(P.orNone(info["containerRuntimeVersion"].stringValue))]
        })

    static let namespaces = P.Printer(
        columns: [P.name, .init(name: "Status"), .init(name: "Age")],
        cells: { o in [.string(o.name ?? ""), .string(o[path: ["status", "phase"]].stringValue ?? ""), .string(P.age(o))] })

    static let events = P.Printer(
        columns: [.init(name: "Last Seen"), .init(name: "Type"), .init(name: "Reason"), .init(name: "Object"),
                  .init(name: "Subobject", priority: 1), .init(name: "Source", priority: 1), .init(name: "Message"),
                  .init(name: "First Seen", priority: 1), .init(name: "Count", type: "integer", priority: 1),
                  .init(name: "Name", priority: 1)],
        cells: { o in
            let involved = o["involvedObject"]
            let last = o["lastTimestamp"].stringValue ?? o["eventTime"].stringValue ?? o[path: ["metadata", "creationTimestamp"]].stringValue
            let first = o["firstTimestamp"].stringValue ?? o["eventTime"].stringValue ?? o[path: ["metadata", "creationTimestamp"]].stringValue
            func ago(_ t: String?) -> String {
                t.flatMap(WallClock.parse).map { WallClock.humanDuration(WallClock.nowSeconds() - $0) } ?? "<unknown>"
            }
            let kind = (involved["kind"].stringValue ?? "").lowercased()
            var source = o[path: ["source", "component"]].stringValue ?? o["reportingComponent"].stringValue ?? ""
            if let host = o[path: ["source", "host"]].stringValue, !host.isEmpty { source += ", \(host)" }
            return [.string(ago(last)), .string(o["type"].stringValue ?? ""), .string(o["reason"].stringValue ?? ""),
                    .string("\(kind)/\(involved["name"].stringValue ?? "")"), .string(involved["fieldPath"].stringValue ?? ""),
                    .string(source), .string(o["message"].stringValue ?? ""), .string(ago(first)),
                    .int(o["count"].intValue ?? 1), .string(o.name ?? "")]
        })

    static let configMaps = P.Printer(
        columns: [P.name, .init(name: "Data", type: "integer"), .init(name: "Age")],
        cells: { o in [.string(o.name ?? ""), .int(Int64(o["data"].count + o["binaryData"].count)), .string(P.age(o))] })

    static let secrets = P.Printer(
        columns: [P.name, .init(name: "Type"), .init(name: "Data", type: "integer"), .init(name: "Age")],
        cells: { o in [.string(o.name ?? ""), .string(o["type"].stringValue ?? "Opaque"), .int(Int64(o["data"].count)), .string(P.age(o))] })

    static let serviceAccounts = P.Printer(
        columns: [P.name, .init(name: "Secrets", type: "integer"), .init(name: "Age")],
        cells: { o in [.string(o.name ?? ""), .int(Int64(o["secrets"].count)), .string(P.age(o))] })

    static let persistentVolumeClaims = P.Printer(
        columns: [P.name, .init(name: "Status"), .init(name: "Volume"), .init(name: "Capacity"), .init(name: "Access Modes"),
                  .init(name: "StorageClass"), .init(name: "VolumeAttributesClass"), .init(name: "Age"),
                  .init(name: "VolumeMode", priority: 1)],
        cells: { o in
            let spec = o["spec"], status = o["status"]
            let modes = (status["accessModes"].arrayValue ?? []).compactMap(\.stringValue).map { m -> String in
                switch m {
                case "ReadWriteOnce": return "RWO"
                case "ReadOnlyMany": return "ROX"
                case "ReadWriteMany": return "RWX"
                case "ReadWriteOncePod": return "RWOP"
                default: return m
                }
            }
            return [.string(o.name ?? ""), .string(status["phase"].stringValue ?? ""), .string(spec["volumeName"].stringValue ?? ""),
                    .string(status[path: ["capacity", "storage"]].stringValue ?? ""), .string(modes.joined(separator: ",")),
                    .string(P.orNone(spec["storageClassName"].stringValue)),
                    .string(P.orNone(spec["volumeAttributesClassName"].stringValue)), .string(P.age(o)),
                    .string(spec["volumeMode"].stringValue ?? "Filesystem")]
        })

    static let customResourceDefinitions = P.Printer(
        columns: [P.name, .init(name: "Created At", format: "date-time")],
        cells: { o in [.string(o.name ?? ""), .string(o[path: ["metadata", "creationTimestamp"]].stringValue ?? "")] })
}
