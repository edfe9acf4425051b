import CapstanModel

/// Everything a create must pass: the schema checks of `SchemaValidator` plus the semantic
/// rules the Kubernetes API server applies to every object (metadata names and labels) and to
/// the common built-in kinds (pod specs, workload selectors and templates, services, jobs,
/// config data). Semantic rules live in small per-kind files (`Semantic+*.swift`).
///
/// The API server should default first (`Defaulter`), then validate, as Kubernetes does; a
/// client validating a manifest may skip defaulting — rules only judge fields that are
/// present, so values the server would default are never reported missing.
///
/// Both `capstan apply` (every manifest) and the API server (every create and update) run this,
/// so the walks avoid work for fields that are fine: rules append into one array, field paths
/// are built only for errors (`LazyPath`), and schema properties are found without `Hasher`
/// (`PropertyTable`). `ValidationCorpusTests` holds the output to what it was before.
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
        var errors: [FieldError] = []
        collect(object, gvk: object.gvk, into: &errors)
        return Self.deduplicated(errors)
    }

    /// What an update must pass: everything a create must, plus the fields that may not change
    /// (`metadata.name`, workload selectors, a Job's template, a Service's cluster IP, …).
    public func validateUpdate(_ object: Value, old: Value) -> [FieldError] {
        var errors: [FieldError] = []
        let gvk = object.gvk
        collect(object, gvk: gvk, into: &errors)
        // One deduplication at the end keeps what deduplicating the create errors and then all
        // of them would: the first occurrence of each key, in order.
        if let gvk { UpdateRules.validate(object, old: old, gvk: gvk, into: &errors) }
        return Self.deduplicated(errors)
    }

    /// The schema and semantic errors of `object`, in that order, not yet deduplicated.
    private func collect(_ object: Value, gvk: GroupVersionKind?, into errors: inout [FieldError]) {
        // The kind is read once for both walks (each would otherwise parse apiVersion again).
        // Called directly: `gvk.map(catalogue.isCustomKind)` made a closure that retained the
        // shared catalogue for every object.
        var isCustom = false
        if let gvk { isCustom = catalogue.isCustomKind(gvk) }
        schemaValidator.validate(object, gvk: gvk, isCustom: isCustom, into: &errors)
        semanticErrors(object, gvk: gvk, isCustom: isCustom, into: &errors)
    }

    /// The semantic rules only (no schema walk).
    public func semanticErrors(_ object: Value) -> [FieldError] {
        var errors: [FieldError] = []
        let gvk = object.gvk
        semanticErrors(object, gvk: gvk, isCustom: gvk.map { catalogue.isCustomKind($0) } ?? false, into: &errors)
        return errors
    }

    /// `semanticErrors` with `gvk` already read from `object`.
    func semanticErrors(_ object: Value, gvk: GroupVersionKind?, isCustom: Bool, into errors: inout [FieldError]) {
        guard let gvk else {
            if object["apiVersion"] == .null { errors.append(.required(FieldPath([.key("apiVersion")]))) }
            if object["kind"] == .null { errors.append(.required(FieldPath([.key("kind")]))) }
            return
        }
        MetadataRules.validate(object["metadata"], rule: NameRule.for(gvk.groupKind, isCustom: isCustom), into: &errors)
        KindRules.validate(object, gvk: gvk, into: &errors)
    }

    /// The first error of each key (kind, printed field, and message unless the kind is
    /// `required`), in order.
    static func deduplicated(_ errors: [FieldError]) -> [FieldError] {
        guard errors.count > 1 else { return errors }
        // Errors that differ in kind or printed field cannot share a key (a kind's name has no
        // `|`; a field could, and then the keys below could run together, so such lists take
        // the general path). Most lists have no two errors of one kind at one field, and then
        // nothing needs a message built.
        var fields: Set<String> = []
        var clash = false
        for e in errors {
            let field = e.field
            if field.utf8.contains(UInt8(ascii: "|")) || !fields.insert("\(e.kind.rawValue)|\(field)").inserted {
                clash = true
                break
            }
        }
        guard clash else { return errors }
        var seen: Set<String> = []
        return errors.filter { e in
            // A schema `Required value` and a semantic one for the same field say the same thing.
            let key = e.kind == .required ? "required|\(e.field)" : "\(e.kind.rawValue)|\(e.field)|\(e.message)"
            return seen.insert(key).inserted
        }
    }
}

extension APICatalogue {
    /// Whether `gvk` is served from a CustomResourceDefinition; without any, no resource is read.
    func isCustomKind(_ gvk: GroupVersionKind) -> Bool {
        guard !customResources.isEmpty, let resource = resource(for: gvk) else { return false }
        return isCustomResource(group: gvk.group, plural: resource.plural)
    }
}

/// Dispatch of the per-kind semantic rules: by kind first, then group (one string comparison
/// per kind name instead of two per case).
enum KindRules {
    static func validate(_ object: Value, gvk: GroupVersionKind, into errors: inout [FieldError]) {
        let core = gvk.group.isEmpty
        switch gvk.kind {
        case "Pod" where core:
            PodSpecRules.validate(object["spec"], at: { FieldPath([.key("spec")]) }, context: .pod, into: &errors)
        case "PodTemplate" where core:
            PodSpecRules.validateTemplate(object["template"], at: { FieldPath([.key("template")]) }, context: .pod, into: &errors)
        case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
            if gvk.group == "apps" { WorkloadRules.validate(object, kind: gvk.kind, into: &errors) }
        case "ReplicationController" where core:
            WorkloadRules.validateReplicationController(object, into: &errors)
        case "Job" where gvk.group == "batch":
            BatchRules.validateJob(object, into: &errors)
        case "CronJob" where gvk.group == "batch":
            BatchRules.validateCronJob(object, into: &errors)
        case "Service" where core:
            ServiceRules.validate(object, into: &errors)
        case "ConfigMap" where core:
            ConfigDataRules.validateConfigMap(object, into: &errors)
        case "Secret" where core:
            ConfigDataRules.validateSecret(object, into: &errors)
        case "PersistentVolumeClaim" where core:
            ClaimRules.validate(object, into: &errors)
        case "Ingress" where gvk.group == "networking.k8s.io":
            errors += IngressRules.validate(object)
        case "HorizontalPodAutoscaler" where gvk.group == "autoscaling":
            errors += ScalingRules.horizontalPodAutoscaler(object)
        case "PodDisruptionBudget" where gvk.group == "policy":
            errors += ScalingRules.podDisruptionBudget(object)
        case "CustomResourceDefinition" where gvk.group == "apiextensions.k8s.io":
            errors += CustomResourceDefinitionRules.validate(object)
        default:
            break
        }
    }
}
