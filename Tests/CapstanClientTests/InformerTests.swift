import CapstanModel
import Synchronization
import Testing

@testable import CapstanClient

/// Polls `condition` for up to 5 s.
func eventually(_ condition: @Sendable () async -> Bool) async -> Bool {
    for _ in 0..<500 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

final class Recorder: Sendable {
    let events = Mutex<[String]>([])
    var handler: EventHandler {
        EventHandler(onAdd: { o in self.events.withLock { $0.append("add \(o.name ?? "")") } },
                     onUpdate: { _, n in self.events.withLock { $0.append("update \(n.name ?? "")") } },
                     onDelete: { o in self.events.withLock { $0.append("delete \(o.name ?? "")") } })
    }
    var all: [String] { events.withLock { $0 } }
}

@Suite struct InformerTests {
    @Test func listsThenWatchesAndIndexes() async throws {
        let client = FakeClient()
        var owned = configMap("a", labels: ["app": "web"])
        owned[path: ["metadata", "ownerReferences"]] = [["uid": "owner-1", "kind": "Deployment", "name": "d", "apiVersion": "apps/v1"]]
        try await client.seed([owned, configMap("b", namespace: "other")])
        let informer = SharedInformer(client: client, resource: .configMaps)
        informer.cache.addIndex(Indexer.ownerUIDIndex, Indexer.byOwnerUID)
        informer.cache.addIndex(Indexer.labelIndex, Indexer.byLabel)
        let recorder = Recorder()
        informer.addEventHandler(recorder.handler)
        informer.start()
        await informer.waitForSync()
        #expect(informer.hasSynced)
        #expect(informer.cache.count == 2)
        #expect(informer.cache.list(namespace: "other").map(\.name) == ["b"])
        #expect(informer.cache.byIndex(Indexer.ownerUIDIndex, "owner-1").map(\.name) == ["a"])
        #expect(informer.cache.byIndex(Indexer.labelIndex, "app=web").map(\.name) == ["a"])

        _ = try await client.create(configMap("c"))
        _ = try await client.delete(.configMaps, namespace: "other", name: "b")
        #expect(await eventually { informer.cache.count == 2 && informer.cache.get(namespace: "demo", name: "c") != nil })
        #expect(await eventually { recorder.all.contains("delete b") })
        #expect(Set(recorder.all.prefix(2)) == ["add a", "add b"])
        #expect(recorder.all.contains("add c"))
        informer.stop()
    }

    @Test func rewatchesWithoutRelistWhenAWatchEndsNormally() async throws {
        let client = FakeClient()
        try await client.seed([configMap("a")])
        let informer = SharedInformer(client: client, resource: .configMaps)
        informer.start()
        await informer.waitForSync()
        #expect(await eventually { await client.watchCount == 1 })
        await client.closeWatches()
        #expect(await eventually { await client.actions.filter { $0.verb == "watch" }.count == 2 })
        _ = try await client.create(configMap("b"))
        #expect(await eventually { informer.cache.count == 2 })
        #expect(informer.listCount == 1)
        informer.stop()
    }

    @Test func relistsOnExpiredErrorEvent() async throws {
        let client = FakeClient()
        try await client.seed([configMap("a")])
        let informer = SharedInformer(client: client, resource: .configMaps)
        let recorder = Recorder()
        informer.addEventHandler(recorder.handler)
        informer.start()
        await informer.waitForSync()
        #expect(await eventually { await client.watchCount == 1 })
        // The watch lags: it misses these changes, then the server expires it with an in-band 410.
        await client.setWatchDelivery(paused: true)
        _ = try await client.create(configMap("b"))
        _ = try await client.delete(.configMaps, namespace: "demo", name: "a")
        await client.expireWatches()
        await client.setWatchDelivery(paused: false)
        #expect(await eventually { informer.listCount == 2 })
        #expect(await eventually { informer.cache.keys() == ["demo/b"] })
        #expect(recorder.all == ["add a", "add b", "delete a"])
        informer.stop()
    }

    @Test func relistsWhenTheWatchIsRefusedWith410() async throws {
        let client = FakeClient()
        try await client.seed([configMap("a")])
        let informer = SharedInformer(client: client, resource: .configMaps)
        informer.start()
        await informer.waitForSync()
        #expect(await eventually { await client.watchCount == 1 })
        await client.failNext("watch", with: .server(410, "Gone", "too old"))
        await client.closeWatches()
        #expect(await eventually { informer.listCount == 2 })
        #expect(informer.cache.count == 1)
        informer.stop()
    }

    @Test func relistsAfterWatchErrorsAndResyncs() async throws {
        let client = FakeClient()
        try await client.seed([configMap("a")])
        await client.failNext("watch", with: .server(500, "InternalError", "watch broke"))
        let informer = SharedInformer(client: client, resource: .configMaps, resyncPeriod: .milliseconds(50),
                                      maxRelistDelay: .milliseconds(50))
        let recorder = Recorder()
        informer.addEventHandler(recorder.handler)
        informer.start()
        #expect(await eventually { informer.listCount >= 2 })
        #expect(await eventually { recorder.all.contains("update a") })   // resync
        informer.stop()
    }

    @Test func handlersEnqueueIntoAWorkQueue() async throws {
        let client = FakeClient()
        let queue = WorkQueue<String>()
        let factory = InformerFactory(client: client)
        let informer = factory.informer(for: .configMaps)
        #expect(factory.informer(for: .configMaps) === informer)
        informer.addEventHandler(.enqueue(into: queue))
        factory.start()
        await factory.waitForCacheSync()
        _ = try await client.create(configMap("x"))
        #expect(await queue.get() == "demo/x")
        factory.shutdown()
        queue.shutDown()
    }
}
