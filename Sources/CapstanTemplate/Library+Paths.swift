/// sprig's path functions with Go's `path` package semantics (slash-separated, lexical), and
/// a few small leftovers (`tuple`, `hello`, `abbrevboth`).
enum GoPath {
    /// `path.Clean`: lexical simplification of `.`, `..` and repeated slashes.
    static func clean(_ p: String) -> String {
        if p.isEmpty { return "." }
        let rooted = p.hasPrefix("/")
        var parts: [Substring] = []
        for part in p.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast() }
                else if !rooted { parts.append(part) }
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static func base(_ p: String) -> String {
        if p.isEmpty { return "." }
        var s = Substring(p)
        while s.count > 1 && s.hasSuffix("/") { s = s.dropLast() }
        if s == "/" { return "/" }
        if let i = s.lastIndex(of: "/") { s = s[s.index(after: i)...] }
        return s.isEmpty ? "/" : String(s)
    }

    static func dir(_ p: String) -> String {
        guard let i = p.lastIndex(of: "/") else { return "." }
        return clean(String(p[...i]))
    }

    static func ext(_ p: String) -> String {
        for i in p.indices.reversed() {
            if p[i] == "/" { break }
            if p[i] == "." { return String(p[i...]) }
        }
        return ""
    }
}

extension Library {
    static let paths: [String: TemplateFunction] = {
        var t: [String: TemplateFunction] = [
            "base": .fn([.string]) { .string(GoPath.base(Conv.str($0[0]))) },
            "dir": .fn([.string]) { .string(GoPath.dir(Conv.str($0[0]))) },
            "clean": .fn([.string]) { .string(GoPath.clean(Conv.str($0[0]))) },
            "ext": .fn([.string]) { .string(GoPath.ext(Conv.str($0[0]))) },
            "isAbs": .fn([.string]) { .bool(Conv.str($0[0]).hasPrefix("/")) },
            "tuple": .fn([], variadic: .any) { .list($0) },
            "hello": .fn([]) { _ in "Hello!" },
            "abbrevboth": .fn([.int, .int, .string]) { args in
                // goutils.AbbreviateFull(s, left, right).
                let offset = Conv.int(args[0]), width = Conv.int(args[1])
                let s = Array(Conv.str(args[2]).unicodeScalars)
                func str(_ x: ArraySlice<Unicode.Scalar>) -> String { var v = String.UnicodeScalarView(); v.append(contentsOf: x); return String(v) }
                if width < 4 || (offset > 0 && width < 7) || s.count <= width { return .string(str(s[...])) }
                var off = min(max(offset, 0), s.count)
                if s.count - off < width - 3 { off = s.count - (width - 3) }
                if off <= 4 { return .string(str(s[0..<(width - 3)]) + "...") }
                if off + width - 3 < s.count {
                    let rest = str(s[off...])
                    let restScalars = Array(rest.unicodeScalars)
                    let inner = restScalars.count <= width - 3 ? rest : str(restScalars[0..<(width - 6)]) + "..."
                    return .string("..." + inner)
                }
                return .string("..." + str(s[(s.count - (width - 3))...]))
            },
        ]
        for name in ["base", "dir", "clean", "ext", "isAbs"] { t["os" + name.prefix(1).uppercased() + name.dropFirst()] = t[name] }
        return t
    }()
}
