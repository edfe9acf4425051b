import CapstanModel

/// PersistentVolumeClaims (and claim templates), Ingresses, autoscalers and disruption budgets.
enum ClaimRules {
    static let accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]

    static func validate(_ object: Value, into errors: inout [FieldError]) {
        claimSpec(object["spec"], at: { FieldPath([.key("spec")]) }, into: &errors)
    }

    static func claimSpec(_ spec: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard spec.isObject else { return }
        let modes = spec["accessModes"].arrayValue ?? []
        if modes.isEmpty {
            errors.append(.required(path().child("accessModes"), "at least 1 access mode is required"))
        }
        for (i, mode) in modes.enumerated() {
            if let m = mode.stringValue, !accessModes.contains(m) {
                errors.append(.notSupported(path().child("accessModes").index(i), mode, accessModes))
            }
        }
        if modes.contains("ReadWriteOncePod"), modes.count > 1 {
            errors.append(.forbidden(path().child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
        }
        let hasSource = spec["dataSource"].isObject || spec["dataSourceRef"].isObject
        let storage = spec["resources"]["requests"]["storage"]
        if storage == .null && !hasSource {
            errors.append(.required(path().child("resources").key("storage")))
        } else if let q = QuantityValue.parse(storage), q <= 0 {
            errors.append(.invalid(path().child("resources").child("requests").key("storage"), storage, "must be greater than zero"))
        }
    }
}

enum IngressRules {
    static func validate(_ object: Value) -> [FieldError] {
        let spec = object["spec"]
        guard spec.isObject else { return [] }
        let path = FieldPath([.key("spec")])
        var errors: [FieldError] = []
        if spec["defaultBackend"].isObject {
            errors += backend(spec["defaultBackend"], at: path.child("defaultBackend"))
        }
        if spec["rules"].count == 0 && !spec["defaultBackend"].isObject {
            errors.append(.invalid(path, spec, "either `defaultBackend` or `rules` must be specified"))
        }
        for (i, rule) in (spec["rules"].arrayValue ?? []).enumerated() {
            let p = path.child("rules").index(i)
            if let host = rule["host"].stringValue, !host.isEmpty {
                let bare = host.hasPrefix("*.") ? String(host.dropFirst(2)) : host
                for problem in NameRules.dns1123Subdomain(bare) {
                    errors.append(.invalid(p.child("host"), .string(host), problem))
                }
            }
            for (j, httpPath) in (rule["http"]["paths"].arrayValue ?? []).enumerated() {
                let pp = p.child("http").child("paths").index(j)
                let type = httpPath["pathType"].stringValue ?? ""
                if let value = httpPath["path"].stringValue, (type == "Prefix" || type == "Exact"), !value.hasPrefix("/") {
                    errors.append(.invalid(pp.child("path"), .string(value), "must be an absolute path"))
                }
                errors += backend(httpPath["backend"], at: pp.child("backend"))
            }
            if rule["http"].isObject, rule["http"]["paths"].count == 0 {
                errors.append(.required(p.child("http").child("paths")))
            }
        }
        for (i, tls) in (spec["tls"].arrayValue ?? []).enumerated() {
            for (j, host) in (tls["hosts"].arrayValue ?? []).enumerated() {
                guard let h = host.stringValue else { continue }
                let bare = h.hasPrefix("*.") ? String(h.dropFirst(2)) : h
                for problem in NameRules.dns1123Subdomain(bare) {
                    errors.append(.invalid(path.child("tls").index(i).child("hosts").index(j), host, problem))
                }
            }
        }
        return errors
    }

    static func backend(_ backend: Value, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let service = backend["service"], resource = backend["resource"]
        if service.isObject && resource.isObject {
            errors.append(.invalid(path, backend, "cannot set both resource and service backends"))
        } else if !service.isObject && !resource.isObject {
            errors.append(.invalid(path, backend, "resource or service backend is required"))
        }
        if service.isObject {
            let port = service["port"]
            let hasName = !(port["name"].stringValue ?? "").isEmpty
            let hasNumber = port["number"] != .null
            if hasName && hasNumber {
                errors.append(.invalid(path.child("service").child("port"), port, "cannot set both port name & port number"))
            } else if !hasName && !hasNumber {
                errors.append(.invalid(path.child("service").child("port"), port, "port name or number is required"))
            } else if let n = port["number"].intValue, !(1...65535).contains(n) {
                errors.append(.invalid(path.child("service").child("port").child("number"), port["number"], PodSpecRules.portRange))
            } else if let name = port["name"].stringValue, hasName {
                for problem in NameRules.ianaServiceName(name) {
                    errors.append(.invalid(path.child("service").child("port").child("name"), .string(name), problem))
                }
            }
        }
        return errors
    }
}

enum ScalingRules {
    static func horizontalPodAutoscaler(_ object: Value) -> [FieldError] {
        let spec = object["spec"]
        var errors: [FieldError] = []
        let minReplicas = spec["minReplicas"].intValue
        if let min = minReplicas, min < 1 {
            errors.append(.invalid("spec.minReplicas", .int(min), "must be greater than or equal to 1"))
        }
        if let max = spec["maxReplicas"].intValue {
            if max < 1 {
                errors.append(.invalid("spec.maxReplicas", .int(max), "must be greater than 0"))
            } else if let min = minReplicas, max < min {
                errors.append(.invalid("spec.maxReplicas", .int(max), "must be greater than or equal to `minReplicas`"))
            }
        }
        return errors
    }

    static func podDisruptionBudget(_ object: Value) -> [FieldError] {
        let spec = object["spec"]
        var errors: [FieldError] = []
        if spec.isSet("minAvailable"), spec.isSet("maxUnavailable") {
            errors.append(.invalid("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
        }
        for field in ["minAvailable", "maxUnavailable"] where spec.isSet(field) {
            WorkloadRules.validateIntOrPercent(spec[field], at: { FieldPath([.key("spec"), .key(field)]) }, into: &errors)
        }
        if spec["selector"].isObject {
            LabelSelectorRules.validate(spec["selector"], at: { FieldPath([.key("spec"), .key("selector")]) }, into: &errors)
        }
        return errors
    }
}

/// A quantity's numeric value, precise enough to compare requests with limits.
enum QuantityValue {
    static func parse(_ value: Value) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .string(let s): return parse(s)
        default: return nil
        }
    }

    /// Suffixes and their factors, binary before decimal (`Mi` before `M`).
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    static func parse(_ text: String) -> Double? {
        guard QuantitySyntax.isValid(text) else { return nil }
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { $0 * factor }
        }
        return Double(text)  // plain numbers and exponent forms (1e3)
    }
}
