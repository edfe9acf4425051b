import CapstanStore
import Testing

@Suite("Store: get, create, update, delete")
struct StoreCRUDTests {
    @Test("an empty store is at revision 1 and has nothing", arguments: StoreKind.allCases)
    func emptyStore(kind: StoreKind) async throws {
        let store = try kind.make()
        #expect(await store.currentRevision == 1)
        #expect(await store.compactedRevision == 0)
        #expect(try await store.get("/registry/pods/default/a") == nil)
        let list = try await store.list(prefix: "/")
        #expect(list.items.isEmpty)
        #expect(list.revision == 1)
        #expect(list.more == false)
        await store.close()
    }

    @Test("create assigns the next revision and version 1", arguments: StoreKind.allCases)
    func create(kind: StoreKind) async throws {
        let store = try kind.make()
        let kv = try await store.create("/registry/pods/default/a", value: bytes("one"))
        #expect(kv == KeyValue(key: "/registry/pods/default/a", value: bytes("one"), createRevision: 2, modRevision: 2, version: 1))
        #expect(try await store.get("/registry/pods/default/a") == kv)
        #expect(await store.currentRevision == 2)
        await store.close()
    }

    @Test("create of an existing key is alreadyExists and writes nothing", arguments: StoreKind.allCases)
    func createExisting(kind: StoreKind) async throws {
        let store = try kind.make()
        let first = try await store.create("/k", value: bytes("1"))
        await #expect(throws: StoreError.alreadyExists(key: "/k")) {
            try await store.create("/k", value: bytes("2"))
        }
        #expect(try await store.get("/k") == first)
        #expect(await store.currentRevision == 2)
        await store.close()
    }

    @Test("update keeps createRevision, bumps modRevision and version", arguments: StoreKind.allCases)
    func update(kind: StoreKind) async throws {
        let store = try kind.make()
        let created = try await store.create("/k", value: bytes("1"))
        let updated = try await store.update("/k", value: bytes("2"), expectedModRevision: created.modRevision)
        #expect(updated == KeyValue(key: "/k", value: bytes("2"), createRevision: 2, modRevision: 3, version: 2))
        let unconditional = try await store.update("/k", value: bytes("3"))
        #expect(unconditional.version == 3)
        #expect(unconditional.modRevision == 4)
        #expect(try await store.get("/k") == unconditional)
        await store.close()
    }

    @Test("update with a stale revision is a conflict carrying the current value", arguments: StoreKind.allCases)
    func updateConflict(kind: StoreKind) async throws {
        let store = try kind.make()
        let created = try await store.create("/k", value: bytes("1"))
        let updated = try await store.update("/k", value: bytes("2"), expectedModRevision: created.modRevision)
        await #expect(throws: StoreError.conflict(expected: created.modRevision, current: updated)) {
            try await store.update("/k", value: bytes("3"), expectedModRevision: created.modRevision)
        }
        #expect(try await store.get("/k") == updated)
        #expect(await store.currentRevision == updated.modRevision)
        await store.close()
    }

    @Test("update and delete of a missing key are notFound", arguments: StoreKind.allCases)
    func missing(kind: StoreKind) async throws {
        let store = try kind.make()
        await #expect(throws: StoreError.notFound(key: "/nope")) {
            try await store.update("/nope", value: bytes("x"), expectedModRevision: 1)
        }
        await #expect(throws: StoreError.notFound(key: "/nope")) {
            try await store.delete("/nope", expectedModRevision: nil)
        }
        #expect(await store.currentRevision == 1)
        await store.close()
    }

    @Test("delete returns the last value and its own revision", arguments: StoreKind.allCases)
    func delete(kind: StoreKind) async throws {
        let store = try kind.make()
        let created = try await store.create("/k", value: bytes("1"))
        await #expect(throws: StoreError.conflict(expected: 99, current: created)) {
            try await store.delete("/k", expectedModRevision: 99)
        }
        let result = try await store.delete("/k", expectedModRevision: created.modRevision)
        #expect(result == DeleteResult(deleted: created, revision: 3))
        #expect(try await store.get("/k") == nil)
        // Recreating starts a new life: new createRevision, version 1.
        let again = try await store.create("/k", value: bytes("2"))
        #expect(again == KeyValue(key: "/k", value: bytes("2"), createRevision: 4, modRevision: 4, version: 1))
        await store.close()
    }

    @Test("empty values are values, not deletes", arguments: StoreKind.allCases)
    func emptyValue(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await store.create("/k", value: [])
        #expect(try await store.get("/k")?.value == [])
        #expect(try await store.list(prefix: "/").items.count == 1)
        await store.close()
    }

    @Test("an empty key is rejected", arguments: StoreKind.allCases)
    func emptyKey(kind: StoreKind) async throws {
        let store = try kind.make()
        await #expect(throws: StoreError.self) { try await store.create("", value: []) }
        await store.close()
    }

    @Test("revisions strictly increase by one per successful write", arguments: StoreKind.allCases)
    func monotonic(kind: StoreKind) async throws {
        let store = try kind.make()
        var last = await store.currentRevision
        for index in 0..<50 {
            let key = "/k/\(index % 7)"
            let revision: Int64
            if let existing = try await store.get(key) {
                if index % 3 == 0 {
                    revision = try await store.delete(key, expectedModRevision: existing.modRevision).revision
                } else {
                    revision = try await store.update(key, value: bytes("\(index)"), expectedModRevision: existing.modRevision).modRevision
                }
            } else {
                revision = try await store.create(key, value: bytes("\(index)")).modRevision
            }
            #expect(revision == last + 1)
            last = revision
            // Failed writes do not consume a revision.
            await #expect(throws: StoreError.self) { try await store.update("/missing", value: []) }
        }
        #expect(await store.currentRevision == last)
        await store.close()
    }

    @Test("a closed store refuses work", arguments: StoreKind.allCases)
    func closed(kind: StoreKind) async throws {
        let store = try kind.make()
        await store.close()
        await #expect(throws: StoreError.closed) { try await store.create("/k", value: []) }
    }

    @Test("errors describe what they are about")
    func errorDescriptions() {
        let kv = KeyValue(key: "/registry/pods/ns/a", value: [], createRevision: 2, modRevision: 5, version: 2)
        #expect(StoreError.conflict(expected: 3, current: kv).description
            == "conflict on key \"/registry/pods/ns/a\": expected modRevision 3, found 5")
        #expect(StoreError.compacted(requested: 4, compactedRevision: 9).description
            == "revision 4 has been compacted (compacted revision is 9)")
    }
}
