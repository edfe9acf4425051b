import CapstanModel

/// The OpenAPI v3 documents an API server publishes (`/openapi/v3` and one document per
/// group-version), built from the catalogue's own schema facts.
///
/// What kubectl needs from them (wire notes §2): in each group-version document a PATCH
/// operation per kind, tagged with `x-kubernetes-group-version-kind` and listing the
/// `fieldValidation` and `dryRun` query parameters (kubectl then leaves validation to the
/// server); for built-in kinds a `strategic-merge-patch+json` request body and component
/// schemas that carry the real patch metadata (merge keys, strategies, list types), so the
/// patches kubectl computes from them equal the ones from its compiled-in types. Custom
/// resources get no strategic-merge content type, so kubectl sends merge patches for them.
public struct OpenAPIV3Publication: Sendable {
    /// `GET /openapi/v3`: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`.
    public let root: Value
    /// Documents by path key (`api/v1`, `apis/apps/v1`).
    public let documents: [String: Value]
    /// Content hash of each document (the `hash` query value), by path key.
    public let hashes: [String: String]
}

extension APICatalogue {
    /// Builds the root and every group-version document. Deterministic: the same catalogue
    /// yields the same bytes and hashes, so clients may cache documents as immutable.
    public func openAPIV3(serverVersion: String = "v1.36.0") -> OpenAPIV3Publication {
        var documents: [String: Value] = [:]
        var hashes: [String: String] = [:]
        var paths: ValueObject = [:]
        var converted: [String: Value] = [:]  // shared definitions are converted once
        for group in groups {
            for gv in group.groupVersions {
                guard let document = openAPIV3Document(for: gv, serverVersion: serverVersion, converted: &converted) else {
                    continue
                }
                let key = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
                // Documents are built in a fixed order (ordered objects), so compact bytes are stable.
                let hash = ContentHash.hex(document.jsonBytes(.compact))
                documents[key] = document
                hashes[key] = hash
                paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
            }
        }
        return OpenAPIV3Publication(root: ["paths": .object(paths)], documents: documents, hashes: hashes)
    }

    /// The document of one group-version, or nil when it is not served.
    public func openAPIV3Document(for gv: GroupVersion, serverVersion: String = "v1.36.0") -> Value? {
        var converted: [String: Value] = [:]
        return openAPIV3Document(for: gv, serverVersion: serverVersion, converted: &converted)
    }

    func openAPIV3Document(for gv: GroupVersion, serverVersion: String, converted: inout [String: Value]) -> Value? {
        let served = resources(inGroupVersion: gv)
        guard !served.isEmpty else { return nil }
        var paths: ValueObject = [:]
        var roots: [String] = ["io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
            "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"]
        for r in served {
            let custom = isCustomResource(group: r.gvk.group, plural: r.plural)
            let prefix = gv.group.isEmpty ? "/api/\(gv.version)" : "/apis/\(gv.group)/\(gv.version)"
            let collection = r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.plural)" : "\(prefix)/\(r.plural)"
            let schemaRef = r.definition.map { Value.object(["$ref": .string("#/components/schemas/\($0)")]) } ?? [:]
            if let definition = r.definition { roots.append(definition) }
            let listName = schemas.definitionName(for: GroupVersionKind(group: r.gvk.group, version: r.gvk.version, kind: r.gvk.kind + "List"))
            if let listName { roots.append(listName) }
            let listRef = listName.map { Value.object(["$ref": .string("#/components/schemas/\($0)")]) } ?? [:]

            var collectionOps: ValueObject = [:]
            if r.supports("list") { collectionOps["get"] = operation("list", r.gvk, response: listRef) }
            if r.supports("create") {
                collectionOps["post"] = operation("post", r.gvk, response: schemaRef, parameters: writeParameters,
                    body: ["application/json": schemaRef])
            }
            if r.supports("deletecollection") { collectionOps["delete"] = operation("deletecollection", r.gvk, response: [:]) }
            if !collectionOps.isEmpty { paths[collection] = .object(collectionOps) }

            var itemOps: ValueObject = [:]
            if r.supports("get") { itemOps["get"] = operation("get", r.gvk, response: schemaRef) }
            if r.supports("update") {
                itemOps["put"] = operation("put", r.gvk, response: schemaRef, parameters: writeParameters,
                    body: ["application/json": schemaRef])
            }
            if r.supports("patch") {
                let patchSchema: Value = ["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"]
                var content: ValueObject = [
                    "application/apply-patch+yaml": ["schema": patchSchema],
                    "application/json-patch+json": ["schema": patchSchema],
                    "application/merge-patch+json": ["schema": patchSchema],
                ]
                if !custom { content["application/strategic-merge-patch+json"] = ["schema": patchSchema] }
                itemOps["patch"] = operation("patch", r.gvk, response: schemaRef, parameters: writeParameters + [forceParameter],
                    rawBody: .object(content))
            }
            if r.supports("delete") { itemOps["delete"] = operation("delete", r.gvk, response: schemaRef, parameters: [dryRunParameter]) }
            if !itemOps.isEmpty { paths["\(collection)/{name}"] = .object(itemOps) }
        }

        var components: ValueObject = [:]
        for name in definitionClosure(roots).sorted() {
            if let done = converted[name] {
                components[name] = done
            } else if let node = schemas.definition(named: name) {
                let v3 = Self.v3Schema(named: name, node)
                converted[name] = v3
                components[name] = v3
            }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(serverVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(components)],
        ]
    }

    // MARK: - Operations

    private var dryRunParameter: Value {
        ["name": "dryRun", "in": "query", "description": "When present, modifications are not persisted. Valid value: All",
            "schema": ["type": "string", "uniqueItems": true]]
    }
    private var forceParameter: Value {
        ["name": "force", "in": "query", "description": "Force apply requests to take ownership of conflicting fields.",
            "schema": ["type": "boolean", "uniqueItems": true]]
    }
    private var writeParameters: [Value] {
        [
            dryRunParameter,
            ["name": "fieldManager", "in": "query", "description": "Name of the actor making the change.",
                "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldValidation", "in": "query",
                "description": "How to treat unknown or duplicate fields: Ignore, Warn or Strict.",
                "schema": ["type": "string", "uniqueItems": true]],
        ]
    }

    private func operation(
        _ action: String, _ gvk: GroupVersionKind, response: Value, parameters: [Value] = [],
        body: [String: Value]? = nil, rawBody: Value? = nil
    ) -> Value {
        var op: Value = [
            "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": response]]]],
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": Self.kindValue(gvk),
        ]
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if let body {
            var content: ValueObject = [:]
            for type in body.keys.sorted() { content[type] = ["schema": body[type] ?? [:]] }
            op["requestBody"] = ["content": .object(content), "required": true]
        } else if let rawBody {
            op["requestBody"] = ["content": rawBody, "required": true]
        }
        return op
    }

    // MARK: - Components

    /// Names reachable from `roots` through `$ref`.
    func definitionClosure(_ roots: [String]) -> Set<String> {
        var seen: Set<String> = []
        var todo = roots
        while let name = todo.popLast() {
            guard !seen.contains(name), let node = schemas.definition(named: name) else { continue }
            seen.insert(name)
            Self.collectRefs(node, into: &todo, depth: 0)
        }
        return seen
    }

    static func collectRefs(_ node: Value, into names: inout [String], depth: Int) {
        guard depth < 64 else { return }
        switch node {
        case .object(let o):
            for (key, value) in o {
                if key == "$ref", let ref = value.stringValue { names.append(OpenAPISchemas.definitionName(ref)) }
                else { collectRefs(value, into: &names, depth: depth + 1) }
            }
        case .array(let a):
            for value in a { collectRefs(value, into: &names, depth: depth + 1) }
        default:
            break
        }
    }

    /// A v2-form definition in v3 form: references point into `components/schemas`, and the
    /// two types whose v2 entry under-states the wire format get their v3 `oneOf`.
    static func v3Schema(named name: String, _ node: Value) -> Value {
        switch name {
        case "io.k8s.apimachinery.pkg.api.resource.Quantity":
            return ["oneOf": [["type": "string"], ["type": "number"]]]
        case "io.k8s.apimachinery.pkg.util.intstr.IntOrString":
            return ["format": "int-or-string", "oneOf": [["type": "integer"], ["type": "string"]]]
        default:
            return rewriteRefs(node, depth: 0)
        }
    }

    static func rewriteRefs(_ node: Value, depth: Int) -> Value {
        guard depth < 64 else { return node }
        switch node {
        case .object(var o):
            for (key, value) in o {
                if key == "$ref", let ref = value.stringValue, ref.hasPrefix("#/definitions/") {
                    o[key] = .string("#/components/schemas/" + ref.dropFirst("#/definitions/".count))
                } else if value.isObject || value.isArray {
                    o[key] = rewriteRefs(value, depth: depth + 1)
                }
            }
            return .object(o)
        case .array(let a):
            return .array(a.map { rewriteRefs($0, depth: depth + 1) })
        default:
            return node
        }
    }
}

/// A stable 128-bit content hash (two FNV-1a passes with different seeds), printed as 32
/// upper-case hex digits like the API server's document hashes. Not cryptographic: it only
/// has to change when the document changes.
enum ContentHash {
    static func hex(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            b = b &+ (b >> 29)
        }
        return hex64(a) + hex64(b)
    }

    private static func hex64(_ v: UInt64) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
