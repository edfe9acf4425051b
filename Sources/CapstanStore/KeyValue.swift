/// One version of one key, as stored. A plain value; safe to share across tasks.
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: [UInt8]
    /// Revision of the write that created the key (since its last deletion).
    public var createRevision: Int64
    /// Revision of the write that produced this value.
    public var modRevision: Int64
    /// Number of writes to the key since it was created (1 right after creation).
    public var version: Int64

    public init(key: String, value: [UInt8], createRevision: Int64, modRevision: Int64, version: Int64) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
    }
}

/// One page of a `list`.
public struct ListResult: Sendable, Hashable {
    /// Items sorted by key.
    public var items: [KeyValue]
    /// The revision of the snapshot the items were read from.
    public var revision: Int64
    /// Whether the snapshot holds more matching keys after the last item.
    public var more: Bool

    public init(items: [KeyValue], revision: Int64, more: Bool) {
        self.items = items
        self.revision = revision
        self.more = more
    }
}

/// What `delete` removed.
public struct DeleteResult: Sendable, Hashable {
    /// The last value of the key before the delete.
    public var deleted: KeyValue
    /// The revision of the delete itself.
    public var revision: Int64

    public init(deleted: KeyValue, revision: Int64) {
        self.deleted = deleted
        self.revision = revision
    }
}

/// One change seen by a watcher.
public struct WatchEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// Progress, not a change: every change under the prefix up to `revision` has been
        /// delivered before it (`key` is empty, `current` and `previous` nil). Sent after
        /// `Store.requestProgress()`; the API server turns it into a watch BOOKMARK.
        case bookmark = "BOOKMARK"
    }

    public var kind: Kind
    public var key: String
    /// The value after the change; nil for `.deleted`.
    public var current: KeyValue?
    /// The value before the change; nil for `.added`.
    public var previous: KeyValue?
    /// The revision of the change.
    public var revision: Int64

    public init(kind: Kind, key: String, current: KeyValue?, previous: KeyValue?, revision: Int64) {
        self.kind = kind
        self.key = key
        self.current = current
        self.previous = previous
        self.revision = revision
    }

    static func added(_ kv: KeyValue) -> WatchEvent {
        WatchEvent(kind: .added, key: kv.key, current: kv, previous: nil, revision: kv.modRevision)
    }

    static func modified(_ kv: KeyValue, previous: KeyValue) -> WatchEvent {
        WatchEvent(kind: .modified, key: kv.key, current: kv, previous: previous, revision: kv.modRevision)
    }

    static func bookmark(at revision: Int64) -> WatchEvent {
        WatchEvent(kind: .bookmark, key: "", current: nil, previous: nil, revision: revision)
    }

    static func deleted(_ previous: KeyValue, at revision: Int64) -> WatchEvent {
        WatchEvent(kind: .deleted, key: previous.key, current: nil, previous: previous, revision: revision)
    }
}

// MARK: - Key order and prefixes

extension String {
    /// Byte order of the UTF-8 encoding: the order SQLite's BINARY collation uses, so both
    /// stores list keys identically.
    @inline(__always)
    func storeKeyPrecedes(_ other: String) -> Bool {
        self.utf8.lexicographicallyPrecedes(other.utf8)
    }
}

enum KeyRange {
    /// The smallest byte string greater than every string starting with `prefix`, or nil when
    /// there is none (empty prefix or all 0xFF bytes).
    static func upperBound(ofPrefix prefix: String) -> [UInt8]? {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return bytes
            }
            bytes.removeLast()
        }
        return nil
    }
}
