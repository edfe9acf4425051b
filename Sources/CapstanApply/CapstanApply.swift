/// CapstanApply: the apply engine — what `capstan apply` and `capstan diff` do between loaded
/// manifests and a Kubernetes API.
///
/// It owns ordering (namespaces and CRDs first, then kinds in Helm's install order, each tier
/// applied in parallel with a bounded number of requests in flight), the per-object decision
/// (create with kubectl's `last-applied-configuration` annotation, or a three-way patch from
/// last-applied, manifest and live — strategic merge for built-in kinds, JSON merge patch for
/// custom resources — or nothing when that patch is empty), server-side apply, pruning through
/// a kubectl-compatible ApplySet inventory, waiting for health, and the human diff.
///
/// It must not parse files (CapstanManifest does), compute patches itself (CapstanPatch does),
/// or reach a cluster other than through a `Client`. Nothing here holds shared mutable state:
/// the engine is a value; per-run results are collected by the task group that made them.
import CapstanClient
import CapstanManifest
import CapstanModel

/// How `apply` should behave; kubectl's flags.
public struct ApplyOptions: Sendable {
    public enum DryRun: String, Sendable { case none, client, server }

    public var dryRun: DryRun
    public var serverSide: Bool
    public var forceConflicts: Bool
    /// nil: `capstan-client-side-apply` (client-side) or `capstan` (server-side).
    public var fieldManager: String?
    /// Delete members of the ApplySet that the manifests no longer name.
    public var prune: Bool
    public var applySet: ApplySetParent?
    public var wait: Bool
    public var timeout: Duration
    /// Requests in flight at once within one tier.
    public var concurrency: Int
    /// Whether results carry the objects the server returned (`-o yaml|json`, `--wait`). Without
    /// them a create's response is not decoded; Namespaces and CRDs keep theirs (the run reads them).
    public var keepsObjects: Bool
    /// PATCH attempts after a 409 Conflict (each preceded by a fresh GET), as kubectl.
    public var conflictRetries: Int

    public init(dryRun: DryRun = .none, serverSide: Bool = false, forceConflicts: Bool = false,
                fieldManager: String? = nil, prune: Bool = false, applySet: ApplySetParent? = nil,
                wait: Bool = false, timeout: Duration = .seconds(300), concurrency: Int = 16, conflictRetries: Int = 5,
                keepsObjects: Bool = true)
    {
        self.keepsObjects = keepsObjects
        self.dryRun = dryRun
        self.serverSide = serverSide
        self.forceConflicts = forceConflicts
        self.fieldManager = fieldManager
        self.prune = prune
        self.applySet = applySet
        self.wait = wait
        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        self.conflictRetries = max(0, conflictRetries)
    }

    var clientSideManager: String { fieldManager ?? "capstan-client-side-apply" }
    var serverSideManager: String { fieldManager ?? "capstan" }

    /// kubectl's suffix for dry runs: ` (dry run)`, ` (server dry run)`.
    var suffix: String {
        switch dryRun {
        case .none: return ""
        case .client: return " (dry run)"
        case .server: return " (server dry run)"
        }
    }
}

/// What happened to one object.
public enum ApplyAction: String, Sendable, Hashable {
    case created, configured, unchanged, pruned, failed
    case serverSideApplied = "serverside-applied"
}

/// The outcome for one object: `deployment.apps/web configured`.
public struct ObjectResult: Sendable {
    public var typedName: String
    public var namespace: String?
    public var source: ManifestSource?
    public var action: ApplyAction
    /// The object as the server returned it (or as it would be, for a client dry run); nil for a
    /// create when `ApplyOptions.keepsObjects` is false.
    public var object: Value?
    /// kubectl-shaped error text when `action == .failed`.
    public var error: String?
    public var dryRunSuffix: String

    public init(typedName: String, namespace: String?, source: ManifestSource?, action: ApplyAction,
                object: Value? = nil, error: String? = nil, dryRunSuffix: String = "")
    {
        self.typedName = typedName
        self.namespace = namespace
        self.source = source
        self.action = action
        self.object = object
        self.error = error
        self.dryRunSuffix = dryRunSuffix
    }

    /// kubectl's line: `deployment.apps/web configured (server dry run)`.
    public var line: String {
        if action == .failed { return error ?? "\(typedName) failed" }
        return "\(typedName) \(action.rawValue)\(dryRunSuffix)"
    }
}

/// Everything one run did, in the order objects finished within each tier.
public struct ApplyReport: Sendable {
    public var results: [ObjectResult] = []
    /// Run-level failures (inventory, waits, CRDs not becoming Established).
    public var errors: [String] = []

    public init() {}

    public var failed: Bool { !errors.isEmpty || results.contains { $0.action == .failed } }

    // Counting reads each result in place; `filter` copied every result it kept.
    public func count(_ action: ApplyAction) -> Int { results.reduce(0) { $1.action == action ? $0 + 1 : $0 } }

    /// `5 objects: 2 created, 1 configured, 2 unchanged`.
    public var summary: String {
        let order: [ApplyAction] = [.created, .configured, .unchanged, .serverSideApplied, .pruned, .failed]
        let parts = order.compactMap { a -> String? in
            let n = count(a)
            return n == 0 ? nil : "\(n) \(a.rawValue)"
        }
        let total = results.count
        return "\(total) object\(total == 1 ? "" : "s"): " + (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", "))
    }
}
