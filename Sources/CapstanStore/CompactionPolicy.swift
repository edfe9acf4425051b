/// When a store compacts its history by itself. A revision is kept while either rule still
/// wants it: compaction only goes as far as both rules allow. With neither rule set, the
/// store never compacts on its own (`compact(keepingRevisionsAfter:)` still works).
///
/// The default mirrors the Kubernetes API server, which compacts every five minutes up to
/// the revision it saw five minutes earlier.
public struct CompactionPolicy: Sendable, Hashable {
    /// Keep at least the newest N revisions of history.
    public var retainRevisions: Int64?
    /// Keep history younger than this.
    public var retainDuration: Duration?
    /// How often, at most, the store looks at whether it should compact.
    public var checkInterval: Duration

    public init(retainRevisions: Int64? = nil, retainDuration: Duration? = nil, checkInterval: Duration = .seconds(10)) {
        self.retainRevisions = retainRevisions
        self.retainDuration = retainDuration
        self.checkInterval = checkInterval
    }

    public static let disabled = CompactionPolicy()
    public static let kubernetesDefault = CompactionPolicy(retainDuration: .seconds(300), checkInterval: .seconds(30))
}

/// Decides automatic compaction targets. Owned and mutated by one writer at a time (the
/// writer queue of `SQLiteStore`, or under the lock of `MemoryStore`); not shared.
struct CompactionScheduler {
    let policy: CompactionPolicy
    private var lastCheck: ContinuousClock.Instant?
    /// (time, revision) samples, oldest first, for the duration rule.
    private var samples: [(ContinuousClock.Instant, Int64)] = []

    init(policy: CompactionPolicy) {
        self.policy = policy
    }

    var isEnabled: Bool { policy.retainRevisions != nil || policy.retainDuration != nil }

    /// Called after each committed batch; returns the revision to compact to, if any.
    mutating func afterCommit(now: ContinuousClock.Instant, currentRevision: Int64, compactedRevision: Int64) -> Int64? {
        guard isEnabled else { return nil }
        if let keep = policy.retainDuration {
            // Space samples so that a window holds about 20 of them.
            // Each sample is (time of a commit, revision after it): every revision up to it
            // is at least as old as that time. The newest sample always tracks the newest
            // commit; it is replaced while it is within `spacing` of the one before, so a
            // window holds about 20 samples.
            let spacing = min(Duration.seconds(1), keep / 20)
            if samples.count >= 2, now - samples[samples.count - 2].0 < spacing {
                samples[samples.count - 1] = (now, currentRevision)
            } else {
                samples.append((now, currentRevision))
            }
        }
        if let last = lastCheck, now - last < policy.checkInterval { return nil }
        lastCheck = now

        var target = currentRevision
        if let keep = policy.retainRevisions {
            target = min(target, currentRevision - max(keep, 0))
        }
        if let keep = policy.retainDuration {
            let cutoff = now - keep
            // The newest sample at or before the cutoff: its revision is old enough to drop.
            var old: Int64 = 0
            var dropCount = 0
            for (index, sample) in samples.enumerated() where sample.0 <= cutoff {
                old = sample.1
                dropCount = index
            }
            if dropCount > 0 { samples.removeFirst(dropCount) }
            target = min(target, old)
        }
        return target > compactedRevision ? target : nil
    }
}
