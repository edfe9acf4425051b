import CapstanModel

/// Which syntax an object's `metadata.name` must follow; it depends on the kind because names
/// end up in DNS records, hostnames, labels or URL segments.
enum NameRule: Equatable {
    case dnsSubdomain
    case dnsLabel
    case dns1035Label
    case pathSegment
    /// A DNS subdomain of at most `max` characters (CronJob: its Jobs append a suffix).
    case dnsSubdomainMax(Int)

    static func `for`(_ gk: GroupKind, isCustom: Bool) -> NameRule {
        if isCustom { return .dnsSubdomain }
        switch (gk.group, gk.kind) {
        case ("", "Namespace"), ("apps", "StatefulSet"): return .dnsLabel
        case ("", "Service"): return .dns1035Label
        case ("batch", "CronJob"): return .dnsSubdomainMax(52)
        case ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "ClusterRole"),
            ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
            // Bootstrap CSR names carry base64url hashes (upper case, '_').
            ("certificates.k8s.io", "CertificateSigningRequest"):
            return .pathSegment
        default: return .dnsSubdomain
        }
    }

    func problems(_ name: String, prefix: Bool = false) -> [String] {
        let checked = prefix ? NameRules.asPrefix(name) : name
        switch self {
        case .dnsSubdomain: return NameRules.dns1123Subdomain(checked)
        case .dnsLabel: return NameRules.dns1123Label(checked)
        case .dns1035Label: return NameRules.dns1035Label(checked)
        case .pathSegment: return NameRules.pathSegmentName(name)
        case .dnsSubdomainMax(let max):
            var problems = NameRules.dns1123Subdomain(checked)
            if !prefix && name.utf8.count > max { problems.insert(NameRules.maxLength(max), at: 0) }
            return problems
        }
    }
}

/// `metadata`: name/generateName, namespace syntax, labels, annotations, owner references.
enum MetadataRules {
    static let annotationsSizeLimit = 256 * 1024

    static func validate(_ meta: Value, rule: NameRule, into errors: inout [FieldError]) {
        let path = { FieldPath([.key("metadata")]) }
        // Fields are read from the map bound once (each `meta[key]` would copy it).
        let fields = meta.objectValue ?? [:]
        let name = fields["name"]?.stringValue ?? ""
        let generateName = fields["generateName"]?.stringValue ?? ""
        if name.isEmpty && generateName.isEmpty {
            errors.append(.required(path().child("name"), "name or generateName is required"))
        }
        if !name.isEmpty {
            for problem in rule.problems(name) { errors.append(.invalid(path().child("name"), .string(name), problem)) }
        } else if !generateName.isEmpty {
            for problem in rule.problems(generateName, prefix: true) {
                errors.append(.invalid(path().child("generateName"), .string(generateName), problem))
            }
        }
        if let namespace = fields["namespace"]?.stringValue, !namespace.isEmpty {
            for problem in NameRules.dns1123Label(namespace) {
                errors.append(.invalid(path().child("namespace"), .string(namespace), problem))
            }
        }
        if let labels = fields["labels"] { self.labels(labels, at: { path().child("labels") }, into: &errors) }
        if let annotations = fields["annotations"] {
            self.annotations(annotations, at: { path().child("annotations") }, into: &errors)
        }
        guard case .array(let references)? = fields["ownerReferences"] else { return }
        var controllers = 0
        for (i, ref) in references.enumerated() {
            for field in ["apiVersion", "kind", "name", "uid"] where (ref[field].stringValue ?? "").isEmpty {
                errors.append(.required(path().child("ownerReferences").index(i).child(field)))
            }
            if ref["controller"].boolValue == true { controllers += 1 }
        }
        if controllers > 1 {
            errors.append(.invalid(
                path().child("ownerReferences"), .array(references.filter { $0["controller"].boolValue == true }),
                "Only one reference can have Controller set to true"))
        }
    }

    /// Label keys are qualified names, values at most 63 characters of `[-A-Za-z0-9_.]`.
    /// Errors carry the map's path and the bad key or value, as Kubernetes reports them.
    static func labels(_ labels: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard case .object(let map) = labels else { return }
        for (key, value) in map {
            for problem in NameRules.qualifiedName(key) { errors.append(.invalid(path(), .string(key), problem)) }
            if case .string(let s) = value {
                for problem in NameRules.labelValue(s) { errors.append(.invalid(path(), .string(s), problem)) }
            }
        }
    }

    static func annotations(_ annotations: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard case .object(let map) = annotations else { return }
        var total = 0
        for (key, value) in map {
            // Keys are nearly always lower-case ASCII already: skip the copy `lowercased()` makes.
            let lowered = key.utf8.contains(where: { ($0 >= 65 && $0 <= 90) || $0 >= 0x80 }) ? key.lowercased() : key
            for problem in NameRules.qualifiedName(lowered) {
                errors.append(.invalid(path(), .string(key), problem))
            }
            total += key.utf8.count
            if case .string(let s) = value { total += s.utf8.count }
        }
        if total > annotationsSizeLimit {
            errors.append(FieldError(.tooLong, path(), detail: "must have at most \(annotationsSizeLimit) bytes"))
        }
    }
}

/// `metav1.LabelSelector`: syntax and matching. Matching is here (not in the model) because
/// validation needs only this much: `matchLabels` equality and the four set operators.
enum LabelSelectorRules {
    static let operators = ["In", "NotIn", "Exists", "DoesNotExist"]

    static func validate(_ selector: Value, at path: LazyPath, into errors: inout [FieldError]) {
        guard case .object(let fields) = selector else { return }
        if let matchLabels = fields["matchLabels"] {
            MetadataRules.labels(matchLabels, at: { path().child("matchLabels") }, into: &errors)
        }
        guard case .array(let expressions)? = fields["matchExpressions"] else { return }
        for (i, expr) in expressions.enumerated() {
            func p() -> FieldPath { path().child("matchExpressions").index(i) }
            let op = expr["operator"].stringValue ?? ""
            let values = expr["values"].arrayValue ?? []
            switch op {
            case "In", "NotIn":
                if values.isEmpty {
                    errors.append(.required(p().child("values"), "must be specified when `operator` is 'In' or 'NotIn'"))
                }
            case "Exists", "DoesNotExist":
                if !values.isEmpty {
                    errors.append(.forbidden(p().child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
                }
            case "":
                break  // the schema reports the missing operator
            default:
                errors.append(.invalid(p().child("operator"), .string(op), "not a valid selector operator"))
            }
            if let key = expr["key"].stringValue {
                for problem in NameRules.qualifiedName(key) { errors.append(.invalid(p().child("key"), .string(key), problem)) }
            }
            for (j, v) in values.enumerated() {
                if case .string(let s) = v {
                    for problem in NameRules.labelValue(s) {
                        errors.append(.invalid(p().child("values").index(j), .string(s), problem))
                    }
                }
            }
        }
    }

    static func isEmpty(_ selector: Value) -> Bool {
        selector["matchLabels"].count == 0 && selector["matchExpressions"].count == 0
    }

    /// Whether the label map `labels` (an object; other values hold no labels) satisfies
    /// `selector` (an empty selector matches everything). Non-string label values are no labels.
    static func matches(_ selector: Value, labels: Value) -> Bool {
        let map = labels.objectValue ?? [:]
        func label(_ key: String) -> String? { map[key]?.stringValue }
        for (key, value) in selector["matchLabels"].objectValue ?? [:] {
            guard label(key) == value.stringValue else { return false }
        }
        for expr in selector["matchExpressions"].arrayValue ?? [] {
            let key = expr["key"].stringValue ?? ""
            let values = expr["values"].arrayValue ?? []
            func listed(_ v: String) -> Bool { values.contains { $0.stringValue == v } }
            switch expr["operator"].stringValue {
            case "In": guard let v = label(key), listed(v) else { return false }
            case "NotIn": if let v = label(key), listed(v) { return false }
            case "Exists": if label(key) == nil { return false }
            case "DoesNotExist": if label(key) != nil { return false }
            default: return false
            }
        }
        return true
    }
}

extension Value {
    /// A string map at this value (labels, selectors); non-string values are skipped.
    var stringMapValue: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in objectValue ?? [:] { if let s = v.stringValue { out[k] = s } }
        return out
    }
}
