import CapstanModel
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Discovery results on disk, like kubectl's `~/.kube/cache/discovery/HOST_PORT/`: one file per
/// server (`discovery.json`, aggregated-discovery shape), trusted for `ttlSeconds` after it was
/// written, rewritten after every fetch, removed by `invalidate()`.
///
/// A plain value; concurrent writers replace the file atomically (write then rename), so a
/// reader sees either the old or the new document, never a torn one.
public struct DiscoveryCache: Sendable {
    /// The server's directory: `<cacheDir>/discovery/<host_port>`.
    public let directory: String
    public let ttlSeconds: Double

    /// kubectl's default cache directory is `~/.kube/cache`; its discovery TTL is 6 hours.
    public init(cacheDir: String, server: String, ttlSeconds: Double = 6 * 3600) {
        self.directory = cacheDir + "/discovery/" + DiscoveryCache.directoryName(server: server)
        self.ttlSeconds = ttlSeconds
    }

    /// `http://127.0.0.1:6443/x` → `127.0.0.1_6443_x` (scheme dropped, anything but letters,
    /// digits, `.` and `/`… replaced by `_`, as kubectl names the folder; slashes too, to stay one level).
    public static func directoryName(server: String) -> String {
        var host = server
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
        while host.hasSuffix("/") { host.removeLast() }
        return String(host.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-") ? c : "_"
        })
    }

    var file: String { directory + "/discovery.json" }

    /// The cached mapper, or nil when missing, unreadable or older than the TTL.
    public func load(now: Date = Date()) -> RESTMapper? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
              let modified = attributes[.modificationDate] as? Date,
              now.timeIntervalSince(modified) < ttlSeconds,
              let data = FileManager.default.contents(atPath: file),
              let value = try? Value.parseJSON([UInt8](data))
        else { return nil }
        let parsed = Discovery.parseAggregated(value)
        guard !parsed.resources.isEmpty else { return nil }
        return RESTMapper(groups: parsed.groups, resources: parsed.resources)
    }

    /// Writes `mapper`; failures are ignored (a cache that cannot be written is only slower).
    public func store(_ mapper: RESTMapper) {
        let bytes = Discovery.encode(mapper).jsonBytes()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temp = file + ".tmp.\(UInt32.random(in: 0...UInt32.max))"
            try Data(bytes).write(to: URL(fileURLWithPath: temp))
            _ = rename(temp, file)
        } catch {
            return
        }
    }

    public func invalidate() {
        try? FileManager.default.removeItem(atPath: file)
    }
}
