import CapstanModel
import CapstanStore

extension ServiceAllocator {
    /// What one repair pass changed.
    struct RepairReport: Equatable, Sendable {
        /// Reservations whose Service is gone or no longer holds the value (`IP`/`port` text).
        var freed: [String] = []
        /// Values a stored Service holds that had no reservation (written before this server
        /// reserved them, or a store restored from an older backup).
        var restored: [String] = []
        /// Values two Services claim; the one the reservation names keeps it.
        var conflicts: [String] = []
    }

    /// Brings the reservations in line with the stored Services, as Kubernetes' repair
    /// controllers do: a reservation is kept only while its Service (same uid) still holds
    /// the value. Leaks come from a crash between reserving and writing the Service, or
    /// between writing and freeing. Also primes the pools' in-memory hints.
    ///
    /// Runs once at server start, before the server accepts writes: with one server per
    /// store no create can be between its reserve and its write at that moment.
    func repair() async throws(StoreError) -> RepairReport {
        var report = RepairReport()
        var holders: [String: (ServiceRef, Held)] = [:]  // by uid
        let services = try await store.list(prefix: StorageKey.resourcePrefix(group: "", resource: "services"))
        for kv in services.items {
            guard let service = try? Value.parseJSON(kv.value), let uid = service.uid else { continue }
            holders[uid] = (ServiceRef(service), held(by: service))
        }
        func holds(_ owner: ServiceRef?, _ check: (Held) -> Bool) -> Bool {
            guard let owner, let entry = holders[owner.uid] else { return false }
            return check(entry.1)
        }
        var takenIPs: Set<Int64> = [], takenPorts: Set<Int64> = []
        for r in try await ips.reservations(in: store) {
            if holds(r.owner, { $0.ip == r.value }) { takenIPs.insert(r.value); continue }
            if (try? await store.delete(r.kv.key, expectedModRevision: r.kv.modRevision)) != nil { report.freed.append(ips.text(r.value)) }
        }
        for r in try await ports.reservations(in: store) {
            if holds(r.owner, { $0.ports.contains(r.value) }) { takenPorts.insert(r.value); continue }
            if (try? await store.delete(r.kv.key, expectedModRevision: r.kv.modRevision)) != nil { report.freed.append(ports.text(r.value)) }
        }
        for (owner, held) in holders.values.sorted(by: { $0.0.description < $1.0.description }) {
            if let ip = held.ip, !takenIPs.contains(ip) {
                switch try await ips.claim(ip, for: owner, store: store, dryRun: false) {
                case .reserved: report.restored.append(ips.text(ip))
                case .ownedAlready: break
                case .taken: report.conflicts.append("\(ips.text(ip)) (\(owner))")
                }
                takenIPs.insert(ip)
            }
            for port in held.ports.sorted() where !takenPorts.contains(port) {
                switch try await ports.claim(port, for: owner, store: store, dryRun: false) {
                case .reserved: report.restored.append(ports.text(port))
                case .ownedAlready: break
                case .taken: report.conflicts.append("\(ports.text(port)) (\(owner))")
                }
                takenPorts.insert(port)
            }
        }
        ips.remember(takenIPs)
        ports.remember(takenPorts)
        return report
    }
}
