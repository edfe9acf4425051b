import CapstanModel
import NIOHTTP1

/// Where a request goes, decided from its path alone (the method picks the verb later).
enum Route: Equatable, Sendable {
    case version
    case health
    case coreVersions                 // /api
    case groups                       // /apis
    case group(String)                // /apis/G
    case resourceList(GroupVersion)   // /api/v1, /apis/G/V
    case openAPIv3Root                // /openapi/v3
    case openAPIv3(GroupVersion)      // /openapi/v3/api/v1, /openapi/v3/apis/G/V
    case resource(ResourcePath)
    case notFound

    /// Parses a request path the way the Kubernetes request-info resolver does.
    static func parse(_ path: String) -> Route {
        // Split on the byte '/', as Go's request-info resolver does (and cheaper than a split
        // by Character).
        var parts = URLCoding.segments(path, separator: UInt8(ascii: "/"))
        guard let first = parts.first else { return .notFound }
        switch first {
        case "version": return parts.count == 1 ? .version : .notFound
        case "healthz", "livez", "readyz": return .health
        case "openapi":
            guard parts.count >= 2, parts[1] == "v3" else { return .notFound }
            if parts.count == 2 { return .openAPIv3Root }
            if parts.count == 4, parts[2] == "api" { return .openAPIv3(GroupVersion(group: "", version: parts[3])) }
            if parts.count == 5, parts[2] == "apis" { return .openAPIv3(GroupVersion(group: parts[3], version: parts[4])) }
            return .notFound
        case "api":
            if parts.count == 1 { return .coreVersions }
            let gv = GroupVersion(group: "", version: parts[1])
            if parts.count == 2 { return .resourceList(gv) }
            parts.removeFirst(2)
            return ResourcePath(gv: gv, rest: parts).map(Route.resource) ?? .notFound
        case "apis":
            if parts.count == 1 { return .groups }
            if parts.count == 2 { return .group(parts[1]) }
            let gv = GroupVersion(group: parts[1], version: parts[2])
            if parts.count == 3 { return .resourceList(gv) }
            parts.removeFirst(3)
            return ResourcePath(gv: gv, rest: parts).map(Route.resource) ?? .notFound
        default:
            return .notFound
        }
    }
}

/// `/namespaces/NS/RESOURCE/NAME/SUBRESOURCE` and its shorter forms, below a group-version.
struct ResourcePath: Equatable, Sendable {
    var gv: GroupVersion
    var resource: String
    var namespace: String?
    var name: String?
    var subresource: String?

    init(gv: GroupVersion, resource: String, namespace: String? = nil, name: String? = nil, subresource: String? = nil) {
        self.gv = gv
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.subresource = subresource
    }

    /// Namespace subresources are not namespaced resources: `/namespaces/x/status` is the
    /// status of namespace x, not a list of resource "status" in it.
    private static let namespaceSubresources: Set<String> = ["status", "finalize"]

    init?(gv: GroupVersion, rest: [String]) {
        var parts = rest[...]
        var namespace: String?
        if parts.first == "namespaces", parts.count >= 3, !Self.namespaceSubresources.contains(parts[parts.startIndex + 2]) {
            namespace = parts[parts.startIndex + 1]
            parts = parts.dropFirst(2)
        }
        guard let resource = parts.popFirst(), parts.count <= 2 else { return nil }
        self.gv = gv
        self.resource = resource
        self.namespace = namespace
        self.name = parts.popFirst()
        self.subresource = parts.popFirst()
        if name?.isEmpty == true { return nil }
    }
}

/// The Kubernetes verb of a resource request.
enum Verb: String, Sendable {
    case get, list, watch, create, update, patch, delete, deletecollection

    static func of(method: HTTPMethod, hasName: Bool, watch: Bool) -> Verb? {
        switch method {
        case .GET, .HEAD:
            if watch { return .watch }
            return hasName ? .get : .list
        case .POST: return .create
        case .PUT: return hasName ? .update : nil
        case .PATCH: return hasName ? .patch : nil
        case .DELETE: return hasName ? .delete : .deletecollection
        default: return nil
        }
    }
}
