import CapstanAPI
import CapstanModel
import CapstanStore

/// Cluster IPs and node ports of Services, as Kubernetes' service REST storage hands them out.
///
/// - ClusterIP, NodePort and LoadBalancer Services get one IPv4 cluster IP (`spec.clusterIP`,
///   `spec.clusterIPs`); headless (`None`) and ExternalName ones get none.
/// - NodePort Services, and LoadBalancer ones unless `allocateLoadBalancerNodePorts: false`,
///   get a node port for every port that has none; a LoadBalancer with
///   `externalTrafficPolicy: Local` also gets `healthCheckNodePort` from the same range.
/// - Requested values are checked (format, range, free) and fail as 422 Invalid with the field
///   and the words Kubernetes uses; nothing is reserved on a dry run.
///
/// The flow of a write: `carryOver` (before defaulting and validation) keeps the values an
/// update leaves out and drops the ones a type change no longer needs; `prepare` reserves
/// what the new object holds and the old did not; after the store write `commit` frees what
/// the old held and the new does not, or `rollback` frees what `prepare` reserved. A crash in
/// between leaves at worst a reservation without its Service, which the repair pass at start
/// frees (`ServiceAllocator+Repair.swift`).
///
/// Thread-safety: immutable; the pools protect their own state.
final class ServiceAllocator: Sendable {
    let addressing: ServiceAddressing
    let ips: ReservationPool
    let ports: ReservationPool
    let store: any Store

    init(store: any Store, addressing: ServiceAddressing) {
        self.store = store
        self.addressing = addressing
        let ipCount = Int64(addressing.clusterIPs.count)
        ips = ReservationPool(resource: "serviceipallocations", kind: "ServiceIPAllocation", values: addressing.clusterIPs,
                              staticBand: min(max(16, ipCount / 16), 256),
                              render: { IPv4.format(UInt32(truncatingIfNeeded: $0)) }, parse: { IPv4.parse($0).map { Int64($0) } })
        let portCount = Int64(addressing.nodePorts.count)
        ports = ReservationPool(resource: "servicenodeportallocations", kind: "ServiceNodePortAllocation",
                                values: Int64(addressing.nodePorts.lowerBound)...Int64(addressing.nodePorts.upperBound),
                                staticBand: min(max(16, portCount / 32), 128),
                                render: { String($0) }, parse: { Int64($0) })
    }

    // MARK: - What a Service holds

    /// The values a stored Service holds: `ip` and `ports` are those inside the configured
    /// ranges (they have reservations); `ipText` and `anyPorts` are everything it carries, so
    /// an update that keeps a value from before a range change is not refused for it.
    struct Held: Equatable, Sendable {
        var ip: Int64?
        var ports: Set<Int64> = []
        var ipText: String?
        var anyPorts: Set<Int64> = []
    }

    func held(by service: Value) -> Held {
        var held = Held()
        let spec = service["spec"]
        if Self.needsClusterIP(spec), let text = spec["clusterIP"].stringValue, !text.isEmpty {
            held.ipText = text
            if let ip = IPv4.parse(text), addressing.contains(ip: ip) { held.ip = Int64(ip) }
        }
        var numbers: [Int64] = []
        if Self.needsNodePorts(spec) { numbers += (spec["ports"].arrayValue ?? []).compactMap { $0["nodePort"].intValue } }
        if Self.needsHealthCheckNodePort(spec), let n = spec["healthCheckNodePort"].intValue { numbers.append(n) }
        for n in numbers where n != 0 {
            held.anyPorts.insert(n)
            if addressing.nodePorts.contains(Int(n)) { held.ports.insert(n) }
        }
        return held
    }

    static func needsHealthCheckNodePort(_ spec: Value) -> Bool {
        type(spec) == "LoadBalancer" && spec["externalTrafficPolicy"].stringValue == "Local"
    }

    static func type(_ spec: Value) -> String { spec["type"].stringValue ?? "ClusterIP" }

    static func needsClusterIP(_ spec: Value) -> Bool {
        ["ClusterIP", "NodePort", "LoadBalancer"].contains(type(spec)) && spec["clusterIP"].stringValue != "None"
    }

    static func needsNodePorts(_ spec: Value) -> Bool {
        let t = type(spec)
        return t == "NodePort" || (t == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"].boolValue != false)
    }

    // MARK: - Update: before defaulting

    /// What an update keeps and drops before defaulting and validation (Kubernetes'
    /// patchAllocatedValues and dropTypeDependentFields): a new spec that leaves out the
    /// cluster IP or a port's node port keeps the old one; a type that no longer needs them
    /// loses those it carried over unchanged.
    static func carryOver(old: Value, new: inout Value) {
        let oldSpec = old["spec"]
        guard new["spec"].isObject else { return }
        var spec = new["spec"]
        if needsClusterIP(oldSpec) {
            if needsClusterIP(spec), (spec["clusterIP"].stringValue ?? "").isEmpty {
                spec["clusterIP"] = oldSpec["clusterIP"]
                if spec["clusterIPs"].count == 0, oldSpec.has("clusterIPs") { spec["clusterIPs"] = oldSpec["clusterIPs"] }
            } else if !needsClusterIP(spec), spec["clusterIP"] == oldSpec["clusterIP"] || (spec["clusterIP"].stringValue ?? "").isEmpty {
                for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] { spec.removeValue(forKey: field) }
            }
        }
        if needsNodePorts(oldSpec), var newPorts = spec["ports"].arrayValue {
            let oldPorts = oldSpec["ports"].arrayValue ?? []
            if needsNodePorts(spec) {
                for i in newPorts.indices where (newPorts[i]["nodePort"].intValue ?? 0) == 0 {
                    if let match = oldPorts.first(where: { Self.samePort($0, newPorts[i]) }), match["nodePort"].intValue != nil {
                        newPorts[i]["nodePort"] = match["nodePort"]
                    }
                }
            } else {
                let oldNodePorts = Set(oldPorts.compactMap { $0["nodePort"].intValue })
                for i in newPorts.indices where newPorts[i]["nodePort"].intValue.map(oldNodePorts.contains) == true {
                    newPorts[i].removeValue(forKey: "nodePort")
                }
            }
            spec["ports"] = .array(newPorts)
        }
        if needsHealthCheckNodePort(oldSpec), oldSpec["healthCheckNodePort"] != .null {
            if needsHealthCheckNodePort(spec), (spec["healthCheckNodePort"].intValue ?? 0) == 0 {
                spec["healthCheckNodePort"] = oldSpec["healthCheckNodePort"]
            } else if !needsHealthCheckNodePort(spec), spec["healthCheckNodePort"] == oldSpec["healthCheckNodePort"] {
                spec.removeValue(forKey: "healthCheckNodePort")
            }
        }
        new["spec"] = spec
    }

    /// Ports that are "the same" across an update: same name, or same number and protocol.
    private static func samePort(_ a: Value, _ b: Value) -> Bool {
        if let n = a["name"].stringValue, !n.isEmpty, n == b["name"].stringValue { return true }
        return a["port"] == b["port"] && (a["protocol"].stringValue ?? "TCP") == (b["protocol"].stringValue ?? "TCP")
    }

    // MARK: - Reserve, then commit or roll back

    /// The reservations one write made, and those it frees once it is stored.
    struct Change: Sendable {
        var owner: ServiceRef
        var reservedIPs: [Int64] = []
        var reservedPorts: [Int64] = []
        var freedIPs: [Int64] = []
        var freedPorts: [Int64] = []
    }

    /// Fills in and reserves the cluster IP and node ports `new` needs (`old` is the stored
    /// object on update). Throws 422 Invalid (reserving nothing) when a requested value is
    /// malformed, out of range or taken.
    func prepare(_ new: inout Value, old: Value?, dryRun: Bool) async throws -> Change {
        var change = Change(owner: ServiceRef(new))
        let had = old.map(held(by:)) ?? Held()
        var errors: [FieldError] = []
        do {
            try await assignClusterIP(&new, had: had, dryRun: dryRun, change: &change, errors: &errors)
            try await assignNodePorts(&new, had: had, dryRun: dryRun, change: &change, errors: &errors)
        } catch {
            await rollback(change)
            if let e = error as? StoreError { throw e.status(group: "", resource: "services", name: new.name ?? "") }
            throw error
        }
        if !errors.isEmpty {
            await rollback(change)
            throw StatusError.invalid(kind: GroupKind(group: "", kind: "Service"), name: new.name ?? "", errors: errors)
        }
        if dryRun {
            change.reservedIPs = []
            change.reservedPorts = []
        }
        let now = held(by: new)
        if let ip = had.ip, ip != now.ip { change.freedIPs = [ip] }
        change.freedPorts = had.ports.subtracting(now.ports).sorted()
        return change
    }

    private func assignClusterIP(_ new: inout Value, had: Held, dryRun: Bool, change: inout Change, errors: inout [FieldError]) async throws {
        var spec = new["spec"]
        guard Self.needsClusterIP(spec) else { return }
        let ipsPath = FieldPath("spec").child("clusterIPs")
        if (spec["clusterIP"].stringValue ?? "").isEmpty, let first = spec["clusterIPs"][0].stringValue, !first.isEmpty {
            spec["clusterIP"] = .string(first)
        }
        for (i, family) in (spec["ipFamilies"].arrayValue ?? []).enumerated() where family.stringValue != "IPv4" {
            errors.append(.invalid(FieldPath("spec").child("ipFamilies").index(i), family, "not configured on this cluster"))
        }
        if spec["clusterIPs"].count > 1 {
            errors.append(.invalid(ipsPath, shown: Self.goStrings(spec["clusterIPs"]), "this cluster is single-stack IPv4: at most one IP may be given"))
        }
        let requested = spec["clusterIP"].stringValue ?? ""
        if let given = spec["clusterIPs"][0].stringValue, !given.isEmpty, !requested.isEmpty, given != requested {
            errors.append(.invalid(ipsPath.index(0), .string(given), "must be equal to `spec.clusterIP` (\(requested))"))
        }
        guard errors.isEmpty else { return }
        if requested.isEmpty {
            guard let ip = try await ips.claimNext(for: change.owner, store: store, dryRun: dryRun) else {
                throw StatusError.internalError("failed to allocate a serviceIP: range is full")
            }
            if !dryRun { change.reservedIPs.append(ip) }
            let text = ips.text(ip)
            spec["clusterIP"] = .string(text)
            spec["clusterIPs"] = [.string(text)]
            new["spec"] = spec
            return
        }
        spec["clusterIPs"] = [.string(requested)]
        new["spec"] = spec
        if had.ipText == requested { return }  // kept from before: checked when it was given
        guard let ip = IPv4.parse(requested) else {
            errors.append(.invalid(ipsPath.index(0), .string(requested), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
            return
        }
        let failure = "failed to allocate IP \(requested): "
        guard addressing.contains(ip: ip) else {
            errors.append(.invalid(ipsPath, shown: Self.goStrings(spec["clusterIPs"]),
                                   failure + "provided IP is not in the valid range. The range of valid IPs is \(addressing.clusterIPRange)"))
            return
        }
        switch try await ips.claim(Int64(ip), for: change.owner, store: store, dryRun: dryRun) {
        case .reserved: if !dryRun { change.reservedIPs.append(Int64(ip)) }
        case .ownedAlready: break
        case .taken: errors.append(.invalid(ipsPath, shown: Self.goStrings(spec["clusterIPs"]), failure + "provided IP is already allocated"))
        }
    }

    private func assignNodePorts(_ new: inout Value, had: Held, dryRun: Bool, change: inout Change, errors: inout [FieldError]) async throws {
        let spec = new["spec"]
        var ports = Self.needsNodePorts(spec) ? spec["ports"].arrayValue ?? [] : []
        let healthCheck = Self.needsHealthCheckNodePort(spec)
        var ours: Set<Int64> = had.anyPorts
        // Requested ports first, so a dynamic pick never takes one asked for further down.
        var requested = ports.enumerated().map { i, port in
            (port["nodePort"].intValue ?? 0, FieldPath("spec").child("ports").index(i).child("nodePort"))
        }
        if healthCheck { requested.append((spec["healthCheckNodePort"].intValue ?? 0, FieldPath("spec").child("healthCheckNodePort"))) }
        for (n, path) in requested {
            guard n != 0, !ours.contains(n) else { continue }
            guard addressing.nodePorts.contains(Int(n)) else {
                errors.append(.invalid(path, .int(n), "provided port is not in the valid range. The range of valid ports is \(addressing.nodePortRange)"))
                continue
            }
            switch try await self.ports.claim(n, for: change.owner, store: store, dryRun: dryRun) {
            case .reserved:
                ours.insert(n)
                if !dryRun { change.reservedPorts.append(n) }
            case .ownedAlready: ours.insert(n)
            case .taken: errors.append(.invalid(path, .int(n), "provided port is already allocated"))
            }
        }
        guard errors.isEmpty else { return }
        for i in ports.indices where (ports[i]["nodePort"].intValue ?? 0) == 0 {
            ports[i]["nodePort"] = .int(try await nextNodePort(dryRun: dryRun, change: &change))
        }
        if !ports.isEmpty { new["spec"]["ports"] = .array(ports) }
        if healthCheck, (spec["healthCheckNodePort"].intValue ?? 0) == 0 {
            new["spec"]["healthCheckNodePort"] = .int(try await nextNodePort(dryRun: dryRun, change: &change))
        }
    }

    private func nextNodePort(dryRun: Bool, change: inout Change) async throws -> Int64 {
        guard let n = try await ports.claimNext(for: change.owner, store: store, dryRun: dryRun) else {
            throw StatusError.internalError("failed to allocate a nodePort: range is full")
        }
        if !dryRun { change.reservedPorts.append(n) }
        return n
    }

    /// After the write is stored: frees what the old object held and the new one does not.
    func commit(_ change: Change) async {
        for ip in change.freedIPs { await ips.release(ip, of: change.owner, store: store) }
        for port in change.freedPorts { await ports.release(port, of: change.owner, store: store) }
    }

    /// After the write failed: frees what `prepare` reserved.
    func rollback(_ change: Change) async {
        for ip in change.reservedIPs { await ips.release(ip, of: change.owner, store: store) }
        for port in change.reservedPorts { await ports.release(port, of: change.owner, store: store) }
    }

    /// After a Service is gone: frees everything it held.
    func releaseAll(of service: Value) async {
        let owner = ServiceRef(service), had = held(by: service)
        if let ip = had.ip { await ips.release(ip, of: owner, store: store) }
        for port in had.ports.sorted() { await ports.release(port, of: owner, store: store) }
    }

    /// A string list the way Go's `%#v` prints `[]string` in a field error.
    static func goStrings(_ list: Value) -> String {
        "[]string{" + (list.arrayValue ?? []).map { "\"\($0.stringValue ?? "")\"" }.joined(separator: ", ") + "}"
    }
}
