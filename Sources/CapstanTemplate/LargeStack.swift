#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs deep recursive work (nested `include`s, `template` calls) on a thread with a big stack,
/// so that the depth limits in `TemplateOptions` — not the caller's thread stack (512 KiB on
/// some task-pool threads) — decide when recursion stops. The calling thread blocks until the
/// work is done; the stack is virtual memory and only touched pages cost anything.
enum LargeStack {
    static let size = 1 << 30

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func run<T>(_ body: () throws -> T) throws -> T {
        var result: Result<T, any Error>?
        withoutActuallyEscaping(body) { escapable in
            let job = Job { result = Result { try escapable() } }
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            defer { pthread_attr_destroy(&attr) }
            pthread_attr_setstacksize(&attr, size)
            let context = Unmanaged.passRetained(job).toOpaque()
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t?
            #endif
            let rc = pthread_create(&thread, &attr, { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                job.body()
                return nil
            }, context)
            if rc != 0 {
                // Could not start a thread: run here, with the caller's stack.
                Unmanaged<Job>.fromOpaque(context).release()
                result = Result { try escapable() }
                return
            }
            #if canImport(Glibc)
            pthread_join(thread, nil)
            #else
            pthread_join(thread!, nil)
            #endif
        }
        return try result!.get()
    }
}
