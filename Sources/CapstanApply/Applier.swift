import CapstanAPI
import CapstanClient
import CapstanManifest
import CapstanModel

/// Applies resolved manifests to a cluster through a `Client`.
///
/// A value type holding only immutable references (the client is `Sendable` and safe to call
/// from many tasks); every run's state lives in the run's own tasks.
public struct Applier: Sendable {
    public let client: any Client

    public init(client: any Client) { self.client = client }

    /// Applies everything: ApplySet parent first (recording the union of old and new members, so
    /// an interrupted run never loses track of objects), then the tiers in order, then pruning,
    /// then the parent's final inventory, then waits (reporting each state change to `waiting`).
    /// Never throws: every failure is in the report.
    public func apply(_ manifests: [ResolvedManifest], options: ApplyOptions,
                      progress: (@Sendable (ObjectResult) -> Void)? = nil,
                      waiting: (@Sendable (WaitUpdate) -> Void)? = nil) async -> ApplyReport
    {
        var report = ApplyReport()
        var items = manifests
        var inventory: Inventory?
        if options.prune, options.applySet == nil {
            report.errors.append("error: --prune requires --applyset=NAME (the inventory that says what this tool applied)")
            return report
        }
        if let parent = options.applySet {
            do {
                inventory = try await openInventory(parent, members: manifests, options: options)
            } catch {
                report.errors.append(Failure.line(error))
                return report
            }
            items = items.map { Self.labelled($0, partOf: parent.id) }
        }

        // Namespaces this run created hold nothing yet: their objects need no LIST or GET.
        var emptyNamespaces: Set<String> = []
        for tier in ApplyOrder.tiers(items, kind: { $0.resource.gvk.kind }) {
            let results = await applyTier(tier, options: options, emptyNamespaces: emptyNamespaces, progress: progress)
            report.results += results
            if tier.first?.resource.gvk.kind == "Namespace", options.dryRun == .none {
                for result in results where result.action == .created {
                    if let name = result.object?.name { emptyNamespaces.insert(name) }
                }
            }
            if tier.first?.resource.gvk.kind == "CustomResourceDefinition", options.dryRun == .none {
                for result in results where result.action != .failed {
                    if let problem = await waitEstablished(result, timeout: .seconds(60)) { report.errors.append(problem) }
                }
                _ = try? await client.discover(refresh: true)
            }
        }

        if let inventory, let parent = options.applySet {
            if options.prune {
                let pruned = await prune(inventory: inventory, keep: items, options: options)
                for result in pruned { progress?(result) }
                report.results += pruned
            }
            if options.dryRun == .none, !report.failed {
                do {
                    try await writeParent(parent, groupKinds: inventory.currentGroupKinds, namespaces: inventory.currentNamespaces)
                } catch {
                    report.errors.append("error: updating the applyset parent \(parent.kind.rawValue.lowercased())/\(parent.name): \(error)")
                }
            }
        }

        if options.wait, options.dryRun == .none {
            report.errors += await waitReady(report.results.filter { $0.action != .failed && $0.action != .pruned },
                                             timeout: options.timeout, onUpdate: waiting)
        }
        return report
    }

    /// Applies one tier with at most `options.concurrency` objects in flight; results in input order.
    ///
    /// A fixed set of workers takes the objects in turn (rather than one child task per object,
    /// each waking the parent when done): per object that saves a task and a hand-off, which
    /// added up to a noticeable part of a large apply's client time.
    func applyTier(_ tier: [ResolvedManifest], options: ApplyOptions, emptyNamespaces: Set<String> = [],
                   progress: (@Sendable (ObjectResult) -> Void)?) async -> [ObjectResult]
    {
        let known = options.serverSide ? [:] : await prefetch(tier, emptyNamespaces: emptyNamespaces,
                                                                        concurrency: options.concurrency)
        let board = TierBoard(count: tier.count, progress: progress)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<min(max(1, options.concurrency), tier.count) {
                group.addTask {
                    while let index = board.claim() {
                        let item = tier[index]
                        let prefetched = Self.prefetched(item, known: known, emptyNamespaces: emptyNamespaces)
                        board.record(await self.applyObject(item, options: options, prefetched: prefetched), at: index)
                    }
                }
            }
        }
        return board.results
    }

    /// What is known of `item` before its GET: absent when its namespace was created by this
    /// run, else what a LIST showed. The namespace is checked first, and the key built only
    /// when a LIST ran: building and hashing a key per object cost more than its request's head.
    static func prefetched(_ item: ResolvedManifest, known: [LiveKey: Prefetched], emptyNamespaces: Set<String>) -> Prefetched? {
        if item.resource.namespaced, let ns = item.object.namespace, emptyNamespaces.contains(ns) { return .absent }
        return known.isEmpty ? nil : known[liveKey(item)]
    }

    /// What a LIST showed for an object before the tier started.
    enum Prefetched: Sendable {
        case absent
        case present(Value)
    }

    /// Which live object a manifest is about (resource, namespace when namespaced, name).
    struct LiveKey: Hashable {
        var resource: GroupVersionResource
        var namespace: String
        var name: String
    }

    static func liveKey(_ item: ResolvedManifest) -> LiveKey {
        LiveKey(resource: item.resource.gvr, namespace: item.resource.namespaced ? item.object.namespace ?? "" : "",
                name: item.object.name ?? "")
    }

    /// Where many objects of one resource share a namespace, one LIST replaces their GETs
    /// (kubectl GETs each); objects it does not show are known to be absent. Objects in
    /// `emptyNamespaces` (created moments ago by this run) need no LIST: `prefetched` answers
    /// absent for them without asking; should one exist after all, its create answers
    /// AlreadyExists and it goes round as a patch. A failed LIST just leaves those objects to
    /// their own GETs. Cluster-scoped objects (Namespaces, CRDs, cluster roles) keep their GETs:
    /// a LIST of them returns every one in the cluster, which grows with the cluster rather
    /// than with the manifests.
    func prefetch(_ tier: [ResolvedManifest], emptyNamespaces: Set<String> = [], concurrency: Int = 16) async -> [LiveKey: Prefetched] {
        var groups: [String: (GroupVersionResource, String?, [ResolvedManifest])] = [:]
        var known: [LiveKey: Prefetched] = [:]
        for item in tier {
            guard item.resource.namespaced else { continue }
            let ns = item.object.namespace
            if let ns, emptyNamespaces.contains(ns) { continue }
            let key = "\(item.resource.gvr)|\(ns ?? "")"
            groups[key, default: (item.resource.gvr, ns, [])].2.append(item)
        }
        // The LISTs run side by side, at most `concurrency` at once.
        let batches = groups.values.filter { $0.2.count >= 8 }
        await withTaskGroup(of: [LiveKey: Prefetched].self) { group in
            var next = 0
            func launch() {
                let (gvr, ns, items) = batches[next]
                next += 1
                group.addTask { await self.listed(gvr, namespace: ns, items) }
            }
            while next < batches.count && next < concurrency { launch() }
            for await found in group {
                known.merge(found) { _, new in new }
                if next < batches.count { launch() }
            }
        }
        return known
    }

    /// One LIST standing in for the GETs of `items`; empty when the LIST fails.
    private func listed(_ gvr: GroupVersionResource, namespace: String?, _ items: [ResolvedManifest]) async -> [LiveKey: Prefetched] {
        guard let listed = try? await client.listAll(gvr, namespace: namespace) else { return [:] }
        var byName: [String: Value] = [:]
        let gvk = items[0].resource.gvk
        for var object in listed.items {
            // List items come without apiVersion/kind; GET would have returned them.
            object["apiVersion"] = .string(gvk.apiVersion)
            object["kind"] = .string(gvk.kind)
            if let name = object.name { byName[name] = object }
        }
        var known: [LiveKey: Prefetched] = [:]
        for item in items {
            known[Self.liveKey(item)] = byName[item.object.name ?? ""].map { .present($0) } ?? .absent
        }
        return known
    }

    /// `item` with the ApplySet membership label (it becomes part of last-applied, as with kubectl).
    static func labelled(_ item: ResolvedManifest, partOf id: String) -> ResolvedManifest {
        var copy = item
        var object = item.object
        var labels = object[path: ["metadata", "labels"]].objectValue ?? [:]
        labels[ApplySetParent.partOfLabel] = .string(id)
        object[path: ["metadata", "labels"]] = .object(labels)
        copy.manifest.object = object
        return copy
    }

    /// Polls a CRD until its `Established` condition is True.
    func waitEstablished(_ result: ObjectResult, timeout: Duration) async -> String? {
        guard let name = result.object?.name else { return nil }
        let crds = GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let live = try? await client.get(crds, namespace: nil, name: name),
               Health.condition(live, "Established") == "True"
            {
                return nil
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return "error: timed out waiting for customresourcedefinition \(name) to be Established"
    }
}
