import CapstanModel

extension YAML {
    /// `emit(value)` with the default options, written directly for the common shape of a
    /// Helm `toYaml` argument — a non-empty map or list of maps, lists and short ASCII scalars
    /// — without going through libyaml; nil when the value has anything whose layout libyaml
    /// decides by rules this writer does not repeat (multi-line or non-ASCII strings, strings
    /// that need single quotes or escapes, lines long enough to fold, long keys, a scalar at
    /// the top). The text is then exactly what `emit` gives (a property test checks this).
    public static func emitSimpleBlock(_ value: Value) -> String? {
        var writer = BlockWriter()
        switch value {
        case .object(let o) where !o.isEmpty:
            guard writer.mapping(o, indent: 0, inline: false, depth: 0) else { return nil }
        case .array(let a) where !a.isEmpty:
            guard writer.sequence(a, indent: 0, inline: false, depth: 0) else { return nil }
        default:
            return nil
        }
        return String(decoding: writer.out, as: UTF8.self)
    }
}

/// libyaml's block layout with go-yaml's settings (indent 2, width 80): `key: scalar`,
/// nested maps indented by two, lists under a key not indented (`key:\n- a`), list items
/// `- ` with maps and lists continuing on the item's line, empty collections as `{}`/`[]`.
private struct BlockWriter {
    var out: [UInt8] = []
    /// libyaml folds a scalar at a space once the line is past this column.
    static let width = 80
    /// libyaml writes keys longer than this as complex keys (`? key`).
    static let maxSimpleKey = 128

    init() { out.reserveCapacity(256) }

    mutating func spaces(_ n: Int) { for _ in 0..<n { out.append(0x20) } }
    mutating func append(_ s: String) { out.append(contentsOf: s.utf8) }

    /// A map at `indent`; with `inline`, its first key continues the current line (a list item).
    mutating func mapping(_ o: ValueObject, indent: Int, inline: Bool, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        var first = true
        for key in o.keys.sorted(by: goYAMLKeyLess) {
            guard let v = o[key], !key.isEmpty, key.utf8.count <= Self.maxSimpleKey,
                  let keyText = scalarText(key, column: indent, isKey: true) else { return false }
            if !(first && inline) { spaces(indent) }
            first = false
            append(keyText)
            out.append(UInt8(ascii: ":"))
            // A map below a key is indented; a list is not (`key:\n- a`).
            guard node(v, opener: 0x0A, mapIndent: indent + 2, listIndent: indent, inline: false,
                       column: indent + keyText.utf8.count + 2, depth: depth) else { return false }
        }
        return true
    }

    /// The value after a key's `:` or an item's `-`: a non-empty collection after `opener`
    /// (newline after a key, space after `-`), else ` scalar` at `column`.
    mutating func node(_ v: Value, opener: UInt8, mapIndent: Int, listIndent: Int, inline: Bool, column: Int,
                       depth: Int) -> Bool {
        switch v {
        case .object(let m) where !m.isEmpty:
            out.append(opener)
            return mapping(m, indent: mapIndent, inline: inline, depth: depth + 1)
        case .array(let a) where !a.isEmpty:
            out.append(opener)
            return sequence(a, indent: listIndent, inline: inline, depth: depth + 1)
        default:
            return valueScalar(v, column: column)
        }
    }

    /// A list whose `- ` markers sit at `indent`; with `inline`, the first marker continues the
    /// current line (a list item of a list).
    mutating func sequence(_ a: [Value], indent: Int, inline: Bool, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        var first = true
        for item in a {
            if !(first && inline) { spaces(indent) }
            first = false
            out.append(UInt8(ascii: "-"))
            // A collection item continues the `- ` line.
            guard node(item, opener: 0x20, mapIndent: indent + 2, listIndent: indent + 2, inline: true,
                       column: indent + 2, depth: depth) else { return false }
        }
        return true
    }

    /// ` scalar\n` (or ` {}`/` []` for an empty collection) for a scalar starting at `column`.
    mutating func valueScalar(_ v: Value, column: Int) -> Bool {
        let text: String?
        switch v {
        case .null: text = "null"
        case .bool(let b): text = b ? "true" : "false"
        case .int(let i): text = scalarText(String(i), column: column, isKey: false, isString: false)
        case .double(let d): text = scalarText(formatYAMLNumber(d), column: column, isKey: false, isString: false)
        case .string(let s): text = scalarText(s, column: column, isKey: false)
        case .object: text = "{}"
        case .array: text = "[]"
        }
        guard let text else { return false }
        out.append(0x20)
        append(text)
        out.append(0x0A)
        return true
    }

    /// How `s` is written at `column`: plain, or in double quotes when go-yaml asks for them;
    /// nil when libyaml would pick another style, escape something or fold the line.
    func scalarText(_ s: String, column: Int, isKey: Bool, isString: Bool = true) -> String? {
        let u = s.utf8
        guard !u.isEmpty || isString else { return nil }
        var hasSpace = false
        for c in u {
            guard c >= 0x20 && c < 0x7F else { return nil }  // printable ASCII only
            if c == 0x20 { hasSpace = true }
        }
        let quoted = isString && (!ScalarResolver.readsAsString(s) || s == "<<" || looksLikeBase60Float(s))
        let length = u.count + (quoted ? 2 : 0)
        // A value with a space may be folded once its line passes the width; keys never are.
        if hasSpace && !isKey && column + length > Self.width { return nil }
        if quoted {
            guard !u.contains(UInt8(ascii: "\"")) && !u.contains(UInt8(ascii: "\\")) else { return nil }
            return "\"" + s + "\""
        }
        return plainAllowed(u) ? s : nil
    }

    /// libyaml's test for a plain scalar in block context, for printable ASCII text: no
    /// indicator at the start, no `: ` / `:` at the end, no ` #`, no leading or trailing
    /// space, not starting with `---` or `...`.
    func plainAllowed(_ u: String.UTF8View) -> Bool {
        guard let first = u.first, let last = u.last else { return false }
        if first == 0x20 || last == 0x20 { return false }
        switch first {
        case UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "{"),
             UInt8(ascii: "}"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
             UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"),
             UInt8(ascii: "`"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            return false
        default: break
        }
        if u.starts(with: "---".utf8) || u.starts(with: "...".utf8) { return false }
        var previous: UInt8 = 0
        for c in u {
            if c == UInt8(ascii: "#") && previous == 0x20 { return false }
            if previous == UInt8(ascii: ":") && c == 0x20 { return false }
            previous = c
        }
        return last != UInt8(ascii: ":")
    }
}
