import CapstanStore
import Testing

@Suite("Store: concurrency")
struct StoreConcurrencyTests {
    @Test("1,000 concurrent read-modify-write updates of one key with retry lose nothing", arguments: StoreKind.allCases)
    func concurrentCounter(kind: StoreKind) async throws {
        let store = try kind.make()
        _ = try await store.create("/counter", value: bytes("0"))
        let writers = 1_000
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    var attempts = 0
                    guard var current = try await store.get("/counter") else { throw StoreError.notFound(key: "/counter") }
                    while true {
                        attempts += 1
                        let count = Int(String(decoding: current.value, as: UTF8.self)) ?? -1_000_000
                        do {
                            _ = try await store.update("/counter", value: bytes("\(count + 1)"),
                                                       expectedModRevision: current.modRevision)
                            return attempts
                        } catch StoreError.conflict(_, let newer) {
                            // Like client-go's RetryOnConflict: back off a little, retry from
                            // the value the conflict reported.
                            current = newer
                            try await Task.sleep(for: .microseconds(Int.random(in: 0...(attempts < 4 ? 200 : 2_000))))
                        }
                    }
                }
            }
            var total = 0
            for try await attempts in group { total += attempts }
            #expect(total >= writers)
        }
        let final = try await store.get("/counter")
        #expect(string(final?.value) == "\(writers)")
        #expect(final?.version == Int64(writers) + 1)
        #expect(await store.currentRevision == Int64(writers) + 2)
        await store.close()
    }

    @Test("concurrent creates of distinct keys all land with distinct revisions", arguments: StoreKind.allCases)
    func concurrentCreates(kind: StoreKind) async throws {
        let store = try kind.make()
        let revisions = try await withThrowingTaskGroup(of: Int64.self) { group in
            for index in 0..<500 {
                group.addTask { try await store.create("/many/\(index)", value: bytes("\(index)")).modRevision }
            }
            var all: [Int64] = []
            for try await revision in group { all.append(revision) }
            return all
        }
        #expect(Set(revisions).count == 500)
        #expect(revisions.sorted() == Array(2...501))
        #expect(try await store.list(prefix: "/many/").items.count == 500)
        await store.close()
    }
}
