import CapstanModel

/// Pod specs, in Pods and in the templates of workloads: containers, ports, volumes, mounts.
enum PodSpecRules {
    /// Who owns the spec decides which restart policies are allowed.
    enum Context: Equatable {
        /// A bare Pod or PodTemplate: any restart policy.
        case pod
        /// Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController: `Always` only.
        case replicated(kind: String)
        /// Job (and CronJob's job template): `OnFailure` or `Never`.
        case job
    }

    static let portRange = "must be between 1 and 65535, inclusive"

    /// A pod template (`metadata` + `spec`) at `path`.
    /// `claimNames`: StatefulSet volume claim templates, which mounts may name like volumes.
    static func validateTemplate(
        _ template: Value, at path: FieldPath, context: Context, claimNames: Set<String> = []
    ) -> [FieldError] {
        guard template.isObject else { return [] }  // a missing template is the schema's `Required value`
        var errors = MetadataRules.labels(template["metadata"]["labels"], at: path.child("metadata").child("labels"))
        errors += MetadataRules.annotations(template["metadata"]["annotations"], at: path.child("metadata").child("annotations"))
        errors += validate(template["spec"], at: path.child("spec"), context: context, claimNames: claimNames)
        return errors
    }

    static func validate(_ spec: Value, at path: FieldPath, context: Context, claimNames: Set<String> = []) -> [FieldError] {
        guard spec.isObject else { return [] }
        var errors: [FieldError] = []

        let volumes = spec["volumes"].arrayValue ?? []
        var volumeNames: Set<String> = []
        for (i, volume) in volumes.enumerated() {
            let p = path.child("volumes").index(i)
            guard let name = volume["name"].stringValue, !name.isEmpty else {
                errors.append(.required(p.child("name")))
                continue
            }
            for problem in NameRules.dns1123Label(name) { errors.append(.invalid(p.child("name"), .string(name), problem)) }
            if !volumeNames.insert(name).inserted { errors.append(.duplicate(p.child("name"), .string(name))) }
        }

        if spec["containers"].arrayValue?.isEmpty == true {
            errors.append(.required(path.child("containers")))
        }
        var containerNames: Set<String> = []
        var portNames: Set<String> = []
        for list in ["initContainers", "containers"] {
            for (i, container) in (spec[list].arrayValue ?? []).enumerated() {
                errors += validateContainer(
                    container, at: path.child(list).index(i), volumeNames: volumeNames.union(claimNames),
                    containerNames: &containerNames, portNames: &portNames)
            }
        }

        if let policy = spec["restartPolicy"].stringValue, !policy.isEmpty {
            let p = path.child("restartPolicy")
            switch context {
            case .pod: break  // the enum in the schema covers it
            case .replicated:
                if policy != "Always" { errors.append(.notSupported(p, .string(policy), ["Always"])) }
            case .job:
                if policy != "OnFailure" && policy != "Never" {
                    errors.append(.notSupported(p, .string(policy), ["OnFailure", "Never"]))
                }
            }
        } else if context == .job {
            errors.append(.required(path.child("restartPolicy"), "valid values: \"OnFailure\", \"Never\""))
        }
        if case .replicated(let kind) = context, spec.has("activeDeadlineSeconds"), kind != "ReplicationController" {
            errors.append(.forbidden(path.child("activeDeadlineSeconds"), "activeDeadlineSeconds in \(kind) is not Supported"))
        }
        for field in ["activeDeadlineSeconds", "terminationGracePeriodSeconds"] {
            if let v = spec[field].intValue, v < (field == "activeDeadlineSeconds" ? 1 : 0) {
                let detail = field == "activeDeadlineSeconds"
                    ? "must be between 1 and 2147483647, inclusive" : "must be greater than or equal to 0"
                errors.append(.invalid(path.child(field), spec[field], detail))
            }
        }
        if let sa = spec["serviceAccountName"].stringValue, !sa.isEmpty {
            for problem in NameRules.dns1123Subdomain(sa) {
                errors.append(.invalid(path.child("serviceAccountName"), .string(sa), problem))
            }
        }
        errors += MetadataRules.labels(spec["nodeSelector"], at: path.child("nodeSelector"))
        return errors
    }

    static func validateContainer(
        _ c: Value, at path: FieldPath, volumeNames: Set<String>,
        containerNames: inout Set<String>, portNames: inout Set<String>
    ) -> [FieldError] {
        var errors: [FieldError] = []
        if let name = c["name"].stringValue, !name.isEmpty {
            for problem in NameRules.dns1123Label(name) { errors.append(.invalid(path.child("name"), .string(name), problem)) }
            if !containerNames.insert(name).inserted { errors.append(.duplicate(path.child("name"), .string(name))) }
        } else {
            errors.append(.required(path.child("name")))
        }
        if (c["image"].stringValue ?? "").trimmingSpaces().isEmpty {
            errors.append(.required(path.child("image")))
        }
        for (i, port) in (c["ports"].arrayValue ?? []).enumerated() {
            let p = path.child("ports").index(i)
            if let cp = port["containerPort"].intValue, !(1...65535).contains(cp) {
                errors.append(.invalid(p.child("containerPort"), port["containerPort"], portRange))
            }
            if let hp = port["hostPort"].intValue, hp != 0, !(1...65535).contains(hp) {
                errors.append(.invalid(p.child("hostPort"), port["hostPort"], portRange))
            }
            if let name = port["name"].stringValue, !name.isEmpty {
                for problem in NameRules.ianaServiceName(name) { errors.append(.invalid(p.child("name"), .string(name), problem)) }
                if !portNames.insert(name).inserted { errors.append(.duplicate(p.child("name"), .string(name))) }
            }
        }
        // A request may not exceed its limit.
        let requests = c["resources"]["requests"], limits = c["resources"]["limits"]
        for (name, limit) in limits.objectValue ?? [:] {
            guard let l = QuantityValue.parse(limit), let r = QuantityValue.parse(requests[name]), r > l else { continue }
            errors.append(.invalid(
                path.child("resources").child("requests"), .string(requests[name].stringValue ?? goFormat(requests[name])),
                "must be less than or equal to \(name) limit of \(limit.stringValue ?? goFormat(limit))"))
        }
        for (i, mount) in (c["volumeMounts"].arrayValue ?? []).enumerated() {
            let p = path.child("volumeMounts").index(i)
            if let name = mount["name"].stringValue, !name.isEmpty, !volumeNames.contains(name) {
                errors.append(.notFound(p.child("name"), .string(name)))
            }
            if mount.has("mountPath"), (mount["mountPath"].stringValue ?? "").isEmpty {
                errors.append(.required(p.child("mountPath")))
            }
        }
        for (i, env) in (c["env"].arrayValue ?? []).enumerated() {
            if let name = env["name"].stringValue, name.isEmpty {
                errors.append(.required(path.child("env").index(i).child("name")))
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where c[probe].isObject {
            errors += validateProbe(c[probe], at: path.child(probe), kind: probe)
        }
        return errors
    }

    static func validateProbe(_ probe: Value, at path: FieldPath, kind: String) -> [FieldError] {
        var errors: [FieldError] = []
        let handlers = ["exec", "httpGet", "tcpSocket", "grpc"].filter { probe[$0].isObject }
        if handlers.isEmpty {
            errors.append(.required(path, "must specify a handler type"))
        } else if handlers.count > 1 {
            errors.append(.forbidden(path.child(handlers[1]), "may not specify more than 1 handler type"))
        }
        for field in ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] {
            if let v = probe[field].intValue, v < 0 {
                errors.append(.invalid(path.child(field), probe[field], "must be greater than or equal to 0"))
            }
        }
        if kind != "readinessProbe", let s = probe["successThreshold"].intValue, s != 1 {
            errors.append(.invalid(path.child("successThreshold"), probe["successThreshold"], "must be 1"))
        }
        for handler in ["httpGet", "tcpSocket"] where probe[handler].isObject {
            errors += validatePortReference(probe[handler]["port"], at: path.child(handler).child("port"))
        }
        return errors
    }

    /// A port given as a number (1–65535) or an IANA service name.
    static func validatePortReference(_ port: Value, at path: FieldPath) -> [FieldError] {
        switch port {
        case .int(let n) where !(1...65535).contains(n):
            return [.invalid(path, port, portRange)]
        case .string(let name):
            return NameRules.ianaServiceName(name).map { .invalid(path, port, $0) }
        default:
            return []
        }
    }
}
