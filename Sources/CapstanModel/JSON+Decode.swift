/// JSON text → `Value`.
///
/// A single-pass byte parser (RFC 8259). Numbers without a fraction or exponent that fit in
/// 64 bits become `.int`, everything else `.double` — the rule Kubernetes' JSON decoder
/// applies, which keeps `replicas: 3` an integer and 2^63-1 exact. Duplicate keys: the last
/// wins, as in Go.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var description: String { "JSON: line \(line), column \(column): \(message)" }
}

extension Value {
    /// Parses one JSON document; whitespace around it is allowed, anything else is an error.
    public static func parseJSON(_ text: String) throws(JSONError) -> Value {
        var text = text
        // `withUTF8` rethrows untyped errors; carry the typed one out in a Result.
        let result = text.withUTF8 { buffer in Result { () throws(JSONError) -> Value in try parseJSON(buffer) } }
        return try result.get()
    }

    /// `spareMembers`: room kept in every object for members the caller is about to add. The
    /// API server defaults and stamps nearly every object of a request body, and the first
    /// member added to an object parsed at its exact size reallocated both of its arrays.
    public static func parseJSON(_ bytes: [UInt8], spareMembers: Int = 0) throws(JSONError) -> Value {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONError) -> Value in try parseJSON(buffer, spareMembers: spareMembers) }
        }
        return try result.get()
    }

    public static func parseJSON(_ buffer: UnsafeBufferPointer<UInt8>, spareMembers: Int = 0) throws(JSONError) -> Value {
        var parser = JSONParser(buffer, spareMembers: spareMembers)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count { throw parser.error("unexpected data after the document") }
        return value
    }
}

struct JSONParser: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var open: ContainerStack
    static let maxDepth = 512  // deeper than any real object; bounded so hostile input cannot exhaust the stack

    init(_ bytes: UnsafeBufferPointer<UInt8>, spareMembers: Int = 0) {
        self.bytes = bytes
        open = ContainerStack(spareMembers: spareMembers)
    }

    func error(_ message: String) -> JSONError {
        var line = 1, column = 1
        var i = 0
        while i < index && i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
            i += 1
        }
        return JSONError(message: message, line: line, column: column)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> Value {
        guard depth < JSONParser.maxDepth else { throw error("nesting deeper than \(JSONParser.maxDepth)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("invalid literal") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw error("invalid literal") }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> Value {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(ValueObject()) }
        let mark = open.mark
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            open.member(key, value)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(open.object(since: mark)) }
            throw error("expected ',' or '}' in object")
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> Value {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([]) }
        let mark = open.mark
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth + 1)
            open.element(element)
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(open.array(since: mark))
            }
            throw error("expected ',' or ']' in array")
        }
    }

    mutating func parseString() throws(JSONError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string") }
            index += 1
        }
        return try parseEscapedString(from: start)
    }

    /// The slow path of `parseString`, from the first backslash. Two passes: the first finds
    /// the closing quote and checks every escape, so the second, which unescapes straight into
    /// the new string's storage, cannot fail. Unescaping only shrinks text, so the string's
    /// extent bounds its size. (JSON inside an annotation has an escape every few bytes; an
    /// append per piece cost more than the rest of the parse.)
    private mutating func parseEscapedString(from start: Int) throws(JSONError) -> String {
        var end = index
        while true {
            guard end < bytes.count else {
                index = bytes.count
                throw error("unterminated string")
            }
            let b = bytes[end]
            if b == UInt8(ascii: "\"") { break }
            if b < 0x20 {
                index = end
                throw error("control character in string")
            }
            guard b == UInt8(ascii: "\\") else {
                end += 1
                continue
            }
            guard end + 1 < bytes.count else {
                index = bytes.count
                throw error("unterminated string")
            }
            index = end + 2
            switch bytes[end + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                end += 2
            case UInt8(ascii: "u"):
                _ = try parseHex4()
                end = index
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(bytes[end + 1])))'")
            }
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        index = end + 1
        // Invalid UTF-8 among the plain bytes is repaired (U+FFFD), as `String(decoding:)` does.
        return String(unsafeUninitializedCapacity: text.count) { Self.unescape(text, into: $0) }
    }

    /// Writes `text` (escapes already checked) unescaped into `out`; returns the byte count.
    private static func unescape(_ text: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0
        var n = 0
        func hex4(at i: Int) -> UInt32 {
            var v: UInt32 = 0
            for c in text[i..<i + 4] {
                v = v << 4 | UInt32(c <= UInt8(ascii: "9") ? c - UInt8(ascii: "0") : (c | 0x20) - UInt8(ascii: "a") + 10)
            }
            return v
        }
        while i < text.count {
            let b = text[i]
            if b != UInt8(ascii: "\\") {
                out[n] = b
                n += 1
                i += 1
                continue
            }
            let e = text[i + 1]
            i += 2
            let short: UInt8
            switch e {
            case UInt8(ascii: "b"): short = 0x08
            case UInt8(ascii: "f"): short = 0x0C
            case UInt8(ascii: "n"): short = 0x0A
            case UInt8(ascii: "r"): short = 0x0D
            case UInt8(ascii: "t"): short = 0x09
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i)
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by a low one; otherwise U+FFFD, as Go
                    // does (and the escape that follows is read on its own).
                    if i + 5 < text.count, text[i] == UInt8(ascii: "\\"), text[i + 1] == UInt8(ascii: "u"),
                       case let low = hex4(at: i + 2), (0xDC00..<0xE000).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                for unit in UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}")! {
                    out[n] = unit
                    n += 1
                }
                continue
            default: short = e  // a quote, backslash or slash stands for itself
            }
            out[n] = short
            n += 1
        }
        return n
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    mutating func parseNumber() throws(JSONError) -> Value {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error("invalid number")
        }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
                if o1 || o2 { overflow = true }
                magnitude = m2
                index += 1
            }
        }
        var isFloat = false
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isFloat = true
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw error("invalid number: digit expected after '.'")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isFloat = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw error("invalid number: digit expected in exponent")
            }
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        if !isFloat && !overflow {
            if negative {
                if magnitude <= UInt64(Int64.max) + 1 { return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)) }
            } else if magnitude <= UInt64(Int64.max) {
                return .int(Int64(magnitude))
            }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let d = Double(text) else { throw error("invalid number '\(text)'") }
        return .double(d)
    }
}
