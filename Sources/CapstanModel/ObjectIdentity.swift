/// Names of API groups, versions, kinds and resources, and of the objects that live in them.
///
/// The core group is the empty string, as on the wire (`apiVersion: v1`).
public struct GroupVersion: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Splits an `apiVersion` field: `apps/v1` → (apps, v1), `v1` → ("", v1).
    public init(apiVersion: String) {
        // Every real apiVersion is ASCII: split at the '/' byte. Finding it by Character costs
        // grapheme breaking over the whole string, several times the rest of this; text that is
        // not ASCII keeps the Character rule (a '/' joined by a combining mark is no separator).
        let utf8 = apiVersion.utf8
        if !utf8.contains(where: { $0 >= 0x80 }) {
            if let slash = utf8.firstIndex(of: UInt8(ascii: "/")) {
                group = String(apiVersion[..<slash])
                version = String(apiVersion[utf8.index(after: slash)...])
            } else {
                group = ""
                version = apiVersion
            }
            return
        }
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    public var description: String { apiVersion }
}

public struct GroupKind: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var kind: String

    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }

    /// `Deployment.apps`, or just `Service` for the core group — kubectl's spelling.
    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }
}

public struct GroupVersionKind: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    public init(apiVersion: String, kind: String) {
        let gv = GroupVersion(apiVersion: apiVersion)
        self.init(group: gv.group, version: gv.version, kind: kind)
    }

    /// Parses `GROUP/VERSION/KIND` or `VERSION/KIND` (core group), the CLI's spelling.
    public init?(slashed text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 2 where !parts[0].isEmpty && !parts[1].isEmpty: self.init(group: "", version: parts[0], kind: parts[1])
        case 3 where !parts[1].isEmpty && !parts[2].isEmpty: self.init(group: parts[0], version: parts[1], kind: parts[2])
        default: return nil
        }
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }
    public var apiVersion: String { groupVersion.apiVersion }
    /// The form Kubernetes prints in errors: `apps/v1, Kind=Deployment`.
    public var description: String { "\(apiVersion), Kind=\(kind)" }
}

public struct GroupVersionResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    /// `deployments.apps`, or `services` for the core group.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    public var description: String { "\(groupVersion.apiVersion), Resource=\(resource)" }
}

/// The identity of one object across versions: group, kind, namespace and name.
/// Two manifests with the same key describe the same live object.
public struct ObjectKey: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var kind: String
    public var namespace: String
    public var name: String

    public init(group: String, kind: String, namespace: String, name: String) {
        self.group = group
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

    /// `Deployment.apps default/web`, or `Namespace demo` when cluster-scoped.
    public var description: String {
        let gk = groupKind.description
        return namespace.isEmpty ? "\(gk) \(name)" : "\(gk) \(namespace)/\(name)"
    }
}
