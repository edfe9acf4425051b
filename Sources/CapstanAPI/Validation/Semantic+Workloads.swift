import CapstanModel

/// Deployment, ReplicaSet, StatefulSet, DaemonSet and ReplicationController: counts, the
/// selector and its agreement with the template's labels, update strategies.
enum WorkloadRules {
    static let nonNegative = "must be greater than or equal to 0"
    static let selectorMismatch = "`selector` does not match template `labels`"

    static func validate(_ object: Value, kind: String, into errors: inout [FieldError]) {
        guard case .object(let fields) = object["spec"] else { return }
        let spec = Value.object(fields)
        let path = { FieldPath([.key("spec")]) }

        for field in ["replicas", "minReadySeconds", "revisionHistoryLimit"] {
            nonNegativeField(spec, field, at: path, into: &errors)
        }
        if let value = fields["progressDeadlineSeconds"], let deadline = value.intValue {
            if deadline < 0 {
                errors.append(.invalid(path().child("progressDeadlineSeconds"), value, nonNegative))
            } else if deadline <= (fields["minReadySeconds"]?.intValue ?? 0) {
                errors.append(.invalid(path().child("progressDeadlineSeconds"), value, "must be greater than minReadySeconds"))
            }
        }

        let template = fields["template"] ?? .null
        if let selector = fields["selector"], selector.isObject {
            LabelSelectorRules.validate(selector, at: { path().child("selector") }, into: &errors)
            if LabelSelectorRules.isEmpty(selector) {
                errors.append(.invalid(path().child("selector"), selector, "empty selector is invalid for \(kind.lowercased())"))
            } else if template.isObject {
                let labels = template["metadata"]["labels"]
                if !LabelSelectorRules.matches(selector, labels: labels) {
                    errors.append(.invalid(
                        path().child("template").child("metadata").child("labels"), shown: goStringMap(labels.stringMapValue),
                        selectorMismatch))
                }
            }
        }
        var claimNames = SeenNames()
        if case .array(let claims)? = fields["volumeClaimTemplates"] {
            for claim in claims { if let name = claim["metadata"]["name"].stringValue { _ = claimNames.insert(name) } }
        }
        PodSpecRules.validateTemplate(
            template, at: { path().child("template") }, context: .replicated(kind: kind), claimNames: claimNames, into: &errors)

        switch kind {
        case "Deployment":
            deploymentStrategy(fields["strategy"] ?? .null, at: { path().child("strategy") }, into: &errors)
        case "DaemonSet":
            daemonSetStrategy(fields["updateStrategy"] ?? .null, at: { path().child("updateStrategy") }, into: &errors)
        case "StatefulSet":
            statefulSetStrategy(spec, at: path, into: &errors)
        default: break
        }
    }

    /// ReplicationController: a plain label map as selector, defaulted from the template labels.
    static func validateReplicationController(_ object: Value, into errors: inout [FieldError]) {
        let spec = object["spec"]
        guard spec.isObject else { return }
        let path = { FieldPath([.key("spec")]) }
        for field in ["replicas", "minReadySeconds"] { nonNegativeField(spec, field, at: path, into: &errors) }
        MetadataRules.labels(spec["selector"], at: { path().child("selector") }, into: &errors)
        let selector = spec["selector"].stringMapValue
        let labels = spec["template"]["metadata"]["labels"].stringMapValue
        if !selector.isEmpty, spec["template"].isObject, !selector.allSatisfy({ labels[$0.key] == $0.value }) {
            errors.append(.invalid(
                path().child("template").child("metadata").child("labels"), shown: goStringMap(labels), selectorMismatch))
        }
        PodSpecRules.validateTemplate(
            spec["template"], at: { path().child("template") }, context: .replicated(kind: "ReplicationController"), into: &errors)
    }

    static func nonNegativeField(_ spec: Value, _ field: String, at path: LazyPath, into errors: inout [FieldError]) {
        let value = spec[field]
        guard let v = value.intValue, v < 0 else { return }
        errors.append(.invalid(path().child(field), value, nonNegative))
    }

    // MARK: - Strategies

    /// The integer a `maxSurge`/`maxUnavailable` stands for (percent or count), nil if malformed.
    static func intOrPercent(_ v: Value) -> Int64? {
        if let i = v.intValue { return i }
        if let s = v.stringValue, NameRules.isPercent(s) { return Int64(s.dropLast()) }
        return nil
    }

    static func validateIntOrPercent(_ v: Value, at path: LazyPath, into errors: inout [FieldError]) {
        switch v {
        case .null: return
        case .string(let s):
            if !NameRules.isPercent(s) {
                return errors.append(.invalid(path(), v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"))
            }
            if let n = Int(s.dropLast()), n > 100 { errors.append(.invalid(path(), v, "must not be greater than 100%")) }
        default:
            if let i = v.intValue, i < 0 { errors.append(.invalid(path(), v, nonNegative)) }
        }
    }

    static func deploymentStrategy(_ strategy: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard strategy.isObject else { return }
        let rolling = strategy["rollingUpdate"]
        switch strategy["type"].stringValue {
        case "Recreate":
            if rolling.isObject {
                errors.append(.forbidden(path().child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"))
            }
        case "RollingUpdate", nil:
            guard rolling.isObject else { break }
            func p() -> FieldPath { path().child("rollingUpdate") }
            let maxUnavailable = rolling["maxUnavailable"], maxSurge = rolling["maxSurge"]
            validateIntOrPercent(maxUnavailable, at: { p().child("maxUnavailable") }, into: &errors)
            validateIntOrPercent(maxSurge, at: { p().child("maxSurge") }, into: &errors)
            // Both present and both zero: no pod may ever be replaced.
            if rolling.has("maxUnavailable"), rolling.has("maxSurge"), intOrPercent(maxUnavailable) == 0, intOrPercent(maxSurge) == 0 {
                errors.append(.invalid(p().child("maxUnavailable"), maxUnavailable, "may not be 0 when `maxSurge` is 0"))
            }
        default:
            break  // the enum in the schema reports it
        }
    }

    static func daemonSetStrategy(_ strategy: Value, at path: LazyPath, into errors: inout [FieldError]) {
        let rolling = strategy["rollingUpdate"]
        guard strategy["type"].stringValue != "OnDelete", rolling.isObject else { return }
        func p() -> FieldPath { path().child("rollingUpdate") }
        validateIntOrPercent(rolling["maxUnavailable"], at: { p().child("maxUnavailable") }, into: &errors)
        validateIntOrPercent(rolling["maxSurge"], at: { p().child("maxSurge") }, into: &errors)
        if rolling.has("maxUnavailable"), rolling.has("maxSurge") {
            let unavailable = intOrPercent(rolling["maxUnavailable"]) ?? 0
            let surge = intOrPercent(rolling["maxSurge"]) ?? 0
            if unavailable != 0 && surge != 0 {
                errors.append(.invalid(p().child("maxSurge"), rolling["maxSurge"], "may not be set when maxUnavailable is non-zero"))
            } else if unavailable == 0 && surge == 0 {
                errors.append(.required(p().child("maxUnavailable"), "cannot be 0 when maxSurge is 0"))
            }
        }
    }

    static func statefulSetStrategy(_ spec: Value, at path: LazyPath, into errors: inout [FieldError]) {
        let strategy = spec["updateStrategy"]
        func p() -> FieldPath { path().child("updateStrategy") }
        if strategy["type"].stringValue == "OnDelete", strategy["rollingUpdate"].isObject {
            errors.append(.invalid(p().child("rollingUpdate"), strategy["rollingUpdate"], "only allowed for updateStrategy 'RollingUpdate'"))
        }
        let rolling = strategy["rollingUpdate"]
        if rolling.isObject {
            nonNegativeField(rolling, "partition", at: { p().child("rollingUpdate") }, into: &errors)
            if rolling.has("maxUnavailable") {
                func mp() -> FieldPath { p().child("rollingUpdate").child("maxUnavailable") }
                validateIntOrPercent(rolling["maxUnavailable"], at: mp, into: &errors)
                if intOrPercent(rolling["maxUnavailable"]) == 0 { errors.append(.invalid(mp(), rolling["maxUnavailable"], "cannot be 0")) }
            }
        }
        if let start = spec["ordinals"]["start"].intValue, start < 0 {
            errors.append(.invalid(path().child("ordinals.start"), spec["ordinals"]["start"], nonNegative))
        }
        if let serviceName = spec["serviceName"].stringValue, !serviceName.isEmpty {
            for problem in NameRules.dns1123Label(serviceName) {
                errors.append(.invalid(path().child("serviceName"), .string(serviceName), problem))
            }
        }
        for (i, claim) in (spec["volumeClaimTemplates"].arrayValue ?? []).enumerated() {
            func cp() -> FieldPath { path().child("volumeClaimTemplates").index(i) }
            if (claim["metadata"]["name"].stringValue ?? "").isEmpty {
                errors.append(.required(cp().child("metadata").child("name")))
            }
            ClaimRules.claimSpec(claim["spec"], at: { cp().child("spec") }, into: &errors)
        }
    }
}
