/// Which fields each built-in kind lets a field selector use, how the API server spells the
/// rejection of any other field, and how each field's value is read from a stored object.
///
/// The table follows the field-label conversion functions Kubernetes registers per kind
/// (`pkg/apis/*/v1/conversion.go`) and the `ToSelectableFields` functions of its registry.
/// Kinds without an entry accept `metadata.name` and `metadata.namespace` only and reject the
/// rest with `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`.
public enum SelectableFields {
    /// How a field's value is rendered to a string for comparison.
    enum Render: Sendable {
        case string      // a JSON string; missing → ""
        case int         // a JSON integer, printed in decimal; missing → "0"
        case bool        // a JSON boolean, "true"/"false"; missing → "false"
        case firstPodIP  // status.podIPs[0].ip, falling back to status.podIP
    }

    struct Field: Sendable {
        var name: String
        var path: [String]
        var render: Render
    }

    struct KindFields: Sendable {
        var fields: [Field]
        /// Field names accepted by the conversion function but rewritten to another field.
        var aliases: [String: String] = [:]
        /// The rejection message for an unsupported field.
        var reject: @Sendable (String) -> String
        /// Whether `metadata.namespace` is exposed (namespaced kinds).
        var namespaced: Bool
    }

    static func field(_ name: String, _ render: Render = .string, path: String? = nil) -> Field {
        Field(name: name, path: (path ?? name).split(separator: ".").map(String.init), render: render)
    }

    static let plainReject: @Sendable (String) -> String = { "field label not supported: \($0)" }

    static let table: [GroupKind: KindFields] = [
        GroupKind(group: "", kind: "Pod"): KindFields(fields: [
            field("spec.nodeName"), field("spec.restartPolicy"), field("spec.schedulerName"),
            field("spec.serviceAccountName"), field("spec.hostNetwork", .bool), field("status.phase"),
            field("status.podIP", .firstPodIP), field("status.nominatedNodeName"),
            // Accepted by the conversion function but not in the selectable set: compares as "".
            Field(name: "status.podIPs", path: [], render: .string),
        ], aliases: ["spec.host": "spec.nodeName"], reject: plainReject, namespaced: true),
        GroupKind(group: "", kind: "Node"): KindFields(fields: [field("spec.unschedulable", .bool)],
                                                   reject: plainReject, namespaced: false),
        GroupKind(group: "", kind: "ReplicationController"): KindFields(fields: [field("status.replicas", .int)],
                                                                    reject: plainReject, namespaced: true),
        GroupKind(group: "", kind: "Event"): KindFields(fields: [
            field("involvedObject.kind"), field("involvedObject.namespace"), field("involvedObject.name"),
            field("involvedObject.uid"), field("involvedObject.apiVersion"), field("involvedObject.resourceVersion"),
            field("involvedObject.fieldPath"), field("reason"),
            field("reportingComponent", path: "reportingComponent"),
            field("source", path: "source.component"), field("type"),
        ], reject: plainReject, namespaced: true),
        GroupKind(group: "", kind: "Namespace"): KindFields(fields: [field("status.phase")],
                                                        reject: plainReject, namespaced: false),
        GroupKind(group: "", kind: "Secret"): KindFields(fields: [field("type")], reject: plainReject, namespaced: true),
        GroupKind(group: "", kind: "Service"): KindFields(fields: [field("spec.clusterIP"), field("spec.type")],
                                                      reject: plainReject, namespaced: true),
        GroupKind(group: "apps", kind: "ReplicaSet"): KindFields(fields: [field("status.replicas", .int)],
                                                             reject: plainReject, namespaced: true),
        GroupKind(group: "apps", kind: "StatefulSet"): KindFields(
            fields: [Field(name: "status.successful", path: [], render: .string)],
            reject: { "field label not supported for appsv1.StatefulSet: \($0)" }, namespaced: true),
        GroupKind(group: "batch", kind: "Job"): KindFields(
            fields: [field("status.successful", .int, path: "status.succeeded")],
            reject: { "field label \(GoFormat.quote($0)) not supported for Job" }, namespaced: true),
        GroupKind(group: "certificates.k8s.io", kind: "CertificateSigningRequest"): KindFields(
            fields: [field("spec.signerName")], reject: plainReject, namespaced: false),
    ]

    /// The fields a kind accepts in a field selector (sorted), including `metadata.name` and,
    /// for namespaced kinds, `metadata.namespace`; `nil` for kinds with no entry (which accept
    /// exactly those two).
    public static func supported(for kind: GroupKind) -> [String]? {
        guard let entry = table[kind] else { return nil }
        var names = entry.fields.map(\.name) + ["metadata.name"]
        if entry.namespaced { names.append("metadata.namespace") }
        return names.sorted()
    }

    /// The API server's check (`ConvertFieldLabel`): every field must be supported by `kind`;
    /// returns the selector with legacy aliases rewritten (`spec.host` → `spec.nodeName`).
    public static func check(_ selector: FieldSelector, kind: GroupKind) throws(FieldSelectorError) -> FieldSelector {
        var out: [FieldSelector.Requirement] = []
        for var r in selector.requirements {
            if let entry = table[kind] {
                if let target = entry.aliases[r.field] {
                    r.field = target
                } else if !(r.field == "metadata.name" || (r.field == "metadata.namespace" && entry.namespaced)
                            || entry.fields.contains(where: { $0.name == r.field })) {
                    throw FieldSelectorError(entry.reject(r.field), selector: selector.description)
                }
            } else if r.field != "metadata.name" && r.field != "metadata.namespace" {
                throw FieldSelectorError(
                    "\(GoFormat.quote(r.field)) is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                    selector: selector.description)
            }
            out.append(r)
        }
        return FieldSelector(requirements: out)
    }

    /// A field selector resolved against one kind's table once, so matching many objects
    /// (a list or a watch) does no table lookups. Immutable; safe to share across tasks.
    public struct Compiled: Sendable {
        enum Source: Sendable {
            case name, namespace, absent
            case field(Field)
        }
        let terms: [(source: Source, negated: Bool, value: String)]

        /// Whether `object` satisfies every term.
        public func matches(_ object: Value) -> Bool {
            for i in terms.indices {
                let actual: String
                switch terms[i].source {
                case .name: actual = object["metadata"]["name"].stringValue ?? ""
                case .namespace: actual = object["metadata"]["namespace"].stringValue ?? ""
                case .absent: actual = ""
                case .field(let spec): actual = SelectableFields.render(spec, of: object)
                }
                if terms[i].negated == (actual == terms[i].value) { return false }
            }
            return true
        }
    }

    /// Resolves `selector` for `kind` (after ``check(_:kind:)``) for repeated matching.
    public static func compile(_ selector: FieldSelector, kind: GroupKind) -> Compiled {
        let entry = table[kind]
        return Compiled(terms: selector.requirements.map { r in
            let source: Compiled.Source
            switch r.field {
            case "metadata.name": source = .name
            case "metadata.namespace": source = (entry?.namespaced ?? true) ? .namespace : .absent
            default:
                if let spec = entry?.fields.first(where: { $0.name == r.field }), !spec.path.isEmpty {
                    source = .field(spec)
                } else {
                    source = .absent
                }
            }
            return (source, r.operator == .notEquals, r.value)
        })
    }

    static func render(_ spec: Field, of object: Value) -> String {
        let v = object[path: spec.path]
        switch spec.render {
        case .string:
            return v.stringValue ?? ""
        case .int:
            if let i = v.intValue { return String(i) }
            return "0"
        case .bool:
            return v.boolValue == true ? "true" : "false"
        case .firstPodIP:
            if let first = object["status"]["podIPs"][0]["ip"].stringValue { return first }
            return object["status"]["podIP"].stringValue ?? ""
        }
    }

    /// The string value of a selectable field of `object`, or nil when the kind does not
    /// expose it (a selector term on it then compares against "").
    public static func value(of field: String, in object: Value, kind: GroupKind) -> String? {
        switch field {
        case "metadata.name":
            return object["metadata"]["name"].stringValue ?? ""
        case "metadata.namespace":
            if let entry = table[kind], !entry.namespaced { return nil }
            return object["metadata"]["namespace"].stringValue ?? ""
        default:
            guard let entry = table[kind], let spec = entry.fields.first(where: { $0.name == field }) else { return nil }
            if spec.path.isEmpty { return nil }
            return render(spec, of: object)
        }
    }
}
