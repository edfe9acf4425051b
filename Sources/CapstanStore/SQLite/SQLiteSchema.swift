/// The on-disk layout of `SQLiteStore` and every SQL statement it runs.
///
/// - `history`: one row per revision (each write is one revision). `value` NULL marks a
///   delete (tombstone). `prev_rev` points at the key's previous row (NULL for a creation),
///   which gives watch events their previous value without a search.
/// - `live`: the newest revision of every existing key; values stay in `history` only, so a
///   write stores its bytes once.
/// - `meta`: the compacted revision, and a floor for the current revision. The current
///   revision is `max(meta.revision, max(history.rev))`: writes only append history, so a
///   commit touches no meta page; compaction, which may delete the newest row (a tombstone),
///   records the revision in meta.
///
/// A write dirties few pages, because SQLite logs whole pages to the WAL and every logged byte
/// is flushed at commit and copied again at checkpoint: the history tail, one `live` leaf.
/// There is deliberately no `(key, rev)` index: a list at a past revision R starts from
/// `live` and undoes the changes after R, found by rowid range and `prev_rev`.
///
/// Compaction at C deletes the rows no snapshot at or after C can see: rows superseded by a
/// later row at or below C, and tombstones at or below C. The newest row of each key as of C
/// stays, so `list` at C still works, and every row after C stays for watch replay.
enum SQLiteSchema {
    static let version: Int64 = 1

    static let create = """
        CREATE TABLE IF NOT EXISTS history (
            rev        INTEGER PRIMARY KEY,
            key        TEXT    NOT NULL,
            value      BLOB,
            create_rev INTEGER NOT NULL,
            version    INTEGER NOT NULL,
            prev_rev   INTEGER
        );
        DROP INDEX IF EXISTS history_key_rev;
        CREATE TABLE IF NOT EXISTS live (
            key TEXT PRIMARY KEY,
            rev INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS meta (
            name  TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta(name, value) VALUES ('revision', 1), ('compacted', 0), ('schema', 1);
        """

    static let readMeta = "SELECT value FROM meta WHERE name = ?1"
    static let readRevision = """
        SELECT max((SELECT value FROM meta WHERE name = 'revision'), coalesce((SELECT max(rev) FROM history), 0))
        """
    static let historyRow = "SELECT key, value, create_rev, rev, version FROM history WHERE rev = ?1"
    static let writeMeta = "UPDATE meta SET value = ?2 WHERE name = ?1"

    // Writer statements.
    static let getLive = """
        SELECT h.value, h.create_rev, h.rev, h.version
        FROM live l JOIN history h ON h.rev = l.rev WHERE l.key = ?1
        """
    static let insertHistory = """
        INSERT INTO history(rev, key, value, create_rev, version, prev_rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """
    /// A create's existence check and live row in one statement: no row changed means the key exists.
    static let insertLiveIfAbsent = "INSERT OR IGNORE INTO live(key, rev) VALUES (?1, ?2)"
    static let updateLive = "UPDATE live SET rev = ?2 WHERE key = ?1"
    static let deleteLive = "DELETE FROM live WHERE key = ?1"
    static let compactSuperseded = """
        DELETE FROM history WHERE rev IN (
            SELECT prev_rev FROM history WHERE rev > ?1 AND rev <= ?2 AND prev_rev IS NOT NULL)
        """
    static let compactTombstones = "DELETE FROM history WHERE rev > ?1 AND rev <= ?2 AND value IS NULL"

    // Reader statements, built once (the connection caches prepared statements by text).
    static let listLatestBounded = listLatestSQL(bounded: true)
    static let listLatestUnbounded = listLatestSQL(bounded: false)
    static let changesSinceBounded = changesSinceSQL(bounded: true)
    static let changesSinceUnbounded = changesSinceSQL(bounded: false)
    static let replayBounded = replaySQL(bounded: true)
    static let replayUnbounded = replaySQL(bounded: false)

    static func listLatest(bounded: Bool) -> String { bounded ? listLatestBounded : listLatestUnbounded }
    static func changesSince(bounded: Bool) -> String { bounded ? changesSinceBounded : changesSinceUnbounded }
    static func replay(bounded: Bool) -> String { bounded ? replayBounded : replayUnbounded }

    // Reader statements. ?1 prefix, ?2 prefix upper bound (only in the bounded variant),
    // ?3 continue-after key, ?4 limit (-1: none).
    private static func listLatestSQL(bounded: Bool) -> String {
        """
        SELECT l.key, h.value, h.create_rev, h.rev, h.version
        FROM live l JOIN history h ON h.rev = l.rev
        WHERE l.key >= ?1 \(bounded ? "AND l.key < ?2" : "") AND l.key > ?3
        ORDER BY l.key LIMIT ?4
        """
    }

    /// Keys under the prefix changed after revision ?3, oldest change first, with the row each
    /// change replaced (NULL: the change created the key).
    private static func changesSinceSQL(bounded: Bool) -> String {
        """
        SELECT key, prev_rev FROM history
        WHERE rev > ?3 AND key >= ?1 \(bounded ? "AND key < ?2" : "")
        ORDER BY rev
        """
    }

    // ?1 prefix, ?2 upper bound, ?3 after, ?4 up to, ?5 limit.
    private static func replaySQL(bounded: Bool) -> String {
        """
        SELECT h.rev, h.key, h.value, h.create_rev, h.version, h.prev_rev, p.value, p.create_rev, p.version
        FROM history h LEFT JOIN history p ON p.rev = h.prev_rev
        WHERE h.rev > ?3 AND h.rev <= ?4 AND h.key >= ?1 \(bounded ? "AND h.key < ?2" : "")
        ORDER BY h.rev LIMIT ?5
        """
    }
}
