import FoundationEssentials
import Synchronization

/// A bearer token read from a file and reread at most once a `refreshSeconds` (client-go rereads
/// `tokenFile` every minute, so rotated service-account tokens are picked up without a restart).
/// When a reread fails, the last good token is kept. The cached token sits behind a `Mutex`.
public final class TokenFileSource: Sendable {
    public let path: String
    public let refreshSeconds: Double
    private let cached = Mutex<(token: String, readAt: Date)?>(nil)

    public init(path: String, refreshSeconds: Double = 60) {
        self.path = path
        self.refreshSeconds = refreshSeconds
    }

    /// The current token; throws only when the file has never been readable.
    public func token(now: Date = Date()) throws(APIError) -> String {
        if let c = cached.withLock({ $0 }), now.timeIntervalSince(c.readAt) < refreshSeconds { return c.token }
        if let data = FileManager.default.contents(atPath: path) {
            let token = String(decoding: data, as: UTF8.self).goTrimmedSpace
            cached.withLock { $0 = (token, now) }
            return token
        }
        if let c = cached.withLock({ $0 }) { return c.token }
        throw .local(.configuration, "cannot read token file \(path)")
    }
}
