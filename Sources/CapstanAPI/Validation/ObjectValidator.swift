import CapstanModel

/// Everything a create must pass: the schema checks of `SchemaValidator` plus the semantic
/// rules the Kubernetes API server applies to every object (metadata names and labels) and to
/// the common built-in kinds (pod specs, workload selectors and templates, services, jobs,
/// config data). Semantic rules live in small per-kind files (`Semantic+*.swift`).
///
/// The API server should default first (`Defaulter`), then validate, as Kubernetes does; a
/// client validating a manifest may skip defaulting — rules only judge fields that are
/// present, so values the server would default are never reported missing.
/// Stateless and immutable; safe to share.
public struct ObjectValidator: Sendable {
    public let catalogue: APICatalogue
    public var schemaValidator: SchemaValidator

    public init(catalogue: APICatalogue = .builtin) {
        self.catalogue = catalogue
        self.schemaValidator = SchemaValidator(catalogue: catalogue)
    }

    /// All problems found in `object`, schema errors first, duplicates (same kind and field)
    /// removed. Unknown fields are reported as `.unknownField`; see `FieldError.Kind`.
    public func validate(_ object: Value) -> [FieldError] {
        // The kind is read once for both walks (each would otherwise parse apiVersion again).
        let gvk = object.gvk
        var errors = schemaValidator.validate(object, gvk: gvk)
        errors += semanticErrors(object, gvk: gvk)
        return Self.deduplicated(errors)
    }

    /// What an update must pass: everything a create must, plus the fields that may not change
    /// (`metadata.name`, workload selectors, a Job's template, a Service's cluster IP, …).
    public func validateUpdate(_ object: Value, old: Value) -> [FieldError] {
        var errors = validate(object)
        if let gvk = object.gvk { errors += UpdateRules.validate(object, old: old, gvk: gvk) }
        return Self.deduplicated(errors)
    }

    /// The semantic rules only (no schema walk).
    public func semanticErrors(_ object: Value) -> [FieldError] {
        semanticErrors(object, gvk: object.gvk)
    }

    /// `semanticErrors` with `gvk` already read from `object`.
    func semanticErrors(_ object: Value, gvk: GroupVersionKind?) -> [FieldError] {
        guard let gvk else {
            return [.required(FieldPath("apiVersion")), .required(FieldPath("kind"))].filter {
                object[$0.field] == .null
            }
        }
        var errors: [FieldError] = []
        let resource = catalogue.resource(for: gvk)
        let isCustom = resource.map { catalogue.isCustomResource(group: gvk.group, plural: $0.plural) } ?? false
        errors += MetadataRules.validate(object["metadata"], rule: NameRule.for(gvk.groupKind, isCustom: isCustom))
        errors += KindRules.validate(object, gvk: gvk)
        return errors
    }

    static func deduplicated(_ errors: [FieldError]) -> [FieldError] {
        var seen: Set<String> = []
        return errors.filter { e in
            // A schema `Required value` and a semantic one for the same field say the same thing.
            let key = e.kind == .required ? "required|\(e.field)" : "\(e.kind.rawValue)|\(e.field)|\(e.message)"
            return seen.insert(key).inserted
        }
    }
}

/// Dispatch of the per-kind semantic rules.
enum KindRules {
    static func validate(_ object: Value, gvk: GroupVersionKind) -> [FieldError] {
        switch (gvk.group, gvk.kind) {
        case ("", "Pod"):
            return PodSpecRules.validate(object["spec"], at: "spec", context: .pod)
        case ("", "PodTemplate"):
            return PodSpecRules.validateTemplate(object["template"], at: "template", context: .pod)
        case ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "StatefulSet"), ("apps", "DaemonSet"):
            return WorkloadRules.validate(object, kind: gvk.kind)
        case ("", "ReplicationController"):
            return WorkloadRules.validateReplicationController(object)
        case ("batch", "Job"):
            return BatchRules.validateJob(object)
        case ("batch", "CronJob"):
            return BatchRules.validateCronJob(object)
        case ("", "Service"):
            return ServiceRules.validate(object)
        case ("", "ConfigMap"):
            return ConfigDataRules.validateConfigMap(object)
        case ("", "Secret"):
            return ConfigDataRules.validateSecret(object)
        case ("", "PersistentVolumeClaim"):
            return ClaimRules.validate(object)
        case ("networking.k8s.io", "Ingress"):
            return IngressRules.validate(object)
        case ("autoscaling", "HorizontalPodAutoscaler"):
            return ScalingRules.horizontalPodAutoscaler(object)
        case ("policy", "PodDisruptionBudget"):
            return ScalingRules.podDisruptionBudget(object)
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            return CustomResourceDefinitionRules.validate(object)
        default:
            return []
        }
    }
}
