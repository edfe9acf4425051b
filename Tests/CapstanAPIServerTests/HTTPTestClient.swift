import CapstanClient
import CapstanModel
import Foundation

/// A minimal HTTP client for the server tests, on CapstanClient's swift-nio transport.
/// (FoundationNetworking's async URLSession stalled the suite now and then on Linux: a request
/// whose continuation was never resumed, past its own timeout.)
struct HTTPTestClient: Sendable {
    let base: String
    let transport: HTTPTransport

    init(base: String) {
        self.base = base
        let hostPort = base.replacingOccurrences(of: "http://", with: "")
        let parts = hostPort.split(separator: ":")
        transport = HTTPTransport(host: String(parts.first ?? "127.0.0.1"), port: Int(parts.last ?? "80") ?? 80,
                                  defaultTimeout: .seconds(30))
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var json: Value { (try? Value.parseJSON(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// Newline-delimited watch events.
        var events: [Value] {
            text.split(separator: "\n").compactMap { try? Value.parseJSON(String($0)) }
        }
        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    func request(_ method: String, _ path: String, body: Value? = nil, rawBody: [UInt8]? = nil,
                 contentType: String = "application/json", accept: String = "application/json",
                 headers: [String: String] = [:]) async throws -> Reply
    {
        var fields = HeaderFields([("Accept", accept)])
        for (k, v) in headers { fields.set(k, v) }
        var bytes: [UInt8] = []
        if let body {
            bytes = body.jsonBytes()
            fields.set("Content-Type", contentType)
        } else if let rawBody {
            bytes = rawBody
            fields.set("Content-Type", contentType)
        }
        let response = try await transport.send(TransportRequest(method: method, path: path, headers: fields, body: bytes))
        var hs: [String: String] = [:]
        for field in response.headers { hs[field.name] = field.value }
        return Reply(status: response.status, headers: hs, body: response.body)
    }

    func get(_ path: String, accept: String = "application/json") async throws -> Reply {
        try await request("GET", path, accept: accept)
    }
    func post(_ path: String, _ body: Value) async throws -> Reply { try await request("POST", path, body: body) }
    func put(_ path: String, _ body: Value) async throws -> Reply { try await request("PUT", path, body: body) }
    func patch(_ path: String, _ body: Value, type: String) async throws -> Reply {
        try await request("PATCH", path, body: body, contentType: type)
    }
    func delete(_ path: String, _ body: Value? = nil) async throws -> Reply { try await request("DELETE", path, body: body) }
}
