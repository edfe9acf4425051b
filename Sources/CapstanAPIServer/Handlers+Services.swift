import CapstanModel
import CapstanStore

/// Where the verb handlers call the `ServiceAllocator`: reserve before a Service is written,
/// then commit (free what the old object held) or roll back (free what was reserved), and
/// free everything once a Service is gone. Other resources pass through untouched.
extension APIServer {
    static func isServiceSpecWrite(_ req: ResourceRequest) -> Bool {
        req.group.isEmpty && req.plural == "services" && req.path.subresource == nil
    }

    /// Reserves the cluster IP and node ports `object` needs (nil for anything but a Service).
    func reserveServiceAddresses(_ req: ResourceRequest, _ object: inout Value, old: Value?) async throws -> ServiceAllocator.Change? {
        guard Self.isServiceSpecWrite(req) else { return nil }
        return try await serviceAllocator.prepare(&object, old: old, dryRun: req.dryRun)
    }

    /// After the write: `stored` frees what the old object no longer holds; otherwise the
    /// reservations of this attempt are freed.
    func finishServiceAddresses(_ change: ServiceAllocator.Change?, stored: Bool) async {
        guard let change else { return }
        if stored { await serviceAllocator.commit(change) } else { await serviceAllocator.rollback(change) }
    }

    /// After a Service left the store.
    func releaseServiceAddresses(_ req: ResourceRequest, _ gone: Value) async {
        guard req.group.isEmpty && req.plural == "services" else { return }
        await serviceAllocator.releaseAll(of: gone)
    }
}
