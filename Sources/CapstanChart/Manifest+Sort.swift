import CapstanModel
import CapstanYAML
import CapstanTemplate

/// One YAML document of rendered output, with the head fields Helm reads to order it.
public struct Manifest: Sendable, Equatable {
    /// Template path it came from, e.g. `mychart/templates/deploy.yaml`.
    public var path: String
    /// The document text as split (leading whitespace removed, trailing kept).
    public var content: String
    public var apiVersion: String
    public var kind: String
    public var name: String
}

/// A manifest carrying a `helm.sh/hook` annotation with known hook events.
public struct Hook: Sendable, Equatable {
    public var manifest: Manifest
    /// Lower-cased events (`pre-install`, `test`, …); `test-success` counts as `test`.
    public var events: [String]
    public var weight: Int
    public var isTest: Bool { events.contains("test") }
}

/// Helm's post-render pipeline: split each rendered file into documents, parse just the head
/// of each (apiVersion, kind, metadata.name, metadata.annotations), separate hooks from plain
/// manifests, and order both by kind in install order (stable, so file order then document
/// order breaks ties; unknown kinds go last, alphabetically among themselves).
public enum ManifestSorter {
    /// Kinds in the order Helm installs them.
    public static let installOrder: [String] = [
        "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
        "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
        "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
        "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
        "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
        "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
        "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
        "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ]

    static let rank: [String: Int] = Dictionary(uniqueKeysWithValues: installOrder.enumerated().map { ($1, $0) })

    static let hookEvents: [String: String] = [
        "pre-install": "pre-install", "post-install": "post-install", "pre-delete": "pre-delete",
        "post-delete": "post-delete", "pre-upgrade": "pre-upgrade", "post-upgrade": "post-upgrade",
        "pre-rollback": "pre-rollback", "post-rollback": "post-rollback", "test": "test",
        "test-success": "test",
    ]

    /// Sorts rendered files (`path → text`) into hooks and manifests.
    public static func sort(_ files: [String: String]) throws(ChartError) -> (hooks: [Hook], manifests: [Manifest]) {
        var hooks: [Hook] = []
        var generic: [Manifest] = []
        for path in files.keys.sorted(by: { $0.utf8Precedes($1) }) {
            guard let content = files[path] else { continue }
            if baseName(path).hasPrefix("_") { continue }
            if content.goTrimmedSpace.isEmpty { continue }
            for doc in splitManifests(content) {
                let head = try parseHead(doc, path: path)
                var m = Manifest(path: path, content: doc, apiVersion: head.apiVersion, kind: head.kind, name: head.name)
                m.content = doc
                guard !head.annotations.isEmpty, let hookTypes = head.annotations["helm.sh/hook"] else {
                    generic.append(m)
                    continue
                }
                var events: [String] = []
                var unknown = false
                for t in hookTypes.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let e = hookEvents[String(t).goTrimmedSpace.lowercased()] else { unknown = true; break }
                    events.append(e)
                }
                // Helm drops documents with unknown hook types entirely (it only logs them).
                if unknown { continue }
                let weight = Int(head.annotations["helm.sh/hook-weight"] ?? "") ?? 0
                hooks.append(Hook(manifest: m, events: events, weight: weight))
            }
        }
        return (stableSorted(hooks, kind: \.manifest.kind), stableSorted(generic, kind: \.kind))
    }

    static func less(_ a: String, _ b: String) -> Bool {
        switch (rank[a], rank[b]) {
        case let (x?, y?): return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a < b
        }
    }

    private static func stableSorted<T>(_ items: [T], kind: KeyPath<T, String>) -> [T] {
        items.enumerated().sorted { l, r in
            let a = l.element[keyPath: kind], b = r.element[keyPath: kind]
            if less(a, b) { return true }
            if less(b, a) { return false }
            return l.offset < r.offset
        }.map(\.element)
    }

    struct Head: Equatable {
        var apiVersion = ""
        var kind = ""
        var name = ""
        var annotations: [String: String] = [:]
    }

    /// Reads the head fields the way Helm's strict `SimpleHead` unmarshal does: a document
    /// that is not a map, or whose head fields have the wrong type, is an error.
    static func parseHead(_ doc: String, path: String) throws(ChartError) -> Head {
        if let head = HeadScanner.scan(doc) { return head }
        return try parseHeadSlow(doc, path: path)
    }

    /// The full route: parse the first document to a value, then read the head fields strictly.
    static func parseHeadSlow(_ doc: String, path: String) throws(ChartError) -> Head {
        let value: Value
        do { value = try YAML.parseValues(doc, file: path).first ?? .null } catch {
            let detail = goYAMLSyntaxError(doc) ?? "yaml: line \(error.line): \(error.message)"
            throw ChartError(.manifest, "YAML parse error on \(path): error converting YAML to JSON: \(detail)", path: path)
        }
        var head = Head()
        guard case .object(let o) = value else {
            if value.isNull { return head }
            throw ChartError(.manifest, "YAML parse error on \(path): error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(value)) into Go value of type util.SimpleHead", path: path)
        }
        func str(_ v: Value?, _ field: String) throws(ChartError) -> String {
            switch v {
            case nil, .null?: return ""
            case .string(let s)?: return s
            case let other?:
                throw ChartError(.manifest, "YAML parse error on \(path): error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(other)) into Go struct field \(field) of type string", path: path)
            }
        }
        head.apiVersion = try str(o["apiVersion"], "SimpleHead.apiVersion")
        head.kind = try str(o["kind"], "SimpleHead.kind")
        if let md = o["metadata"], !md.isNull {
            guard case .object(let meta) = md else {
                throw ChartError(.manifest, "YAML parse error on \(path): error unmarshaling JSON: while decoding JSON: json: cannot unmarshal \(jsonKind(md)) into Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }", path: path)
            }
            head.name = try str(meta["name"], "SimpleHead.metadata.name")
            if case .object(let ann)? = meta["annotations"] {
                // Helm 4 reads annotation values leniently (a number does not fail the render).
                for (k, v) in ann {
                    if case .string(let s) = v { head.annotations[k] = s } else if !v.isNull { head.annotations[k] = goPrint(v) } else { head.annotations[k] = "" }
                }
            }
        }
        return head
    }

    /// Helm's `SplitManifests`: split on `(?:^|\s*\n)---\s*` after trimming leading
    /// whitespace, drop empty pieces, trim each piece's leading whitespace.
    public static func splitManifests(_ text: String) -> [String] {
        let bytes = Array(trimLeadingSpace(text).utf8)
        var docs: [String] = []
        var pieceStart = 0
        var i = 0
        let n = bytes.count
        func isGoSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D }
        func dashes(_ at: Int) -> Bool { at + 3 <= n && bytes[at] == 0x2D && bytes[at + 1] == 0x2D && bytes[at + 2] == 0x2D }
        func afterSpaces(_ at: Int) -> Int { var k = at; while k < n && isGoSpace(bytes[k]) { k += 1 }; return k }
        func emit(_ from: Int, _ to: Int) {
            let piece = String(decoding: bytes[from..<to], as: UTF8.self)
            if piece.isEmpty { return }
            docs.append(trimLeadingSpace(piece))
        }
        while i < n {
            if i == 0 && dashes(0) {
                let end = afterSpaces(3)
                emit(pieceStart, 0)
                pieceStart = end
                i = end
                continue
            }
            if isGoSpace(bytes[i]) {
                let runEnd = afterSpaces(i)
                if runEnd > i, bytes[runEnd - 1] == 0x0A, dashes(runEnd) {
                    let end = afterSpaces(runEnd + 3)
                    emit(pieceStart, i)
                    pieceStart = end
                    i = end
                    continue
                }
                i = runEnd
                continue
            }
            i += 1
        }
        emit(pieceStart, n)
        return docs
    }

    /// `strings.TrimLeftFunc(s, unicode.IsSpace)`.
    static func trimLeadingSpace(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isUnicodeSpace($0) }) else { return "" }
        return String(scalars[first...])
    }

    static func isUnicodeSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}

/// The last non-empty `/`-separated component (trailing slashes ignored); `path` itself when
/// it has none. Scans bytes, as Go's `path.Base` does (a `Character` split costs far more).
func baseName(_ path: String) -> String {
    let u = path.utf8
    let slash = UInt8(ascii: "/")
    var end = u.endIndex
    while end > u.startIndex, u[u.index(before: end)] == slash { end = u.index(before: end) }
    guard end > u.startIndex else { return path }
    var start = end
    while start > u.startIndex, u[u.index(before: start)] != slash { start = u.index(before: start) }
    return String(path[start..<end])
}
