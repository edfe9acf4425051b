import CapstanAPI
import CapstanModel
import CapstanStore
import NIOHTTP1

/// One request against a resource, with everything the verb handlers need decided up front.
///
/// A class, not a struct: a handler passes the request through many async functions, and each
/// copy of a struct this size retained and released every string and array in it (the request's
/// headers, body and query, the resource's names and verbs): about fifty more atomic reference
/// count operations per create, measured.
final class ResourceRequest: Sendable {
    let http: HTTPRequest
    let path: ResourcePath
    let info: ResourceInfo
    let served: ServedAPI
    let dryRun: Bool
    /// `Strict`, `Warn` or `Ignore` (kubectl sends Strict when OpenAPI says the server validates).
    let fieldValidation: String
    let wantsTable: Bool

    init(http: HTTPRequest, path: ResourcePath, info: ResourceInfo, served: ServedAPI, dryRun: Bool,
         fieldValidation: String, wantsTable: Bool)
    {
        self.http = http
        self.path = path
        self.info = info
        self.served = served
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
        self.wantsTable = wantsTable
    }

    var group: String { info.gvk.group }
    var plural: String { info.plural }
    var catalogue: APICatalogue { served.catalogue }
    var apiVersion: String { path.gv.apiVersion }
    var namespace: String? { info.namespaced ? path.namespace : nil }

    func key(_ name: String) -> String {
        StorageKey.objectKey(group: group, resource: plural, namespace: namespace, name: name)
    }

    var listPrefix: String {
        StorageKey.listPrefix(group: group, resource: plural, namespace: namespace)
    }

    func notFound(_ name: String) -> StatusError { .notFound(group: group, resource: plural, name: name) }
}

extension APIServer {
    func handleResource(_ request: HTTPRequest, _ path: ResourcePath, _ served: ServedAPI) async throws -> HTTPResponse {
        // POST /api/v1/namespaces/NS/bindings is the pods/binding subresource by another path.
        if path.gv.group.isEmpty && path.resource == "bindings" && request.method == .POST, path.namespace != nil {
            guard let pods = served.resource(path.gv, "pods") else { throw StatusError.pathNotFound() }
            let req = try makeRequest(request, path, pods, served)
            return try await bindPod(req, podName: nil)
        }
        guard let info = served.resource(path.gv, path.resource) else { throw StatusError.pathNotFound() }
        if info.namespaced == false && path.namespace != nil { throw StatusError.pathNotFound() }
        let req = try makeRequest(request, path, info, served)
        let isWatch = request.queryBool("watch")
        guard let verb = Verb.of(method: request.method, hasName: path.name != nil, watch: isWatch) else {
            throw StatusError.methodNotAllowed()
        }
        if let sub = path.subresource {
            return try await handleSubresource(req, sub, verb)
        }
        if verb != .watch && verb != .list && !info.supports(verb.rawValue) {
            throw StatusError.methodNotAllowed()
        }
        switch verb {
        case .get: return try await get(req)
        case .list: return try await list(req)
        case .watch: return try await watch(req)
        case .create: return try await create(req)
        case .update: return try await update(req)
        case .patch: return try await patch(req)
        case .delete: return try await delete(req)
        case .deletecollection: return try await deleteCollection(req)
        }
    }

    func makeRequest(_ request: HTTPRequest, _ path: ResourcePath, _ info: ResourceInfo, _ served: ServedAPI) throws -> ResourceRequest {
        var dryRun = false
        for (k, v) in request.query where k == "dryRun" {
            if v == "All" { dryRun = true } else { throw StatusError.badRequest("Invalid dry run value: \(v)") }
        }
        let fv = request.query("fieldValidation") ?? "Warn"
        guard ["Strict", "Warn", "Ignore"].contains(fv) else {
            throw StatusError.badRequest("fieldValidation must be one of Ignore, Warn or Strict, got \"\(fv)\"")
        }
        let accept = request.header("Accept") ?? ""
        return ResourceRequest(http: request, path: path, info: info, served: served, dryRun: dryRun,
                               fieldValidation: fv, wantsTable: accept.containsBytes("as=Table"))
    }

    // MARK: - Responses

    /// One object, as JSON or (for `kubectl get`) as a one-row Table.
    func objectResponse(_ req: ResourceRequest, _ object: Value, status: HTTPResponseStatus = .ok,
                        warnings: [String] = []) -> HTTPResponse
    {
        let headers = Self.warningHeaders(warnings)
        if req.wantsTable && req.http.method == .GET {
            let table = TablePrinter.table(for: req, objects: [object], resourceVersion: object.resourceVersion ?? "",
                                           includeObject: req.http.query("includeObject") ?? "Metadata", withColumns: true)
            return .json(status, table.jsonBytes(), contentType: TablePrinter.contentType, headers: headers)
        }
        return .json(status, object.jsonBytes(), headers: headers)
    }

    /// The response for an object just read from or written to the store, as `objectResponse`
    /// of `decoded()` would give it, but built from the stored bytes without decoding or
    /// encoding when they allow it (StoredJSON; never for Tables).
    func storedResponse(_ req: ResourceRequest, _ kv: KeyValue, status: HTTPResponseStatus = .ok, warnings: [String] = [],
                        decoded: () throws -> Value) rethrows -> HTTPResponse
    {
        if !(req.wantsTable && req.http.method == .GET) {
            var out: [UInt8] = []
            out.reserveCapacity(kv.value.count + 32)
            if StoredJSON.appendWithRevision(kv.value, revision: kv.modRevision, apiVersion: req.apiVersion, into: &out) {
                return .json(status, out, headers: Self.warningHeaders(warnings))
            }
        }
        return objectResponse(req, try decoded(), status: status, warnings: warnings)
    }

    static func warningHeaders(_ warnings: [String]) -> [(String, String)] {
        warnings.map { ("Warning", "299 - \"\($0.replacingQuotes())\"") }
    }

    /// Reads the current object or fails with 404.
    func current(_ req: ResourceRequest, _ name: String) async throws -> (KeyValue, Value) {
        let kv: KeyValue?
        do { kv = try await store.get(req.key(name)) } catch { throw error.status(group: req.group, resource: req.plural, name: name) }
        guard let kv else { throw req.notFound(name) }
        return (kv, try ObjectCodec.decode(kv, apiVersion: req.apiVersion))
    }

    func get(_ req: ResourceRequest) async throws -> HTTPResponse {
        guard let name = req.path.name else { throw StatusError.methodNotAllowed() }
        let kv: KeyValue?
        do { kv = try await store.get(req.key(name)) } catch { throw error.status(group: req.group, resource: req.plural, name: name) }
        guard let kv else { throw req.notFound(name) }
        return try storedResponse(req, kv) { try ObjectCodec.decode(kv, apiVersion: req.apiVersion) }
    }
}

extension String {
    func replacingQuotes() -> String {
        var out = ""
        for c in self { out += c == "\"" ? "\\\"" : String(c) }
        return out
    }
}
