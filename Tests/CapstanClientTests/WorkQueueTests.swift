import Synchronization
import Testing

@testable import CapstanClient

@Suite struct WorkQueueTests {
    @Test func deduplicatesWaitingKeys() async {
        let q = WorkQueue<String>()
        q.add("a"); q.add("b"); q.add("a")
        #expect(q.count == 2)
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(q.count == 0)
    }

    @Test func keyAddedWhileProcessingIsRequeuedAfterDone() async {
        let q = WorkQueue<String>()
        q.add("a")
        let key = await q.get()
        #expect(key == "a")
        q.add("a")           // while a worker holds it
        #expect(q.count == 0) // parked, not handed to another worker
        q.add("a")           // and still de-duplicated
        q.done("a")
        #expect(q.count == 1)
        #expect(await q.get() == "a")
        q.done("a")
        #expect(q.count == 0)
    }

    @Test func backoffGrowsExponentiallyAndCaps() {
        let b = ExponentialBackoff()
        #expect(b.delay(afterFailures: 0) == .milliseconds(5))
        #expect(b.delay(afterFailures: 1) == .milliseconds(10))
        #expect(b.delay(afterFailures: 10) == .milliseconds(5120))
        #expect(b.delay(afterFailures: 30) == .seconds(1000))
        #expect(b.delay(afterFailures: 200) == .seconds(1000))
    }

    @Test func rateLimitedRequeuesCountAndForget() async {
        let q = WorkQueue<String>(backoff: ExponentialBackoff(base: .milliseconds(1), cap: .milliseconds(20)))
        q.addRateLimited("k")
        q.addRateLimited("k")
        #expect(q.numRequeues("k") == 2)
        #expect(await q.get() == "k")   // arrives after its delay
        q.done("k")
        q.forget("k")
        #expect(q.numRequeues("k") == 0)
    }

    @Test func shutdownWakesWaitingWorkers() async {
        let q = WorkQueue<Int>()
        async let got = q.get()
        try? await Task.sleep(for: .milliseconds(20))
        q.shutDown()
        #expect(await got == nil)
        q.add(1)
        #expect(q.count == 0)
    }

    @Test func workersNeverProcessOneKeyConcurrentlyAndRetryFailures() async {
        let q = WorkQueue<Int>(backoff: ExponentialBackoff(base: .milliseconds(1), cap: .milliseconds(5)))
        struct Tally { var active: Set<Int> = []; var overlap = false; var runs: [Int: Int] = [:]; var failedOnce: Set<Int> = [] }
        let tally = Mutex(Tally())
        let runner = Task {
            await q.run(workers: 4) { key in
                let first = tally.withLock { t -> Bool in
                    if !t.active.insert(key).inserted { t.overlap = true }
                    t.runs[key, default: 0] += 1
                    return t.failedOnce.insert(key).inserted
                }
                try? await Task.sleep(for: .milliseconds(2))
                // Keep adding the key being processed: it must wait for `done`.
                q.add(key)
                tally.withLock { _ = $0.active.remove(key) }
                if first { throw CancellationError() }   // one failure per key: retried with back-off
            }
        }
        for i in 0..<8 { q.add(i) }
        try? await Task.sleep(for: .milliseconds(300))
        q.shutDown()
        await runner.value
        let t = tally.withLock { $0 }
        #expect(!t.overlap)
        #expect((0..<8).allSatisfy { (t.runs[$0] ?? 0) >= 2 })
    }
}
