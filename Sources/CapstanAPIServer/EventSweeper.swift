import CapstanModel
import CapstanStore

extension APIServer {
    /// Deletes core/v1 Events older than `eventTTLSeconds` (by their last timestamp), like the
    /// API server's event TTL. Runs once a minute until cancelled; the expiry is computed from
    /// the stored objects, so nothing about it lives only in memory.
    func sweepEvents() async {
        while !Task.isCancelled {
            await sweepEventsOnce()
            try? await Task.sleep(for: .seconds(60))
        }
    }

    func sweepEventsOnce() async {
        let prefix = StorageKey.resourcePrefix(group: "", resource: "events")
        guard let list = try? await store.list(prefix: prefix) else { return }
        let cutoff = WallClock.nowSeconds() - eventTTLSeconds
        for kv in list.items {
            guard let event = try? ObjectCodec.decode(kv) else { continue }
            let stamp = event["lastTimestamp"].stringValue ?? event["eventTime"].stringValue
                ?? event[path: ["metadata", "creationTimestamp"]].stringValue
            if let t = stamp.flatMap(WallClock.parse), t < cutoff {
                _ = try? await store.delete(kv.key, expectedModRevision: kv.modRevision)
            }
        }
    }
}
