import CapstanStore
import Testing

@Suite("Store: list")
struct StoreListTests {
    @Test("lists only keys under the prefix, sorted by key bytes", arguments: StoreKind.allCases)
    func prefixAndOrder(kind: StoreKind) async throws {
        let store = try kind.make()
        for key in ["/registry/pods/ns/b", "/registry/pods/ns/a", "/registry/pods/ns2/a",
                    "/registry/pods/nsZ", "/registry/podsX/ns/a", "/registry/pods/ns/B"] {
            _ = try await store.create(key, value: bytes(key))
        }
        let list = try await store.list(prefix: "/registry/pods/ns/")
        #expect(list.items.map(\.key) == ["/registry/pods/ns/B", "/registry/pods/ns/a", "/registry/pods/ns/b"])
        #expect(list.items.map { string($0.value) } == list.items.map(\.key))
        #expect(list.revision == 7)
        let all = try await store.list(prefix: "")
        #expect(all.items.count == 6)
        #expect(all.items.map(\.key) == all.items.map(\.key).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        await store.close()
    }

    @Test("limit and continueAfterKey page through one snapshot", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) async throws {
        let store = try kind.make()
        for index in 0..<10 { _ = try await store.create("/p/\(index)", value: bytes("v\(index)")) }
        let first = try await store.list(prefix: "/p/", atRevision: nil, limit: 4, continueAfterKey: nil)
        #expect(first.items.map(\.key) == ["/p/0", "/p/1", "/p/2", "/p/3"])
        #expect(first.more)
        // Writes after the first page do not show on later pages of the same snapshot.
        _ = try await store.update("/p/5", value: bytes("changed"))
        _ = try await store.delete("/p/6")
        _ = try await store.create("/p/55", value: bytes("new"))
        let second = try await store.list(prefix: "/p/", atRevision: first.revision, limit: 4,
                                          continueAfterKey: first.items.last?.key)
        #expect(second.items.map(\.key) == ["/p/4", "/p/5", "/p/6", "/p/7"])
        #expect(string(second.items[1].value) == "v5")
        #expect(second.more)
        let third = try await store.list(prefix: "/p/", atRevision: first.revision, limit: 4,
                                         continueAfterKey: second.items.last?.key)
        #expect(third.items.map(\.key) == ["/p/8", "/p/9"])
        #expect(third.more == false)
        let exact = try await store.list(prefix: "/p/", atRevision: nil, limit: 10, continueAfterKey: nil)
        #expect(exact.items.count == 10)
        #expect(exact.more == false)
        let zero = try await store.list(prefix: "/p/", atRevision: nil, limit: 0, continueAfterKey: nil)
        #expect(zero.items.isEmpty && zero.more)
        await store.close()
    }

    @Test("list at a past revision sees the state of that revision", arguments: StoreKind.allCases)
    func pastRevision(kind: StoreKind) async throws {
        let store = try kind.make()
        let a1 = try await store.create("/x/a", value: bytes("a1"))             // 2
        let b1 = try await store.create("/x/b", value: bytes("b1"))             // 3
        let snapshot = await store.currentRevision
        _ = try await store.update("/x/a", value: bytes("a2"))                  // 4
        _ = try await store.delete("/x/b")                                      // 5
        _ = try await store.create("/x/c", value: bytes("c1"))                  // 6
        _ = try await store.create("/x/b", value: bytes("b2"))                  // 7

        let old = try await store.list(prefix: "/x/", atRevision: snapshot)
        #expect(old.items == [a1, b1])
        #expect(old.revision == snapshot)
        let middle = try await store.list(prefix: "/x/", atRevision: 5)
        #expect(middle.items.map(\.key) == ["/x/a"])
        #expect(string(middle.items.first?.value) == "a2")
        let now = try await store.list(prefix: "/x/")
        #expect(now.items.map { string($0.value) } == ["a2", "b2", "c1"])
        #expect(now.items[1].createRevision == 7)
        let beginning = try await store.list(prefix: "/x/", atRevision: 1)
        #expect(beginning.items.isEmpty)
        await store.close()
    }

    @Test("list at a compacted or future revision fails with a typed error", arguments: StoreKind.allCases)
    func compactedAndFuture(kind: StoreKind) async throws {
        let store = try kind.make()
        for index in 0..<5 { _ = try await store.create("/c/\(index)", value: bytes("\(index)")) }   // revisions 2...6
        _ = try await store.update("/c/0", value: bytes("new"))                                       // 7
        try await store.compact(keepingRevisionsAfter: 4)
        #expect(await store.compactedRevision == 4)
        await #expect(throws: StoreError.compacted(requested: 3, compactedRevision: 4)) {
            try await store.list(prefix: "/c/", atRevision: 3)
        }
        // The compacted revision itself and later ones still list.
        let atFour = try await store.list(prefix: "/c/", atRevision: 4)
        #expect(atFour.items.map(\.key) == ["/c/0", "/c/1", "/c/2"])
        #expect(string(atFour.items[0].value) == "0")
        let atSix = try await store.list(prefix: "/c/", atRevision: 6)
        #expect(atSix.items.count == 5)
        await #expect(throws: StoreError.futureRevision(requested: 100, currentRevision: 7)) {
            try await store.list(prefix: "/c/", atRevision: 100)
        }
        await #expect(throws: StoreError.futureRevision(requested: 100, currentRevision: 7)) {
            try await store.compact(keepingRevisionsAfter: 100)
        }
        // Compacting again at or below is a no-op.
        try await store.compact(keepingRevisionsAfter: 2)
        #expect(await store.compactedRevision == 4)
        await store.close()
    }

    @Test("compaction keeps deleted keys deleted at the compacted revision", arguments: StoreKind.allCases)
    func compactionOfDeletes(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await store.create("/d/a", value: bytes("a"))      // 2
        _ = try await store.create("/d/b", value: bytes("b"))      // 3
        _ = try await store.delete("/d/a")                         // 4
        _ = try await store.update("/d/b", value: bytes("b2"))     // 5
        _ = try await store.update("/d/b", value: bytes("b3"))     // 6
        try await store.compact(keepingRevisionsAfter: 5)
        let atFive = try await store.list(prefix: "/d/", atRevision: 5)
        #expect(atFive.items.map { string($0.value) } == ["b2"])
        #expect(try await store.list(prefix: "/d/").items.map { string($0.value) } == ["b3"])
        _ = try await store.create("/d/a", value: bytes("a2"))     // 7
        try await store.compact(keepingRevisionsAfter: 7)
        #expect(try await store.list(prefix: "/d/", atRevision: 7).items.map { string($0.value) } == ["a2", "b3"])
        await store.close()
    }

    @Test("a negative limit or revision is rejected", arguments: StoreKind.allCases)
    func negativeLimit(kind: StoreKind) async throws {
        let store = try kind.make()
        await #expect(throws: StoreError.invalidArgument("limit -1 is negative")) {
            try await store.list(prefix: "/", atRevision: nil, limit: -1, continueAfterKey: nil)
        }
        await #expect(throws: StoreError.invalidArgument("atRevision -1 is negative")) {
            try await store.list(prefix: "/", atRevision: -1)
        }
        await store.close()
    }
}
