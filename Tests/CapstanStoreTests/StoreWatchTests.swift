import CapstanStore
import Testing

@Suite("Store: watch")
struct StoreWatchTests {
    @Test("replays history after fromRevision in order, then live events", arguments: StoreKind.allCases)
    func replayThenLive(kind: StoreKind) async throws {
        let store = try kind.make()
        let a = try await store.create("/w/a", value: bytes("a1"))                       // 2
        _ = try await store.create("/other/x", value: bytes("x"))                        // 3
        let a2 = try await store.update("/w/a", value: bytes("a2"), expectedModRevision: a.modRevision)  // 4
        let b = try await store.create("/w/b", value: bytes("b1"))                       // 5
        let deleted = try await store.delete("/w/a", expectedModRevision: a2.modRevision) // 6

        let stream = try await store.watch(prefix: "/w/", fromRevision: 2)
        let live = Task {
            try await Task.sleep(for: .milliseconds(50))
            _ = try await store.update("/w/b", value: bytes("b2"))                       // 7
            _ = try await store.create("/other/y", value: bytes("y"))                    // 8
            _ = try await store.create("/w/c", value: bytes("c1"))                       // 9
        }
        let events = try await collect(stream, count: 5)
        try await live.value
        #expect(events.map(\.revision) == [4, 5, 6, 7, 9])
        #expect(events.map(\.kind) == [.modified, .added, .deleted, .modified, .added])
        #expect(events[0].current == a2)
        #expect(events[0].previous == a)
        #expect(events[1].current == b)
        #expect(events[1].previous == nil)
        #expect(events[2].current == nil)
        #expect(events[2].previous == deleted.deleted)
        #expect(events[2].key == "/w/a")
        #expect(string(events[3].current?.value) == "b2")
        #expect(events[3].previous == b)
        #expect(events[4].key == "/w/c")
        await store.close()
    }

    @Test("watch from the current revision only gets later events", arguments: StoreKind.allCases)
    func fromNow(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await store.create("/w/a", value: bytes("a"))
        let stream = try await store.watch(prefix: "/w/", fromRevision: await store.currentRevision)
        _ = try await store.create("/w/b", value: bytes("b"))
        let events = try await collect(stream, count: 1)
        #expect(events.map(\.key) == ["/w/b"])
        await store.close()
    }

    @Test("no gap and no duplicate between replay and concurrent live writes", arguments: StoreKind.allCases)
    func noGapUnderConcurrency(kind: StoreKind) async throws {
        let store = try kind.make()
        try await createMany(store, (0..<300).map { "/g/\($0)" })
        let total = 300 + 400
        // Writers run while watchers start at different points of the history.
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<100 { _ = try await store.update("/g/\((writer * 100 + index) % 300)", value: bytes("u")) }
                    }
                }
                try await group.waitForAll()
            }
        }
        var streams: [(Int64, WatchStream)] = []
        for from in [Int64(1), 100, 250] {
            streams.append((from, try await store.watch(prefix: "/g/", fromRevision: from)))
            await Task.yield()
        }
        try await writers.value
        for (from, stream) in streams {
            let expected = total + 1 - Int(from)
            let events = try await collect(stream, count: expected)
            #expect(events.map(\.revision) == Array((from + 1)...Int64(total + 1)))
        }
        await store.close()
    }

    @Test("a watch from before the compacted revision fails with compacted", arguments: StoreKind.allCases)
    func compacted(kind: StoreKind) async throws {
        let store = try kind.make()
        for index in 0..<6 { _ = try await store.create("/c/\(index)", value: []) }  // 2...7
        try await store.compact(keepingRevisionsAfter: 5)
        await #expect(throws: StoreError.compacted(requested: 4, compactedRevision: 5)) {
            try await store.watch(prefix: "/c/", fromRevision: 4)
        }
        let stream = try await store.watch(prefix: "/c/", fromRevision: 5)
        let events = try await collect(stream, count: 2)
        #expect(events.map(\.revision) == [6, 7])
        await store.close()
    }

    @Test("breaking out of the loop or cancelling removes the watcher", arguments: StoreKind.allCases)
    func cancellation(kind: StoreKind) async throws {
        let store = try kind.make()
        let stream = try await store.watch(prefix: "/w/", fromRevision: 1)
        #expect(watcherCount(store) == 1)
        let consumer = Task {
            var seen = 0
            for try await _ in stream { seen += 1 }
            return seen
        }
        _ = try await store.create("/w/a", value: [])
        try await eventually { await store.currentRevision == 2 }
        consumer.cancel()
        _ = try await consumer.value
        try await eventually { watcherCount(store) == 0 }

        do {
            let second = try await store.watch(prefix: "/w/", fromRevision: 1)
            #expect(watcherCount(store) == 1)
            _ = try await collect(second, count: 1)
        }
        try await eventually { watcherCount(store) == 0 }
        await store.close()
    }

    /// A consumer parked in `next` whose task is cancelled while the store publishes: the
    /// cancellation handler leaves the hub, the publisher wakes consumers. Waking one under
    /// the hub lock deadlocked against a handler holding its task's status lock.
    @Test("cancelling parked watchers while events and bookmarks are published never deadlocks",
          .timeLimit(.minutes(1)), arguments: StoreKind.allCases)
    func cancelWhilePublishing(kind: StoreKind) async throws {
        let store = try kind.make()
        let publisher = Task {
            var i = 0
            while !Task.isCancelled {
                _ = try? await store.create("/race/\(i % 64)", value: [])
                _ = try? await store.delete("/race/\(i % 64)", expectedModRevision: nil)
                await store.requestProgress()
                i += 1
            }
        }
        for _ in 0..<200 {
            var consumers: [Task<Void, any Error>] = []
            for _ in 0..<4 {
                let stream = try await store.watch(prefix: "/race/", fromRevision: await store.currentRevision)
                consumers.append(Task { for try await _ in stream {} })
            }
            try await Task.sleep(for: .microseconds(200))
            for consumer in consumers { consumer.cancel() }
            for consumer in consumers { _ = await consumer.result }
        }
        publisher.cancel()
        _ = await publisher.result
        await store.close()
    }

    @Test("a watcher that falls too far behind ends with watcherTooSlow", arguments: StoreKind.allCases)
    func slowWatcher(kind: StoreKind) async throws {
        let store = try kind.make(watchBufferLimit: 8)
        let stream = try await store.watch(prefix: "/s/", fromRevision: 1)
        // Nobody consumes: writers must not block, and the watcher is dropped.
        for index in 0..<20 { _ = try await store.create("/s/\(index)", value: []) }
        #expect(watcherCount(store) == 0)
        var iterator = stream.makeAsyncIterator()
        await #expect(throws: StoreError.watcherTooSlow(prefix: "/s/", bufferedEvents: 8)) {
            while try await iterator.next() != nil {}
        }
        await store.close()
    }

    @Test("closing the store ends watches with closed", arguments: StoreKind.allCases)
    func closeEndsWatches(kind: StoreKind) async throws {
        let store = try kind.make()
        let stream = try await store.watch(prefix: "/", fromRevision: 1)
        let consumer = Task { () async throws(StoreError) -> Int in
            var seen = 0
            for try await _ in stream { seen += 1 }
            return seen
        }
        _ = try await store.create("/a", value: [])
        try await eventually { await store.currentRevision == 2 }
        await store.close()
        await #expect(throws: StoreError.closed) { try await consumer.value }
    }

    @Test("replay spanning several pages keeps order and honours the prefix", arguments: StoreKind.allCases)
    func longReplay(kind: StoreKind) async throws {
        let store = try kind.make()
        let revisions = try await createMany(store, (0..<1_500).map { $0 % 3 == 0 ? "/other/\($0)" : "/r/\($0)" })
        let stream = try await store.watch(prefix: "/r/", fromRevision: 1)
        let events = try await collect(stream, count: 1_000)
        let expected = revisions.filter { $0.key.hasPrefix("/r/") }.sorted { $0.value < $1.value }.map(\.key)
        #expect(events.map(\.key) == expected)
        #expect(events.allSatisfy { string($0.current?.value) == $0.key })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.revision < $1.revision })
        await store.close()
    }

    @Test("compaction overtaking a watcher in mid-replay ends it with compacted", arguments: StoreKind.allCases)
    func compactionDuringReplay(kind: StoreKind) async throws {
        let store = try kind.make()
        try await createMany(store, (0..<1_200).map { "/m/\($0)" })   // revisions 2...1201
        let stream = try await store.watch(prefix: "/m/", fromRevision: 1)
        var iterator = stream.makeAsyncIterator()
        var seen: [Int64] = []
        for _ in 0..<10 { if let event = try await iterator.next() { seen.append(event.revision) } }
        #expect(seen == Array(2...11))
        try await store.compact(keepingRevisionsAfter: 1_000)
        // The first replay page is already in hand; the next history read must notice.
        await #expect(throws: StoreError.compacted(requested: 513, compactedRevision: 1_000)) {
            while let event = try await iterator.next() { seen.append(event.revision) }
        }
        #expect(seen == Array(2...513))
        #expect(try await iterator.next() == nil)
        try await eventually { watcherCount(store) == 0 }
        await store.close()
    }

    @Test("live deletes carry the last value and the delete revision", arguments: StoreKind.allCases)
    func liveDelete(kind: StoreKind) async throws {
        let store = try kind.make()
        let created = try await store.create("/w/a", value: bytes("last"))
        let stream = try await store.watch(prefix: "/w/", fromRevision: created.modRevision)
        let deleted = try await store.delete("/w/a", expectedModRevision: created.modRevision)
        let events = try await collect(stream, count: 1)
        #expect(events == [WatchEvent(kind: .deleted, key: "/w/a", current: nil, previous: created, revision: deleted.revision)])
        await store.close()
    }

    @Test("a watch from beyond the current revision waits for that revision", arguments: StoreKind.allCases)
    func futureStart(kind: StoreKind) async throws {
        let store = try kind.make()
        let stream = try await store.watch(prefix: "/f/", fromRevision: 3)
        for index in 0..<4 { _ = try await store.create("/f/\(index)", value: []) }   // 2...5
        let events = try await collect(stream, count: 2)
        #expect(events.map(\.revision) == [4, 5])
        await store.close()
    }

    @Test("progress requests put a bookmark after everything already sent", arguments: StoreKind.allCases)
    func bookmarks(kind: StoreKind) async throws {
        let store = try kind.make()
        try await createMany(store, (0..<20).map { "/b/\($0)" })                     // 2...21
        _ = try await store.create("/elsewhere", value: [])                            // 22
        let replaying = try await store.watch(prefix: "/b/", fromRevision: 1)
        let future = try await store.watch(prefix: "/b/", fromRevision: 100)
        await store.requestProgress()
        _ = try await store.create("/b/late", value: [])                               // 23
        let events = try await collect(replaying, count: 22)
        #expect(events.map(\.revision) == Array(2...21) + [22, 23])
        #expect(events[20] == WatchEvent(kind: .bookmark, key: "", current: nil, previous: nil, revision: 22))
        #expect(events[21].key == "/b/late")
        // A watcher that starts beyond the bookmark's revision does not get it.
        await store.requestProgress()
        let early = try? await collect(future, count: 1, seconds: 0.3)
        #expect(early == nil)
        await store.close()
    }

    @Test("many watchers on overlapping prefixes each see exactly their events in order", arguments: StoreKind.allCases)
    func fanOut(kind: StoreKind) async throws {
        let store = try kind.make()
        let prefixes = ["/", "/f/", "/f/a/", "/f/b/", "/g/"]
        let writes = 8 * 60
        func key(_ writer: Int, _ index: Int) -> String {
            ["/f/a/", "/f/b/", "/g/", "/h/"][(writer + index) % 4] + "\(writer)-\(index)"
        }
        var watchers: [(prefix: String, from: Int64, stream: WatchStream)] = []
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0..<60 { _ = try await store.create(key(writer, index), value: []) }
                    }
                }
                try await group.waitForAll()
            }
        }
        for round in 0..<4 {
            for prefix in prefixes {
                let from = await store.currentRevision
                watchers.append((prefix, from, try await store.watch(prefix: prefix, fromRevision: from)))
            }
            if round < 3 { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await writers.value
        #expect(await store.currentRevision == Int64(writes) + 1)
        let all = try await store.list(prefix: "")
        for watcher in watchers {
            // What the watcher must see: every key under its prefix created after `from`.
            let expected = all.items
                .filter { $0.key.hasPrefix(watcher.prefix) && $0.modRevision > watcher.from }
                .map(\.modRevision).sorted()
            if expected.isEmpty { continue }
            let events = try await collect(watcher.stream, count: expected.count)
            #expect(events.map(\.revision) == expected, "\(watcher.prefix) from \(watcher.from)")
        }
        await store.close()
    }
}
