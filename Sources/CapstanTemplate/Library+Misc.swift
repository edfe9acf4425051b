import CapstanModel
/// Random values, UUIDs and URLs (sprig).
extension Library {
    static func randomString(_ n: Int, from alphabet: [Character]) throws -> String {
        try Library.checkSize(n, "rand")
        var g = SystemRandomNumberGenerator()
        return String((0..<max(0, n)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }
    static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    static let alpha = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    static let digits = Array("0123456789")
    static let ascii = (32...126).map { Character(Unicode.Scalar(UInt8($0))) }

    static func uuidv4() -> String {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        let h = Digest.hex(b)
        let u = Array(h)
        return String(u[0..<8]) + "-" + String(u[8..<12]) + "-" + String(u[12..<16]) + "-" + String(u[16..<20]) + "-" + String(u[20..<32])
    }

    static func urlParse(_ s: String) -> TemplateValue {
        var rest = Substring(s)
        var scheme = "", userinfo = "", host = "", path = "", query = "", fragment = "", opaque = ""
        if let hash = rest.firstIndex(of: "#") { fragment = String(rest[rest.index(after: hash)...]); rest = rest[..<hash] }
        if let colon = rest.firstIndex(of: ":"), rest[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
           rest.first?.isLetter == true {
            scheme = String(rest[..<colon]).lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        if let q = rest.firstIndex(of: "?") { query = String(rest[rest.index(after: q)...]); rest = rest[..<q] }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            if let at = authority.lastIndex(of: "@") { userinfo = String(authority[..<at]); authority = authority[authority.index(after: at)...] }
            host = String(authority)
            path = String(rest[end...])
        } else if !scheme.isEmpty && !rest.hasPrefix("/") {
            opaque = String(rest)
        } else {
            path = String(rest)
        }
        var hostname = host
        if hostname.hasPrefix("[") , let close = hostname.firstIndex(of: "]") {
            hostname = String(hostname[hostname.index(after: hostname.startIndex)..<close])
        } else if let colon = hostname.lastIndex(of: ":") {
            hostname = String(hostname[..<colon])
        }
        return .dict(["scheme": .string(scheme), "host": .string(host), "hostname": .string(hostname), "path": .string(path),
                      "query": .string(query), "opaque": .string(opaque), "fragment": .string(fragment), "userinfo": .string(userinfo)])
    }

    static func urlJoin(_ m: TemplateMap) -> String {
        func s(_ k: String) -> String { m[k].map(Conv.strval) ?? "" }
        var out = ""
        if !s("scheme").isEmpty { out += s("scheme") + ":" }
        if !s("opaque").isEmpty {
            out += s("opaque")
        } else {
            if !s("host").isEmpty || !s("userinfo").isEmpty || s("scheme") == "file" {
                out += "//"
                if !s("userinfo").isEmpty { out += s("userinfo") + "@" }
                out += s("host")
            }
            let p = s("path")
            if !p.isEmpty && !p.hasPrefix("/") && !s("host").isEmpty { out += "/" }
            out += p
        }
        if !s("query").isEmpty { out += "?" + s("query") }
        if !s("fragment").isEmpty { out += "#" + s("fragment") }
        return out
    }

    static let misc: [String: TemplateFunction] = [
        "uuidv4": .fn([]) { _ in .string(uuidv4()) },
        "randAlphaNum": .fn([.int]) { .string(try randomString(Conv.int($0[0]), from: alnum)) },
        "randAlpha": .fn([.int]) { .string(try randomString(Conv.int($0[0]), from: alpha)) },
        "randNumeric": .fn([.int]) { .string(try randomString(Conv.int($0[0]), from: digits)) },
        "randAscii": .fn([.int]) { .string(try randomString(Conv.int($0[0]), from: ascii)) },
        "randInt": .fn([.any, .any]) { args in
            let lo = Conv.toInt64(args[0]), hi = Conv.toInt64(args[1])
            guard hi > lo else { throw TemplateFunctionError("invalid argument to Intn") }
            return .int(Int(Int64.random(in: lo..<hi)))
        },
        "randBytes": .fn([.int]) { args in
            var g = SystemRandomNumberGenerator()
            try Library.checkSize(Conv.int(args[0]), "randBytes")
            return .string(Base64.encode((0..<max(0, Conv.int(args[0]))).map { _ in UInt8.random(in: 0...255, using: &g) }))
        },
        // Offline rendering: no DNS lookups (Helm's own offline render also yields "").
        "getHostByName": .fn([.string]) { _ in .string("") },
        "shuffle": .fn([.string]) { .string(String(Conv.str($0[0]).shuffled())) },
        "urlParse": .fn([.string]) { urlParse(Conv.str($0[0])) },
        "urlJoin": .fn([.map]) { args in
            guard case .map(let m) = args[0] else { return .string("") }
            return .string(urlJoin(m))
        },
    ]
}
