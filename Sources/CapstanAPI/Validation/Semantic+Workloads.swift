import CapstanModel

/// Deployment, ReplicaSet, StatefulSet, DaemonSet and ReplicationController: counts, the
/// selector and its agreement with the template's labels, update strategies.
enum WorkloadRules {
    static let nonNegative = "must be greater than or equal to 0"
    static let selectorMismatch = "`selector` does not match template `labels`"

    static func validate(_ object: Value, kind: String) -> [FieldError] {
        let spec = object["spec"]
        guard spec.isObject else { return [] }
        let path: FieldPath = "spec"
        var errors: [FieldError] = []

        for field in ["replicas", "minReadySeconds", "revisionHistoryLimit"] {
            errors += nonNegativeField(spec, field, at: path)
        }
        if let deadline = spec["progressDeadlineSeconds"].intValue {
            if deadline < 0 {
                errors.append(.invalid(path.child("progressDeadlineSeconds"), spec["progressDeadlineSeconds"], nonNegative))
            } else if deadline <= (spec["minReadySeconds"].intValue ?? 0) {
                errors.append(.invalid(
                    path.child("progressDeadlineSeconds"), spec["progressDeadlineSeconds"],
                    "must be greater than minReadySeconds"))
            }
        }

        let selector = spec["selector"]
        if selector.isObject {
            errors += LabelSelectorRules.validate(selector, at: path.child("selector"))
            if LabelSelectorRules.isEmpty(selector) {
                errors.append(.invalid(path.child("selector"), selector, "empty selector is invalid for \(kind.lowercased())"))
            } else if spec["template"].isObject {
                let labels = spec["template"]["metadata"]["labels"].stringMapValue
                if !LabelSelectorRules.matches(selector, labels) {
                    errors.append(.invalid(
                        path.child("template").child("metadata").child("labels"), shown: goStringMap(labels),
                        selectorMismatch))
                }
            }
        }
        let claimNames = Set((spec["volumeClaimTemplates"].arrayValue ?? []).compactMap { $0["metadata"]["name"].stringValue })
        errors += PodSpecRules.validateTemplate(
            spec["template"], at: path.child("template"), context: .replicated(kind: kind), claimNames: claimNames)

        switch kind {
        case "Deployment": errors += deploymentStrategy(spec["strategy"], at: path.child("strategy"))
        case "DaemonSet": errors += daemonSetStrategy(spec["updateStrategy"], at: path.child("updateStrategy"))
        case "StatefulSet": errors += statefulSetStrategy(spec, at: path)
        default: break
        }
        return errors
    }

    /// ReplicationController: a plain label map as selector, defaulted from the template labels.
    static func validateReplicationController(_ object: Value) -> [FieldError] {
        let spec = object["spec"]
        guard spec.isObject else { return [] }
        let path: FieldPath = "spec"
        var errors: [FieldError] = []
        for field in ["replicas", "minReadySeconds"] { errors += nonNegativeField(spec, field, at: path) }
        errors += MetadataRules.labels(spec["selector"], at: path.child("selector"))
        let selector = spec["selector"].stringMapValue
        let labels = spec["template"]["metadata"]["labels"].stringMapValue
        if !selector.isEmpty, spec["template"].isObject, !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            errors.append(.invalid(
                path.child("template").child("metadata").child("labels"), shown: goStringMap(labels), selectorMismatch))
        }
        errors += PodSpecRules.validateTemplate(
            spec["template"], at: path.child("template"), context: .replicated(kind: "ReplicationController"))
        return errors
    }

    static func nonNegativeField(_ spec: Value, _ field: String, at path: FieldPath) -> [FieldError] {
        guard let v = spec[field].intValue, v < 0 else { return [] }
        return [.invalid(path.child(field), spec[field], nonNegative)]
    }

    // MARK: - Strategies

    /// The integer a `maxSurge`/`maxUnavailable` stands for (percent or count), nil if malformed.
    static func intOrPercent(_ v: Value) -> Int64? {
        if let i = v.intValue { return i }
        if let s = v.stringValue, NameRules.isPercent(s) { return Int64(s.dropLast()) }
        return nil
    }

    static func validateIntOrPercent(_ v: Value, at path: FieldPath) -> [FieldError] {
        switch v {
        case .null: return []
        case .string(let s):
            if !NameRules.isPercent(s) {
                return [.invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")]
            }
            if let n = Int(s.dropLast()), n > 100 { return [.invalid(path, v, "must not be greater than 100%")] }
            return []
        default:
            if let i = v.intValue, i < 0 { return [.invalid(path, v, nonNegative)] }
            return []
        }
    }

    static func deploymentStrategy(_ strategy: Value, at path: FieldPath) -> [FieldError] {
        guard strategy.isObject else { return [] }
        var errors: [FieldError] = []
        let rolling = strategy["rollingUpdate"]
        switch strategy["type"].stringValue {
        case "Recreate":
            if rolling.isObject {
                errors.append(.forbidden(path.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
            }
        case "RollingUpdate", nil:
            guard rolling.isObject else { break }
            let p = path.child("rollingUpdate")
            errors += validateIntOrPercent(rolling["maxUnavailable"], at: p.child("maxUnavailable"))
            errors += validateIntOrPercent(rolling["maxSurge"], at: p.child("maxSurge"))
            // Both present and both zero: no pod may ever be replaced.
            if rolling.has("maxUnavailable"), rolling.has("maxSurge"),
                intOrPercent(rolling["maxUnavailable"]) == 0, intOrPercent(rolling["maxSurge"]) == 0
            {
                errors.append(.invalid(p.child("maxUnavailable"), rolling["maxUnavailable"], "may not be 0 when `maxSurge` is 0"))
            }
        default:
            break  // the enum in the schema reports it
        }
        return errors
    }

    static func daemonSetStrategy(_ strategy: Value, at path: FieldPath) -> [FieldError] {
        let rolling = strategy["rollingUpdate"]
        guard strategy["type"].stringValue != "OnDelete", rolling.isObject else { return [] }
        let p = path.child("rollingUpdate")
        var errors = validateIntOrPercent(rolling["maxUnavailable"], at: p.child("maxUnavailable"))
        errors += validateIntOrPercent(rolling["maxSurge"], at: p.child("maxSurge"))
        if rolling.has("maxUnavailable"), rolling.has("maxSurge") {
            let unavailable = intOrPercent(rolling["maxUnavailable"]) ?? 0
            let surge = intOrPercent(rolling["maxSurge"]) ?? 0
            if unavailable != 0 && surge != 0 {
                errors.append(.invalid(p.child("maxSurge"), rolling["maxSurge"], "may not be set when maxUnavailable is non-zero"))
            } else if unavailable == 0 && surge == 0 {
                errors.append(.required(p.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
            }
        }
        return errors
    }

    static func statefulSetStrategy(_ spec: Value, at path: FieldPath) -> [FieldError] {
        let strategy = spec["updateStrategy"]
        var errors: [FieldError] = []
        let p = path.child("updateStrategy")
        if strategy["type"].stringValue == "OnDelete", strategy["rollingUpdate"].isObject {
            errors.append(.invalid(p.child("rollingUpdate"), strategy["rollingUpdate"], "only allowed for updateStrategy 'RollingUpdate'"))
        }
        let rolling = strategy["rollingUpdate"]
        if rolling.isObject {
            errors += nonNegativeField(rolling, "partition", at: p.child("rollingUpdate"))
            if rolling.has("maxUnavailable") {
                let mp = p.child("rollingUpdate").child("maxUnavailable")
                errors += validateIntOrPercent(rolling["maxUnavailable"], at: mp)
                if intOrPercent(rolling["maxUnavailable"]) == 0 { errors.append(.invalid(mp, rolling["maxUnavailable"], "cannot be 0")) }
            }
        }
        if let start = spec["ordinals"]["start"].intValue, start < 0 {
            errors.append(.invalid(path.child("ordinals.start"), spec["ordinals"]["start"], nonNegative))
        }
        if let serviceName = spec["serviceName"].stringValue, !serviceName.isEmpty {
            for problem in NameRules.dns1123Label(serviceName) {
                errors.append(.invalid(path.child("serviceName"), .string(serviceName), problem))
            }
        }
        for (i, claim) in (spec["volumeClaimTemplates"].arrayValue ?? []).enumerated() {
            let cp = path.child("volumeClaimTemplates").index(i)
            if (claim["metadata"]["name"].stringValue ?? "").isEmpty {
                errors.append(.required(cp.child("metadata").child("name")))
            }
            errors += ClaimRules.claimSpec(claim["spec"], at: cp.child("spec"))
        }
        return errors
    }
}
