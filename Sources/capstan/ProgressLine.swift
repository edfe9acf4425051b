import CapstanApply
import Foundation

/// Prints each object's line as it finishes and, on a terminal, a `[n/total]` progress line on
/// standard error (never when piped); during `--wait`, each object's state change. Shared by
/// the apply tasks; guarded by a lock.
///
/// Lines go out at once to a terminal; to a pipe or file they are gathered and written in
/// blocks (as C's stdio does), since a write per line cost thousands of system calls per run.
/// Everything gathered is written before any message on standard error and by `clear()`.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let streamLines: Bool
    let isTerminal: Bool
    private let outputIsTerminal = isatty(STDOUT_FILENO) == 1
    private var pending: [UInt8] = []

    init(total: Int, streamLines: Bool) {
        self.total = total
        self.streamLines = streamLines
        isTerminal = isatty(STDERR_FILENO) == 1 && total >= 20
    }

    func finished(_ result: ObjectResult) {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        clearLine()
        if result.action == .failed {
            flush()
            printError(result.line)
        } else if streamLines {
            pending.append(contentsOf: result.line.utf8)
            pending.append(0x0A)
            // The last object's line goes out at once: `--wait` may keep the run going long after.
            if outputIsTerminal || pending.count >= 32 * 1024 || done >= total { flush() }
        }
        if isTerminal { FileHandle.standardError.write(Data("[\(done)/\(total)] applying…".utf8)) }
    }

    /// `--wait`: a line per state change (`deployment.apps/web: 1 of 2 updated replicas are
    /// available`, `… ready`), then on a terminal the `[ready/total]` line.
    func waiting(_ update: WaitUpdate) {
        lock.lock()
        defer { lock.unlock() }
        flush()
        clearLine()
        let name = update.namespace.map { "\(update.typedName) -n \($0)" } ?? update.typedName
        switch update.state {
        case .ready: printError("\(name) ready")
        case .progressing(let why): printError("waiting for \(name): \(why)")
        case .failed(let why): printError("\(name) failed: \(why)")
        }
        if isTerminal { FileHandle.standardError.write(Data("[\(update.ready)/\(update.total)] ready, waiting…".utf8)) }
    }

    /// Writes what is gathered and removes the progress line.
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        flush()
        clearLine()
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        FileHandle.standardOutput.write(Data(pending))
        pending.removeAll(keepingCapacity: true)
    }

    private func clearLine() {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
