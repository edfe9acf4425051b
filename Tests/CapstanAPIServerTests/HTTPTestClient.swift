import CapstanModel
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for the in-process tests (URLSession, one shared keep-alive pool).
struct HTTPTestClient: Sendable {
    let base: String

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
        var r = URLRequest(url: URL(string: base + path)!)
        r.httpMethod = method
        r.timeoutInterval = 30
        r.setValue(accept, forHTTPHeaderField: "Accept")
        for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
        if let body {
            r.httpBody = Data(body.jsonBytes())
            r.setValue(contentType, forHTTPHeaderField: "Content-Type")
        } else if let rawBody {
            r.httpBody = Data(rawBody)
            r.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: r)
        let http = response as! HTTPURLResponse
        var hs: [String: String] = [:]
        for (k, v) in http.allHeaderFields { hs["\(k)"] = "\(v)" }
        return Reply(status: http.statusCode, headers: hs, body: Array(data))
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
