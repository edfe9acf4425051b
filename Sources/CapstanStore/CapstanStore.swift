/// CapstanStore — the storage contract of the Capstan API server.
///
/// Owns: an etcd-like multi-version key/value store. One global revision counter (an empty
/// store is at revision 1, as in etcd); every successful write takes the next revision. Each
/// key carries its `createRevision`, `modRevision` and `version` (writes since creation).
/// Reads see one consistent snapshot; writes are guarded by the revision the caller last saw
/// (optimistic concurrency, the source of Kubernetes' `resourceVersion`). A history of every
/// change is kept until it is compacted, which serves `list` at a past revision and `watch`
/// from a revision (replay, then live events, with no gap and no duplicate).
///
/// Implementations: `SQLiteStore` (embedded default: WAL, durable group commit) and
/// `MemoryStore` (tests). An etcd-backed store must fit the same `Store` protocol.
///
/// Must not: know what the values mean. Values are opaque bytes and keys opaque strings
/// (`/registry/GROUP/RESOURCE/NAMESPACE/NAME` by convention of the API server). No import
/// of CapstanModel, no JSON, no Kubernetes types here.
///
/// Key order is the byte order of the keys' UTF-8 encoding in both implementations.
///
/// Revisions follow Kubernetes' `resourceVersion` reading: `watch(fromRevision: R)` delivers
/// changes *after* R (an etcd-backed store watches from `start_revision = R + 1` with
/// `prev_kv`), `list` returns the snapshot revision to resume a watch from, and a DELETED
/// event carries the last value plus the revision of the delete.
public protocol Store: Sendable {
    /// The revision of the newest committed write (1 for an empty store).
    var currentRevision: Int64 { get async }
    /// Revisions at or below this one may have lost their history (0 when never compacted).
    /// `list(atRevision:)` accepts revisions `>= compactedRevision`; `watch(fromRevision:)`
    /// accepts `fromRevision >= compactedRevision`.
    var compactedRevision: Int64 { get async }

    /// The newest value of `key`, or nil when it does not exist.
    func get(_ key: String) async throws(StoreError) -> KeyValue?

    /// Keys starting with `prefix`, sorted by key, as of `atRevision` (nil: the newest).
    /// At most `limit` items (nil: all) whose key sorts after `continueAfterKey`; `more` says
    /// whether further items exist in the same snapshot. Pass the snapshot `revision` back as
    /// `atRevision` to page through one consistent snapshot.
    func list(prefix: String, atRevision: Int64?, limit: Int?, continueAfterKey: String?)
        async throws(StoreError) -> ListResult

    /// Creates `key`; `.alreadyExists` if it exists.
    func create(_ key: String, value: [UInt8]) async throws(StoreError) -> KeyValue

    /// Replaces the value of an existing `key`. When `expectedModRevision` is given and differs
    /// from the key's `modRevision`, fails with `.conflict` carrying the current value.
    func update(_ key: String, value: [UInt8], expectedModRevision: Int64?) async throws(StoreError) -> KeyValue

    /// Deletes `key`, guarded like `update`. Returns the last value and the delete's revision.
    func delete(_ key: String, expectedModRevision: Int64?) async throws(StoreError) -> DeleteResult

    /// Events for keys under `prefix` with a revision greater than `fromRevision`: first the
    /// ones still in history, in revision order, then live ones as they commit.
    /// Throws `.compacted` when `fromRevision < compactedRevision`. The stream ends with
    /// `.watcherTooSlow` when the consumer falls more than the store's watch buffer behind,
    /// and with `.closed` when the store closes. Dropping or cancelling the consumer removes
    /// the watcher.
    func watch(prefix: String, fromRevision: Int64) async throws(StoreError) -> WatchStream

    /// Queues a `.bookmark` event carrying the current revision to every watcher, ordered
    /// after every event it has been sent so far (etcd's progress request). Watchers that
    /// started beyond the current revision get none.
    func requestProgress() async

    /// Forgets history at and below `revision` (keeping the state as of `revision` itself).
    /// A revision at or below the compacted one is a no-op; one above the current revision is
    /// `.futureRevision`.
    func compact(keepingRevisionsAfter revision: Int64) async throws(StoreError)

    /// Stops accepting writes, ends every watch with `.closed`, releases resources.
    func close() async
}

// MARK: - Conveniences

extension Store {
    /// The newest snapshot of every key under `prefix`.
    public func list(prefix: String) async throws(StoreError) -> ListResult {
        try await list(prefix: prefix, atRevision: nil, limit: nil, continueAfterKey: nil)
    }

    public func list(prefix: String, atRevision: Int64?) async throws(StoreError) -> ListResult {
        try await list(prefix: prefix, atRevision: atRevision, limit: nil, continueAfterKey: nil)
    }

    /// Unconditional update.
    public func update(_ key: String, value: [UInt8]) async throws(StoreError) -> KeyValue {
        try await update(key, value: value, expectedModRevision: nil)
    }

    /// Unconditional delete.
    public func delete(_ key: String) async throws(StoreError) -> DeleteResult {
        try await delete(key, expectedModRevision: nil)
    }
}
