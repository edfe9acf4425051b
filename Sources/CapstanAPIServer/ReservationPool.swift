import CapstanModel
import CapstanStore
import Synchronization

/// The Service a reservation belongs to.
struct ServiceRef: Hashable, Sendable, CustomStringConvertible {
    var namespace: String
    var name: String
    var uid: String

    init(namespace: String, name: String, uid: String) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }

    init(_ service: Value) {
        self.init(namespace: service.namespace ?? "", name: service.name ?? "", uid: service.uid ?? "")
    }

    var description: String { "\(namespace)/\(name)" }
    var value: Value { ["namespace": .string(namespace), "name": .string(name), "uid": .string(uid)] }
}

/// One numbered resource Services hold exclusively (cluster IPs, node ports), reserved one
/// store key per number: `/registry/capstan.dev/RESOURCE/NUMBER` holds the owning Service,
/// written with create-if-absent. The store decides every race — two creates can never both
/// get a number — so no multi-key transaction is needed (the idea of Kubernetes' IPAddress
/// objects).
///
/// Dynamic allocation walks a cursor through the range, upper band first: the lowest
/// `staticBand` numbers are handed out last, so values people pick by hand (10.96.0.10 for
/// DNS) rarely collide with automatic ones, as in Kubernetes. `taken` is an in-memory hint of
/// numbers known to be reserved, so the walk skips them without a store round trip; the store
/// stays authoritative (a stale hint only costs one failed create).
///
/// Thread-safety: the cursor and the hint sit behind a `Mutex`, never held across an await.
final class ReservationPool: Sendable {
    let resource: String
    let values: ClosedRange<Int64>
    let kind: String
    private let staticBand: Int64
    private let render: @Sendable (Int64) -> String
    private let parse: @Sendable (String) -> Int64?
    private struct State { var cursor: Int64 = 0; var taken: Set<Int64> = [] }
    private let state = Mutex(State())

    init(resource: String, kind: String, values: ClosedRange<Int64>, staticBand: Int64,
         render: @escaping @Sendable (Int64) -> String, parse: @escaping @Sendable (String) -> Int64?)
    {
        self.resource = resource
        self.kind = kind
        self.values = values
        self.staticBand = min(staticBand, Int64(values.count) - 1)
        self.render = render
        self.parse = parse
    }

    var prefix: String { "/registry/capstan.dev/\(resource)/" }
    func key(_ value: Int64) -> String { prefix + render(value) }
    func text(_ value: Int64) -> String { render(value) }

    enum Claim: Equatable { case reserved, ownedAlready, taken(by: ServiceRef?) }

    /// Reserves `value` for `owner` (with `dryRun`, only checks that it could).
    func claim(_ value: Int64, for owner: ServiceRef, store: any Store, dryRun: Bool) async throws(StoreError) -> Claim {
        if !dryRun {
            do {
                _ = try await store.create(key(value), value: record(value, owner))
                state.withLock { _ = $0.taken.insert(value) }
                return .reserved
            } catch .alreadyExists {
                // Fall through to find out whose it is.
            }
        }
        guard let existing = try await store.get(key(value)) else { return .reserved }
        state.withLock { _ = $0.taken.insert(value) }
        let holder = Self.owner(of: existing)
        return holder?.uid == owner.uid ? .ownedAlready : .taken(by: holder)
    }

    /// Reserves the next free value for `owner`, or nil when the range is full. With `dryRun`,
    /// returns the value a real call would most likely get, reserving nothing.
    func claimNext(for owner: ServiceRef, store: any Store, dryRun: Bool) async throws(StoreError) -> Int64? {
        let count = Int64(values.count)
        var tried: Int64 = 0
        var local = state.withLock { $0.cursor }
        while tried < count {
            // Pick a candidate the hint does not know as taken (in memory, under the lock).
            let candidate: Int64? = state.withLock { s in
                while tried < count {
                    let position = dryRun ? local : s.cursor
                    let next = (position + 1) % count
                    if dryRun { local = next } else { s.cursor = next }
                    tried += 1
                    let value = values.lowerBound + (position + staticBand) % count
                    if !s.taken.contains(value) { return value }
                }
                return nil
            }
            guard let candidate else { return nil }
            switch try await claim(candidate, for: owner, store: store, dryRun: dryRun) {
            case .reserved, .ownedAlready: return candidate
            case .taken: continue
            }
        }
        return nil
    }

    /// Frees `value` if `owner` holds it (a reservation of someone else is left alone).
    func release(_ value: Int64, of owner: ServiceRef, store: any Store) async {
        for _ in 0..<4 {
            guard let kv = try? await store.get(key(value)) else { break }
            guard Self.owner(of: kv)?.uid == owner.uid else { return }
            do {
                _ = try await store.delete(kv.key, expectedModRevision: kv.modRevision)
                break
            } catch .notFound {
                break
            } catch {
                continue  // changed under us (or a store hiccup): look again
            }
        }
        state.withLock { _ = $0.taken.remove(value) }
    }

    /// Every reservation in the store, with its owner (unreadable records have none).
    func reservations(in store: any Store) async throws(StoreError) -> [(value: Int64, owner: ServiceRef?, kv: KeyValue)] {
        let list = try await store.list(prefix: prefix)
        var out: [(value: Int64, owner: ServiceRef?, kv: KeyValue)] = []
        for kv in list.items {
            guard let value = parse(String(kv.key.dropFirst(prefix.count))) else { continue }
            out.append((value: value, owner: Self.owner(of: kv), kv: kv))
        }
        return out
    }

    /// Replaces the in-memory hint (after a repair pass read the store).
    func remember(_ taken: Set<Int64>) { state.withLock { $0.taken = taken } }

    /// A reservation record, shaped like an API object so it reads well in a store dump.
    private func record(_ value: Int64, _ owner: ServiceRef) -> [UInt8] {
        let object: Value = ["apiVersion": "capstan.dev/v1", "kind": .string(kind),
                             "metadata": ["name": .string(render(value)), "creationTimestamp": .string(WallClock.now())],
                             "serviceRef": owner.value]
        return object.jsonBytes()
    }

    static func owner(of kv: KeyValue) -> ServiceRef? {
        guard let object = try? Value.parseJSON(kv.value), let uid = object["serviceRef"]["uid"].stringValue else { return nil }
        return ServiceRef(namespace: object["serviceRef"]["namespace"].stringValue ?? "",
                          name: object["serviceRef"]["name"].stringValue ?? "", uid: uid)
    }
}
