import CapstanAPI
import CapstanModel
import CapstanStore
import CapstanYAML

extension APIServer {
    /// The request body as a `Value`: JSON, or YAML when the client says so.
    func parseBody(_ req: ResourceRequest) throws -> Value {
        let body = req.http.body
        if body.isEmpty { throw StatusError.badRequest("the request body is empty") }
        let contentType = (req.http.header("Content-Type") ?? "application/json").lowercased()
        if contentType.containsBytes("protobuf") || contentType.containsBytes("cbor") {
            throw StatusError.unsupportedMediaType(contentType)
        }
        if contentType.containsBytes("yaml") {
            do {
                let docs = try YAML.parseValues(String(decoding: body, as: UTF8.self))
                guard let first = docs.first else { throw StatusError.badRequest("the request body is empty") }
                return first
            } catch let e as StatusError { throw e } catch {
                throw StatusError.badRequest("unable to decode the YAML body: \(error)")
            }
        }
        // Room for the metadata and defaults admission adds to nearly every object of a body.
        do { return try Value.parseJSON(body, spareMembers: 2) } catch {
            throw StatusError.badRequest("the body of the request is not valid JSON: \(error)")
        }
    }

    /// Namespaced creates need an existing namespace that is not terminating.
    func checkNamespaceOpen(_ req: ResourceRequest, name: String) async throws {
        guard let ns = req.namespace else { return }
        switch try await namespaceStates.state(of: ns, in: store) {
        case .open:
            return
        case .absent:
            throw StatusError.notFound(group: "", resource: "namespaces", name: ns)
        case .terminating:
            var e = StatusError.forbidden(group: req.group, resource: req.plural, name: name,
                                          "unable to create new content in namespace \(ns) because it is being terminated")
            e.details["causes"] = [["reason": "NamespaceTerminating", "message": .string("namespace \(ns) is being terminated"),
                                    "field": "metadata.namespace"]]
            throw e
        }
    }

    func create(_ req: ResourceRequest) async throws -> HTTPResponse {
        guard req.path.name == nil else { throw StatusError.methodNotAllowed() }
        var object = try parseBody(req)
        try RegistryRules.checkKind(&object, req)
        try RegistryRules.checkNamespace(&object, req)
        var name = object.name ?? ""
        if name.isEmpty {
            guard let prefix = object.generateName, !prefix.isEmpty else {
                throw StatusError.invalid(kind: req.info.gvk.groupKind, name: "", field: "metadata.name",
                                          message: "Required value: name or generateName is required", reason: "FieldValueRequired")
            }
            name = GenerateName.name(base: prefix)
            object[path: ["metadata", "name"]] = .string(name)
        }
        RegistryRules.prepareCreate(&object, req)
        let warnings = try admit(&object, req, old: nil)
        if req.group == "batch" && req.plural == "jobs", let uid = object.uid {
            Defaulter.generateJobSelector(for: &object, uid: uid)
        }
        try await checkNamespaceOpen(req, name: name)
        if req.group == "apiextensions.k8s.io" && req.plural == "customresourcedefinitions" {
            // Refuse a CRD the catalogue cannot serve before it is stored.
            do { _ = try req.catalogue.adding(customResourceDefinition: object) } catch {
                throw StatusError.invalid(kind: req.info.gvk.groupKind, name: name, field: error.field, message: error.message)
            }
        }
        let addresses = try await reserveServiceAddresses(req, &object, old: nil)
        if req.dryRun {
            object[path: ["metadata"]].removeValue(forKey: "resourceVersion")
            return objectResponse(req, object, status: .created, warnings: warnings)
        }
        let kv: KeyValue
        do {
            kv = try await store.create(req.key(name), value: ObjectCodec.encode(object))
        } catch {
            await finishServiceAddresses(addresses, stored: false)
            throw error.status(group: req.group, resource: req.plural, name: name)
        }
        await finishServiceAddresses(addresses, stored: true)
        if req.group == "apiextensions.k8s.io" && req.plural == "customresourcedefinitions" {
            await afterWrite(req, ObjectCodec.stored(object, kv, apiVersion: req.apiVersion), deleted: false)
        }
        // The response is the stored bytes with the revision spliced in (StoredJSON), rather
        // than the object encoded a second time; other shapes take the encoding path.
        return storedResponse(req, kv, status: .created, warnings: warnings) {
            ObjectCodec.stored(object, kv, apiVersion: req.apiVersion)
        }
    }

    /// Side effects on the server's derived state (the CRD catalogue). A deleted CRD takes its
    /// stored objects with it, as Kubernetes' `customresourcecleanup` finalizer does, so a CRD
    /// created again under the same name starts empty instead of resurrecting old objects.
    func afterWrite(_ req: ResourceRequest, _ object: Value, deleted: Bool) async {
        guard req.group == "apiextensions.k8s.io" && req.plural == "customresourcedefinitions" else { return }
        if deleted {
            if let group = object[path: ["spec", "group"]].stringValue, let plural = object[path: ["spec", "names", "plural"]].stringValue {
                // Only what this CRD served: never a built-in resource that shares the name.
                if registry.current.isCustomResource(group: group, plural: plural) {
                    await removeStoredObjects(group: group, plural: plural)
                }
                registry.unregisterCustomResource(group: group, plural: plural)
            }
        } else {
            _ = try? registry.register(customResourceDefinition: object)
        }
    }

    /// Deletes every stored object of `group/plural` (watchers see each DELETED event).
    private func removeStoredObjects(group: String, plural: String) async {
        guard let stored = try? await store.list(prefix: StorageKey.resourcePrefix(group: group, resource: plural)) else { return }
        for kv in stored.items {
            _ = try? await store.delete(kv.key, expectedModRevision: kv.modRevision)
        }
    }
}
