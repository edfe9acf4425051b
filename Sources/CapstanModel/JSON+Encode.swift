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
        var sink = ByteSink()
        JSONWriter(options: options).write(self, into: &sink, level: 0)
        return sink.bytes()
    }

    public func jsonString(_ options: JSONOptions = .compact) -> String {
        var sink = ByteSink()
        JSONWriter(options: options).write(self, into: &sink, level: 0)
        return sink.string()
    }

    /// Appends the JSON form to `out`, for callers streaming many values into one buffer.
    public func writeJSON(into out: inout [UInt8], options: JSONOptions = .compact) {
        var sink = ByteSink()
        JSONWriter(options: options).write(self, into: &sink, level: 0)
        out.append(contentsOf: UnsafeBufferPointer(start: sink.base, count: sink.count))
    }
}

/// Where one more member would go in a JSON object: at `offset` in the text, with a comma
/// before it when it follows a member, or after it when it comes first of several.
public struct JSONInsertionPoint: Sendable, Equatable {
    public var offset: Int
    public var commaBefore: Bool
    public var commaAfter: Bool
}

extension Value {
    /// The JSON of `self`, and where a member named `key` would go in the object reached by
    /// `path` (in key order when `options` sorts keys, else last): what a caller needs to add a
    /// member made from this very text without writing the whole value a second time. No point
    /// when `path` does not lead to an object, or the object already has `key`.
    public func jsonBytes(_ options: JSONOptions, insertionPointFor key: String, in path: [String])
        -> (bytes: [UInt8], point: JSONInsertionPoint?)
    {
        var sink = ByteSink()
        var point: JSONInsertionPoint?
        JSONWriter(options: options).write(self, into: &sink, level: 0, probing: path[...], for: key, point: &point)
        return (sink.bytes(), options.indent == 0 ? point : nil)
    }

    /// `bytes` (UTF-8) as a JSON string literal appended to `out`, escaped as `options` says.
    public static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, options: JSONOptions, to out: inout [UInt8]) {
        var sink = ByteSink(capacity: bytes.count + bytes.count / 4 + 2)
        JSONWriter(options: options).writeString(bytes, into: &sink)
        out.append(contentsOf: UnsafeBufferPointer(start: sink.base, count: sink.count))
    }
}

/// Writes into a `ByteSink`: each piece reserves its room once and is stored, rather than
/// appended to an array a byte or a slice at a time (the per-append checks were most of the
/// writer's cost). Members are read through buffer pointers, so writing does not retain and
/// release every key and value it passes.
struct JSONWriter {
    let options: JSONOptions

    func newline(_ out: inout ByteSink, level: Int) {
        guard options.indent > 0 else { return }
        let n = level * options.indent
        out.reserve(n + 1)
        out.tail.initialize(to: 0x0A)
        (out.tail + 1).initialize(repeating: 0x20, count: n)
        out.advance(n + 1)
    }

    func write(_ value: Value, into out: inout ByteSink, level: Int) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): appendInt(i, &out)
        case .double(let d): out.append(formatGoFloat(d))
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            if a.isEmpty { out.append("[]"); return }
            out.append(0x5B)
            a.withUnsafeBufferPointer { elements in
                for i in elements.indices {
                    if i > 0 { out.append(0x2C) }
                    newline(&out, level: level + 1)
                    write(elements[i], into: &out, level: level + 1)
                }
            }
            newline(&out, level: level)
            out.append(0x5D)
        case .object(let o):
            if o.isEmpty { out.append("{}"); return }
            out.append(0x7B)
            o.keys.elements.withUnsafeBufferPointer { keys in
                o.values.elements.withUnsafeBufferPointer { values in
                    if let order = memberOrder(keys) {
                        for (n, i) in order.enumerated() { member(keys[i], values[i], first: n == 0, into: &out, level: level) }
                    } else {
                        for i in keys.indices { member(keys[i], values[i], first: i == 0, into: &out, level: level) }
                    }
                }
            }
            newline(&out, level: level)
            out.append(0x7D)
        }
    }

    /// The order to write members in when it is not the stored one (keys sorted, not yet in order).
    private func memberOrder(_ keys: UnsafeBufferPointer<String>) -> [Int]? {
        guard options.sortKeys && !Self.isSorted(keys) else { return nil }
        return keys.indices.sorted { keys[$0].utf8Precedes(keys[$1]) }
    }

    /// `write`, noting where a member named `key` would go in the object at `path` (members
    /// in written order). Only the objects along `path` are written here; the rest by `write`.
    func write(_ value: Value, into out: inout ByteSink, level: Int, probing path: ArraySlice<String>, for key: String,
               point: inout JSONInsertionPoint?)
    {
        guard case .object(let o) = value, !o.isEmpty || path.isEmpty else { return write(value, into: &out, level: level) }
        out.append(0x7B)
        o.keys.elements.withUnsafeBufferPointer { keys in
            o.values.elements.withUnsafeBufferPointer { values in
                let order = memberOrder(keys) ?? Array(keys.indices)
                var present = false
                for (n, i) in order.enumerated() {
                    if path.isEmpty {
                        if keys[i] == key { present = true }
                        if point == nil && !present && options.sortKeys && key.utf8Precedes(keys[i]) {
                            // Before a later member the text goes on with that member's comma.
                            point = JSONInsertionPoint(offset: out.count, commaBefore: n > 0, commaAfter: n == 0)
                        }
                    }
                    memberKey(keys[i], first: n == 0, into: &out, level: level)
                    if !path.isEmpty && keys[i] == path.first! {
                        write(values[i], into: &out, level: level + 1, probing: path.dropFirst(), for: key, point: &point)
                    } else {
                        write(values[i], into: &out, level: level + 1)
                    }
                }
                if path.isEmpty {
                    // Already there: no place for another.
                    point = present ? nil : point ?? JSONInsertionPoint(offset: out.count, commaBefore: !order.isEmpty, commaAfter: false)
                }
            }
        }
        newline(&out, level: level)
        out.append(0x7D)
    }

    private func member(_ key: String, _ value: Value, first: Bool, into out: inout ByteSink, level: Int) {
        memberKey(key, first: first, into: &out, level: level)
        write(value, into: &out, level: level + 1)
    }

    private func memberKey(_ key: String, first: Bool, into out: inout ByteSink, level: Int) {
        if !first { out.append(0x2C) }
        newline(&out, level: level + 1)
        writeString(key, into: &out)
        out.append(0x3A)
        if options.indent > 0 { out.append(0x20) }
    }

    /// Manifests often list keys in order already (`apiVersion`, `kind`, `metadata`, `spec`).
    private static func isSorted(_ keys: UnsafeBufferPointer<String>) -> Bool {
        var i = 1
        while i < keys.count {
            if keys[i].utf8Precedes(keys[i - 1]) { return false }
            i += 1
        }
        return true
    }

    func appendInt(_ i: Int64, _ out: inout ByteSink) {
        // At most 19 digits and a sign: written backwards into the reserved room, then moved.
        out.reserve(20)
        var magnitude = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &digits) { buf -> Int in
            var n = 0
            repeat {
                buf[23 - n] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                n += 1
            } while magnitude > 0
            if i < 0 {
                buf[23 - n] = 0x2D
                n += 1
            }
            out.tail.initialize(from: buf.baseAddress!.assumingMemoryBound(to: UInt8.self) + 24 - n, count: n)
            return n
        }
        out.advance(count)
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

    func writeString(_ s: String, into out: inout ByteSink) {
        var s = s
        s.withUTF8 { writeString($0, into: &out) }
    }

    func writeString(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout ByteSink) {
        let html = options.escapeHTML
        // Most strings need no escape: find the first byte that does and copy what comes
        // before it at once, between the quotes.
        var i = Self.plainPrefix(bytes, html: html)
        JSONWriter.byteClass.withUnsafeBufferPointer { classes in
            while i < bytes.count {
                let c = classes[Int(bytes[i])]
                if c != 0 && (c != 2 || html) { break }
                i += 1
            }
        }
        out.reserve(i + 2)
        out.tail.initialize(to: 0x22)
        if i > 0 { (out.tail + 1).initialize(from: bytes.baseAddress!, count: i) }
        out.advance(i + 1)
        if i < bytes.count { Self.escape(bytes, from: i, html: html, into: &out) }
        out.append(0x22)
    }

    /// How many leading bytes surely need no escape, eight at a time: a word is passed over
    /// when none of its bytes is a quote, a backslash, a control byte, a byte of a multi-byte
    /// character (which might start U+2028) or, when escaping HTML, `<`, `>` or `&`. The word
    /// where that fails is left to the byte loop, which finds the exact place.
    @inline(__always)
    private static func plainPrefix(_ bytes: UnsafeBufferPointer<UInt8>, html: Bool) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte of `x` is zero → its high bit set here (a borrow may mark bytes above a true
        // zero too, which only ever stops the skip early).
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        var i = 0
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            var special = (word | (word &- ones &* 0x20)) & highs  // ≥ 0x80 or < 0x20
            special |= zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C))
            if html {
                special |= zeroBytes(word ^ (ones &* 0x3C)) | zeroBytes(word ^ (ones &* 0x3E)) | zeroBytes(word ^ (ones &* 0x26))
            }
            if special != 0 { break }
            i += 8
        }
        return i
    }

    /// The rest of a string that needs escapes (JSON inside an annotation is full of quotes).
    /// Room for the worst case (six bytes for one) is reserved up front, so each byte is a
    /// store.
    private static func escape(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, html: Bool, into out: inout ByteSink) {
        out.reserve(6 * (bytes.count - start))
        let buffer = out.tail
        var n = 0
        byteClass.withUnsafeBufferPointer { classes in
            var i = start
            while i < bytes.count {
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
        }
        out.advance(n)
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
