import CapstanClient
import CapstanModel

/// The parent object of an ApplySet (KEP-3659, as `kubectl apply --prune --applyset`): a Secret
/// or ConfigMap whose labels and annotations are the inventory of what was applied.
///
/// - parent label `applyset.kubernetes.io/id` = `applyset-<base64url(sha256(name.namespace.Kind.group))>-v1`
/// - parent annotation `applyset.kubernetes.io/tooling` = `<tool>/<version>`
/// - parent annotation `applyset.kubernetes.io/contains-group-kinds` = sorted `Kind.group` list
/// - parent annotation `applyset.kubernetes.io/additional-namespaces` = other member namespaces
/// - member label `applyset.kubernetes.io/part-of` = the id
public struct ApplySetParent: Sendable, Hashable {
    public static let idLabel = "applyset.kubernetes.io/id"
    public static let partOfLabel = "applyset.kubernetes.io/part-of"
    public static let toolingAnnotation = "applyset.kubernetes.io/tooling"
    public static let groupKindsAnnotation = "applyset.kubernetes.io/contains-group-kinds"
    public static let namespacesAnnotation = "applyset.kubernetes.io/additional-namespaces"
    /// The `tooling` value when the caller gives none.
    public static let defaultTooling = "capstan/v0.1.0"

    public enum ParentKind: String, Sendable { case secret = "Secret", configMap = "ConfigMap" }

    public var kind: ParentKind
    public var name: String
    public var namespace: String
    /// `<tool>/<version>` recorded on the parent; a parent another tool manages is refused.
    public var tooling: String

    public init(kind: ParentKind = .secret, name: String, namespace: String, tooling: String = defaultTooling) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.tooling = tooling
    }

    /// The tool part of a tooling value: `kubectl` of `kubectl/v1.37.1`.
    static func tool(of tooling: String) -> Substring { tooling.prefix { $0 != "/" } }

    /// Parses kubectl's `--applyset` value: `NAME`, `secrets/NAME`, `configmaps/NAME`.
    public init(flag: String, namespace: String, tooling: String = defaultTooling) throws(ApplyError) {
        let parts = flag.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: self.init(kind: .secret, name: parts[0], namespace: namespace, tooling: tooling)
        case 2:
            switch parts[0] {
            case "secret", "secrets": self.init(kind: .secret, name: parts[1], namespace: namespace, tooling: tooling)
            case "configmap", "configmaps", "cm": self.init(kind: .configMap, name: parts[1], namespace: namespace, tooling: tooling)
            default: throw ApplyError("invalid applyset parent \"\(flag)\": only secrets and configmaps may be parents")
            }
        default: throw ApplyError("invalid applyset \"\(flag)\": expected [RESOURCE/]NAME")
        }
        if name.isEmpty { throw ApplyError("invalid applyset \"\(flag)\": the name is empty") }
    }

    /// The id kubectl derives from the parent's identity.
    public var id: String {
        let unencoded = [name, namespace, kind.rawValue, ""].joined(separator: ".")
        return "applyset-" + SHA256.base64URL(SHA256.hash(Array(unencoded.utf8))) + "-v1"
    }

    var resource: GroupVersionResource { kind == .secret ? .secrets : .configMaps }

    /// kubectl's spelling of a group-kind: `Deployment.apps`, `Service`.
    static func groupKind(_ gvk: GroupVersionKind) -> String { gvk.group.isEmpty ? gvk.kind : "\(gvk.kind).\(gvk.group)" }

    /// The parent object recording `groupKinds` and `namespaces` (besides its own).
    func object(groupKinds: Set<String>, namespaces: Set<String>) -> Value {
        var annotations: ValueObject = [:]
        annotations[Self.groupKindsAnnotation] = .string(groupKinds.sorted().joined(separator: ","))
        let others = namespaces.subtracting([namespace]).sorted()
        // Present even when empty, as kubectl writes it.
        annotations[Self.namespacesAnnotation] = .string(others.joined(separator: ","))
        annotations[Self.toolingAnnotation] = .string(tooling)
        return .object([
            "apiVersion": "v1", "kind": .string(kind.rawValue),
            "metadata": .object([
                "name": .string(name), "namespace": .string(namespace),
                "labels": .object([Self.idLabel: .string(id)]),
                "annotations": .object(annotations),
            ]),
        ])
    }

    /// The group-kinds and extra namespaces a live parent records.
    static func recorded(in live: Value) -> (groupKinds: Set<String>, namespaces: Set<String>) {
        func list(_ key: String) -> Set<String> {
            let text = live[path: ["metadata", "annotations", key]].stringValue ?? ""
            return Set(text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty })
        }
        return (list(groupKindsAnnotation), list(namespacesAnnotation))
    }
}

/// A run-level failure of the engine (bad flags, inventory problems, waits).
public struct ApplyError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

