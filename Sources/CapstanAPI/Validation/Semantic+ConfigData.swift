import CapstanModel

/// ConfigMap and Secret payloads: key syntax, keys shared between maps, total size, and the
/// keys each well-known Secret type must carry.
enum ConfigDataRules {
    static let maxSize = 1024 * 1024

    static func validateConfigMap(_ object: Value, into errors: inout [FieldError]) {
        guard case .object(let fields) = object else { return }
        var seen = SeenNames()
        var size = 0
        for map in ["data", "binaryData"] {
            guard case .object(let entries)? = fields[map] else { continue }
            for (key, value) in entries {
                func p() -> FieldPath { FieldPath([.key(map)]).key(key) }
                for problem in NameRules.configKey(key) { errors.append(.invalid(p(), .string(key), problem)) }
                if !seen.insert(key) { errors.append(.duplicate(p(), .string(key))) }
                if case .string(let s) = value { size += s.utf8.count }
            }
        }
        if size > maxSize {
            errors.append(FieldError(.tooLong, FieldPath(), detail: "must have at most \(maxSize) bytes"))
        }
    }

    /// Keys a Secret of a well-known type must hold.
    static let requiredKeys: [String: [String]] = [
        "kubernetes.io/tls": ["tls.crt", "tls.key"],
        "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
        "kubernetes.io/dockercfg": [".dockercfg"],
        "kubernetes.io/basic-auth": [],
        "kubernetes.io/ssh-auth": ["ssh-privatekey"],
    ]

    static func validateSecret(_ object: Value, into errors: inout [FieldError]) {
        var keys = SeenNames()
        var size = 0
        for map in ["data", "stringData"] {
            guard case .object(let entries) = object[map] else { continue }
            for (key, value) in entries {
                func p() -> FieldPath { FieldPath([.key(map)]).key(key) }
                for problem in NameRules.configKey(key) { errors.append(.invalid(p(), .string(key), problem)) }
                _ = keys.insert(key)
                if case .string(let s) = value { size += s.utf8.count }
            }
        }
        if size > maxSize {
            errors.append(FieldError(.tooLong, "data", detail: "must have at most \(maxSize) bytes"))
        }
        let type = object["type"].stringValue ?? "Opaque"
        for key in requiredKeys[type] ?? [] where !keys.contains(key) {
            errors.append(.required(FieldPath("data").key(key)))
        }
        if type == "kubernetes.io/basic-auth", !keys.contains("username"), !keys.contains("password") {
            errors.append(.required(FieldPath("data").key("username")))
            errors.append(.required(FieldPath("data").key("password")))
        }
        if type == "kubernetes.io/service-account-token",
            (object["metadata"]["annotations"]["kubernetes.io/service-account.name"].stringValue ?? "").isEmpty
        {
            errors.append(.required(FieldPath("metadata.annotations").key("kubernetes.io/service-account.name")))
        }
    }
}

/// CustomResourceDefinition: the name must be `<plural>.<group>`, and exactly one served
/// version must be the storage version.
enum CustomResourceDefinitionRules {
    static func validate(_ object: Value) -> [FieldError] {
        var errors: [FieldError] = []
        let spec = object["spec"]
        let plural = spec["names"]["plural"].stringValue ?? ""
        let group = spec["group"].stringValue ?? ""
        if let name = object["metadata"]["name"].stringValue, !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if !group.isEmpty, !group.contains(".") {
            errors.append(.invalid("spec.group", .string(group), "should be a domain with at least one dot"))
        }
        let versions = spec["versions"].arrayValue ?? []
        if !versions.isEmpty {
            let storage = versions.filter { $0["storage"].boolValue == true }.count
            if storage != 1 {
                errors.append(.invalid(
                    "spec.versions", .null, "must have exactly one version marked as storage version"))
            }
            var seen: Set<String> = []
            for (i, version) in versions.enumerated() {
                if let name = version["name"].stringValue, !seen.insert(name).inserted {
                    errors.append(.duplicate(FieldPath("spec.versions").index(i).child("name"), .string(name)))
                }
            }
        }
        for (field, value) in [("plural", plural), ("singular", spec["names"]["singular"].stringValue ?? "")] where !value.isEmpty {
            for problem in NameRules.dns1123Label(value) {
                errors.append(.invalid(FieldPath("spec.names").child(field), .string(value), problem))
            }
        }
        return errors
    }
}
