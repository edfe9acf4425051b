import CapstanStore
import CSQLite
import Foundation
import Testing

@Suite("SQLiteStore")
struct SQLiteStoreTests {
    @Test("group commit batches concurrent writers into fewer transactions")
    func groupCommit() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/store.db", compaction: .disabled)
        let writes = 2_000
        let before = store.statistics
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<64 {
                group.addTask {
                    for index in stride(from: writer, to: writes, by: 64) {
                        _ = try await store.create("/gc/\(index)", value: Array(repeating: 7, count: 512))
                    }
                }
            }
            try await group.waitForAll()
        }
        let after = store.statistics
        #expect(after.writes - before.writes == writes)
        let transactions = after.transactions - before.transactions
        // With 64 writers in flight, batches average well above one write each.
        #expect(transactions < writes / 4, "\(transactions) transactions for \(writes) writes")
        #expect(store.currentRevision == Int64(writes) + 1)
        await store.close()
    }

    /// The size of the file at `path`, 0 when it cannot be read.
    static func fileBytes(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// The log is copied back into the database file in the background while writes go on,
    /// not only by the writer's backstop (20,000 pages here, far more than these writes fill).
    @Test("background checkpoints copy the log into the database file")
    func backgroundCheckpoints() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/store.db"
        let store = try SQLiteStore(path: path, compaction: .disabled)
        func databaseBytes() -> Int { Self.fileBytes(path) }
        let before = databaseBytes()
        for index in 0..<400 {
            _ = try await store.create("/ck/\(index)", value: Array(repeating: UInt8(index % 251), count: 1024))
            if index % 50 == 49 { try await Task.sleep(for: .milliseconds(30)) }
        }
        // Checkpoints are asked for after commits, at most once a second: a few more writes
        // spaced out give the next one its turn.
        var extra = 0
        while databaseBytes() < before + 256 * 1024 && extra < 30 {
            try await Task.sleep(for: .milliseconds(120))
            _ = try await store.create("/ck/extra\(extra)", value: [1])
            extra += 1
        }
        #expect(databaseBytes() >= before + 256 * 1024, "database file still \(databaseBytes()) bytes")
        await store.close()
    }

    /// Writes that stop leave the log's tail for a checkpoint run once they have been quiet,
    /// not for the next burst of writes (nor the writer's backstop inside a commit).
    @Test("a checkpoint catches up once writes go quiet")
    func checkpointWhenQuiet() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/store.db"
        let store = try SQLiteStore(path: path, compaction: .disabled)
        func databaseBytes() -> Int { Self.fileBytes(path) }
        // The first commit's checkpoint runs at once; the burst below comes well inside the
        // one-second spacing that follows, so commits ask for no further one.
        _ = try await store.create("/quiet/first", value: [1])
        try await Task.sleep(for: .milliseconds(20))
        let before = databaseBytes()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<300 {
                group.addTask { _ = try await store.create("/quiet/\(index)", value: Array(repeating: UInt8(index % 251), count: 1024)) }
            }
            try await group.waitForAll()
        }
        // No further writes: only the quiet-time checkpoint can copy the log back.
        var waited = 0
        while databaseBytes() < before + 300 * 1024 && waited < 40 {
            try await Task.sleep(for: .milliseconds(50))
            waited += 1
        }
        #expect(databaseBytes() >= before + 300 * 1024, "database file still \(databaseBytes()) bytes")
        await store.close()
    }

    @Test("a failed precondition fails only its own write in a batch")
    func failedPreconditionInBatch() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteStore(path: directory.path + "/store.db", compaction: .disabled)
        _ = try await store.create("/dup", value: [])
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        // Every tenth write collides with an existing key.
                        _ = try await store.create(index % 10 == 0 ? "/dup" : "/ok/\(index)", value: [])
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var succeeded = 0
            for await ok in group where ok { succeeded += 1 }
            return succeeded
        }
        #expect(outcomes == 180)
        #expect(try await store.list(prefix: "/ok/").items.count == 180)
        #expect(store.currentRevision == 182)
        await store.close()
    }

    @Test("reopening the file resumes revision, data, history and compaction")
    func reopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/store.db"
        do {
            let store = try SQLiteStore(path: path, compaction: .disabled)
            _ = try await store.create("/r/a", value: bytes("a1"))        // 2
            _ = try await store.create("/r/b", value: bytes("b1"))        // 3
            _ = try await store.update("/r/a", value: bytes("a2"))        // 4
            _ = try await store.delete("/r/b")                            // 5
            _ = try await store.create("/r/c", value: bytes("c1"))        // 6
            try await store.compact(keepingRevisionsAfter: 3)
            await store.close()
        }
        let store = try SQLiteStore(path: path, compaction: .disabled)
        #expect(store.currentRevision == 6)
        #expect(store.compactedRevision == 3)
        #expect(try await store.get("/r/a") == KeyValue(key: "/r/a", value: bytes("a2"), createRevision: 2, modRevision: 4, version: 2))
        #expect(try await store.list(prefix: "/r/").items.map(\.key) == ["/r/a", "/r/c"])
        #expect(try await store.list(prefix: "/r/", atRevision: 3).items.map { string($0.value) } == ["a1", "b1"])
        let events = try await collect(try await store.watch(prefix: "/r/", fromRevision: 3), count: 3)
        #expect(events.map(\.kind) == [.modified, .deleted, .added])
        #expect(string(events[1].previous?.value) == "b1")
        let next = try await store.create("/r/d", value: [])
        #expect(next.modRevision == 7)
        await store.close()
    }

    @Test("automatic compaction keeps the configured number of revisions", arguments: StoreKind.allCases)
    func automaticCompactionByRevisions(kind: StoreKind) async throws {
        let store = try kind.make(compaction: CompactionPolicy(retainRevisions: 10, checkInterval: .zero))
        for index in 0..<50 { _ = try await store.create("/a/\(index)", value: []) }
        let current = await store.currentRevision
        #expect(current == 51)
        // SQLiteStore compacts on its writer queue right after resuming the writers.
        try await eventually { await store.compactedRevision == current - 10 }
        await #expect(throws: StoreError.compacted(requested: 30, compactedRevision: current - 10)) {
            try await store.watch(prefix: "/a/", fromRevision: 30)
        }
        #expect(try await store.list(prefix: "/a/", atRevision: current - 10).items.count == 40)
        await store.close()
    }

    @Test("automatic compaction by age compacts only history older than the window", arguments: StoreKind.allCases)
    func automaticCompactionByAge(kind: StoreKind) async throws {
        let window = Duration.seconds(2)
        let started = ContinuousClock.now
        let store = try kind.make(compaction: CompactionPolicy(retainDuration: window, checkInterval: .zero))
        for index in 0..<5 { _ = try await store.create("/t/\(index)", value: []) }
        // Nothing may be compacted before the window has passed. On a busy machine (the whole
        // suite runs in parallel) the writes may take a good part of the window; only judge
        // when they clearly did not.
        let early = await store.compactedRevision
        if ContinuousClock.now - started < window / 2 { #expect(early == 0) }
        let old = await store.currentRevision
        try await Task.sleep(for: window + .milliseconds(200))
        for index in 0..<5 { _ = try await store.update("/t/\(index)", value: [1]) }
        // Everything written before the sleep is out of the window ...
        try await eventually { await store.compactedRevision >= old }
        // ... and the newest write never is: its own commit is the newest sample.
        #expect(await store.compactedRevision < (await store.currentRevision))
        await store.close()
    }

    /// Also with a zero-filled WAL (`walPreallocation`): recovery must stop at the zeros.
    @Test("acknowledged writes survive SIGKILL of the writing process", arguments: [0, SQLiteStore.walSizeLimit])
    func durabilityUnderSIGKILL(walPreallocation: Int) async throws {
        let helper = try crashHelperPath()
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/crash.db"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = [path, "16", "1000000", String(walPreallocation)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()

        // Read acknowledgements until enough arrived, then kill mid-stream.
        var acknowledged: [String: Int64] = [:]
        var buffer: [UInt8] = []
        var killed = false
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }   // EOF: the child is gone and the pipe drained
            buffer.append(contentsOf: chunk)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                let parts = line.split(separator: " ")
                if parts.first == "ack", parts.count == 3, let revision = Int64(parts[2]) {
                    acknowledged[String(parts[1])] = revision
                } else if parts.first == "error" {
                    Issue.record("helper failed: \(line)")
                }
            }
            if !killed, acknowledged.count >= 3_000 {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        #expect(killed)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)

        let store = try SQLiteStore(path: path, compaction: .disabled)
        let everything = try await store.list(prefix: "/crash/")
        let found = Dictionary(uniqueKeysWithValues: everything.items.map { ($0.key, $0) })
        var missing = 0
        var wrong = 0
        for (key, revision) in acknowledged {
            guard let kv = found[key] else { missing += 1; continue }
            if kv.modRevision != revision || kv.value != crashPayload(for: key) { wrong += 1 }
        }
        #expect(missing == 0, "\(missing) of \(acknowledged.count) acknowledged writes lost")
        #expect(wrong == 0)
        // Unacknowledged writes may or may not have landed, but nothing beyond the revision counter.
        #expect(everything.items.count >= acknowledged.count)
        #expect(store.currentRevision == Int64(everything.items.count) + 1)
        await store.close()
    }
}

/// Must match `payload(for:)` in Tests/StoreCrashHelper/main.swift.
func crashPayload(for key: String) -> [UInt8] {
    Array(String(repeating: key + ";", count: max(1, 1024 / (key.utf8.count + 1))).utf8)
}

struct MissingHelper: Error, CustomStringConvertible {
    let searched: [String]
    var description: String {
        "capstan-store-crashtest not found (build it with `swift build --build-tests`); looked in \(searched)"
    }
}

/// The helper executable is built next to the test bundle by `swift build`/`swift test`.
func crashHelperPath() throws -> String {
    var candidates: [String] = []
    if let override = ProcessInfo.processInfo.environment["CAPSTAN_STORE_CRASHTEST"] { candidates.append(override) }
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = executable.deletingLastPathComponent()
    // On Linux the test binary sits in .build/<config>/; on macOS inside a .xctest bundle.
    for _ in 0..<4 {
        candidates.append(directory.appendingPathComponent("capstan-store-crashtest").path)
        directory = directory.deletingLastPathComponent()
    }
    for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
        return candidate
    }
    throw MissingHelper(searched: candidates)
}

@Suite("SQLiteStore: opening")
struct SQLiteStoreOpenTests {
    @Test("a second open of the same file fails until the first store closes")
    func exclusiveOpen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/store.db"
        let first = try SQLiteStore(path: path, compaction: .disabled)
        _ = try await first.create("/a", value: [])
        #expect(throws: StoreError.self) { try SQLiteStore(path: path, compaction: .disabled) }
        await first.close()
        let second = try SQLiteStore(path: path, compaction: .disabled)
        #expect(try await second.get("/a") != nil)
        await second.close()
    }

    @Test("an unusable path is a storage error, not a crash")
    func badPath() {
        #expect {
            try SQLiteStore(path: "/nonexistent-dir-for-capstan/store.db")
        } throws: { error in
            guard let error = error as? StoreError, case .storage = error else { return false }
            return true
        }
    }
}

@Suite("SQLiteStore: database errors")
struct SQLiteStoreErrorTests {
    @Test("a database error rolls back its whole batch; later writes continue without a revision gap")
    func injectedFailure() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/store.db"
        let store = try SQLiteStore(path: path, compaction: .disabled)
        _ = try await store.create("/before", value: [])                                   // 2
        let watch = try await store.watch(prefix: "/", fromRevision: 2)

        // A trigger, added behind the store's back, makes one key fail inside SQLite.
        var side: OpaquePointer?
        #expect(sqlite3_open(path, &side) == SQLITE_OK)
        #expect(sqlite3_exec(side, """
            CREATE TRIGGER fail_boom BEFORE INSERT ON history WHEN NEW.key = '/boom'
            BEGIN SELECT RAISE(ABORT, 'injected failure'); END;
            """, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(side)

        await #expect {
            try await store.create("/boom", value: [])
        } throws: { error in
            guard let error = error as? StoreError, case .storage(_, _, let message) = error else { return false }
            return message.contains("injected failure")
        }
        #expect(store.currentRevision == 2)
        // Writes racing with the failing one either fail with it or land; none is half-done.
        let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
            for index in 0..<40 {
                group.addTask {
                    let key = index == 20 ? "/boom" : "/k/\(index)"
                    return (key, (try? await store.create(key, value: [])) != nil)
                }
            }
            var outcomes: [String: Bool] = [:]
            for await (key, ok) in group { outcomes[key] = ok }
            return outcomes
        }
        #expect(outcomes["/boom"] == false)
        let landed = outcomes.filter { $0.value }.map(\.key).sorted()
        #expect(try await store.list(prefix: "/k/").items.map(\.key).sorted() == landed)
        let after = try await store.create("/after", value: [])
        #expect(after.modRevision == Int64(2 + landed.count + 1))
        let events = try await collect(watch, count: landed.count + 1)
        #expect(events.map(\.revision) == Array(3...after.modRevision))
        await store.close()
    }
}
