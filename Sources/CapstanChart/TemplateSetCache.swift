import CapstanTemplate
import Synchronization

/// Parsed template sets of recently rendered charts, keyed by their template names and
/// validated against the exact sources, so a hit is always the parse of identical input.
///
/// Shared by every render in the process; all access goes through one `Mutex`. Bounded: when
/// full, the cache is cleared (charts are few; a sync loop refills it on the next pass).
final class TemplateSetCache: Sendable {
    static let shared = TemplateSetCache(capacity: 32)

    private struct Entry: Sendable {
        var sources: [(String, String)]
        var set: TemplateSet
    }

    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(capacity: Int) { self.capacity = capacity }

    func lookup(key: String, sources: [(String, String)]) -> TemplateSet? {
        entries.withLock { map in
            guard let e = map[key], e.sources.count == sources.count,
                  zip(e.sources, sources).allSatisfy({ $0.0 == $1.0 && $0.1 == $1.1 }) else { return nil }
            return e.set
        }
    }

    func store(key: String, sources: [(String, String)], set: TemplateSet) {
        entries.withLock { map in
            if map.count >= capacity { map.removeAll() }
            map[key] = Entry(sources: sources, set: set)
        }
    }
}
