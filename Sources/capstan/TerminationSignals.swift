import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGTERM and SIGINT as an awaitable event, for the long-running commands.
///
/// Installed before anything starts, so a signal that arrives during startup is neither lost
/// nor fatal (the default action would kill the process mid-start): `wait()` then returns at
/// once. State (whether a signal came, who waits) sits behind a `Mutex`; the dispatch sources
/// are written once in `init` and only cancelled after (which is thread-safe), hence
/// `nonisolated(unsafe)`.
final class TerminationSignals: Sendable {
    private struct State {
        var received = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    private nonisolated(unsafe) var sources: [DispatchSourceSignal] = []

    init(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        sources = signals.map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in self?.fire() }
            source.resume()
            return source
        }
    }

    /// A signal has arrived.
    var received: Bool { state.withLock { $0.received } }

    /// Returns once a signal has arrived (immediately if one already has).
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.received { return true }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    /// Stops listening (signals keep being ignored).
    func cancel() {
        for s in sources { s.cancel() }
    }

    private func fire() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.received = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}
