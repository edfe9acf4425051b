import CapstanModel

/// Walks JSON text and checks it by the rules `Value.parseJSON` applies (RFC 8259 grammar,
/// valid escapes, no control characters in strings, nesting below 512), building nothing.
///
/// The built-in catalogue is checked whole with it at start-up for a small fraction of a
/// parse, and each definition's bytes are remembered; a definition is then parsed only when
/// first used. Because the walk rejects exactly what the parser rejects, a range it accepted
/// as one value always parses.
struct JSONSkimmer {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// `Value.parseJSON`'s nesting bound (JSONParser.maxDepth in CapstanModel).
    static let maxDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ message: String) -> CatalogueError {
        CatalogueError("embedded API catalogue is not valid JSON: \(message) at byte \(index)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Whether the next byte (after whitespace) is `byte`.
    mutating func peek(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == byte
    }

    /// Consumes the `{` of an object that sits at `depth` in the document.
    mutating func enterObject(depth: Int) throws(CatalogueError) {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard peek(UInt8(ascii: "{")) else { throw error("expected an object") }
        index += 1
    }

    /// The next member's key (the bytes between its quotes, and whether they hold an escape),
    /// leaving the walk at the member's value; nil after consuming the object's `}`.
    /// `first` is true before the object's first member and is cleared here.
    mutating func nextKey(first: inout Bool) throws(CatalogueError) -> (range: Range<Int>, escaped: Bool)? {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in object") }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or '}' in object") }
            index += 1
            skipWhitespace()
        }
        first = false
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try skipString()
        guard peek(UInt8(ascii: ":")) else { throw error("expected ':' after key") }
        index += 1
        skipWhitespace()
        return key
    }

    /// Consumes the `[` of an array that sits at `depth` in the document.
    mutating func enterArray(depth: Int) throws(CatalogueError) {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        guard peek(UInt8(ascii: "[")) else { throw error("expected an array") }
        index += 1
    }

    /// Whether another element follows (the walk is then at it), or the array ended (its `]`
    /// consumed). `first` is true before the array's first element and is cleared here.
    mutating func nextElement(first: inout Bool) throws(CatalogueError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input in array") }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return false
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { throw error("expected ',' or ']' in array") }
            index += 1
            skipWhitespace()
        }
        first = false
        return true
    }

    /// Skips the value at the walk's position, which sits at `depth` in the document, and
    /// returns its byte range.
    @discardableResult
    mutating func skipValue(depth: Int) throws(CatalogueError) -> Range<Int> {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var first = true
            while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            index += 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): _ = try skipString()
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character")
        }
        return start..<index
    }

    /// Skips the string whose opening quote is at the walk's position.
    mutating func skipString() throws(CatalogueError) -> (range: Range<Int>, escaped: Bool) {
        let start = index + 1
        var i = start
        var escaped = false
        let end = bytes.count
        while true {
            // Plain bytes, the bulk of the catalogue: eight at a time while none of them is a
            // quote, a backslash or a control character, then one at a time.
            i = Self.plainRun(bytes, from: i)
            while i < end, case let b = bytes[i], b != UInt8(ascii: "\""), b != UInt8(ascii: "\\"), b >= 0x20 { i += 1 }
            guard i < end else { break }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                index = i + 1
                return (start..<i, escaped)
            }
            if b < 0x20 { index = i; throw error("control character in string") }
            // A backslash: one escape.
            escaped = true
            i += 1
            guard i < end else { break }
            switch bytes[i] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                i += 1
            case UInt8(ascii: "u"):
                i += 1
                index = i
                guard i + 4 <= end else { throw error("truncated \\u escape") }
                for _ in 0..<4 {
                    switch bytes[i] {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                        UInt8(ascii: "A")...UInt8(ascii: "F"):
                        i += 1
                    default: index = i; throw error("invalid hex digit in \\u escape")
                    }
                }
            default: index = i; throw error("invalid escape")
            }
        }
        index = i
        throw error("unterminated string")
    }

    /// From `start`, the index of the first quote, backslash or control character, found
    /// eight bytes at a time; or where fewer than eight bytes remain (the caller then looks
    /// byte by byte). In each test below a byte can be flagged wrongly only above a byte
    /// that truly matches (a borrow runs upwards), so the lowest flagged byte of a
    /// little-endian word is the first match.
    @inline(__always)
    static func plainRun(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = start
        while i + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
            let hasQuote = (quote &- ones) & ~quote
            let hasBackslash = (backslash &- ones) & ~backslash
            let hasControl = (word &- ones &* 0x20) & ~word
            let flagged = (hasQuote | hasBackslash | hasControl) & highs
            if flagged != 0 {
                #if _endian(little)
                return i + flagged.trailingZeroBitCount >> 3
                #else
                return i
                #endif
            }
            i += 8
        }
        return i
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(CatalogueError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("invalid literal") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] { throw error("invalid literal") }
        index += count
    }

    private mutating func skipDigits() {
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`: what the parser accepts (a
    /// leading zero ends the integer part; whatever follows is then out of place).
    private mutating func skipNumber() throws(CatalogueError) {
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
            throw error("invalid number")
        }
        if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw error("invalid number: digit expected after '.'")
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else {
                throw error("invalid number: digit expected in exponent")
            }
            skipDigits()
        }
    }

    /// The text of a key or string the walk passed: its bytes as they are, or (when it holds
    /// an escape) decoded by the parser.
    func string(_ key: (range: Range<Int>, escaped: Bool)) -> String {
        let quoted = (key.range.lowerBound - 1)..<(key.range.upperBound + 1)
        if key.escaped, let decoded = try? Value.parseJSON(UnsafeBufferPointer(rebasing: bytes[quoted])).stringValue {
            return decoded
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[key.range]), as: UTF8.self)
    }

    /// Whether the key the walk passed is `name` (compared in place when it holds no escape).
    func key(_ key: (range: Range<Int>, escaped: Bool), is name: StaticString) -> Bool {
        if key.escaped { return string(key) == name.description }
        let count = name.utf8CodeUnitCount
        guard key.range.count == count else { return false }
        let start = name.utf8Start
        for i in 0..<count where bytes[key.range.lowerBound + i] != start[i] { return false }
        return true
    }
}
