import NIOCore

/// Runs a task's jobs on one NIO event loop, so that the task answering a request and its
/// response writes run on the thread that owns the socket.
///
/// Why: with Swift's global pool serving connections, every request crossed threads four times
/// (event loop -> pool for the request, pool -> event loop for the response, and the same for
/// the store's group commit resuming callers); each crossing is a wake-up of a parked thread.
/// With this executor preferred, a request's task starts on the loop that read the request,
/// store results resume it there, and its response write reaches the channel without a hop
/// (NIO writes directly when already on the loop).
///
/// Concurrency: immutable; `EventLoop.execute` is thread-safe, so jobs may be enqueued from
/// any thread. Handlers must not block (they do not: store reads are single indexed lookups,
/// longer reads run on the store's own queue).
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
