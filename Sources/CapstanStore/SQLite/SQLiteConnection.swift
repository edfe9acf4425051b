import CSQLite

/// One SQLite connection and its cached prepared statements.
///
/// Concurrency: `@unchecked Sendable` only so it can be handed between threads; it is not
/// safe to use from two threads at once (opened with SQLITE_OPEN_NOMUTEX). `SQLiteStore` confines each
/// connection to one owner at a time: the writer connection lives on the writer queue only;
/// read connections are checked out of `ReadConnectionPool` exclusively and returned after
/// use. SQLite itself is built thread-safe (serialized), so a hand-over between threads is fine.
final class SQLiteConnection: @unchecked Sendable {
    let db: OpaquePointer
    let path: String
    private var statements: [String: SQLiteStatement] = [:]

    init(path: String, create: Bool) throws(StoreError) {
        var handle: OpaquePointer?
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if create { flags |= SQLITE_OPEN_CREATE }
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw .storage(operation: "open \(path)", code: code, message: message)
        }
        self.db = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        for statement in statements.values { statement.finalize() }
        sqlite3_close_v2(db)
    }

    func error(_ operation: String, _ code: Int32) -> StoreError {
        .storage(operation: operation, code: code, message: String(cString: sqlite3_errmsg(db)))
    }

    /// Runs SQL without results (may hold several statements).
    func execute(_ sql: String) throws(StoreError) {
        let code = sqlite3_exec(db, sql, nil, nil, nil)
        if code != SQLITE_OK { throw error(sql, code) }
    }

    /// The prepared statement for `sql`, compiled once per connection and reused.
    func statement(_ sql: String) throws(StoreError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        var raw: OpaquePointer?
        let code = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard code == SQLITE_OK, let raw else { throw error("prepare \(sql)", code) }
        let statement = SQLiteStatement(raw, connection: self, sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    var changes: Int32 { sqlite3_changes(db) }

    /// Runs `body` in a read transaction, so every query inside sees one snapshot.
    func readTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try statement("BEGIN DEFERRED").run()
        do {
            let value = try body()
            try statement("COMMIT").run()
            return value
        } catch {
            _ = sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }
}

/// A prepared statement; belongs to its connection's owner (see `SQLiteConnection`).
final class SQLiteStatement {
    let raw: OpaquePointer
    unowned let connection: SQLiteConnection
    let sql: String

    init(_ raw: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.raw = raw
        self.connection = connection
        self.sql = sql
    }

    func finalize() { sqlite3_finalize(raw) }

    /// Clears bindings and state from the last use.
    @discardableResult
    func reset() -> SQLiteStatement {
        sqlite3_reset(raw)
        sqlite3_clear_bindings(raw)
        return self
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(raw, index, value)
    }

    func bind(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(raw, index, base, Int32(chars.count), csqlite_transient())
                } else {
                    // A non-null pointer for "", so the value is '' and not NULL.
                    _ = sqlite3_bind_text(raw, index, "", 0, csqlite_transient())
                }
            }
        }
    }

    /// Binds raw bytes as TEXT: SQLite compares TEXT bytewise (BINARY collation) and does not
    /// validate UTF-8, which is what prefix upper bounds need.
    func bind(_ index: Int32, text bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                    _ = sqlite3_bind_text(raw, index, chars, Int32(buffer.count), csqlite_transient())
                }
            } ?? { _ = sqlite3_bind_text(raw, index, "", 0, csqlite_transient()) }()
        }
    }

    func bind(_ index: Int32, blob bytes: [UInt8]) {
        if bytes.isEmpty {
            // A zero-length blob, not NULL: NULL marks a tombstone in the history table.
            sqlite3_bind_zeroblob(raw, index, 0)
            return
        }
        bytes.withUnsafeBytes { buffer in
            _ = sqlite3_bind_blob(raw, index, buffer.baseAddress, Int32(buffer.count), csqlite_transient())
        }
    }

    func bindNull(_ index: Int32) {
        sqlite3_bind_null(raw, index)
    }

    /// Steps once; true when a row is available.
    func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(raw)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = connection.error(sql, code)
            sqlite3_reset(raw)
            throw failure
        }
    }

    /// Steps to completion, ignoring rows, then resets.
    func run() throws(StoreError) {
        defer { reset() }
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(raw, column) else { return "" }
        let count = Int(sqlite3_column_bytes(raw, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let pointer = sqlite3_column_blob(raw, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}
