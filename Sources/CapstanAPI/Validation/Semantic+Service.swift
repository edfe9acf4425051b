import CapstanModel

/// Services: ports (numbers, names, node ports, target ports), per-type requirements.
enum ServiceRules {
    static func validate(_ object: Value) -> [FieldError] {
        let spec = object["spec"]
        guard spec.isObject else { return [] }
        let path: FieldPath = "spec"
        var errors: [FieldError] = []
        let type = spec["type"].stringValue ?? "ClusterIP"
        let headless = spec["clusterIP"].stringValue == "None"
        let ports = spec["ports"].arrayValue ?? []

        switch type {
        case "ExternalName":
            let name = spec["externalName"].stringValue ?? ""
            if name.isEmpty {
                errors.append(.required(path.child("externalName")))
            } else {
                // A trailing dot (fully qualified) is allowed.
                let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
                for problem in NameRules.dns1123Subdomain(bare) {
                    errors.append(.invalid(path.child("externalName"), .string(name), problem))
                }
            }
        case "ClusterIP", "NodePort", "LoadBalancer":
            if ports.isEmpty && !headless {
                errors.append(.required(path.child("ports")))
            }
            if type != "ClusterIP", headless {
                errors.append(.invalid(path.child("clusterIP"), .string("None"), "may not be set to 'None' for \(type) services"))
            }
        default:
            break  // the enum in the schema reports it
        }

        var names: Set<String> = []
        for (i, port) in ports.enumerated() {
            let p = path.child("ports").index(i)
            let name = port["name"].stringValue ?? ""
            if ports.count > 1 && name.isEmpty {
                errors.append(.required(p.child("name")))
            } else if !name.isEmpty {
                for problem in NameRules.dns1123Label(name) { errors.append(.invalid(p.child("name"), .string(name), problem)) }
                if !names.insert(name).inserted { errors.append(.duplicate(p.child("name"), .string(name))) }
            }
            if let number = port["port"].intValue, !(1...65535).contains(number) {
                errors.append(.invalid(p.child("port"), port["port"], PodSpecRules.portRange))
            }
            if let nodePort = port["nodePort"].intValue, nodePort != 0 {
                if type == "ClusterIP" || type == "ExternalName" {
                    errors.append(.forbidden(p.child("nodePort"), "may not be used when `type` is '\(type)'"))
                } else if !(1...65535).contains(nodePort) {
                    errors.append(.invalid(p.child("nodePort"), port["nodePort"], PodSpecRules.portRange))
                }
            }
            if port["targetPort"] != .null {
                errors += PodSpecRules.validatePortReference(port["targetPort"], at: p.child("targetPort"))
            }
        }
        errors += MetadataRules.labels(spec["selector"], at: path.child("selector"))
        if let timeout = spec["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"].intValue, !(1...86400).contains(timeout) {
            errors.append(.invalid(
                path.child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"), .int(timeout),
                "must be greater than 0 and less than or equal to 86400"))
        }
        return errors
    }
}
