import CapstanClient
import CapstanModel
import Synchronization

/// Runs a set of controllers over one `InformerFactory`: sets every controller up, starts the
/// informers once, waits for their caches to sync, then runs each controller's workers until
/// `stop()`.
///
/// Thread-safety: the running state sits behind a `Mutex`; `run()` may be awaited from one task
/// while `stop()` is called from another (a signal handler).
public final class ControllerManager: Sendable {
    public let client: any Client
    public let informers: InformerFactory
    public let controllers: [any Controller]
    private let queues: [WorkQueue<String>]
    private struct State { var stopped = false; var started = false }
    private let state = Mutex(State())
    private let log: @Sendable (String) -> Void

    public init(client: any Client, controllers: [any Controller], resync: Duration? = .seconds(300),
                log: @escaping @Sendable (String) -> Void = { _ in })
    {
        self.client = client
        self.informers = InformerFactory(client: client, defaultResync: resync)
        self.controllers = controllers
        self.queues = controllers.map { _ in WorkQueue<String>(backoff: ExponentialBackoff(base: .milliseconds(5), cap: .seconds(60))) }
        self.log = log
    }

    /// Every controller Capstan ships, in the order they start.
    public static func standardControllers(client: any Client) -> [any Controller] {
        [ReplicaSetController(client: client), DeploymentController(client: client),
         EndpointsController(client: client), EndpointSliceController(client: client),
         NamespaceController(client: client), ServiceAccountController(client: client),
         GarbageCollector(client: client)]
    }

    /// Sets up, syncs and runs every controller; returns after `stop()` once workers drained.
    public func run() async throws {
        for (controller, queue) in zip(controllers, queues) {
            try await controller.setUp(informers: informers, queue: queue)
        }
        informers.start()
        await informers.waitForCacheSync()
        state.withLock { $0.started = true }
        if state.withLock({ $0.stopped }) { return }
        log("caches synced; running \(controllers.map(\.name).joined(separator: ", "))")
        await withTaskGroup(of: Void.self) { group in
            for (controller, queue) in zip(controllers, queues) {
                group.addTask { [log] in
                    await queue.run(workers: controller.workers) { key in
                        do {
                            try await controller.reconcile(key, queue: queue)
                        } catch {
                            // Conflicts are routine (a stale cache); the retry reads the new state.
                            if !(error is TerminalError), (error as? APIError)?.isConflict != true {
                                log("\(controller.name) \(key): \(error)")
                            }
                            throw error
                        }
                    }
                }
            }
        }
    }

    /// Shuts every queue down and stops the informers.
    public func stop() {
        state.withLock { $0.stopped = true }
        for queue in queues { queue.shutDown() }
        informers.shutdown()
    }
}
