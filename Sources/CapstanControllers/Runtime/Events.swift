import CapstanClient
import CapstanModel
import Synchronization

/// Records core/v1 Events (what `kubectl describe` lists) for one component, the way
/// client-go's recorder and event correlator do, without ever making a reconcile wait:
///
/// - `record` only updates an in-memory table and wakes one writer task; the writer creates
///   or patches the Events in the background (best effort: a failed write is dropped).
/// - Repeats of the same event (same object, type, reason, message) become one Event whose
///   `count` and `lastTimestamp` grow (one PATCH, not a new object).
/// - After `maxSimilar` distinct messages with the same object, type and reason within
///   `similarWindow` (10 pods created: "Created pod: web-…" ×10), later ones fold into one
///   Event with the message "(combined from similar events): …".
/// - A token bucket per object (burst `burst`, then one per `refill`) bounds the writes a
///   flood can cause: a filtered repeat still counts in memory and its total goes out with the
///   next write that gets a token.
/// - Several records of one Event before the writer gets to it become one write.
///
/// Thread-safety: all state sits behind one `Mutex`, never held across an await.
public final class EventRecorder: Sendable {
    public let component: String
    let client: any Client
    let maxSimilar: Int
    let similarWindow: Int64
    let burst: Double
    let refill: Double

    private struct Entry {
        var event: Value
        var name: String?  // set once created
        var count: Int64 = 0
        var dirty = false
        var lastSeen: Int64
    }
    private struct Similar { var messages: Set<String> = []; var since: Int64 }
    private struct Bucket { var tokens: Double; var at: Double }
    private struct State {
        var entries: [String: Entry] = [:]
        var similar: [String: Similar] = [:]
        var buckets: [String: Bucket] = [:]
        var dirty: [String] = []
        var writing = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        var written = 0
    }
    private let state = Mutex(State())

    public init(client: any Client, component: String, maxSimilar: Int = 10, similarWindow: Int64 = 600,
                burst: Int = 25, refillSeconds: Double = 300)
    {
        self.client = client
        self.component = component
        self.maxSimilar = maxSimilar
        self.similarWindow = similarWindow
        self.burst = Double(burst)
        self.refill = refillSeconds
    }

    /// Records an event about `object`. Returns at once.
    public func record(about object: Value, type: String = "Normal", reason: String, message: String) {
        let now = Timestamp.now()
        let involved: Value = ["apiVersion": .string(object.apiVersion ?? ""), "kind": .string(object.kind ?? ""),
                               "namespace": .string(object.namespace ?? "default"), "name": .string(object.name ?? ""),
                               "uid": .string(object.uid ?? ""), "resourceVersion": .string(object.resourceVersion ?? "")]
        let objectKey = "\(object.kind ?? "")/\(object.namespace ?? "")/\(object.name ?? "")/\(object.uid ?? "")"
        let similarKey = "\(objectKey)|\(type)|\(reason)"
        let startWriter = state.withLock { s -> Bool in
            // Aggregate: the 11th distinct message of a kind within the window folds into one Event.
            var similar = s.similar[similarKey] ?? Similar(since: now.seconds)
            if now.seconds - similar.since > similarWindow { similar = Similar(since: now.seconds) }
            var key = "\(similarKey)|\(message)"
            var text = message
            if similar.messages.count >= maxSimilar && !similar.messages.contains(message) {
                key = "\(similarKey)|(combined)"
                text = "(combined from similar events): " + message
            } else {
                similar.messages.insert(message)
            }
            s.similar[similarKey] = similar

            // Correlate: a repeat bumps the count of the Event it repeats.
            var entry = s.entries[key] ?? Entry(event: .null, lastSeen: now.seconds)
            entry.count += 1
            entry.lastSeen = now.seconds
            let stamp = Value.string(now.rfc3339)
            if entry.event.isNull {
                entry.event = ["apiVersion": "v1", "kind": "Event",
                               "metadata": ["namespace": .string(object.namespace ?? "default")],
                               "involvedObject": involved, "reason": .string(reason), "message": .string(text),
                               "type": .string(type), "source": ["component": .string(component)],
                               "reportingComponent": .string(component), "reportingInstance": .string(component),
                               "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1]
            }
            entry.event["message"] = .string(text)
            entry.event["lastTimestamp"] = stamp
            entry.event["count"] = .int(entry.count)

            // Spam filter: a token per write, per object.
            let clock = Double(now.seconds) + Double(now.nanoseconds) / 1e9
            var bucket = s.buckets[objectKey] ?? Bucket(tokens: burst, at: clock)
            bucket.tokens = min(burst, bucket.tokens + (clock - bucket.at) / refill)
            bucket.at = clock
            if bucket.tokens >= 1 && !entry.dirty {
                bucket.tokens -= 1
                entry.dirty = true
                s.dirty.append(key)
            }
            s.buckets[objectKey] = bucket
            s.entries[key] = entry
            if s.entries.count > 4096 || s.buckets.count > 4096 { evictOld(&s, now: now.seconds, clock: clock) }
            if s.writing || s.dirty.isEmpty { return false }
            s.writing = true
            return true
        }
        if startWriter { Task { await self.drain() } }
    }

    /// Returns once every recorded event has been written (or dropped). For tests and shutdown.
    public func flush() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s -> Bool in
                if !s.writing { return true }
                s.idleWaiters.append(c)
                return false
            }
            if idle { c.resume() }
        }
    }

    /// How many create/patch requests the writer has sent.
    public var writes: Int { state.withLock { $0.written } }

    // MARK: - Writer

    private func drain() async {
        while true {
            let batch = state.withLock { s -> [(String, Entry)] in
                let keys = s.dirty
                s.dirty.removeAll()
                var out: [(String, Entry)] = []
                for key in keys {
                    guard var e = s.entries[key] else { continue }
                    e.dirty = false
                    s.entries[key] = e
                    out.append((key, e))
                }
                if out.isEmpty {
                    s.writing = false
                    let waiters = s.idleWaiters
                    s.idleWaiters.removeAll()
                    for w in waiters { w.resume() }
                }
                return out
            }
            if batch.isEmpty { return }
            for (key, entry) in batch {
                let name = await write(entry)
                state.withLock { s in
                    s.written += 1
                    if let name { s.entries[key]?.name = name }
                }
            }
        }
    }

    /// Creates the Event, or patches its count, message and last timestamp; returns its name.
    private func write(_ entry: Entry) async -> String? {
        let namespace = entry.event["metadata"]["namespace"].stringValue ?? "default"
        if let name = entry.name {
            let patch: Value = ["count": entry.event["count"], "message": entry.event["message"],
                                "lastTimestamp": entry.event["lastTimestamp"]]
            do {
                _ = try await client.patch(.events, namespace: namespace, name: name, type: .merge, patch)
                return name
            } catch {
                if !error.isNotFound { return name }  // expired events are written anew below
            }
        }
        var event = entry.event
        let now = Timestamp.now()
        let suffix = String(UInt64(max(0, now.seconds)) &* 1_000_000_000 &+ UInt64(max(0, now.nanoseconds)), radix: 16)
        let name = "\(event["involvedObject"]["name"].stringValue ?? "event").\(suffix)"
        event["metadata"]["name"] = .string(name)
        do {
            _ = try await client.create(.events, namespace: namespace, event)
            return name
        } catch {
            return nil
        }
    }

    /// Forgets what no longer matters: events not seen within the window, and buckets that
    /// have refilled (a fresh bucket is full anyway).
    private func evictOld(_ s: inout State, now: Int64, clock: Double) {
        s.entries = s.entries.filter { $0.value.dirty || now - $0.value.lastSeen <= similarWindow }
        s.similar = s.similar.filter { now - $0.value.since <= similarWindow }
        s.buckets = s.buckets.filter { $0.value.tokens + (clock - $0.value.at) / refill < burst }
    }
}
