import CapstanStore
import Testing

/// SplitMix64: a small deterministic generator, so a failure reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Store: SQLiteStore against MemoryStore")
struct StoreDifferentialTests {
    /// Both stores answer every operation alike, and their lists (at any retained revision,
    /// page by page) and watch replays agree.
    @Test("random operations, lists at past revisions and replays agree", arguments: [UInt64(1), 2, 3])
    func differential(seed: UInt64) async throws {
        var random = SeededGenerator(state: seed)
        let memory = MemoryStore(compaction: .disabled)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sqlite = try SQLiteStore(path: directory.path + "/store.db", compaction: .disabled)
        let keys = ["/a/1", "/a/2", "/a/3", "/a/10", "/a/11", "/a/20", "/ab/1", "/ab/2", "/b/1", "/b/2", "/b/3",
                    "/b/x/1", "/b/x/2", "/b/x/3", "/c", "/d"]
        let prefixes = ["", "/a/", "/a", "/b/", "/b/x/", "/zz/"]

        for step in 0..<600 {
            let key = keys[Int.random(in: 0..<keys.count, using: &random)]
            let value = bytes("\(step)")
            let expected: Int64? = Bool.random(using: &random) ? nil : try await memory.get(key)?.modRevision
            let stale = Int.random(in: 0..<10, using: &random) == 0
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                try await same(await outcome { try await memory.create(key, value: value) },
                               await outcome { try await sqlite.create(key, value: value) }, step)
            case 5..<8:
                let guardRevision = stale ? (expected ?? 1) - 1 : expected
                try await same(await outcome { try await memory.update(key, value: value, expectedModRevision: guardRevision) },
                               await outcome { try await sqlite.update(key, value: value, expectedModRevision: guardRevision) }, step)
            case 8:
                try await same(await outcome { try await memory.delete(key, expectedModRevision: expected).deleted },
                               await outcome { try await sqlite.delete(key, expectedModRevision: expected).deleted }, step)
            default:
                if Int.random(in: 0..<5, using: &random) == 0 {
                    let low = memory.compactedRevision
                    // Keep the last 40 revisions, so lists at past revisions have room.
                    let target = Int64.random(in: low...max(low, memory.currentRevision - 40), using: &random)
                    try await memory.compact(keepingRevisionsAfter: target)
                    try await sqlite.compact(keepingRevisionsAfter: target)
                }
            }
            #expect(memory.currentRevision == sqlite.currentRevision)

            if step % 40 == 39 {
                for _ in 0..<6 {
                    let revision = Int64.random(in: memory.compactedRevision...memory.currentRevision, using: &random)
                    let prefix = prefixes[Int.random(in: 0..<prefixes.count, using: &random)]
                    let limit = [nil, 1, 2, 5][Int.random(in: 0..<4, using: &random)]
                    let left = try await pages(memory, prefix: prefix, revision: revision, limit: limit)
                    let right = try await pages(sqlite, prefix: prefix, revision: revision, limit: limit)
                    #expect(left == right, "list \(prefix) at \(revision) limit \(String(describing: limit)), step \(step)")
                }
                let from = Int64.random(in: memory.compactedRevision...memory.currentRevision, using: &random)
                // Revision 1 is the empty store: the first event is at revision 2.
                let count = Int(memory.currentRevision - max(from, 1))
                if count > 0 {
                    let left = try await collect(try await memory.watch(prefix: "", fromRevision: from), count: count)
                    let right = try await collect(try await sqlite.watch(prefix: "", fromRevision: from), count: count)
                    #expect(left == right, "replay from \(from), step \(step)")
                }
            }
        }
        // The run must have produced a real history for the comparisons to mean something.
        #expect(memory.currentRevision > 200)
        #expect(try await memory.list(prefix: "").items.count > 5)
        await memory.close()
        await sqlite.close()
    }

    private func outcome<T: Sendable>(_ body: () async throws -> T) async -> Result<T, StoreError> {
        do {
            return .success(try await body())
        } catch let error as StoreError {
            return .failure(error)
        } catch {
            return .failure(.invalidArgument("unexpected \(error)"))
        }
    }

    private func same<T: Equatable>(_ left: Result<T, StoreError>, _ right: Result<T, StoreError>, _ step: Int) async throws {
        #expect(left == right, "step \(step)")
    }

    /// Every item of a list, read page by page at one revision.
    private func pages(_ store: some Store, prefix: String, revision: Int64, limit: Int?) async throws -> [KeyValue] {
        var items: [KeyValue] = []
        var after: String?
        for _ in 0..<100 {
            let page = try await store.list(prefix: prefix, atRevision: revision, limit: limit, continueAfterKey: after)
            #expect(page.revision == revision)
            items += page.items
            if let limit { #expect(page.items.count <= limit) }
            guard page.more, let last = page.items.last else { return items }
            after = last.key
        }
        Issue.record("paging did not end")
        return items
    }
}
