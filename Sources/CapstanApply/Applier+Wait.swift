import CapstanClient
import CapstanModel

extension Applier {
    /// Polls every applied object until it is ready (see `Health`), all within one deadline.
    /// Returns one error line per object that failed or did not become ready in time.
    func waitReady(_ results: [ObjectResult], timeout: Duration) async -> [String] {
        let deadline = ContinuousClock.now + timeout
        let client = self.client
        return await withTaskGroup(of: String?.self) { group in
            for result in results {
                guard let object = result.object, let gvk = object.gvk, let name = object.name else { continue }
                let kind = gvk.kind
                guard ["Deployment", "StatefulSet", "DaemonSet", "Job", "Pod", "Service"].contains(kind) else { continue }
                group.addTask {
                    var last = "not ready"
                    while ContinuousClock.now < deadline {
                        if let info = try? await client.mapping(for: gvk),
                           let live = try? await client.get(info.gvr, namespace: result.namespace, name: name)
                        {
                            var endpoints: Value?
                            if kind == "Service" {
                                endpoints = try? await client.get(.endpoints, namespace: result.namespace, name: name)
                            }
                            switch Health.state(of: live, endpoints: endpoints) {
                            case .ready: return nil
                            case .failed(let why): return "error: \(result.typedName): \(why)"
                            case .progressing(let why): last = why
                            }
                        }
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                    return "error: timed out waiting for \(result.typedName): \(last)"
                }
            }
            var errors: [String] = []
            for await case let e? in group { errors.append(e) }
            return errors.sorted()
        }
    }
}
