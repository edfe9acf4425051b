import CapstanModel

/// Query options of a `get`.
public struct GetOptions: Sendable, Hashable {
    /// "" (latest), "0" (any cached version) or a specific resource version.
    public var resourceVersion: String?

    public init(resourceVersion: String? = nil) { self.resourceVersion = resourceVersion }
}

/// Query options of a `list` (and `deleteCollection`).
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: LabelSelector?
    public var fieldSelector: FieldSelector?
    /// Page size; the server answers with `continueToken` when more remain.
    public var limit: Int?
    public var continueToken: String?
    /// "" (a consistent read), "0" (any), or a version to read at.
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`, with `resourceVersion`.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?

    public init(labelSelector: LabelSelector? = nil, fieldSelector: FieldSelector? = nil, limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil, resourceVersionMatch: String? = nil,
                timeoutSeconds: Int? = nil)
    {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Query options of a `watch`.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: LabelSelector?
    public var fieldSelector: FieldSelector?
    /// Start after this version; "" or "0" first sends every current object as `ADDED`.
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// The server ends the stream after this many seconds (clients then re-watch).
    public var timeoutSeconds: Int?
    /// The watch-list protocol: initial `ADDED` events, then a `BOOKMARK` annotated
    /// `k8s.io/initial-events-end`.
    public var sendInitialEvents: Bool?
    public var resourceVersionMatch: String?

    public init(labelSelector: LabelSelector? = nil, fieldSelector: FieldSelector? = nil, resourceVersion: String? = nil,
                allowWatchBookmarks: Bool = false, timeoutSeconds: Int? = nil, sendInitialEvents: Bool? = nil,
                resourceVersionMatch: String? = nil)
    {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
        self.sendInitialEvents = sendInitialEvents
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// Options of `create` and `update` (and of subresource writes).
public struct WriteOptions: Sendable, Hashable {
    /// `dryRun=All`: validate and admit, store nothing.
    public var dryRun: Bool
    public var fieldManager: String?
    /// `Strict`, `Warn` or `Ignore`.
    public var fieldValidation: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil, fieldValidation: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.fieldValidation = fieldValidation
    }
}

/// The four PATCH bodies Kubernetes accepts, by content type.
public enum PatchType: String, Sendable, Hashable, CaseIterable {
    /// RFC 6902 JSON Patch.
    case json = "application/json-patch+json"
    /// RFC 7386 JSON merge patch.
    case merge = "application/merge-patch+json"
    /// Strategic merge patch (built-in kinds only).
    case strategicMerge = "application/strategic-merge-patch+json"
    /// Server-side apply; needs `fieldManager`.
    case apply = "application/apply-patch+yaml"

    public var contentType: String { rawValue }
}

/// Options of `patch`.
public struct PatchOptions: Sendable, Hashable {
    public var dryRun: Bool
    /// Required for server-side apply.
    public var fieldManager: String?
    /// Server-side apply: take ownership of conflicting fields.
    public var force: Bool?
    public var fieldValidation: String?

    public init(dryRun: Bool = false, fieldManager: String? = nil, force: Bool? = nil, fieldValidation: String? = nil) {
        self.dryRun = dryRun
        self.fieldManager = fieldManager
        self.force = force
        self.fieldValidation = fieldValidation
    }
}

/// How dependents are treated when their owner is deleted.
public enum PropagationPolicy: String, Sendable, Hashable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

/// Conditions the object must still meet for a delete to proceed (else 409 Conflict).
public struct Preconditions: Sendable, Hashable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// `meta.k8s.io/v1 DeleteOptions`, sent as the DELETE body as kubectl does.
public struct DeleteOptions: Sendable, Hashable {
    public var propagationPolicy: PropagationPolicy?
    public var preconditions: Preconditions?
    public var gracePeriodSeconds: Int64?
    public var dryRun: Bool

    public init(propagationPolicy: PropagationPolicy? = nil, preconditions: Preconditions? = nil,
                gracePeriodSeconds: Int64? = nil, dryRun: Bool = false)
    {
        self.propagationPolicy = propagationPolicy
        self.preconditions = preconditions
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` body.
    public var value: Value {
        var v: Value = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { v["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { v["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        if let preconditions {
            var p: Value = .object([:])
            if let uid = preconditions.uid { p["uid"] = .string(uid) }
            if let rv = preconditions.resourceVersion { p["resourceVersion"] = .string(rv) }
            v["preconditions"] = p
        }
        if dryRun { v["dryRun"] = ["All"] }
        return v
    }

    /// Whether the options ask for anything beyond a plain delete (then a body is sent).
    public var isDefault: Bool { self == DeleteOptions() }
}

/// Options of the pod `log` subresource.
public struct LogOptions: Sendable, Hashable {
    public var container: String?
    public var follow: Bool
    public var previous: Bool
    public var tailLines: Int?
    public var sinceSeconds: Int?
    public var timestamps: Bool
    public var limitBytes: Int?

    public init(container: String? = nil, follow: Bool = false, previous: Bool = false, tailLines: Int? = nil,
                sinceSeconds: Int? = nil, timestamps: Bool = false, limitBytes: Int? = nil)
    {
        self.container = container
        self.follow = follow
        self.previous = previous
        self.tailLines = tailLines
        self.sinceSeconds = sinceSeconds
        self.timestamps = timestamps
        self.limitBytes = limitBytes
    }
}
