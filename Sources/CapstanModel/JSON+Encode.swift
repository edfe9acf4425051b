import OrderedCollections

/// `Value` → JSON text, byte-compatible with Go's `encoding/json` where it matters.
///
/// Kubernetes tools compare and store JSON produced by Go (the last-applied annotation is the
/// prime example), so numbers are printed the way Go prints them (`1e-7`, `100`, `1e+21`) and,
/// when asked, `<`, `>` and `&` are escaped as Go's `json.Marshal` does.
public struct JSONOptions: Sendable {
    /// Spaces per nesting level; 0 prints compact JSON on one line.
    public var indent: Int
    /// Escape `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`… like Go's `json.Marshal`.
    public var escapeHTML: Bool
    /// Print object keys sorted bytewise instead of in insertion order (Go maps sort).
    public var sortKeys: Bool

    public init(indent: Int = 0, escapeHTML: Bool = false, sortKeys: Bool = false) {
        self.indent = indent
        self.escapeHTML = escapeHTML
        self.sortKeys = sortKeys
    }

    public static let compact = JSONOptions()
    /// What `json.Marshal` of a Go map would print: sorted keys, HTML escaping.
    public static let goMarshal = JSONOptions(escapeHTML: true, sortKeys: true)
}

extension Value {
    public func jsonBytes(_ options: JSONOptions = .compact) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter(options: options).write(self, into: &out, level: 0)
        return out
    }

    public func jsonString(_ options: JSONOptions = .compact) -> String {
        String(decoding: jsonBytes(options), as: UTF8.self)
    }

    /// Appends the JSON form to `out`, for callers streaming many values into one buffer.
    public func writeJSON(into out: inout [UInt8], options: JSONOptions = .compact) {
        JSONWriter(options: options).write(self, into: &out, level: 0)
    }
}

struct JSONWriter {
    let options: JSONOptions

    func newline(_ out: inout [UInt8], level: Int) {
        guard options.indent > 0 else { return }
        out.append(0x0A)
        for _ in 0..<(level * options.indent) { out.append(0x20) }
    }

    func write(_ value: Value, into out: inout [UInt8], level: Int) {
        switch value {
        case .null: Self.append("null", to: &out)
        case .bool(let b): Self.append(b ? "true" : "false", to: &out)
        case .int(let i): appendInt(i, &out)
        case .double(let d): out.append(contentsOf: formatGoFloat(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out.append(0x5B); out.append(0x5D); return }
            out.append(0x5B)
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(0x2C) }
                newline(&out, level: level + 1)
                write(element, into: &out, level: level + 1)
            }
            newline(&out, level: level)
            out.append(0x5D)
        case .object(let o):
            if o.isEmpty { out.append(0x7B); out.append(0x7D); return }
            out.append(0x7B)
            let keys = o.keys
            let values = o.values
            if options.sortKeys && !Self.isSorted(keys) {
                let order = keys.indices.sorted { keys[$0].utf8Precedes(keys[$1]) }
                for (n, i) in order.enumerated() { member(keys[i], values[i], first: n == 0, into: &out, level: level) }
            } else {
                for i in keys.indices { member(keys[i], values[i], first: i == 0, into: &out, level: level) }
            }
            newline(&out, level: level)
            out.append(0x7D)
        }
    }

    private func member(_ key: String, _ value: Value, first: Bool, into out: inout [UInt8], level: Int) {
        if !first { out.append(0x2C) }
        newline(&out, level: level + 1)
        writeString(key, into: &out)
        out.append(0x3A)
        if options.indent > 0 { out.append(0x20) }
        write(value, into: &out, level: level + 1)
    }

    /// Manifests often list keys in order already (`apiVersion`, `kind`, `metadata`, `spec`).
    private static func isSorted(_ keys: OrderedSet<String>) -> Bool {
        var i = keys.startIndex + 1
        while i < keys.endIndex {
            if keys[i].utf8Precedes(keys[i - 1]) { return false }
            i += 1
        }
        return true
    }

    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        literal.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    func appendInt(_ i: Int64, _ out: inout [UInt8]) {
        if i == 0 { out.append(0x30); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var magnitude = i.magnitude
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            while magnitude > 0 {
                buf[count] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            }
            if i < 0 { out.append(0x2D) }
            while count > 0 { count -= 1; out.append(buf[count]) }
        }
    }

    /// Per byte: 0 copies as is, 1 always needs an escape (`"`, `\\`, control bytes), 2 needs
    /// one when escaping HTML (`<`, `>`, `&`), 3 may start U+2028/U+2029 (0xE2). One load per
    /// byte instead of a chain of comparisons: strings are most of what an object's JSON is.
    private static let byteClass: [UInt8] = (0...255).map { b -> UInt8 in
        switch b {
        case 0..<0x20, 0x22, 0x5C: return 1
        case 0x3C, 0x3E, 0x26: return 2
        case 0xE2: return 3
        default: return 0
        }
    }

    func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        let html = options.escapeHTML
        JSONWriter.byteClass.withUnsafeBufferPointer { classes in
            s.withUTF8 { bytes in
                // Most strings need no escape: find the first byte that does, copy what comes
                // before it in one append.
                var i = 0
                while i < bytes.count {
                    let c = classes[Int(bytes[i])]
                    if c != 0 && (c != 2 || html) { break }
                    i += 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<i]))
                if i < bytes.count { Self.escape(bytes, from: i, html: html, classes: classes, into: &out) }
            }
        }
        out.append(0x22)
    }

    /// The rest of a string that needs escapes (JSON inside an annotation is full of quotes):
    /// built in a small buffer on the stack and appended a buffer at a time, so each byte
    /// costs a store rather than an append.
    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, html: Bool,
                               classes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8])
    {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buffer in
            var n = 0
            var i = start
            while i < bytes.count {
                if n > buffer.count - 8 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
                    n = 0
                }
                let b = bytes[i]
                let c = classes[Int(b)]
                i += 1
                if c == 0 || (c == 2 && !html) {
                    buffer[n] = b
                    n += 1
                    continue
                }
                let short: UInt8
                switch b {
                case 0x22: short = 0x22
                case 0x5C: short = 0x5C
                case 0x0A: short = 0x6E
                case 0x0D: short = 0x72
                case 0x09: short = 0x74
                case 0x08: short = 0x62
                case 0x0C: short = 0x66
                case 0xE2:
                    // U+2028 / U+2029, which Go escapes for the sake of JavaScript, with or
                    // without HTML escaping (Helm's toRawJson shows it).
                    if i + 1 < bytes.count && bytes[i] == 0x80 && (bytes[i + 1] == 0xA8 || bytes[i + 1] == 0xA9) {
                        buffer[n] = 0x5C
                        buffer[n + 1] = 0x75
                        buffer[n + 2] = 0x32
                        buffer[n + 3] = 0x30
                        buffer[n + 4] = 0x32
                        buffer[n + 5] = bytes[i + 1] == 0xA8 ? 0x38 : 0x39
                        n += 6
                        i += 2
                    } else {
                        buffer[n] = b
                        n += 1
                    }
                    continue
                default:  // other control bytes, and <, >, & when escaping HTML
                    buffer[n] = 0x5C
                    buffer[n + 1] = 0x75
                    buffer[n + 2] = 0x30
                    buffer[n + 3] = 0x30
                    buffer[n + 4] = hexDigit(b >> 4)
                    buffer[n + 5] = hexDigit(b & 0xF)
                    n += 6
                    continue
                }
                buffer[n] = 0x5C
                buffer[n + 1] = short
                n += 2
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
