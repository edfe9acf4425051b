import CapstanClient
import CapstanModel
import NIOHTTP1

/// The node's kubelet endpoint: `GET /containerLogs/NS/POD/CONTAINER?…` over plain HTTP.
extension NodeAgent {
    func serveKubelet(on address: String) async throws(APIError) {
        let server = KubeletServer { [self] path, query in await kubeletReply(path, query) }
        do {
            let port = try await server.start(host: address, port: config.kubeletPort)
            setKubelet(server, port: port)
        } catch {
            throw .local(.transport, "node \(config.name): cannot serve the kubelet endpoint on \(address):\(config.kubeletPort): \(error)")
        }
    }

    private func kubeletReply(_ path: [Substring], _ query: [(String, String)]) async -> KubeletServer.Reply {
        guard path.count == 4, path[0] == "containerLogs" else {
            return Self.failure(LogError(code: 404, message: "the kubelet serves /containerLogs/NAMESPACE/POD/CONTAINER only"))
        }
        do throws(LogError) {
            let options = try LogOptions(kubeletQuery: query)
            let stream = try containerLogs(namespace: String(path[1]), pod: String(path[2]), container: String(path[3]), options: options)
            return KubeletServer.Reply(status: .ok, contentType: "text/plain") { write in
                for await chunk in stream { try await write(chunk) }
            }
        } catch {
            return Self.failure(error)
        }
    }

    /// A `Status` body, which the API server passes on to its client.
    static func failure(_ error: LogError) -> KubeletServer.Reply {
        let status: Value = ["kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
                             "message": .string(error.message), "reason": error.code == 404 ? "NotFound" : "BadRequest",
                             "code": .int(Int64(error.code))]
        return KubeletServer.Reply(status: .init(statusCode: error.code), contentType: "application/json") { write in
            try await write(status.jsonBytes())
        }
    }
}
