import CapstanModel
import CapstanStore
import Synchronization

/// The decoded objects and encoded event lines of recent store events, shared by every watch
/// of the server: when N watchers see one change (a pod update reaches the scheduler, the
/// controllers and every node's field-selected watch), it is decoded and encoded once, not N
/// times. Entries are keyed by what makes them unique — store key, revision, served
/// apiVersion (and event type for lines) — so a hit is always the same bytes a miss would give.
///
/// Bounded: when full, it starts over (recent events are what watchers ask for). Protected by
/// a `Mutex`; decoding and encoding happen outside the lock.
final class WatchEventCache: Sendable {
    private struct ObjectKey: Hashable {
        var key: String
        var revision: Int64
        var apiVersion: String
    }
    private struct LineKey: Hashable {
        var object: ObjectKey
        var type: String
    }
    private struct State {
        var objects: [ObjectKey: Value] = [:]
        var lines: [LineKey: [UInt8]] = [:]
    }
    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// `ObjectCodec.decode(bytes, revision:, apiVersion:)`, memoized.
    func object(key: String, bytes: [UInt8], revision: Int64, apiVersion: String) throws(StatusError) -> Value {
        let id = ObjectKey(key: key, revision: revision, apiVersion: apiVersion)
        if let hit = state.withLock({ $0.objects[id] }) { return hit }
        let object = try ObjectCodec.decode(bytes, revision: revision, apiVersion: apiVersion)
        state.withLock { s in
            if s.objects.count >= capacity { s.objects.removeAll(keepingCapacity: true) }
            s.objects[id] = object
        }
        return object
    }

    /// The watch line `{"type":…,"object":…}` of `object` (which `object(key:…)` returned for
    /// `key` at `revision`), memoized.
    func line(_ type: String, _ object: Value, key: String, revision: Int64, apiVersion: String,
              encode: (String, Value) -> [UInt8]) -> [UInt8] {
        let id = LineKey(object: ObjectKey(key: key, revision: revision, apiVersion: apiVersion), type: type)
        if let hit = state.withLock({ $0.lines[id] }) { return hit }
        let bytes = encode(type, object)
        state.withLock { s in
            if s.lines.count >= capacity { s.lines.removeAll(keepingCapacity: true) }
            s.lines[id] = bytes
        }
        return bytes
    }
}
