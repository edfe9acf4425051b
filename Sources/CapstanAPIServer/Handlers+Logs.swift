import CapstanModel
import NIOHTTP1

/// `GET pods/NAME/log`: checks the pod and container here, then proxies to the kubelet of the
/// node the pod is bound to (`status.daemonEndpoints.kubeletEndpoint.Port` at the node's
/// address), as the real API server does. The node's answer is passed on: a 200 streams its
/// body (a followed log streams until the node ends it or the client goes away), an error is
/// returned as the node's `Status`.
extension APIServer {
    /// Node address types tried in order (kube-apiserver's `--kubelet-preferred-address-types`,
    /// with InternalIP first: simulated nodes publish the loopback address their kubelet serves on).
    static let kubeletAddressTypes = ["InternalIP", "Hostname", "InternalDNS", "ExternalIP", "ExternalDNS"]

    /// The query parameters of the log subresource that the kubelet understands.
    static let logParameters: Set<String> = ["follow", "previous", "timestamps", "tailLines", "sinceSeconds", "limitBytes"]

    func podLog(_ req: ResourceRequest, name: String) async throws -> HTTPResponse {
        let (_, pod) = try await current(req, name)
        let container = try Self.logContainer(pod, name: name, asked: req.http.query("container"))
        guard let nodeName = pod[path: ["spec", "nodeName"]].stringValue, !nodeName.isEmpty else {
            throw StatusError.badRequest("pod \"\(name)\" is not scheduled to a node yet: no logs to show")
        }
        let nodeKey = StorageKey.objectKey(group: "", resource: "nodes", namespace: nil, name: nodeName)
        guard let kv = try await store.get(nodeKey) else {
            throw StatusError.badRequest("pod \"\(name)\" is bound to node \"\(nodeName)\", which does not exist")
        }
        let node = try ObjectCodec.decode(kv)
        guard let port = node[path: ["status", "daemonEndpoints", "kubeletEndpoint", "Port"]].intValue, port > 0,
              let host = Self.kubeletAddress(node) else {
            throw StatusError.badRequest("node \"\(nodeName)\" publishes no kubelet endpoint")
        }
        let query = req.http.query.filter { Self.logParameters.contains($0.0) }
            .map { "\($0.0)=\(URLCoding.percentEncode($0.1))" }.joined(separator: "&")
        let uri = "/containerLogs/\(req.path.namespace ?? "default")/\(name)/\(container)" + (query.isEmpty ? "" : "?" + query)
        let upstream: KubeletClient.Response
        do {
            upstream = try await KubeletClient.get(host: host, port: Int(port), uri: uri)
        } catch {
            throw StatusError.internalError("Get \"http://\(host):\(port)\(uri)\": \(error)")
        }
        guard upstream.status == 200 else {
            let body = await upstream.collect(limit: 64 * 1024)
            if let status = try? Value.parseJSON(body), status["kind"] == "Status" {
                return .json(HTTPResponseStatus(statusCode: upstream.status), body)
            }
            throw StatusError(code: upstream.status, reason: upstream.status == 404 ? "NotFound" : "BadRequest",
                              message: String(decoding: body, as: UTF8.self))
        }
        return HTTPResponse(status: .ok, headers: [("Content-Type", "text/plain")], body: .stream { writer in
            defer { upstream.close() }
            for try await chunk in upstream.body { try await writer.write(chunk) }
        })
    }

    /// The container a log request is about: the one asked for, else the only one.
    static func logContainer(_ pod: Value, name: String, asked: String?) throws -> String {
        let spec = pod["spec"]
        let names = ["containers", "initContainers", "ephemeralContainers"].flatMap { key in
            (spec[key].arrayValue ?? []).compactMap { $0["name"].stringValue }
        }
        guard let asked, !asked.isEmpty else {
            let main = (spec["containers"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            if main.count == 1 { return main[0] }
            throw StatusError.badRequest("a container name must be specified for pod \(name), choose one of: [\(main.joined(separator: " "))]")
        }
        guard names.contains(asked) else {
            throw StatusError.badRequest("container \"\(asked)\" is not valid for pod \"\(name)\"")
        }
        return asked
    }

    static func kubeletAddress(_ node: Value) -> String? {
        let addresses = node[path: ["status", "addresses"]].arrayValue ?? []
        for type in kubeletAddressTypes {
            if let a = addresses.first(where: { $0["type"].stringValue == type })?["address"].stringValue, !a.isEmpty { return a }
        }
        return nil
    }
}
