import CapstanModel
import CapstanYAML
import FoundationEssentials

/// A kubeconfig problem, naming the file and the field (`clusters[0].cluster.server`).
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var message: String

    public init(file: String, field: String = "", message: String) {
        self.file = file
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = file.isEmpty ? "kubeconfig" : file
        if !field.isEmpty { s += ": \(field)" }
        return s + ": " + message
    }
}

/// A kubeconfig (`kind: Config`), possibly merged from several files.
///
/// Merging follows kubectl: files are read in order, and for `clusters`, `users` and
/// `contexts` the first file that defines a name wins; `current-context` comes from the first
/// file that sets it. Relative file paths (`certificate-authority`, `tokenFile`,
/// `client-certificate`, `client-key`) are resolved against the directory of the file that
/// named them. A plain value.
public struct KubeConfig: Sendable, Hashable {
    public struct Cluster: Sendable, Hashable {
        public var server: String
        public var certificateAuthority: String?
        /// Base64, as in the file.
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
        /// The file this entry came from.
        public var file: String
    }

    public struct User: Sendable, Hashable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var username: String?
        public var password: String?
        public var file: String
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?
        public var file: String
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?

    public init() {}

    /// Reads one kubeconfig document (YAML or JSON). `file` names it in errors and anchors
    /// relative paths.
    public init(text: String, file: String) throws(KubeConfigError) {
        let value: Value
        do { value = try YAML.parse(text, file: file) } catch {
            throw KubeConfigError(file: file, message: "\(error)")
        }
        try self.init(value: value, file: file)
    }

    public init(value: Value, file: String) throws(KubeConfigError) {
        if value.isNull { return }
        guard value.isObject else { throw KubeConfigError(file: file, message: "not a kubeconfig: expected a mapping") }
        if let kind = value["kind"].stringValue, kind != "Config" {
            throw KubeConfigError(file: file, field: "kind", message: "expected Config, found \(kind)")
        }
        let base = parentDirectory(of: file)
        func path(_ p: String?) -> String? {
            guard let p, !p.isEmpty else { return nil }
            if p.hasPrefix("/") || base.isEmpty { return p }
            return base.hasSuffix("/") ? base + p : base + "/" + p
        }
        let reader = FieldReader(file: file)
        for (i, entry) in try reader.list(value["clusters"], "clusters").enumerated() {
            let at = "clusters[\(i)]"
            let name = try reader.requiredString(entry["name"], "\(at).name")
            let c = entry["cluster"]
            let field = "\(at).cluster"
            guard c.isObject else { throw KubeConfigError(file: file, field: field, message: "required mapping") }
            let cluster = Cluster(
                server: try reader.requiredString(c["server"], "\(field).server"),
                certificateAuthority: path(try reader.string(c["certificate-authority"], "\(field).certificate-authority")),
                certificateAuthorityData: try reader.string(c["certificate-authority-data"], "\(field).certificate-authority-data"),
                insecureSkipTLSVerify: try reader.bool(c["insecure-skip-tls-verify"], "\(field).insecure-skip-tls-verify"),
                tlsServerName: try reader.string(c["tls-server-name"], "\(field).tls-server-name"),
                file: file)
            if clusters[name] == nil { clusters[name] = cluster }
        }
        for (i, entry) in try reader.list(value["users"], "users").enumerated() {
            let at = "users[\(i)]"
            let name = try reader.requiredString(entry["name"], "\(at).name")
            let u = entry["user"]
            let field = "\(at).user"
            guard u.isObject || u.isNull else { throw KubeConfigError(file: file, field: field, message: "expected a mapping") }
            let user = User(
                token: try reader.string(u["token"], "\(field).token"),
                tokenFile: path(try reader.string(u["tokenFile"], "\(field).tokenFile")),
                clientCertificate: path(try reader.string(u["client-certificate"], "\(field).client-certificate")),
                clientCertificateData: try reader.string(u["client-certificate-data"], "\(field).client-certificate-data"),
                clientKey: path(try reader.string(u["client-key"], "\(field).client-key")),
                clientKeyData: try reader.string(u["client-key-data"], "\(field).client-key-data"),
                username: try reader.string(u["username"], "\(field).username"),
                password: try reader.string(u["password"], "\(field).password"),
                file: file)
            if users[name] == nil { users[name] = user }
        }
        for (i, entry) in try reader.list(value["contexts"], "contexts").enumerated() {
            let at = "contexts[\(i)]"
            let name = try reader.requiredString(entry["name"], "\(at).name")
            let c = entry["context"]
            let field = "\(at).context"
            guard c.isObject else { throw KubeConfigError(file: file, field: field, message: "required mapping") }
            let context = Context(
                cluster: try reader.string(c["cluster"], "\(field).cluster") ?? "",
                user: try reader.string(c["user"], "\(field).user") ?? "",
                namespace: try reader.string(c["namespace"], "\(field).namespace"),
                file: file)
            if contexts[name] == nil { contexts[name] = context }
        }
        if let current = try reader.string(value["current-context"], "current-context"), !current.isEmpty {
            currentContext = current
        }
    }

    /// Merges `other` under `self`: names `self` already has stay as they are.
    public func merging(_ other: KubeConfig) -> KubeConfig {
        var merged = self
        merged.clusters.merge(other.clusters) { mine, _ in mine }
        merged.users.merge(other.users) { mine, _ in mine }
        merged.contexts.merge(other.contexts) { mine, _ in mine }
        if merged.currentContext == nil { merged.currentContext = other.currentContext }
        return merged
    }

    /// Loads and merges files in order; with `ignoreMissing`, absent files are skipped (as
    /// kubectl skips absent `KUBECONFIG` entries).
    public static func load(files: [String], ignoreMissing: Bool = false) throws(KubeConfigError) -> KubeConfig {
        var merged = KubeConfig()
        for file in files where !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                if ignoreMissing && !FileManager.default.fileExists(atPath: file) { continue }
                throw KubeConfigError(file: file, message: "cannot read file")
            }
            merged = merged.merging(try KubeConfig(text: String(decoding: data, as: UTF8.self), file: file))
        }
        return merged
    }

    /// kubectl's precedence: `--kubeconfig` (must exist), else every file in `KUBECONFIG`
    /// (`:`-separated, missing ones skipped), else `~/.kube/config`.
    public static func loadDefault(explicitPath: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(KubeConfigError) -> KubeConfig
    {
        if let explicitPath, !explicitPath.isEmpty { return try load(files: [explicitPath]) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            return try load(files: list.split(separator: ":").map(String.init), ignoreMissing: true)
        }
        return try load(files: [homeConfigPath(environment)], ignoreMissing: true)
    }

    /// `~/.kube/config`, with `HOME` from `environment` when it is set (as kubectl reads it).
    static func homeConfigPath(_ environment: [String: String]) -> String {
        (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.kube/config"
    }

    /// Picks the context (`--context`, else current-context) and flattens it into what a
    /// client needs; `namespace` (`--namespace`) overrides the context's.
    public func resolve(context: String? = nil, namespace: String? = nil) throws(KubeConfigError) -> ClusterConnection {
        guard let name = context ?? currentContext, !name.isEmpty else {
            throw KubeConfigError(file: "", field: "current-context", message: "no context chosen: set current-context or pass --context")
        }
        guard let ctx = contexts[name] else {
            throw KubeConfigError(file: "", field: "contexts", message: "context \"\(name)\" does not exist")
        }
        guard let cluster = clusters[ctx.cluster] else {
            throw KubeConfigError(file: ctx.file, field: "contexts[\(name)].context.cluster",
                                  message: "cluster \"\(ctx.cluster)\" does not exist")
        }
        let user: User?
        if ctx.user.isEmpty {
            user = nil
        } else if let u = users[ctx.user] {
            user = u
        } else {
            throw KubeConfigError(file: ctx.file, field: "contexts[\(name)].context.user", message: "user \"\(ctx.user)\" does not exist")
        }
        let endpoint = try ServerEndpoint(cluster.server, file: cluster.file, field: "clusters[\(ctx.cluster)].cluster.server")
        var ns = namespace ?? ctx.namespace ?? "default"
        if ns.isEmpty { ns = "default" }
        return ClusterConnection(contextName: name, endpoint: endpoint, namespace: ns, cluster: cluster, user: user)
    }
}

/// `scheme://host:port` of an API server.
public struct ServerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses `http://127.0.0.1:6443`, `https://[::1]:6443`, `https://example.com` (port 443).
    public init(_ url: String, file: String = "", field: String = "server") throws(KubeConfigError) {
        var rest = Substring(url)
        guard let sep = rest.firstRange(of: "://") else {
            throw KubeConfigError(file: file, field: field, message: "\"\(url)\" is not a URL (scheme://host:port)")
        }
        scheme = rest[..<sep.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw KubeConfigError(file: file, field: field, message: "unsupported scheme \"\(scheme)\" in \"\(url)\"")
        }
        rest = rest[sep.upperBound...]
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        if !(path.isEmpty || path == "/") {
            throw KubeConfigError(file: file, field: field, message: "server URLs with a path (\"\(path)\") are not supported")
        }
        var hostPart = Substring(authority)
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw KubeConfigError(file: file, field: field, message: "unterminated IPv6 address in \"\(url)\"")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else { throw KubeConfigError(file: file, field: field, message: "no host in \"\(url)\"") }
        host = String(hostPart)
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw KubeConfigError(file: file, field: field, message: "bad port \"\(portText)\" in \"\(url)\"")
            }
            port = p
        } else {
            port = scheme == "https" ? 443 : 80
        }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(h):\(port)"
    }
}

/// One resolved context: where the server is, how to authenticate, the default namespace.
public struct ClusterConnection: Sendable, Hashable {
    public var contextName: String
    public var endpoint: ServerEndpoint
    public var namespace: String
    public var cluster: KubeConfig.Cluster
    public var user: KubeConfig.User?

    /// The headers that authenticate requests: a bearer token (`token`, else the contents of
    /// `tokenFile`, read now; clients from `makeClient` reread it every minute) or basic auth.
    public func authHeaders() throws(KubeConfigError) -> HeaderFields {
        var headers = HeaderFields()
        guard let user else { return headers }
        if let token = user.token, !token.isEmpty {
            headers.set("Authorization", "Bearer \(token)")
        } else if let tokenFile = user.tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw KubeConfigError(file: user.file, field: "users.user.tokenFile", message: "cannot read \(tokenFile)")
            }
            let token = String(decoding: data, as: UTF8.self).goTrimmedSpace
            headers.set("Authorization", "Bearer \(token)")
        } else if let username = user.username, let password = user.password {
            headers.set("Authorization", "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())")
        }
        return headers
    }

    /// A `RESTClient` over HTTP/1.1, or HTTPS for `https` servers (see `tlsContext()`).
    /// `cacheDir` (kubectl's `~/.kube/cache`) enables the on-disk discovery cache.
    public func makeClient(cacheDir: String? = nil, maxConnections: Int = 16) throws(KubeConfigError) -> RESTClient {
        let headers = try authHeaders()   // fails early when the token file is unreadable
        let transport = HTTPTransport(host: endpoint.host, port: endpoint.port, maxConnections: maxConnections,
                                      tls: try tlsContext(), serverName: cluster.tlsServerName)
        let usesTokenFile = (user?.token ?? "").isEmpty && user?.tokenFile != nil
        return RESTClient(transport: transport, headers: headers, defaultNamespace: namespace,
                          discoveryCache: cacheDir.map { DiscoveryCache(cacheDir: $0, server: endpoint.description) },
                          tokenFile: usesTokenFile ? user?.tokenFile.map { TokenFileSource(path: $0) } : nil)
    }
}

/// Typed reads of kubeconfig fields with errors that name the field.
private struct FieldReader {
    let file: String

    func list(_ v: Value, _ field: String) throws(KubeConfigError) -> [Value] {
        if v.isNull { return [] }
        guard let a = v.arrayValue else { throw KubeConfigError(file: file, field: field, message: "expected a list, found \(v.typeName)") }
        return a
    }

    func string(_ v: Value, _ field: String) throws(KubeConfigError) -> String? {
        if v.isNull { return nil }
        guard let s = v.stringValue else { throw KubeConfigError(file: file, field: field, message: "expected a string, found \(v.typeName)") }
        return s
    }

    func requiredString(_ v: Value, _ field: String) throws(KubeConfigError) -> String {
        guard let s = try string(v, field), !s.isEmpty else {
            throw KubeConfigError(file: file, field: field, message: "required value missing")
        }
        return s
    }

    func bool(_ v: Value, _ field: String) throws(KubeConfigError) -> Bool {
        if v.isNull { return false }
        guard let b = v.boolValue else { throw KubeConfigError(file: file, field: field, message: "expected a boolean, found \(v.typeName)") }
        return b
    }
}
