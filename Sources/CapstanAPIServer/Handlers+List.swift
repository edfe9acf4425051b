import CapstanAPI
import CapstanModel
import CapstanStore

/// Label and field selection shared by list, watch and deletecollection: CapstanModel's
/// selectors, with the field selector checked against the kind's selectable fields (400 for an
/// unsupported field, as Kubernetes answers) and compiled once for the whole list or watch.
struct Selection: Sendable {
    var labels: LabelSelector
    var fieldSelector: FieldSelector
    var fields: SelectableFields.Compiled

    init(_ req: ResourceRequest) throws {
        do {
            labels = try LabelSelector.parse(req.http.query("labelSelector") ?? "")
        } catch {
            throw StatusError.badRequest(error.message)
        }
        var fieldText = req.http.query("fieldSelector") ?? ""
        // The old single-object watch path (`…/pods/NAME?watch=true`) selects by name.
        if let name = req.path.name {
            fieldText = fieldText.isEmpty ? "metadata.name=\(name)" : fieldText + ",metadata.name=\(name)"
        }
        let kind = GroupKind(group: req.info.gvk.group, kind: req.info.gvk.kind)
        do {
            fieldSelector = try SelectableFields.check(FieldSelector.parse(fieldText), kind: kind)
        } catch {
            throw StatusError.badRequest(error.message)
        }
        fields = SelectableFields.compile(fieldSelector, kind: kind)
    }

    func matches(_ object: Value) -> Bool {
        labels.matches(object.labels) && fields.matches(object)
    }

    /// No selector given: every object matches without looking at it.
    var matchesEverything: Bool { labels.isEmpty && fieldSelector.isEmpty }

    /// The name a `metadata.name=x` term pins, if any (lets a list read one key).
    var pinnedName: String? { fieldSelector.requiresExactMatch("metadata.name") }
}

/// The opaque `continue` token of a paged list: the snapshot revision and the last key sent.
struct ContinueToken: Equatable {
    var revision: Int64
    var lastKey: String

    var encoded: String {
        let text = "\(revision)|\(lastKey)"
        return text.utf8.map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    init(revision: Int64, lastKey: String) {
        self.revision = revision
        self.lastKey = lastKey
    }

    init(decoding token: String) throws {
        var bytes: [UInt8] = []
        var chars = Array(token.utf8)[...]
        while chars.count >= 2 {
            guard let b = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) else { break }
            bytes.append(b)
            chars = chars.dropFirst(2)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard chars.isEmpty, let bar = text.firstIndex(of: "|"), let rev = Int64(text[..<bar]) else {
            throw StatusError.badRequest("continue key is not valid: \(token)")
        }
        revision = rev
        lastKey = String(text[text.index(after: bar)...])
    }
}

extension APIServer {
    func list(_ req: ResourceRequest) async throws -> HTTPResponse {
        let selection = try Selection(req)
        var limit: Int?
        if let l = req.http.query("limit").flatMap(Int.init), l > 0 { limit = l }
        var atRevision: Int64?
        var after: String?
        if let token = req.http.query("continue"), !token.isEmpty {
            let t = try ContinueToken(decoding: token)
            atRevision = t.revision
            after = t.lastKey
        } else if let rv = req.http.query("resourceVersion"), !rv.isEmpty, rv != "0" {
            guard let n = Int64(rv) else { throw StatusError.badRequest("invalid resourceVersion \"\(rv)\"") }
            if req.http.query("resourceVersionMatch") == "Exact" { atRevision = n }
        }
        // A pinned name reads one key instead of the whole prefix.
        let result: ListResult
        do {
            if let name = selection.pinnedName, atRevision == nil, after == nil {
                let kv = try await store.get(req.key(name))
                result = ListResult(items: kv.map { [$0] } ?? [], revision: await store.currentRevision, more: false)
            } else {
                result = try await store.list(prefix: req.listPrefix, atRevision: atRevision, limit: limit, continueAfterKey: after)
            }
        } catch {
            throw error.status(group: req.group, resource: req.plural, name: "")
        }
        var metadata: Value = ["resourceVersion": .string(String(result.revision))]
        if result.more, let last = result.items.last {
            metadata["continue"] = .string(ContinueToken(revision: result.revision, lastKey: last.key).encoded)
        }
        if req.wantsTable {
            var items: [Value] = []
            for kv in result.items {
                let object = try listItem(kv, req)
                if selection.matches(object) { items.append(object) }
            }
            var table = TablePrinter.table(for: req, objects: items, resourceVersion: String(result.revision),
                                           includeObject: req.http.query("includeObject") ?? "Metadata", withColumns: true)
            table["metadata"] = metadata
            return .json(.ok, table.jsonBytes(), contentType: TablePrinter.contentType)
        }
        // Items are encoded one by one into the response as they are decoded, so a big list
        // never exists as one `Value` tree next to its bytes.
        let list: Value = ["kind": .string(req.info.gvk.kind + "List"), "apiVersion": .string(req.apiVersion),
                           "metadata": metadata]
        var out = list.jsonBytes()
        out.removeLast()  // the closing brace; the items follow
        out.reserveCapacity(result.items.reduce(out.count + 16) { $0 + $1.value.count + 48 })
        out.append(contentsOf: #","items":["#.utf8)
        let everything = selection.matchesEverything
        var first = true
        for kv in result.items {
            if everything {
                if !first { out.append(UInt8(ascii: ",")) }
                if StoredJSON.appendWithRevision(kv.value, revision: kv.modRevision, apiVersion: req.apiVersion, into: &out) {
                    first = false
                    continue
                }
                if !first { out.removeLast() }
            }
            let object = try listItem(kv, req)
            guard selection.matches(object) else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            object.writeJSON(into: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return .json(.ok, out)
    }

    /// One stored object as a list item: at the requested version, with its kind.
    private func listItem(_ kv: KeyValue, _ req: ResourceRequest) throws -> Value {
        var object = try ObjectCodec.decode(kv, apiVersion: req.apiVersion)
        if object["kind"] == .null { object["kind"] = .string(req.info.gvk.kind) }
        return object
    }
}
