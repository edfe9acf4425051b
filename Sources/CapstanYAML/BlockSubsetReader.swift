import CapstanModel

/// Reads the plain subset of YAML that almost every Kubernetes manifest is written in, without
/// libyaml: block mappings and sequences indented with spaces, one-line plain and quoted
/// scalars, literal block scalars (`|`, `|-`, `|+`), one-line flow collections, comments and
/// `---` between documents.
///
/// Why: a manifest tree is many small files, and libyaml's fixed cost per parser (buffers,
/// queues, one allocation per event) is most of the time spent on each; this reader makes one
/// pass over the bytes and builds the `Value` directly.
///
/// It never decides anything libyaml would decide differently: the moment a document leaves
/// the subset — anchors, aliases, tags, folded or indented block scalars, multi-line plain or
/// quoted scalars and flows, merge keys, tabs, unusual line breaks, empty documents, anything
/// unusual or wrong — it stops, and the caller hands the text from that document's start to
/// libyaml, which also produces every error message. Keys and plain scalars are typed by the
/// same `ScalarResolver`, and a repeated key replaces the earlier value in place, as
/// `TreeBuilder` does. `BlockSubsetReaderTests` checks that the combination gives exactly
/// libyaml's documents (values, key order, lines, indexes) or libyaml's error.
struct BlockSubsetReader: ~Copyable {
    /// Thrown to leave the subset; never escapes `read`.
    struct Unsupported: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var p = 0
    /// 1-based number of the line `p` is on, and where that line starts.
    private var line = 1
    private var lineStart = 0
    /// Line of the current document's first scalar (its `YAMLDocument.line`).
    private var firstScalarLine: Int?
    /// The documents read so far, and where the one being read started (offset and line).
    private var documents: [YAMLDocument] = []
    private var documentStart = (offset: 0, line: 1)
    private var depth = 0
    /// Members and items of the mappings and sequences being read (built when they end).
    private var open = ContainerStack()

    private static let maxDepth = 100
    /// libyaml's limit on the length of an implicit key.
    private static let maxKeyLength = 1024

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// What the reader made of a stream: the documents it read, and where it stopped (the
    /// start of the first document it left to libyaml, at a line start) when it did not read
    /// them all.
    struct Partial {
        var documents: [YAMLDocument]
        var rest: (offset: Int, line: Int)?
    }

    /// Reads documents until one leaves the subset. A `---` at the start of a line always ends
    /// a document in YAML, so libyaml can take over from there as if the rest were a stream of
    /// its own (its lines and indexes then count from where the reader stopped).
    static func read(_ bytes: UnsafeBufferPointer<UInt8>) -> Partial {
        guard hasOnlyPlainCharacters(bytes) else { return Partial(documents: [], rest: (0, 1)) }
        var reader = BlockSubsetReader(bytes)
        do {
            try reader.stream()
            return Partial(documents: reader.documents, rest: nil)
        } catch {
            return Partial(documents: reader.documents, rest: reader.documentStart)
        }
    }

    /// The whole stream in the subset, or nil.
    static func readAll(_ bytes: UnsafeBufferPointer<UInt8>) -> [YAMLDocument]? {
        let partial = read(bytes)
        return partial.rest == nil ? partial.documents : nil
    }

    /// Printable characters and `\n` only (valid UTF-8 assumed). Tabs, CR, the other line
    /// breaks libyaml knows (NEL, U+2028, U+2029), byte-order marks and the characters it
    /// refuses (C0 and C1 controls, DEL, U+FFFE, U+FFFF) are left to libyaml.
    static func hasOnlyPlainCharacters(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = UnsafeRawPointer(bytes.baseAddress) else { return true }
        let n = bytes.count
        var i = 0
        var checkedUpTo = 0
        while i < n {
            // Eight bytes at a time while they are printable ASCII (all of a typical manifest
            // line but its newline); a word holding anything else is checked byte by byte.
            if i >= checkedUpTo && i + 8 <= n {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let high: UInt64 = 0x8080_8080_8080_8080
                let nonASCII = w & high
                let belowSpace = (w &- 0x2020_2020_2020_2020) & ~w & high
                let delete = (w &+ 0x0101_0101_0101_0101) & high
                if nonASCII | belowSpace | delete == 0 {
                    i += 8
                    continue
                }
                checkedUpTo = i + 8
            }
            let b = bytes[i]
            if b < 0x80 {
                if b == 0x7F || (b < 0x20 && b != 0x0A) { return false }
            } else {
                // Lead bytes of the excluded code points; continuation bytes (0x80–0xBF) pass.
                let b1 = i + 1 < n ? bytes[i + 1] : 0
                let b2 = i + 2 < n ? bytes[i + 2] : 0
                switch b {
                case 0xC2 where b1 < 0xA0: return false  // U+0080–U+009F
                case 0xE2 where b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9): return false  // U+2028, U+2029
                case 0xEF where (b1 == 0xBB && b2 == 0xBF) || (b1 == 0xBF && b2 >= 0xBE): return false  // U+FEFF, U+FFFE, U+FFFF
                default: break
                }
            }
            i += 1
        }
        return true
    }

    // MARK: - Lines

    private var atEnd: Bool { p >= bytes.count }
    private func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0x0A }
    private var column: Int { p - lineStart }

    private mutating func newline() {
        p += 1
        line += 1
        lineStart = p
    }

    /// What the next content line is, after skipping blank and comment-only lines.
    private enum Next: Equatable {
        case content(indent: Int)
        case marker  // `---` or `...` at the start of a line
        case end
    }

    /// Moves `p` to the first character of the next content line (or to the end).
    private mutating func nextLine() -> Next {
        while true {
            var i = p
            while i < bytes.count && bytes[i] == 0x20 { i += 1 }
            if i >= bytes.count {
                p = i
                return .end
            }
            switch bytes[i] {
            case 0x0A:
                p = i
                newline()
            case UInt8(ascii: "#"):
                p = i
                while !atEnd && bytes[p] != 0x0A { p += 1 }
                if atEnd { return .end }
                newline()
            default:
                p = i
                if i == lineStart, isMarker(at: i) { return .marker }
                return .content(indent: i - lineStart)
            }
        }
    }

    private func isMarker(at i: Int) -> Bool {
        let c = byte(i)
        guard c == UInt8(ascii: "-") || c == UInt8(ascii: ".") else { return false }
        return byte(i + 1) == c && byte(i + 2) == c && (byte(i + 3) == 0x20 || byte(i + 3) == 0x0A)
    }

    /// After a value: only spaces and a comment may follow on its line.
    private mutating func finishLine() throws(Unsupported) {
        skipSpaces()
        if atEnd { return }
        if bytes[p] == UInt8(ascii: "#") {
            // A comment needs a space before it (`"a"#b` is an error).
            guard p > 0, bytes[p - 1] == 0x20 else { throw Unsupported() }
            while !atEnd && bytes[p] != 0x0A { p += 1 }
            if atEnd { return }
        }
        guard bytes[p] == 0x0A else { throw Unsupported() }
        newline()
    }

    // MARK: - Documents

    private mutating func stream() throws(Unsupported) {
        var next = nextLine()
        while true {
            switch next {
            case .end:
                guard !documents.isEmpty else { throw Unsupported() }
                return
            case .marker:
                // `...` ends the document before it, so libyaml takes that document too.
                guard bytes[p] == UInt8(ascii: "-") else {
                    if !documents.isEmpty { documents.removeLast() }
                    throw Unsupported()
                }
                // Only a bare `---`: `--- value` and empty documents are libyaml's.
                documentStart = (p, line)
                p += 3
                try finishLine()
                next = nextLine()
            case .content:
                guard documents.isEmpty else { throw Unsupported() }
            }
            guard case .content(let indent) = next else { throw Unsupported() }
            firstScalarLine = nil
            let value = try blockNode(indent: indent)
            next = nextLine()
            // A document ends at `---` or at the end of the text; anything else is libyaml's to judge.
            if case .content = next { throw Unsupported() }
            guard let line = firstScalarLine else { throw Unsupported() }
            documents.append(YAMLDocument(value: value, index: documents.count, line: line))
        }
    }

    // MARK: - Block nodes

    private mutating func enter() throws(Unsupported) {
        depth += 1
        guard depth <= Self.maxDepth else { throw Unsupported() }
    }

    /// The node whose first line starts at `p`, a content line indented by `indent`.
    private mutating func blockNode(indent: Int) throws(Unsupported) -> Value {
        if isSequenceEntry(at: p) { return try blockSequence(indent: indent) }
        if isKey(at: p) { return try blockMapping(indent: indent) }
        let value = try inlineValue()
        try finishLine()
        return value
    }

    private func isSequenceEntry(at i: Int) -> Bool {
        byte(i) == UInt8(ascii: "-") && (byte(i + 1) == 0x20 || byte(i + 1) == 0x0A)
    }

    /// Whether a mapping entry (`key: …` or `key:`) starts at `i`.
    private func isKey(at i: Int) -> Bool {
        var j = i
        let first = byte(i)
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            j += 1
            while true {
                let c = byte(j)
                if c == 0x0A { return false }
                if c == UInt8(ascii: "\\") && first == UInt8(ascii: "\"") {
                    j += 2
                    continue
                }
                if c == first {
                    if first == UInt8(ascii: "'") && byte(j + 1) == first {
                        j += 2
                        continue
                    }
                    break
                }
                j += 1
            }
            j += 1
            return byte(j) == UInt8(ascii: ":") && (byte(j + 1) == 0x20 || byte(j + 1) == 0x0A)
        }
        // A flow collection is a value here (as a key it is left to libyaml by `finishLine`).
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") { return false }
        while true {
            let c = byte(j)
            if c == 0x0A { return false }
            if c == UInt8(ascii: ":") && (byte(j + 1) == 0x20 || byte(j + 1) == 0x0A) { return true }
            if c == 0x20 && byte(j + 1) == UInt8(ascii: "#") { return false }
            j += 1
        }
    }

    /// A block mapping whose keys sit at column `indent`; the first key starts at `p`.
    private mutating func blockMapping(indent: Int) throws(Unsupported) -> Value {
        try enter()
        defer { depth -= 1 }
        let mark = open.mark
        while true {
            let key = try blockKey()
            skipSpaces()
            let value: Value
            if atEnd || bytes[p] == 0x0A || bytes[p] == UInt8(ascii: "#") {
                try finishLine()
                value = try nestedValue(parentIndent: indent, sequenceMayShareIndent: true)
            } else if bytes[p] == UInt8(ascii: "|") {
                value = try literalBlock(parentIndent: indent)
            } else {
                value = try inlineValue()
                try finishLine()
            }
            open.member(key, value)  // a repeated key keeps its first position, as in TreeBuilder.set
            switch nextLine() {
            case .end, .marker:
                return .object(open.object(since: mark))
            case .content(let next):
                if next < indent { return .object(open.object(since: mark)) }
                // Deeper lines continue a scalar or are errors; `-` at this column is an error.
                guard next == indent, isKey(at: p) else { throw Unsupported() }
            }
        }
    }

    /// A block sequence whose `-` sit at column `indent`; the first is at `p`.
    private mutating func blockSequence(indent: Int) throws(Unsupported) -> Value {
        try enter()
        defer { depth -= 1 }
        let mark = open.mark
        while true {
            p += 1  // the `-`
            skipSpaces()
            let item: Value
            if atEnd || bytes[p] == 0x0A || bytes[p] == UInt8(ascii: "#") {
                try finishLine()
                item = try nestedValue(parentIndent: indent, sequenceMayShareIndent: false)
            } else if isSequenceEntry(at: p) {
                throw Unsupported()  // `- - x`
            } else if isKey(at: p) {
                item = try blockMapping(indent: column)
            } else if bytes[p] == UInt8(ascii: "|") {
                item = try literalBlock(parentIndent: indent)
            } else {
                item = try inlineValue()
                try finishLine()
            }
            open.element(item)
            switch nextLine() {
            case .end, .marker:
                return .array(open.array(since: mark))
            case .content(let next):
                if next < indent { return .array(open.array(since: mark)) }
                guard next == indent else { throw Unsupported() }
                // A key at the column of the `-`: the enclosing mapping goes on.
                if !isSequenceEntry(at: p) { return .array(open.array(since: mark)) }
            }
        }
    }

    /// The value of a `key:` or `-` with nothing after it on its line: a nested block, or null.
    private mutating func nestedValue(parentIndent: Int, sequenceMayShareIndent: Bool) throws(Unsupported) -> Value {
        switch nextLine() {
        case .content(let indent) where indent > parentIndent:
            return try blockNode(indent: indent)
        case .content(let indent) where indent == parentIndent && sequenceMayShareIndent && isSequenceEntry(at: p):
            return try blockSequence(indent: indent)
        default:
            // Nothing nested: an empty plain scalar (null). The caller looks at the next line.
            guard firstScalarLine != nil else { throw Unsupported() }
            return try plain(start: p, end: p)
        }
    }

    /// A mapping key at `p` and its `:`; leaves `p` after the `:`.
    private mutating func blockKey() throws(Unsupported) -> String {
        let first = byte(p)
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            noteScalar()
            let key = first == UInt8(ascii: "\"") ? try doubleQuoted() : try singleQuoted()
            guard byte(p) == UInt8(ascii: ":") else { throw Unsupported() }
            p += 1
            return key
        }
        guard !Self.isIndicator(first) else { throw Unsupported() }
        let start = p
        while !(bytes[p] == UInt8(ascii: ":") && (byte(p + 1) == 0x20 || byte(p + 1) == 0x0A)) { p += 1 }
        let end = p
        p += 1
        return try key(start: start, end: end)
    }

    /// Resolves a plain key the way `TreeBuilder` does (typed, then made a JSON key string).
    private mutating func key(start: Int, end: Int) throws(Unsupported) -> String {
        guard end > start, end - start <= Self.maxKeyLength, bytes[end - 1] != 0x20 else { throw Unsupported() }
        // `<<` merges a map in; libyaml's path handles it.
        guard !(end - start == 2 && bytes[start] == UInt8(ascii: "<") && bytes[start + 1] == UInt8(ascii: "<")) else {
            throw Unsupported()
        }
        noteScalar()
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        switch ScalarResolver.resolvePlain(text) {
        case .value(let value):
            guard let key = ScalarResolver.keyString(value) else { throw Unsupported() }
            return key
        case .timestamp:
            return String(decoding: text, as: UTF8.self)
        case .notRepresentable:
            throw Unsupported()
        }
    }

    // MARK: - Scalars and flows

    /// A literal block scalar (`|`, `|-` or `|+`) as the value of an entry of the collection at
    /// column `parentIndent`; `p` is at the `|`. Leaves `p` at the start of the first line after
    /// the block. Explicit indentation, leading blank lines, lines of only spaces and a block
    /// running into the end of the text without a line break are left to libyaml.
    private mutating func literalBlock(parentIndent: Int) throws(Unsupported) -> Value {
        noteScalar()
        p += 1
        enum Chomping { case clip, strip, keep }
        var chomping = Chomping.clip
        if byte(p) == UInt8(ascii: "-") {
            chomping = .strip
            p += 1
        } else if byte(p) == UInt8(ascii: "+") {
            chomping = .keep
            p += 1
        }
        guard byte(p) == 0x20 || byte(p) == 0x0A else { throw Unsupported() }  // `|2`, `|x`
        try finishLine()
        // The first line sets the indentation; it must be a content line deeper than the parent.
        var spaces = 0
        while byte(p + spaces) == 0x20 { spaces += 1 }
        guard spaces > parentIndent, !atEnd, byte(p + spaces) != 0x0A else { throw Unsupported() }
        let indent = spaces
        var out: [UInt8] = []
        var pendingBreaks = 0  // empty lines after the last content line
        while !atEnd {
            var column = 0
            while byte(p + column) == 0x20 { column += 1 }
            if byte(p + column) == 0x0A {
                guard column == 0 else { throw Unsupported() }  // a line of spaces
                pendingBreaks += 1
                newline()
                continue
            }
            if column < indent { break }
            // A content line (more indentation is content too); earlier empty lines are kept.
            out.append(contentsOf: repeatElement(0x0A, count: pendingBreaks))
            pendingBreaks = 0
            let start = p + indent
            while !atEnd && bytes[p] != 0x0A { p += 1 }
            guard !atEnd else { throw Unsupported() }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<p]))
            out.append(0x0A)
            newline()
        }
        switch chomping {
        case .clip: break
        case .strip: out.removeLast()
        case .keep: out.append(contentsOf: repeatElement(0x0A, count: pendingBreaks))
        }
        return .string(String(decoding: out, as: UTF8.self))
    }

    private mutating func noteScalar() {
        if firstScalarLine == nil { firstScalarLine = line }
    }

    /// Characters that cannot start a plain scalar here (or start something this reader leaves
    /// to libyaml: anchors, aliases, tags, block scalars, complex keys, directives).
    private static func isIndicator(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["),
             UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"),
             UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "'"),
             UInt8(ascii: "\""), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"), 0x0A, 0x20:
            return true
        default:
            return false
        }
    }

    /// A quoted scalar or a flow collection starting at `p`; nil when neither starts there.
    private mutating func quotedOrFlow() throws(Unsupported) -> Value? {
        switch byte(p) {
        case UInt8(ascii: "\""):
            noteScalar()
            return .string(try doubleQuoted())
        case UInt8(ascii: "'"):
            noteScalar()
            return .string(try singleQuoted())
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            return try flowCollection()
        default:
            return nil
        }
    }

    /// Whether a plain scalar may start at `p`: not on an indicator, and `-` only when a
    /// scalar character follows (`-x`; `- ` would start a sequence where none may).
    private func checkPlainStart(inFlow: Bool) throws(Unsupported) {
        let c = byte(p)
        guard c == UInt8(ascii: "-") else {
            guard !Self.isIndicator(c) else { throw Unsupported() }
            return
        }
        let next = byte(p + 1)
        if next == 0x20 || next == 0x0A { throw Unsupported() }
        if inFlow && (next == UInt8(ascii: ",") || next == UInt8(ascii: "]") || next == UInt8(ascii: "}")) {
            throw Unsupported()
        }
    }

    /// A value that starts on the current line and ends on it, in block context.
    private mutating func inlineValue() throws(Unsupported) -> Value {
        if let value = try quotedOrFlow() { return value }
        try checkPlainStart(inFlow: false)
        let start = p
        while true {
            let b = byte(p)
            if b == 0x0A { break }
            if b == UInt8(ascii: ":") {
                let next = byte(p + 1)
                guard next != 0x20 && next != 0x0A else { throw Unsupported() }  // `a: b: c`
            }
            if b == 0x20 && byte(p + 1) == UInt8(ascii: "#") { break }
            p += 1
        }
        var end = p
        while end > start && bytes[end - 1] == 0x20 { end -= 1 }
        noteScalar()
        return try plain(start: start, end: end)
    }

    /// Types a plain scalar as `TreeBuilder.typed` does.
    private func plain(start: Int, end: Int) throws(Unsupported) -> Value {
        let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
        switch ScalarResolver.resolvePlain(text) {
        case .value(let value): return value
        case .timestamp: return .string(String(decoding: text, as: UTF8.self))
        case .notRepresentable: throw Unsupported()
        }
    }

    /// A single-quoted scalar on one line; `p` is at the opening quote and ends after the closing one.
    private mutating func singleQuoted() throws(Unsupported) -> String {
        p += 1
        var start = p
        var text = ""
        while true {
            let b = byte(p)
            if b == 0x0A { throw Unsupported() }
            if b == UInt8(ascii: "'") {
                text += String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<p]), as: UTF8.self)
                if byte(p + 1) == UInt8(ascii: "'") {
                    text += "'"
                    p += 2
                    start = p
                    continue
                }
                p += 1
                return text
            }
            p += 1
        }
    }

    /// A double-quoted scalar on one line with YAML's escapes; `p` is at the opening quote and
    /// ends after the closing one.
    private mutating func doubleQuoted() throws(Unsupported) -> String {
        p += 1
        let start = p
        while byte(p) != UInt8(ascii: "\"") && byte(p) != UInt8(ascii: "\\") {
            if byte(p) == 0x0A { throw Unsupported() }
            p += 1
        }
        if byte(p) == UInt8(ascii: "\"") {
            defer { p += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<p]), as: UTF8.self)
        }
        var out = Array(bytes[start..<p])
        while true {
            let b = byte(p)
            switch b {
            case 0x0A:
                throw Unsupported()
            case UInt8(ascii: "\""):
                p += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let e = byte(p + 1)
                p += 2
                switch e {
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "v"): out.append(0x0B)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "e"): out.append(0x1B)
                case UInt8(ascii: " "), UInt8(ascii: "\""), UInt8(ascii: "/"), UInt8(ascii: "\\"): out.append(e)
                case UInt8(ascii: "N"): appendUTF8(0x85, to: &out)
                case UInt8(ascii: "_"): appendUTF8(0xA0, to: &out)
                case UInt8(ascii: "L"): appendUTF8(0x2028, to: &out)
                case UInt8(ascii: "P"): appendUTF8(0x2029, to: &out)
                case UInt8(ascii: "x"): appendUTF8(try hex(2), to: &out)
                case UInt8(ascii: "u"): appendUTF8(try hex(4), to: &out)
                case UInt8(ascii: "U"): appendUTF8(try hex(8), to: &out)
                default: throw Unsupported()
                }
            default:
                out.append(b)
                p += 1
            }
        }
    }

    /// `digits` hex digits at `p` as a Unicode scalar value (surrogates and values past
    /// U+10FFFF are errors in libyaml, so they are left to it).
    private mutating func hex(_ digits: Int) throws(Unsupported) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            let b = byte(p)
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw Unsupported()
            }
            value = value << 4 | UInt32(digit)
            p += 1
        }
        guard value < 0xD800 || (value > 0xDFFF && value <= 0x10FFFF) else { throw Unsupported() }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        guard let s = Unicode.Scalar(scalar) else { return }
        out.append(contentsOf: UTF8.encode(s)!)
    }

    /// `[…]` or `{…}` closed on the same line; `p` is at the bracket and ends after its match.
    private mutating func flowCollection() throws(Unsupported) -> Value {
        try enter()
        defer { depth -= 1 }
        let isSequence = bytes[p] == UInt8(ascii: "[")
        let close = isSequence ? UInt8(ascii: "]") : UInt8(ascii: "}")
        p += 1
        skipSpaces()
        let mark = open.mark
        var closed = byte(p) == close
        if closed { p += 1 }
        while !closed {
            if isSequence {
                let item = try flowNode()
                open.element(item)
            } else {
                let key = try flowKey()
                skipSpaces()
                let value = try flowNode()
                open.member(key, value)
            }
            closed = try flowEntryEnds(close)
        }
        return isSequence ? .array(open.array(since: mark)) : .object(open.object(since: mark))
    }

    /// After an entry of a flow collection: true at its closing bracket (consumed), false
    /// after a `,`. A trailing comma and anything else are left to libyaml.
    private mutating func flowEntryEnds(_ close: UInt8) throws(Unsupported) -> Bool {
        skipSpaces()
        switch byte(p) {
        case UInt8(ascii: ","):
            p += 1
            skipSpaces()
            guard byte(p) != close else { throw Unsupported() }
            return false
        case close:
            p += 1
            return true
        default:
            throw Unsupported()
        }
    }

    /// Moves `p` past spaces (`byte` reads the end as a line break, so this stops there).
    private mutating func skipSpaces() {
        while byte(p) == 0x20 { p += 1 }
    }

    /// A key inside `{…}` followed by `: `; leaves `p` after the `:`.
    private mutating func flowKey() throws(Unsupported) -> String {
        let first = byte(p)
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            noteScalar()
            let key = first == UInt8(ascii: "\"") ? try doubleQuoted() : try singleQuoted()
            guard byte(p) == UInt8(ascii: ":"), byte(p + 1) == 0x20 else { throw Unsupported() }
            p += 1
            return key
        }
        guard !Self.isIndicator(first) else { throw Unsupported() }
        let (start, end) = try flowPlainRange()
        guard byte(p) == UInt8(ascii: ":") else { throw Unsupported() }  // a key without a value
        p += 1
        return try key(start: start, end: end)
    }

    /// A value inside a flow collection.
    private mutating func flowNode() throws(Unsupported) -> Value {
        if let value = try quotedOrFlow() { return value }
        try checkPlainStart(inFlow: true)
        let (start, end) = try flowPlainRange()
        noteScalar()
        return try plain(start: start, end: end)
    }

    /// The extent of a plain scalar in flow context, trailing spaces excluded; `p` stops at the
    /// `,`, `]`, `}` or `: ` that ends it. Anything this reader is unsure of is left to libyaml.
    private mutating func flowPlainRange() throws(Unsupported) -> (Int, Int) {
        let start = p
        scan: while true {
            let b = byte(p)
            switch b {
            case 0x0A, UInt8(ascii: "["), UInt8(ascii: "{"):
                throw Unsupported()
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
                break scan
            case UInt8(ascii: ":"):
                guard byte(p + 1) == 0x20 else { throw Unsupported() }
                break scan
            case 0x20:
                guard byte(p + 1) != UInt8(ascii: "#") else { throw Unsupported() }
            default:
                break
            }
            p += 1
        }
        var end = p
        while end > start && bytes[end - 1] == 0x20 { end -= 1 }
        guard end > start else { throw Unsupported() }
        return (start, end)
    }
}
