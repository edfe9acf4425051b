import CapstanModel

/// Helm's `toToml`: BurntSushi/toml's encoder layout — plain keys first (sorted), then tables
/// (`[a]`, nested tables indented two spaces per level) and arrays of tables (`[[t]]`); floats
/// print like `%v` plus `.0` when bare (`1.0`, `1e+06`); nil values are skipped. Encoding
/// errors come back as the function's text, as Helm does.
enum TOMLEncoder {
    struct Failure: Error { var message: String }

    static func encode(_ v: TemplateValue) -> String {
        var out = ""
        do {
            switch unwrap(v) {
            case .map(let m): try table(m, key: [], into: &out)
            default: try element(v, into: &out)
            }
        } catch let f as Failure {
            return f.message
        } catch {
            return "\(error)"
        }
        return out
    }

    static func unwrap(_ v: TemplateValue) -> TemplateValue {
        if case .object(let o) = v { return o.marshalled }
        return v
    }

    static func isTable(_ v: TemplateValue) -> Bool {
        switch unwrap(v) {
        case .map: return true
        case .list(let l): return isTableArray(l)
        default: return false
        }
    }

    static func isTableArray(_ l: [TemplateValue]) -> Bool {
        !l.isEmpty && l.allSatisfy { if case .map = unwrap($0) { return true } else { return false } }
    }

    static func bare(_ k: String) -> Bool {
        !k.isEmpty && k.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") || $0 == "_" || $0 == "-" }
    }
    static func keyPart(_ k: String) -> String { bare(k) ? k : quoted(k) }
    static func keyPath(_ key: [String]) -> String { key.map(keyPart).joined(separator: ".") }
    static func indent(_ key: [String]) -> String { String(repeating: "  ", count: max(0, key.count - 1)) }

    static func newline(_ out: inout String) { if !out.isEmpty { out += "\n" } }

    static func table(_ m: TemplateMap, key: [String], into out: inout String) throws {
        if key.count == 1 { newline(&out) }
        if !key.isEmpty {
            out += indent(key) + "[" + keyPath(key) + "]"
            newline(&out)
        }
        try mapBody(m, key: key, into: &out)
    }

    static func mapBody(_ m: TemplateMap, key: [String], into out: inout String) throws {
        let keys = m.sortedKeys
        let direct = keys.filter { !isTable(m[$0]!) }
        let sub = keys.filter { isTable(m[$0]!) }
        for k in direct + sub {
            let v = unwrap(m[k]!)
            if v.isNull { continue }
            let path = key + [k]
            switch v {
            case .map(let inner): try table(inner, key: path, into: &out)
            case .list(let l) where isTableArray(l):
                for e in l {
                    guard case .map(let t) = unwrap(e) else { continue }
                    newline(&out)
                    out += indent(path) + "[[" + keyPath(path) + "]]"
                    newline(&out)
                    try mapBody(t, key: path, into: &out)
                }
            default:
                out += indent(path) + keyPart(k) + " = "
                try element(v, into: &out)
                newline(&out)
            }
        }
    }

    static func element(_ v: TemplateValue, into out: inout String) throws {
        switch unwrap(v) {
        case .null: throw Failure(message: "toml: cannot encode a nil value")
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .int64(let i): out += String(i)
        case .float64(let d):
            if d.isNaN { out += "nan"; return }
            if d.isInfinite { out += d < 0 ? "-inf" : "inf"; return }
            var s = GoFormat.formatFloatG(d)
            if !s.contains(".") && !s.contains("e") { s += ".0" }
            out += s
        case .string(let s): out += quoted(s)
        case .bytes(let b): out += quoted(String(decoding: b, as: UTF8.self))
        case .list(let l):
            out += "["
            for (i, e) in l.enumerated() {
                if i > 0 { out += ", " }
                try element(e, into: &out)
            }
            out += "]"
        case .map(let m):
            out += "{"
            let keys = m.sortedKeys.filter { !(m[$0]!.isNull) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out += ", " }
                out += keyPart(k) + " = "
                try element(m[k]!, into: &out)
            }
            out += "}"
        case .object(let o): out += quoted(o.printed)
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += "\\u" + zeroPaddedHex(u.value, 4) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

extension Library {
    static let toml: [String: TemplateFunction] = [
        "toToml": .fn([.any]) { .string(TOMLEncoder.encode($0[0])) },
    ]
}
