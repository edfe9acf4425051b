import CapstanAPI
import CapstanModel
import Synchronization

/// OpenAPI v3 as kubectl uses it (kubectl-wire.md §2): an index at `/openapi/v3` whose entries
/// point at per-group-version documents by a content hash, and per-GV documents whose PATCH
/// operations carry `x-kubernetes-group-version-kind` and list the `dryRun` and
/// `fieldValidation` query parameters, so that `kubectl apply` sends `fieldValidation=Strict`
/// and leaves validation to the server. Component schemas are the catalogue's, with their
/// patch merge keys and strategies, so `kubectl explain` and client-side strategic merge
/// both read correct facts.
///
/// Concurrency: documents are built once per catalogue snapshot and cached behind a `Mutex`.
final class OpenAPIv3: Sendable {
    struct Documents: Sendable {
        /// `api/v1` / `apis/apps/v1` → (JSON bytes, hash).
        var byPath: [String: (bytes: [UInt8], hash: String)]
        var root: [UInt8]
        var rootHash: String
    }

    private let cache = Mutex<(ObjectIdentifier, Documents)?>(nil)

    func documents(for served: ServedAPI) -> Documents {
        let id = ObjectIdentifier(served.catalogue)
        if let hit = cache.withLock({ $0 }), hit.0 == id { return hit.1 }
        let docs = Self.build(served)
        cache.withLock { $0 = (id, docs) }
        return docs
    }

    static func pathKey(_ gv: GroupVersion) -> String {
        gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
    }

    static func build(_ served: ServedAPI) -> Documents {
        var byPath: [String: (bytes: [UInt8], hash: String)] = [:]
        var rootPaths = ValueObject()
        for group in served.groups {
            for version in group.versions {
                let gv = GroupVersion(group: group.name, version: version)
                let key = pathKey(gv)
                let bytes = document(served, gv).jsonBytes()
                let hash = contentHash(bytes)
                byPath[key] = (bytes, hash)
                rootPaths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
            }
        }
        let root = Value.object(["paths": .object(rootPaths)]).jsonBytes()
        return Documents(byPath: byPath, root: root, rootHash: contentHash(root))
    }

    static func document(_ served: ServedAPI, _ gv: GroupVersion) -> Value {
        let catalogue = served.catalogue
        var paths = ValueObject()
        var wanted: [String] = []
        for r in served.resources(in: gv) {
            let custom = catalogue.isCustomResource(group: gv.group, plural: r.plural)
            let base = gv.group.isEmpty ? "/api/\(gv.version)" : "/apis/\(gv.group)/\(gv.version)"
            let collection = r.namespaced ? "\(base)/namespaces/{namespace}/\(r.plural)" : "\(base)/\(r.plural)"
            let gvk: Value = ["group": .string(r.gvk.group), "version": .string(r.gvk.version), "kind": .string(r.gvk.kind)]
            let objectSchema: Value = r.definition.map { ["$ref": .string("#/components/schemas/\($0)")] } ?? ["type": "object"]
            if let def = r.definition { wanted.append(def) }
            let json: Value = ["schema": objectSchema]
            func op(_ action: String, params: [String], body: Value? = nil) -> Value {
                var o: Value = ["x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
                                "parameters": .array(params.map { ["name": .string($0), "in": "query", "schema": ["type": "string"]] }),
                                "responses": ["200": ["description": "OK", "content": ["application/json": json]]]]
                if let body { o["requestBody"] = ["content": body, "required": true] }
                return o
            }
            let writeParams = ["dryRun", "fieldManager", "fieldValidation"]
            var item = ValueObject()
            if r.supports("get") { item["get"] = op("get", params: []) }
            if r.supports("update") { item["put"] = op("put", params: writeParams, body: ["application/json": json]) }
            if r.supports("patch") {
                var content: ValueObject = [
                    "application/json-patch+json": ["schema": ["type": "object"]],
                    "application/merge-patch+json": ["schema": ["type": "object"]],
                    "application/apply-patch+yaml": ["schema": ["type": "object"]],
                ]
                if !custom { content["application/strategic-merge-patch+json"] = ["schema": ["type": "object"]] }
                item["patch"] = op("patch", params: writeParams + ["force"], body: .object(content))
            }
            if r.supports("delete") { item["delete"] = op("delete", params: ["dryRun", "gracePeriodSeconds", "propagationPolicy"]) }
            if !item.isEmpty { paths["\(collection)/{name}"] = .object(item) }
            var coll = ValueObject()
            if r.supports("list") { coll["get"] = op("list", params: ["labelSelector", "fieldSelector", "limit", "continue", "watch", "resourceVersion"]) }
            if r.supports("create") { coll["post"] = op("post", params: writeParams, body: ["application/json": json]) }
            if !coll.isEmpty { paths[collection] = .object(coll) }
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.37.0-capstan"],
                "paths": .object(paths), "components": ["schemas": .object(closure(of: wanted, in: catalogue.schemas))]]
    }

    /// The named definitions and everything they reference, with v2 `#/definitions/` references
    /// rewritten to v3 `#/components/schemas/`.
    static func closure(of names: [String], in schemas: OpenAPISchemas) -> ValueObject {
        var out = ValueObject()
        var queue = names
        var seen: Set<String> = []
        while let name = queue.popLast() {
            guard seen.insert(name).inserted, let def = schemas.definition(named: name) else { continue }
            var refs: [String] = []
            out[name] = rewriteRefs(def, depth: 0, refs: &refs)
            queue += refs
        }
        out.sort { $0.key < $1.key }
        return out
    }

    static func rewriteRefs(_ v: Value, depth: Int, refs: inout [String]) -> Value {
        guard depth < 200 else { return v }
        switch v {
        case .object(var o):
            for (k, child) in o {
                if k == "$ref", case .string(let r) = child {
                    let name = r.split(separator: "/").last.map(String.init) ?? r
                    refs.append(name)
                    o[k] = .string("#/components/schemas/\(name)")
                } else {
                    o[k] = rewriteRefs(child, depth: depth + 1, refs: &refs)
                }
            }
            return .object(o)
        case .array(let a):
            return .array(a.map { rewriteRefs($0, depth: depth + 1, refs: &refs) })
        default:
            return v
        }
    }

    /// 32 upper-case hex digits (two FNV-1a 64-bit hashes with different seeds).
    static func contentHash(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf29ce484222325
        var b: UInt64 = 0x84222325cbf29ce4
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x100000001b3
            b = (b ^ UInt64(byte ^ 0x5a)) &* 0x100000001b3
        }
        func hex(_ x: UInt64) -> String {
            let s = String(x, radix: 16, uppercase: true)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(a) + hex(b)
    }

    /// An HTTP date a year from now, for `Expires` on immutable documents.
    static func expiresHeader() -> String {
        httpDate(WallClock.nowSeconds() + 365 * 24 * 3600)
    }

    static func httpDate(_ seconds: Int64) -> String {
        let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let rfc = WallClock.rfc3339(seconds)  // YYYY-MM-DDTHH:MM:SSZ
        let c = Array(rfc)
        let year = String(c[0..<4]), month = Int(String(c[5..<7])) ?? 1, day = String(c[8..<10]), time = String(c[11..<19])
        let weekday = days[Int((seconds / 86400) % 7)]
        return "\(weekday), \(day) \(months[month - 1]) \(year) \(time) GMT"
    }
}
