/// The message Go's `encoding/json` gives for malformed input (`invalid character 'x'
/// looking for beginning of value`, `unexpected end of JSON input`), which Helm's `fromJson`
/// puts under `Error`. A small syntax scanner with the states of Go's.
enum GoJSONError {
    static func quoteChar(_ c: UInt8) -> String {
        if c == UInt8(ascii: "'") { return "'\\''" }
        if c == UInt8(ascii: "\"") { return "'\"'" }
        let q = GoFormat.quote(String(decoding: [c], as: UTF8.self))
        return "'" + q.dropFirst().dropLast() + "'"
    }

    struct Failure: Error { var message: String }

    /// nil when the text is valid JSON.
    static func message(for text: String) -> String? {
        var s = Scanner(b: Array(text.utf8))
        do {
            s.skipSpace()
            try s.value()
            s.skipSpace()
            if s.i < s.b.count { throw Failure(message: "invalid character \(quoteChar(s.b[s.i])) after top-level value") }
            return nil
        } catch let f as Failure {
            return f.message
        } catch {
            return "\(error)"
        }
    }

    struct Scanner {
        let b: [UInt8]
        var i = 0
        var depth = 0

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        }
        func eof() -> Failure { Failure(message: "unexpected end of JSON input") }
        func bad(_ context: String) -> Failure {
            Failure(message: "invalid character \(quoteChar(b[i])) \(context)")
        }
        /// At the end of input Go's scanner steps once more with a space.
        func badOrSpace(_ context: String) -> Failure {
            i < b.count ? bad(context) : Failure(message: "invalid character ' ' \(context)")
        }

        mutating func value() throws {
            guard i < b.count else { throw eof() }
            depth += 1
            defer { depth -= 1 }
            guard depth < 10000 else { throw Failure(message: "exceeded max depth") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1; skipSpace()
                guard i < b.count else { throw eof() }
                if b[i] == UInt8(ascii: "}") { i += 1; return }
                while true {
                    guard i < b.count else { throw eof() }
                    guard b[i] == UInt8(ascii: "\"") else { throw bad("looking for beginning of object key string") }
                    try string()
                    skipSpace()
                    guard i < b.count else { throw eof() }
                    guard b[i] == UInt8(ascii: ":") else { throw bad("after object key") }
                    i += 1; skipSpace()
                    try value()
                    skipSpace()
                    guard i < b.count else { throw eof() }
                    if b[i] == UInt8(ascii: "}") { i += 1; return }
                    guard b[i] == UInt8(ascii: ",") else { throw bad("after object key:value pair") }
                    i += 1; skipSpace()
                }
            case UInt8(ascii: "["):
                i += 1; skipSpace()
                guard i < b.count else { throw eof() }
                if b[i] == UInt8(ascii: "]") { i += 1; return }
                while true {
                    try value()
                    skipSpace()
                    guard i < b.count else { throw eof() }
                    if b[i] == UInt8(ascii: "]") { i += 1; return }
                    guard b[i] == UInt8(ascii: ",") else { throw bad("after array element") }
                    i += 1; skipSpace()
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw bad("looking for beginning of value")
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            for k in 0..<w.count {
                guard i < b.count, b[i] == w[k] else { throw badOrSpace("in literal \(word) (expecting \(quoteChar(w[k])))") }
                i += 1
            }
        }

        mutating func string() throws {
            i += 1
            while true {
                guard i < b.count else { throw eof() }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; return }
                if c < 0x20 { throw bad("in string literal") }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < b.count else { throw eof() }
                    switch b[i] {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                         UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        i += 1
                    case UInt8(ascii: "u"):
                        i += 1
                        for _ in 0..<4 {
                            guard i < b.count else { throw eof() }
                            let h = b[i] | 0x20
                            guard (h >= 0x30 && h <= 0x39) || (h >= 0x61 && h <= 0x66) else { throw bad("in \\u hexadecimal character escape") }
                            i += 1
                        }
                    default: throw bad("in string escape code")
                    }
                    continue
                }
                i += 1
            }
        }

        mutating func number() throws {
            func digit() -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
            if b[i] == UInt8(ascii: "-") {
                i += 1
                guard digit() else { throw badOrSpace("in numeric literal") }
            }
            if b[i] == UInt8(ascii: "0") { i += 1 } else { while digit() { i += 1 } }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                guard digit() else { throw badOrSpace("after decimal point in numeric literal") }
                while digit() { i += 1 }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                guard digit() else { throw badOrSpace("in exponent of numeric literal") }
                while digit() { i += 1 }
            }
        }
    }
}
