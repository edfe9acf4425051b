import CapstanAPI
import CapstanModel
import CapstanStore

extension APIServer {
    /// `?watch=true`: newline-delimited `{"type","object"}` events in chunks.
    ///
    /// Start point: with `sendInitialEvents=true`, or no / `0` resourceVersion, the current
    /// state is sent first as ADDED events (then, for `sendInitialEvents`, a BOOKMARK annotated
    /// `k8s.io/initial-events-end`); with resourceVersion N, the store replays every change
    /// after N. A revision older than the compacted history is 410 Expired.
    func watch(_ req: ResourceRequest) async throws -> HTTPResponse {
        let selection = try Selection(req)
        let rv = req.http.query("resourceVersion") ?? ""
        let sendInitial = req.http.queryBool("sendInitialEvents")
        if sendInitial && req.http.query("resourceVersionMatch") != "NotOlderThan" {
            throw StatusError.invalid(kind: GroupKind(group: "meta.k8s.io", kind: "ListOptions"), name: "",
                                      field: "resourceVersionMatch",
                                      message: "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                                      reason: "FieldValueForbidden")
        }
        var timeout = Int64.random(in: 1800...3600)
        if let t = req.http.query("timeoutSeconds").flatMap(Int64.init), t > 0 { timeout = t }

        var initial: [KeyValue] = []
        var start: Int64
        do {
            if sendInitial || rv.isEmpty || rv == "0" {
                let snapshot = try await store.list(prefix: req.listPrefix)
                initial = snapshot.items
                start = snapshot.revision
            } else {
                guard let n = Int64(rv) else { throw StatusError.badRequest("invalid resourceVersion \"\(rv)\"") }
                start = n
            }
        } catch let e as StoreError {
            throw e.status(group: req.group, resource: req.plural, name: "")
        }
        let stream: WatchStream
        do {
            stream = try await store.watch(prefix: req.listPrefix, fromRevision: start)
        } catch {
            throw error.status(group: req.group, resource: req.plural, name: "")
        }
        let encoder = WatchEncoder(req: req)
        let (initialItems, startRevision, timeoutSeconds) = (initial, start, timeout)
        let contentType = req.wantsTable ? TablePrinter.contentType : "application/json"
        let kind = req.info.gvk.kind
        let apiVersion = req.apiVersion
        // Progress bookmarks (when asked for): the store's progress events, which follow every
        // change sent before them, so a client resuming from one misses nothing.
        let sendBookmarks = req.http.queryBool("allowWatchBookmarks") && !req.wantsTable
        let cache = watchCache
        let wantsTable = req.wantsTable
        return HTTPResponse(status: .ok, headers: [("Content-Type", contentType)], body: .stream { writer in
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    var encoder = encoder
                    do {
                        for kv in initialItems {
                            let object = try ObjectCodec.decode(kv, apiVersion: apiVersion)
                            if selection.matches(object) { try await writer.write(encoder.line("ADDED", object)) }
                        }
                        if sendInitial {
                            let bookmark: Value = ["kind": .string(kind), "apiVersion": .string(apiVersion),
                                                   "metadata": ["resourceVersion": .string(String(startRevision)),
                                                                "annotations": ["k8s.io/initial-events-end": "true"]]]
                            try await writer.write(encoder.rawLine("BOOKMARK", bookmark))
                        }
                        for try await event in stream {
                            if event.kind == .bookmark {
                                guard sendBookmarks else { continue }
                                let bookmark: Value = ["kind": .string(kind), "apiVersion": .string(apiVersion),
                                                       "metadata": ["resourceVersion": .string(String(event.revision))]]
                                try await writer.write(encoder.rawLine("BOOKMARK", bookmark))
                            } else if let (type, object, key, revision) = try Self.translate(event, selection, apiVersion, cache) {
                                // Plain lines are the same for every watcher: encoded once.
                                let line = wantsTable ? encoder.line(type, object)
                                    : cache.line(type, object, key: key, revision: revision, apiVersion: apiVersion, encode: encoder.rawLine)
                                try await writer.write(line)
                            }
                        }
                    } catch {
                        // Client gone, store closed or watcher too slow: end the stream; clients re-list.
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(timeoutSeconds))
                }
                await group.next()
                group.cancelAll()
            }
        })
    }

    /// A store event as the client sees it, given the selection: an object leaving the
    /// selection is DELETED for this watcher, one entering it is ADDED. Returns the event type,
    /// the object, and the store key and revision the object was decoded at (shared decodes
    /// and lines in `cache` are keyed by them).
    static func translate(_ event: WatchEvent, _ selection: Selection, _ apiVersion: String,
                          _ cache: WatchEventCache) throws -> (String, Value, String, Int64)? {
        func decoded(_ kv: KeyValue) throws -> Value {
            try cache.object(key: kv.key, bytes: kv.value, revision: kv.modRevision, apiVersion: apiVersion)
        }
        switch event.kind {
        case .added:
            guard let kv = event.current else { return nil }
            let object = try decoded(kv)
            return selection.matches(object) ? ("ADDED", object, kv.key, kv.modRevision) : nil
        case .modified:
            guard let kv = event.current else { return nil }
            let object = try decoded(kv)
            let now = selection.matches(object)
            let before = try event.previous.map { selection.matches(try decoded($0)) } ?? false
            switch (before, now) {
            case (true, true): return ("MODIFIED", object, kv.key, kv.modRevision)
            case (false, true): return ("ADDED", object, kv.key, kv.modRevision)
            case (true, false): return ("DELETED", object, kv.key, kv.modRevision)
            case (false, false): return nil
            }
        case .bookmark:
            // Store progress is forwarded by the watch loop itself (as a BOOKMARK when allowed).
            return nil
        case .deleted:
            guard let kv = event.previous else { return nil }
            let object = try cache.object(key: kv.key, bytes: kv.value, revision: event.revision, apiVersion: apiVersion)
            return selection.matches(object) ? ("DELETED", object, kv.key, event.revision) : nil
        }
    }
}

/// Turns events into lines: plain objects, or one-row Tables (column definitions on the
/// first event only, as the real server does).
struct WatchEncoder: Sendable {
    let req: ResourceRequest
    var sentColumns = false

    init(req: ResourceRequest) { self.req = req }

    mutating func line(_ type: String, _ object: Value) -> [UInt8] {
        guard req.wantsTable else { return rawLine(type, object) }
        var table = TablePrinter.table(for: req, objects: [object], resourceVersion: object.resourceVersion ?? "",
                                       includeObject: req.http.query("includeObject") ?? "Metadata", withColumns: !sentColumns)
        if sentColumns { table["columnDefinitions"] = .null }
        sentColumns = true
        return rawLine(type, table)
    }

    func rawLine(_ type: String, _ object: Value) -> [UInt8] {
        var bytes = Value.object(["type": .string(type), "object": object]).jsonBytes()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
