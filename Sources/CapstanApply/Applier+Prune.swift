import CapstanAPI
import CapstanClient
import CapstanManifest
import CapstanModel

/// What an ApplySet parent recorded before this run and what this run applies.
struct Inventory: Sendable {
    var parent: ApplySetParent
    var previousGroupKinds: Set<String>
    var previousNamespaces: Set<String>
    var currentGroupKinds: Set<String>
    var currentNamespaces: Set<String>
}

extension Applier {
    /// Reads the parent (it may not exist yet), checks it is ours, and — unless this is a dry run
    /// — records the union of old and new group-kinds before anything is applied.
    func openInventory(_ parent: ApplySetParent, members: [ResolvedManifest], options: ApplyOptions)
        async throws -> Inventory
    {
        let live = try await getIfExists(parent.resource, namespace: parent.namespace, name: parent.name)
        var previous: (groupKinds: Set<String>, namespaces: Set<String>) = ([], [])
        if let live {
            let id = live[path: ["metadata", "labels", ApplySetParent.idLabel]].stringValue
            guard id == parent.id else {
                throw ApplyError("\(parent.kind.rawValue.lowercased()) \(parent.namespace)/\(parent.name) exists but is not the parent of applyset \(parent.id) (its \(ApplySetParent.idLabel) label is \(id.map { "\"\($0)\"" } ?? "missing"))")
            }
            if let tooling = live[path: ["metadata", "annotations", ApplySetParent.toolingAnnotation]].stringValue,
               ApplySetParent.tool(of: tooling) != ApplySetParent.tool(of: parent.tooling)
            {
                // As kubectl: one tool per ApplySet, or each would prune what the other applied.
                throw ApplyError("applyset parent \(parent.kind.rawValue.lowercased()) \(parent.namespace)/\(parent.name) is managed by \(tooling), not \(ApplySetParent.tool(of: parent.tooling)); use another --applyset")
            }
            previous = ApplySetParent.recorded(in: live)
        }
        var inventory = Inventory(parent: parent, previousGroupKinds: previous.groupKinds,
                                  previousNamespaces: previous.namespaces, currentGroupKinds: [], currentNamespaces: [])
        for member in members {
            inventory.currentGroupKinds.insert(ApplySetParent.groupKind(member.resource.gvk))
            if member.resource.namespaced, let ns = member.object.namespace { inventory.currentNamespaces.insert(ns) }
        }
        if options.dryRun == .none {
            try await writeParent(parent, groupKinds: inventory.currentGroupKinds.union(inventory.previousGroupKinds),
                                  namespaces: inventory.currentNamespaces.union(inventory.previousNamespaces))
        }
        return inventory
    }

    /// Creates the parent, or merge-patches its id label and inventory annotations.
    func writeParent(_ parent: ApplySetParent, groupKinds: Set<String>, namespaces: Set<String>) async throws {
        let desired = parent.object(groupKinds: groupKinds, namespaces: namespaces)
        if try await getIfExists(parent.resource, namespace: parent.namespace, name: parent.name) == nil {
            _ = try await client.create(parent.resource, namespace: parent.namespace, desired)
            return
        }
        let patch: Value = .object(["metadata": .object([
            "labels": desired[path: ["metadata", "labels"]],
            "annotations": desired[path: ["metadata", "annotations"]],
        ])])
        _ = try await client.patch(parent.resource, namespace: parent.namespace, name: parent.name, type: .merge, patch)
    }

    /// Deletes members of the ApplySet (objects labelled `part-of` its id, of the group-kinds
    /// and in the namespaces it recorded) that `keep` does not name. Dry runs only report them.
    func prune(inventory: Inventory, keep: [ResolvedManifest], options: ApplyOptions) async -> [ObjectResult] {
        let keepKeys = Set(keep.map { Self.key(ApplySetParent.groupKind($0.resource.gvk),
                                                $0.resource.namespaced ? $0.object.namespace : nil, $0.object.name ?? "") })
        let selector: LabelSelector
        do {
            selector = try LabelSelector.parse("\(ApplySetParent.partOfLabel)=\(inventory.parent.id)")
        } catch {
            return [ObjectResult(typedName: "applyset", namespace: nil, source: nil, action: .failed,
                                 error: "error: \(error)")]
        }
        let mapper = try? await client.discover(refresh: false)
        var namespaces = inventory.previousNamespaces.union(inventory.currentNamespaces)
        namespaces.insert(inventory.parent.namespace)
        var results: [ObjectResult] = []
        for groupKind in inventory.previousGroupKinds.union(inventory.currentGroupKinds).sorted() {
            let parts = groupKind.split(separator: ".", maxSplits: 1).map(String.init)
            let kind = parts[0]
            let group = parts.count > 1 ? parts[1] : ""
            guard let info = mapper?.resources.first(where: { $0.gvk.kind == kind && $0.gvk.group == group }) else {
                results.append(ObjectResult(typedName: groupKind, namespace: nil, source: nil, action: .failed,
                                            error: "error: pruning \(groupKind): the server does not serve this kind"))
                continue
            }
            let scopes: [String?] = info.namespaced ? namespaces.sorted().map { Optional($0) } : [nil]
            for namespace in scopes {
                let listed: ObjectList
                do {
                    listed = try await client.listAll(info.gvr, namespace: namespace, options: ListOptions(labelSelector: selector))
                } catch {
                    results.append(ObjectResult(typedName: groupKind, namespace: namespace, source: nil, action: .failed,
                                                error: "error: listing \(groupKind) for pruning: \(error)"))
                    continue
                }
                for object in listed.items {
                    let name = object.name ?? ""
                    guard !keepKeys.contains(Self.key(groupKind, namespace, name)) else { continue }
                    let type = group.isEmpty ? kind.lowercased() : "\(kind.lowercased()).\(group)"
                    var result = ObjectResult(typedName: "\(type)/\(name)", namespace: namespace, source: nil,
                                              action: .pruned, object: object, dryRunSuffix: options.suffix)
                    if options.dryRun != .client {
                        do {
                            _ = try await client.delete(info.gvr, namespace: namespace, name: name,
                                                        options: DeleteOptions(propagationPolicy: .background,
                                                                               dryRun: options.dryRun == .server))
                        } catch let error where error.isNotFound {
                            // Already gone: nothing to prune.
                        } catch {
                            result.action = .failed
                            result.error = "error: pruning \(type)/\(name): \(error)"
                        }
                    }
                    results.append(result)
                }
            }
        }
        return results
    }

    /// GET that maps NotFound to nil.
    func getIfExists(_ resource: GroupVersionResource, namespace: String?, name: String) async throws(APIError) -> Value? {
        do {
            return try await client.get(resource, namespace: namespace, name: name)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    static func key(_ groupKind: String, _ namespace: String?, _ name: String) -> String {
        "\(groupKind)|\(namespace ?? "")|\(name)"
    }
}
