import CapstanAPI
import CapstanClient
import CapstanModel
import Synchronization

/// Progress of `--wait`: one object's state changed (ready, still progressing and why, failed).
public struct WaitUpdate: Sendable {
    public var typedName: String
    public var namespace: String?
    public var state: Health.State
    /// Objects ready so far, out of `total` waited for.
    public var ready: Int
    public var total: Int
}

/// What wakes the waiting loop.
private enum WaitSignal: Sendable {
    case changed(String)
    case synced
    case deadline
}

/// One object `--wait` follows, and where its state comes from.
private struct WaitTarget: Sendable {
    var typedName: String
    var namespace: String?
    var name: String
    var resource: GroupVersionResource
    var isService: Bool
    var key: String { "\(resource)|\(Indexer.key(namespace: namespace, name: name))" }
}

extension Applier {
    /// The kinds `--wait` waits for; everything else is ready once applied.
    static let waitedKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "Service"]

    /// Watches every applied object until it is ready (see `Health`), all within one deadline.
    /// One informer (list, then watch) per resource — per namespace when all targets share one,
    /// else across namespaces — so a thousand objects cost a handful of watches, not a thousand
    /// polls; Services also watch their Endpoints. Each state change goes to `onUpdate`.
    /// Returns one error line per object that failed or was not ready by the deadline.
    func waitReady(_ results: [ObjectResult], timeout: Duration,
                   onUpdate: (@Sendable (WaitUpdate) -> Void)?) async -> [String]
    {
        let deadline = ContinuousClock.now + timeout
        var targets: [WaitTarget] = []
        var errors: [String] = []
        for result in results {
            guard let object = result.object, let gvk = object.gvk, let name = object.name,
                  Self.waitedKinds.contains(gvk.kind) else { continue }
            do {
                let info = try await client.mapping(for: gvk)
                targets.append(WaitTarget(typedName: result.typedName, namespace: info.namespaced ? result.namespace : nil,
                                          name: name, resource: info.gvr,
                                          // Only a Service with a selector waits for endpoints.
                                          isService: gvk.kind == "Service" && Self.hasSelector(object)))
            } catch {
                errors.append("error: waiting for \(result.typedName): \(error)")
            }
        }
        if targets.isEmpty { return errors }

        // Which resource is watched in which scope (nil: all namespaces).
        var scopes: [GroupVersionResource: Set<String?>] = [:]
        for t in targets {
            scopes[t.resource, default: []].insert(t.namespace)
            if t.isService { scopes[.endpoints, default: []].insert(t.namespace) }
        }
        let (changes, signal) = AsyncStream<WaitSignal>.makeStream(bufferingPolicy: .unbounded)
        var informers: [GroupVersionResource: [String?: SharedInformer]] = [:]
        for (resource, namespaces) in scopes {
            let perNamespace = namespaces.count == 1 ? namespaces : [nil]
            for ns in perNamespace {
                let informer = SharedInformer(client: client, resource: resource, namespace: ns, maxRelistDelay: .seconds(2))
                let notify: @Sendable (Value) -> Void = { object in
                    signal.yield(.changed("\(resource)|\(Indexer.key(of: object))"))
                }
                informer.addEventHandler(EventHandler(onAdd: notify, onUpdate: { _, new in notify(new) }, onDelete: notify))
                informers[resource, default: [:]][ns ?? "*"] = informer
                informer.start()
            }
        }
        defer { for byScope in informers.values { for informer in byScope.values { informer.stop() } } }
        let all = informers.values.flatMap(\.values)
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            signal.yield(.deadline)
        }
        let syncing = Task {
            for informer in all { await informer.waitForSync() }
            signal.yield(.synced)
        }
        defer {
            timer.cancel()
            syncing.cancel()
        }

        func cached(_ resource: GroupVersionResource, _ namespace: String?, _ name: String) -> Value? {
            guard let byScope = informers[resource] else { return nil }
            let informer = byScope[namespace ?? "*"] ?? byScope["*"]
            return informer?.cache.get(namespace: namespace, name: name)
        }
        func state(_ t: WaitTarget) -> Health.State {
            guard let live = cached(t.resource, t.namespace, t.name) else { return .progressing("not found") }
            return Health.state(of: live, endpoints: t.isService ? cached(.endpoints, t.namespace, t.name) : nil)
        }

        var byKey: [String: [Int]] = [:]
        for (i, t) in targets.enumerated() {
            byKey[t.key, default: []].append(i)
            if t.isService { byKey["\(GroupVersionResource.endpoints)|\(Indexer.key(namespace: t.namespace, name: t.name))", default: []].append(i) }
        }
        var last = [Health.State?](repeating: nil, count: targets.count)
        var pending = Set(targets.indices)
        var readyCount = 0
        func evaluate(_ i: Int) {
            guard pending.contains(i) else { return }
            let now = state(targets[i])
            guard now != last[i] else { return }
            last[i] = now
            switch now {
            case .ready:
                pending.remove(i)
                readyCount += 1
            case .failed(let why):
                pending.remove(i)
                errors.append("error: \(Self.describe(targets[i])): \(why)")
            case .progressing:
                break
            }
            onUpdate?(WaitUpdate(typedName: targets[i].typedName, namespace: targets[i].namespace, state: now,
                                 ready: readyCount, total: targets.count))
        }

        // Judge nothing before every cache holds its first list: a missing object would only
        // mean "not listed yet".
        var synced = false
        loop: for await event in changes {
            switch event {
            case .deadline: break loop
            case .synced:
                synced = true
                for i in targets.indices { evaluate(i) }
            case .changed(let key):
                if synced { for i in byKey[key] ?? [] { evaluate(i) } }
            }
            if synced && pending.isEmpty { break }
        }
        for i in pending.sorted() {
            let why: String
            switch last[i] {
            case .progressing(let text)?: why = text
            default: why = "no state observed (the watch did not sync)"
            }
            errors.append("error: timed out after \(Self.format(timeout)) waiting for \(Self.describe(targets[i])): \(why)")
        }
        return errors
    }

    private static func hasSelector(_ service: Value) -> Bool {
        !(service[path: ["spec", "selector"]].objectValue ?? [:]).isEmpty
            && service[path: ["spec", "type"]].stringValue != "ExternalName"
    }

    private static func describe(_ t: WaitTarget) -> String {
        t.namespace.map { "\(t.typedName) in namespace \($0)" } ?? t.typedName
    }

    /// `300ms`, `90s`, `5m0s` (Go's duration style, as kubectl prints `--timeout`).
    static func format(_ d: Duration) -> String {
        let total = Int(d.components.seconds)
        if total == 0 { return "\(d.components.attoseconds / 1_000_000_000_000_000)ms" }
        if total < 60 { return "\(total)s" }
        if total < 3600 { return "\(total / 60)m\(total % 60)s" }
        return "\(total / 3600)h\((total % 3600) / 60)m\(total % 60)s"
    }
}
