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
        _ template: Value, at path: LazyPath, context: Context, claimNames: SeenNames = SeenNames(),
        into errors: inout [FieldError]
    ) {
        guard case .object(let fields) = template else { return }  // a missing template is the schema's `Required value`
        if case .object(let meta)? = fields["metadata"] {
            if let labels = meta["labels"] {
                MetadataRules.labels(labels, at: { path().child("metadata").child("labels") }, into: &errors)
            }
            if let annotations = meta["annotations"] {
                MetadataRules.annotations(annotations, at: { path().child("metadata").child("annotations") }, into: &errors)
            }
        }
        if let spec = fields["spec"] {
            validate(spec, at: { path().child("spec") }, context: context, claimNames: claimNames, into: &errors)
        }
    }

    static func validate(
        _ spec: Value, at path: LazyPath, context: Context, claimNames: SeenNames = SeenNames(),
        into errors: inout [FieldError]
    ) {
        guard case .object(let fields) = spec else { return }

        var volumeNames = SeenNames()
        if case .array(let volumes)? = fields["volumes"] {
            for (i, volume) in volumes.enumerated() {
                func p() -> FieldPath { path().child("volumes").index(i) }
                guard let name = volume["name"].stringValue, !name.isEmpty else {
                    errors.append(.required(p().child("name")))
                    continue
                }
                for problem in NameRules.dns1123Label(name) { errors.append(.invalid(p().child("name"), .string(name), problem)) }
                if !volumeNames.insert(name) { errors.append(.duplicate(p().child("name"), .string(name))) }
            }
        }

        let containers = fields["containers"]?.arrayValue
        if containers?.isEmpty == true {
            errors.append(.required(path().child("containers")))
        }
        var containerNames = SeenNames()
        var portNames = SeenNames()
        if case .array(let initContainers)? = fields["initContainers"] {
            for (i, container) in initContainers.enumerated() {
                validateContainer(
                    container, at: { path().child("initContainers").index(i) }, volumeNames: volumeNames, claimNames: claimNames,
                    containerNames: &containerNames, portNames: &portNames, into: &errors)
            }
        }
        for (i, container) in (containers ?? []).enumerated() {
            validateContainer(
                container, at: { path().child("containers").index(i) }, volumeNames: volumeNames, claimNames: claimNames,
                containerNames: &containerNames, portNames: &portNames, into: &errors)
        }

        if case .string(let policy)? = fields["restartPolicy"], !policy.isEmpty {
            switch context {
            case .pod: break  // the enum in the schema covers it
            case .replicated:
                if policy != "Always" { errors.append(.notSupported(path().child("restartPolicy"), .string(policy), ["Always"])) }
            case .job:
                if policy != "OnFailure" && policy != "Never" {
                    errors.append(.notSupported(path().child("restartPolicy"), .string(policy), ["OnFailure", "Never"]))
                }
            }
        } else if context == .job {
            errors.append(.required(path().child("restartPolicy"), "valid values: \"OnFailure\", \"Never\""))
        }
        let deadline = fields["activeDeadlineSeconds"]
        if case .replicated(let kind) = context, deadline != nil, kind != "ReplicationController" {
            errors.append(.forbidden(path().child("activeDeadlineSeconds"), "activeDeadlineSeconds in \(kind) is not Supported"))
        }
        if let value = deadline, let v = value.intValue, v < 1 {
            errors.append(.invalid(path().child("activeDeadlineSeconds"), value, "must be between 1 and 2147483647, inclusive"))
        }
        if let value = fields["terminationGracePeriodSeconds"], let v = value.intValue, v < 0 {
            errors.append(.invalid(path().child("terminationGracePeriodSeconds"), value, "must be greater than or equal to 0"))
        }
        if case .string(let sa)? = fields["serviceAccountName"], !sa.isEmpty {
            for problem in NameRules.dns1123Subdomain(sa) {
                errors.append(.invalid(path().child("serviceAccountName"), .string(sa), problem))
            }
        }
        if let nodeSelector = fields["nodeSelector"] {
            MetadataRules.labels(nodeSelector, at: { path().child("nodeSelector") }, into: &errors)
        }
    }

    static func validateContainer(
        _ c: Value, at path: LazyPath, volumeNames: SeenNames, claimNames: SeenNames,
        containerNames: inout SeenNames, portNames: inout SeenNames, into errors: inout [FieldError]
    ) {
        let fields = c.objectValue ?? [:]
        if case .string(let name)? = fields["name"], !name.isEmpty {
            for problem in NameRules.dns1123Label(name) { errors.append(.invalid(path().child("name"), .string(name), problem)) }
            if !containerNames.insert(name) { errors.append(.duplicate(path().child("name"), .string(name))) }
        } else {
            errors.append(.required(path().child("name")))
        }
        // Blank is empty or nothing but spaces and tabs (what `trimmingSpaces()` would leave empty).
        if case .string(let image)? = fields["image"], !image.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            // an image is given
        } else {
            errors.append(.required(path().child("image")))
        }
        if case .array(let ports)? = fields["ports"] {
            for (i, port) in ports.enumerated() {
                func p() -> FieldPath { path().child("ports").index(i) }
                let containerPort = port["containerPort"]
                if let cp = containerPort.intValue, !(1...65535).contains(cp) {
                    errors.append(.invalid(p().child("containerPort"), containerPort, portRange))
                }
                let hostPort = port["hostPort"]
                if let hp = hostPort.intValue, hp != 0, !(1...65535).contains(hp) {
                    errors.append(.invalid(p().child("hostPort"), hostPort, portRange))
                }
                if let name = port["name"].stringValue, !name.isEmpty {
                    for problem in NameRules.ianaServiceName(name) { errors.append(.invalid(p().child("name"), .string(name), problem)) }
                    if !portNames.insert(name) { errors.append(.duplicate(p().child("name"), .string(name))) }
                }
            }
        }
        // A request may not exceed its limit.
        if let resources = fields["resources"], case .object(let limits) = resources["limits"],
            case .object(let requests) = resources["requests"]
        {
            for (name, limit) in limits {
                guard let request = requests[name], let r = QuantityValue.parse(request), let l = QuantityValue.parse(limit), r > l
                else { continue }
                errors.append(.invalid(
                    path().child("resources").child("requests"), .string(request.stringValue ?? goFormat(request)),
                    "must be less than or equal to \(name) limit of \(limit.stringValue ?? goFormat(limit))"))
            }
        }
        if case .array(let mounts)? = fields["volumeMounts"] {
            for (i, mount) in mounts.enumerated() {
                func p() -> FieldPath { path().child("volumeMounts").index(i) }
                if let name = mount["name"].stringValue, !name.isEmpty, !volumeNames.contains(name), !claimNames.contains(name) {
                    errors.append(.notFound(p().child("name"), .string(name)))
                }
                if mount.has("mountPath"), (mount["mountPath"].stringValue ?? "").isEmpty {
                    errors.append(.required(p().child("mountPath")))
                }
            }
        }
        if case .array(let env)? = fields["env"] {
            for (i, variable) in env.enumerated() {
                if let name = variable["name"].stringValue, name.isEmpty {
                    errors.append(.required(path().child("env").index(i).child("name")))
                }
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard let value = fields[probe], value.isObject else { continue }
            validateProbe(value, at: { path().child(probe) }, kind: probe, into: &errors)
        }
    }

    static let probeHandlers = ["exec", "httpGet", "tcpSocket", "grpc"]
    static let probeCounts = ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"]

    static func validateProbe(_ probe: Value, at path: LazyPath, kind: String, into errors: inout [FieldError]) {
        let fields = probe.objectValue ?? [:]
        var handlers = 0
        var second = ""
        for handler in probeHandlers where fields[handler]?.isObject == true {
            handlers += 1
            if handlers == 2 { second = handler }
        }
        if handlers == 0 {
            errors.append(.required(path(), "must specify a handler type"))
        } else if handlers > 1 {
            errors.append(.forbidden(path().child(second), "may not specify more than 1 handler type"))
        }
        for field in probeCounts {
            if let value = fields[field], let v = value.intValue, v < 0 {
                errors.append(.invalid(path().child(field), value, "must be greater than or equal to 0"))
            }
        }
        if kind != "readinessProbe", let value = fields["successThreshold"], let s = value.intValue, s != 1 {
            errors.append(.invalid(path().child("successThreshold"), value, "must be 1"))
        }
        for handler in ["httpGet", "tcpSocket"] {
            guard case .object(let action)? = fields[handler], let port = action["port"] else { continue }
            validatePortReference(port, at: { path().child(handler).child("port") }, into: &errors)
        }
    }

    /// A port given as a number (1–65535) or an IANA service name.
    static func validatePortReference(_ port: Value, at path: LazyPath, into errors: inout [FieldError]) {
        switch port {
        case .int(let n) where !(1...65535).contains(n):
            errors.append(.invalid(path(), port, portRange))
        case .string(let name):
            for problem in NameRules.ianaServiceName(name) { errors.append(.invalid(path(), port, problem)) }
        default:
            break
        }
    }
}
