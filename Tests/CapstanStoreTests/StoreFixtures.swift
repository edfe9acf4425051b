import CapstanStore
import Foundation
import Testing

/// The implementations every shared behaviour test runs against.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

    var testDescription: String { rawValue }

    /// A fresh, empty store; the SQLite file lives in a new temporary directory.
    func make(compaction: CompactionPolicy = .disabled, watchBufferLimit: Int = 10_000) throws -> any Store {
        switch self {
        case .memory:
            return MemoryStore(compaction: compaction, watchBufferLimit: watchBufferLimit)
        case .sqlite:
            return try SQLiteStore(path: TemporaryDirectory().path + "/store.db", compaction: compaction,
                                   watchBufferLimit: watchBufferLimit)
        }
    }
}

/// A new directory for one test's database files, under
/// `$TMPDIR/capstan-store-tests/<pid>/`. Tests remove theirs when they can; what is left
/// (stores the shared tests hand out) is swept on the next run, once the process is gone.
struct TemporaryDirectory {
    let path: String

    private static let root = FileManager.default.temporaryDirectory.path + "/capstan-store-tests"
    private static let processDirectory: String = {
        sweepDeadProcesses()
        return root + "/\(ProcessInfo.processInfo.processIdentifier)"
    }()

    init() throws {
        path = Self.processDirectory + "/" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Removes the directories of earlier test processes that no longer run.
    private static func sweepDeadProcesses() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for entry in entries {
            guard let pid = Int32(entry) else { continue }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: root + "/" + entry)
            }
        }
    }
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }

func string(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Reads `count` events from `stream`, failing after `seconds`.
func collect(_ stream: WatchStream, count: Int, seconds: Double = 10) async throws -> [WatchEvent] {
    if count <= 0 { return [] }
    return try await withThrowingTaskGroup(of: [WatchEvent]?.self) { group in
        group.addTask {
            var events: [WatchEvent] = []
            for try await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let events = first else {
            group.cancelAll()
            throw TimedOut(what: "\(count) watch events")
        }
        group.cancelAll()
        return events
    }
}

/// Waits until `condition` holds, polling, up to `seconds`.
func eventually(_ seconds: Double = 5, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimedOut(what: "a condition")
}

func watcherCount(_ store: any Store) -> Int {
    if let memory = store as? MemoryStore { return memory.watcherCount }
    if let sqlite = store as? SQLiteStore { return sqlite.watcherCount }
    return -1
}

/// Creates `keys` (value: the key's bytes) with 16 concurrent writers, so SQLite batches them;
/// returns each key's revision. Revisions are contiguous but not in `keys` order.
@discardableResult
func createMany(_ store: any Store, _ keys: [String]) async throws -> [String: Int64] {
    try await withThrowingTaskGroup(of: [(String, Int64)].self) { group in
        for writer in 0..<16 {
            group.addTask {
                var created: [(String, Int64)] = []
                for index in stride(from: writer, to: keys.count, by: 16) {
                    created.append((keys[index], try await store.create(keys[index], value: bytes(keys[index])).modRevision))
                }
                return created
            }
        }
        var revisions: [String: Int64] = [:]
        for try await batch in group { for (key, revision) in batch { revisions[key] = revision } }
        return revisions
    }
}
