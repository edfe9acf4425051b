import CapstanModel
import CapstanTLS

/// Who made a request, as authentication established it. A plain value.
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    /// Always includes `system:authenticated`.
    public var groups: [String]

    public init(name: String, uid: String = "", groups: [String] = []) {
        self.name = name
        self.uid = uid
        self.groups = groups.contains(Self.authenticatedGroup) ? groups : groups + [Self.authenticatedGroup]
    }

    public static let authenticatedGroup = "system:authenticated"
}

/// A token file that cannot be used, naming the file and the line.
public struct AuthenticationConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// Authentication of a secured server, the way kube-apiserver does it: a bearer token from the
/// `Authorization` header looked up in a table (static tokens, `--token-auth-file`), else a
/// client certificate that the TLS layer verified against `--client-ca-file` (CN is the user,
/// each O a group). The first method that recognises the request wins; a request none
/// recognises is unauthenticated (401). Health checks (`/healthz`, `/livez`, `/readyz`) are
/// open to anyone, so probes need no credentials. Immutable; safe to share.
public struct Authenticator: Sendable {
    public var tokens: [String: UserInfo]

    public init(tokens: [String: UserInfo] = [:]) { self.tokens = tokens }

    /// The user of a request, or nil when it proves nothing.
    public func authenticate(authorization: String?, peer: TLSPeerIdentity?) -> UserInfo? {
        if let token = Self.bearerToken(authorization), let user = tokens[token] { return user }
        if let peer { return UserInfo(name: peer.commonName, groups: peer.organizations) }
        return nil
    }

    /// Paths served without authentication.
    public static func isPublic(path: String) -> Bool {
        for open in ["/healthz", "/livez", "/readyz"] where path == open || path.hasPrefix(open + "/") { return true }
        return false
    }

    /// `Bearer TOKEN` (scheme in any case, as Go's client and curl send it).
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingSpaces()
        return token.isEmpty ? nil : token
    }

    /// Parses a kube-apiserver token file: CSV lines `token,user,uid[,"group1,group2"]`.
    /// Blank lines are skipped; a token listed twice keeps its last line (as kube-apiserver does).
    public static func parseTokenFile(_ text: String, file: String) throws(AuthenticationConfigError) -> [String: UserInfo] {
        var tokens: [String: UserInfo] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // CRLF files too.
            let trimmed = (line.hasSuffix("\r") ? line.dropLast() : line).trimmingSpaces()
            if trimmed.isEmpty { continue }
            let fields: [String]
            do { fields = try CSVLine.fields(Substring(trimmed)) } catch {
                throw AuthenticationConfigError(file: file, line: index + 1, message: error.message)
            }
            guard fields.count >= 3 else {
                throw AuthenticationConfigError(file: file, line: index + 1,
                                                message: "expected at least 3 columns (token, user name, uid), found \(fields.count)")
            }
            guard !fields[0].isEmpty, !fields[1].isEmpty else {
                throw AuthenticationConfigError(file: file, line: index + 1, message: "token and user name must not be empty")
            }
            let groups = fields.count > 3
                ? fields[3].split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                : []
            tokens[fields[0]] = UserInfo(name: fields[1], uid: fields[2], groups: groups)
        }
        return tokens
    }
}

/// One line of CSV (RFC 4180): fields separated by commas, optionally in double quotes with
/// `""` for a quote inside.
enum CSVLine {
    struct Failure: Error { var message: String }

    static func fields(_ line: Substring) throws(Failure) -> [String] {
        var fields: [String] = []
        var current = ""
        var chars = line.makeIterator()
        var quoted = false
        var fieldStarted = false
        var afterQuote = false
        while let c = chars.next() {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { current.append(c) }
                continue
            }
            switch c {
            case ",":
                fields.append(current)
                current = ""
                fieldStarted = false
                afterQuote = false
            case "\"" where afterQuote:
                current.append("\"")  // "" inside a quoted field
                quoted = true
                afterQuote = false
            case "\"" where !fieldStarted:
                quoted = true
                fieldStarted = true
            case "\"":
                throw Failure(message: "bare \" in a field that is not quoted")
            default:
                if afterQuote { throw Failure(message: "text after a closing quote") }
                current.append(c)
                fieldStarted = true
            }
        }
        if quoted { throw Failure(message: "unterminated quoted field") }
        fields.append(current)
        return fields
    }
}

extension StatusError {
    /// 401, as kube-apiserver answers a request without valid credentials.
    static func unauthorized() -> StatusError {
        StatusError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }
}
