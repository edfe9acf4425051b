#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs deep recursive work (nested `include`s, `template` calls) on a thread with a big stack,
/// so that the depth limits in `TemplateOptions` — not the caller's thread stack (512 KiB on
/// some task-pool threads) — decide when recursion stops. The calling thread blocks until the
/// work is done; the stack is virtual memory and only touched pages cost anything.
///
/// Parsing is pure, so it runs on the caller's thread and starts again here only when its
/// nesting outgrows the caller's stack (`stackFloor`); execution always runs here, because the
/// values a template builds can nest arbitrarily deep and are printed and freed recursively.
///
/// Starting a thread per call cost ~100–160 µs (mapping and tearing down a 1 GiB stack), more
/// than a whole small render, so the big-stack threads are long-lived workers: a caller takes
/// an idle worker (or starts one when all are busy), hands it the job and waits on the
/// worker's condition variable. At most `maxIdle` workers are kept; extra ones end when their
/// job is done. Work that is already on a worker runs inline (nested `tpl` parses).
///
/// Concurrency: the idle list is guarded by `poolLock`; each worker's job slot and state by its
/// own mutex/condition pair. A job's closure and result are only touched by the worker while
/// the caller is blocked waiting for it, so they need no further protection.
enum LargeStack {
    static let size = 1 << 30
    static let maxIdle = 4

    /// True on the worker threads (they already have the big stack).
    nonisolated(unsafe) private static var onWorkerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isOnWorker: Bool { pthread_getspecific(onWorkerKey) != nil }

    /// Stack a caller keeps free below the point where it hands work over: more than any
    /// stretch of recursion between two checks (one nesting level of the parser) can use.
    static let margin = 1 << 20

    /// Per thread: the lowest stack address (plus `margin`) that work may reach before it moves
    /// to a big stack; 1 when unknown (always move), 0 on the big-stack workers (never move).
    nonisolated(unsafe) private static var floorKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The current thread's hand-over address (see `floorKey`); cached per thread.
    static var stackFloor: UInt {
        if isOnWorker { return 0 }
        if let cached = pthread_getspecific(floorKey) { return UInt(bitPattern: cached) }
        let floor = threadStackLow().map { $0 + UInt(margin) } ?? 1
        pthread_setspecific(floorKey, UnsafeRawPointer(bitPattern: floor))
        return floor
    }

    /// An address in the caller's current stack frame.
    @inline(__always) static var stackAddress: UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    #if os(Linux)
    /// glibc's `pthread_getattr_np` (a GNU extension Swift's Glibc module does not declare).
    private typealias GetAttr = @convention(c) (pthread_t, UnsafeMutablePointer<pthread_attr_t>) -> Int32
    private static let getattrNP: GetAttr? = dlsym(nil, "pthread_getattr_np").map { unsafeBitCast($0, to: GetAttr.self) }
    #endif

    /// Lowest address of the current thread's stack; nil when the platform does not say.
    private static func threadStackLow() -> UInt? {
        #if os(Linux)
        var attr = pthread_attr_t()
        guard let getattr = getattrNP, getattr(pthread_self(), &attr) == 0 else { return nil }
        defer { pthread_attr_destroy(&attr) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard pthread_attr_getstack(&attr, &base, &size) == 0, let base else { return nil }
        return UInt(bitPattern: base)
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        return top - UInt(pthread_get_stacksize_np(pthread_self()))
        #else
        return nil
        #endif
    }

    nonisolated(unsafe) private static var poolLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let p = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(p, nil)
        return p
    }()
    nonisolated(unsafe) private static var idle: [Worker] = []

    /// One long-lived thread with a big stack. `job` is set by a caller and cleared by the
    /// worker when it has run it; `mutex`/`cond` guard both transitions.
    private final class Worker: @unchecked Sendable {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        var job: (() -> Void)?
        var done = false
        var quit = false

        init() {
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(cond, nil)
        }

        /// Runs `body` on this worker and returns when it has finished.
        func perform(_ body: @escaping () -> Void) {
            start(body)
            wait()
        }

        /// Hands `body` to this worker and returns at once; `wait()` returns when it is done.
        func start(_ body: @escaping () -> Void) {
            pthread_mutex_lock(mutex)
            job = body
            done = false
            pthread_cond_broadcast(cond)
            pthread_mutex_unlock(mutex)
        }

        /// Blocks until the job given to `start` has finished.
        func wait() {
            pthread_mutex_lock(mutex)
            while !done { pthread_cond_wait(cond, mutex) }
            pthread_mutex_unlock(mutex)
        }

        /// Asks the worker thread to end once it is idle.
        func stop() {
            pthread_mutex_lock(mutex)
            quit = true
            pthread_cond_broadcast(cond)
            pthread_mutex_unlock(mutex)
        }

        /// The worker thread's loop: wait for a job, run it, report done.
        func loop() {
            pthread_setspecific(LargeStack.onWorkerKey, UnsafeRawPointer(bitPattern: 1))
            while true {
                pthread_mutex_lock(mutex)
                while job == nil && !quit { pthread_cond_wait(cond, mutex) }
                var body = job
                job = nil
                pthread_mutex_unlock(mutex)
                guard body != nil else { return }
                body?()
                // Drop the closure before waking the caller: `withoutActuallyEscaping`
                // checks that nothing still holds it when the caller's call returns.
                body = nil
                pthread_mutex_lock(mutex)
                done = true
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
            }
        }
    }

    private static func takeIdle() -> Worker? {
        pthread_mutex_lock(poolLock)
        defer { pthread_mutex_unlock(poolLock) }
        return idle.popLast()
    }

    /// Keeps a finished worker for the next call, or ends it when enough are idle already.
    private static func giveBack(_ worker: Worker) {
        pthread_mutex_lock(poolLock)
        let keep = idle.count < maxIdle
        if keep { idle.append(worker) }
        pthread_mutex_unlock(poolLock)
        if !keep { worker.stop() }
    }

    private static func startWorker() -> Worker? {
        let worker = Worker()
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, size)
        pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
        let context = Unmanaged.passRetained(worker).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let rc = pthread_create(&thread, &attr, { raw in
            guard let raw else { return nil }
            let worker = Unmanaged<Worker>.fromOpaque(raw).takeRetainedValue()
            worker.loop()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<Worker>.fromOpaque(context).release()
            return nil
        }
        return worker
    }

    /// Result slot shared between a blocked caller and the worker running its job.
    private final class Slot<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }

    static func run<T>(_ body: () throws -> T) throws -> T {
        if isOnWorker { return try body() }
        guard let worker = takeIdle() ?? startWorker() else {
            // Could not start a thread: run here, with the caller's stack.
            return try body()
        }
        let slot = Slot<T>()
        withoutActuallyEscaping(body) { escapable in
            // The worker runs the closure while this thread blocks in `perform`, so the
            // closure never outlives this call and `slot` is never accessed concurrently.
            nonisolated(unsafe) let escapable = escapable
            worker.perform { slot.result = Result { try escapable() } }
        }
        giveBack(worker)
        guard let result = slot.result else { throw LargeStackError.noResult }
        return try result.get()
    }
}

extension LargeStack {
    /// Runs `first` on a big-stack worker while `second` runs on the calling thread, and
    /// returns both results once both have finished (both in order on this thread when no
    /// worker can be started). The two closures run at the same time, so they must not touch
    /// the same mutable state: callers give each its own inputs and result slot.
    static func concurrently<A, B>(_ first: () -> A, _ second: () -> B) -> (A, B) {
        guard let worker = takeIdle() ?? startWorker() else { return (first(), second()) }
        let slot = Slot<A>()
        let b = withoutActuallyEscaping(first) { escapable -> B in
            // The worker runs `first` while this thread runs `second` and then blocks in
            // `wait`, so the closure never outlives this call; `slot` is written only by the
            // worker and read only after `wait` returns.
            nonisolated(unsafe) let escapable = escapable
            worker.start { slot.result = .success(escapable()) }
            let b = second()
            worker.wait()
            return b
        }
        giveBack(worker)
        guard case .success(let a)? = slot.result else { return (first(), b) }
        return (a, b)
    }
}

struct LargeStackError: Error { static let noResult = LargeStackError() }
