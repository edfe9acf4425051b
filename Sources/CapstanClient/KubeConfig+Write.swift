import CapstanModel
import CapstanYAML
import FoundationEssentials

extension KubeConfig {
    /// The file a new default context goes to, as kubectl picks it: the first `KUBECONFIG`
    /// entry, else `~/.kube/config`.
    public static func defaultWritePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first, !first.isEmpty {
            return String(first)
        }
        return homeConfigPath(environment)
    }

    /// Adds (or replaces) a cluster, user and context all called `name` in the kubeconfig at
    /// `path` and makes that context current — what `kind` and `minikube` do on start. Every
    /// other entry of the file stays (its comments do not: the file is rewritten, as kubectl
    /// rewrites it). The file is created, with its folder, when absent, and replaced atomically.
    public static func setDefaultContext(name: String, server: String, namespace: String = "default",
                                         in path: String) throws(KubeConfigError)
    {
        var document: Value = ["apiVersion": "v1", "kind": "Config", "preferences": .object([:])]
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            do { document = try YAML.parse(String(decoding: data, as: UTF8.self), file: path) } catch {
                throw KubeConfigError(file: path, message: "\(error)")
            }
            if document.isNull { document = ["apiVersion": "v1", "kind": "Config"] }
            guard document.isObject else { throw KubeConfigError(file: path, message: "not a kubeconfig: expected a mapping") }
        }
        func upsert(_ section: String, _ key: String, _ body: Value) throws(KubeConfigError) {
            if !document[section].isNull && document[section].arrayValue == nil {
                throw KubeConfigError(file: path, field: section, message: "expected a list, found \(document[section].typeName)")
            }
            var entries = (document[section].arrayValue ?? []).filter { $0["name"].stringValue != name }
            var entry: ValueObject = [:]
            entry["name"] = .string(name)
            entry[key] = body
            entries.append(.object(entry))
            document[section] = .array(entries)
        }
        try upsert("clusters", "cluster", ["server": .string(server)])
        try upsert("users", "user", .object([:]))
        try upsert("contexts", "context", ["cluster": .string(name), "user": .string(name), "namespace": .string(namespace)])
        document["current-context"] = .string(name)
        let folder = parentDirectory(of: path)
        do {
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try YAML.emit(document).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw KubeConfigError(file: path, message: "cannot write: \(error)")
        }
    }
}

/// The folder part of a file path: `a/b/config` → `a/b`, `config` → `` (the current folder),
/// `/config` → `/`. Written out because Foundation's `deletingLastPathComponent` traps on some
/// one-character relative paths (`"k"`) on Linux.
func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "" }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}
