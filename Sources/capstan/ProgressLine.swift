import CapstanApply
import CapstanModel
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints each object's line as it finishes and, on a terminal, a `[n/total]` progress line on
/// standard error (never when piped); during `--wait`, each object's state change. Shared by
/// the apply tasks; guarded by a lock.
///
/// Lines go out at once to a terminal; to a pipe or file they are gathered and written in
/// blocks (as C's stdio does), since a write per line cost thousands of system calls per run.
/// Everything gathered is written before any message on standard error and by `clear()`.
final class ProgressLine: Sendable {
    private struct State {
        var done = 0
        var pending: [UInt8] = []
    }

    private let state = Mutex(State())
    private let total: Int
    private let streamLines: Bool
    let isTerminal: Bool
    private let outputIsTerminal = isatty(STDOUT_FILENO) == 1

    init(total: Int, streamLines: Bool) {
        self.total = total
        self.streamLines = streamLines
        isTerminal = isatty(STDERR_FILENO) == 1 && total >= 20
    }

    func finished(_ result: ObjectResult) {
        state.withLock { state in
            state.done += 1
            clearLine()
            if result.action == .failed {
                flush(&state)
                printError(result.line)
            } else if streamLines {
                state.pending.append(contentsOf: result.line.utf8)
                state.pending.append(0x0A)
                // The last object's line goes out at once: `--wait` may keep the run going long after.
                if outputIsTerminal || state.pending.count >= 32 * 1024 || state.done >= total { flush(&state) }
            }
            if isTerminal { StandardStream.error.write("[\(state.done)/\(total)] applying…") }
        }
    }

    /// `--wait`: a line per state change (`deployment.apps/web: 1 of 2 updated replicas are
    /// available`, `… ready`), then on a terminal the `[ready/total]` line.
    func waiting(_ update: WaitUpdate) {
        state.withLock { state in
            flush(&state)
            clearLine()
            let name = update.namespace.map { "\(update.typedName) -n \($0)" } ?? update.typedName
            switch update.state {
            case .ready: printError("\(name) ready")
            case .progressing(let why): printError("waiting for \(name): \(why)")
            case .failed(let why): printError("\(name) failed: \(why)")
            }
            if isTerminal { StandardStream.error.write("[\(update.ready)/\(update.total)] ready, waiting…") }
        }
    }

    /// Writes what is gathered and removes the progress line.
    func clear() {
        state.withLock { state in
            flush(&state)
            clearLine()
        }
    }

    private func flush(_ state: inout State) {
        guard !state.pending.isEmpty else { return }
        StandardStream.output.write(state.pending)
        state.pending.removeAll(keepingCapacity: true)
    }

    private func clearLine() {
        if isTerminal { StandardStream.error.write("\r\u{1B}[K") }
    }
}
