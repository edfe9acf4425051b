import CapstanModel

/// Services: ports (numbers, names, node ports, target ports), per-type requirements.
enum ServiceRules {
    static func validate(_ object: Value, into errors: inout [FieldError]) {
        guard case .object(let fields) = object["spec"] else { return }
        let path = { FieldPath([.key("spec")]) }
        let type = fields["type"]?.stringValue ?? "ClusterIP"
        let headless = fields["clusterIP"]?.stringValue == "None"
        let ports = fields["ports"]?.arrayValue ?? []

        switch type {
        case "ExternalName":
            let name = fields["externalName"]?.stringValue ?? ""
            if name.isEmpty {
                errors.append(.required(path().child("externalName")))
            } else {
                // A trailing dot (fully qualified) is allowed.
                let bare = name.hasSuffix(".") ? String(name.dropLast()) : name
                for problem in NameRules.dns1123Subdomain(bare) {
                    errors.append(.invalid(path().child("externalName"), .string(name), problem))
                }
            }
        case "ClusterIP", "NodePort", "LoadBalancer":
            if ports.isEmpty && !headless {
                errors.append(.required(path().child("ports")))
            }
            if type != "ClusterIP", headless {
                errors.append(.invalid(path().child("clusterIP"), .string("None"), "may not be set to 'None' for \(type) services"))
            }
        default:
            break  // the enum in the schema reports it
        }

        var names = SeenNames()
        for (i, port) in ports.enumerated() {
            func p() -> FieldPath { path().child("ports").index(i) }
            let name = port["name"].stringValue ?? ""
            if ports.count > 1 && name.isEmpty {
                errors.append(.required(p().child("name")))
            } else if !name.isEmpty {
                for problem in NameRules.dns1123Label(name) { errors.append(.invalid(p().child("name"), .string(name), problem)) }
                if !names.insert(name) { errors.append(.duplicate(p().child("name"), .string(name))) }
            }
            let number = port["port"]
            if let n = number.intValue, !(1...65535).contains(n) {
                errors.append(.invalid(p().child("port"), number, PodSpecRules.portRange))
            }
            let nodePort = port["nodePort"]
            if let n = nodePort.intValue, n != 0 {
                if type == "ClusterIP" || type == "ExternalName" {
                    errors.append(.forbidden(p().child("nodePort"), "may not be used when `type` is '\(type)'"))
                } else if !(1...65535).contains(n) {
                    errors.append(.invalid(p().child("nodePort"), nodePort, PodSpecRules.portRange))
                }
            }
            let targetPort = port["targetPort"]
            if targetPort != .null {
                PodSpecRules.validatePortReference(targetPort, at: { p().child("targetPort") }, into: &errors)
            }
        }
        if let selector = fields["selector"] {
            MetadataRules.labels(selector, at: { path().child("selector") }, into: &errors)
        }
        if let affinity = fields["sessionAffinityConfig"],
            let timeout = affinity["clientIP"]["timeoutSeconds"].intValue, !(1...86400).contains(timeout)
        {
            errors.append(.invalid(
                path().child("sessionAffinityConfig").child("clientIP").child("timeoutSeconds"), .int(timeout),
                "must be greater than 0 and less than or equal to 86400"))
        }
    }
}
