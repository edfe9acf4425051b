import Testing
@testable import CapstanModel

/// String escaping in the JSON writer, held to a plain scalar-by-scalar statement of Go's
/// rules on random strings built from the characters that need care, and read back.
@Suite struct JSONStringEscapeTests {
    /// Go's `encoding/json` string escaping, one Unicode scalar at a time.
    static func reference(_ s: String, html: Bool) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0..<0x20: out += "\\u00" + String(scalar.value, radix: 16).leftPadded(to: 2)
            case 0x3C where html, 0x3E where html, 0x26 where html: out += "\\u00" + String(scalar.value, radix: 16)
            case 0x2028, 0x2029: out += "\\u" + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func randomStringsMatchTheReference() {
        let alphabet: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "<", ">", "&", "\n", "\r", "\t", "\u{8}", "\u{c}",
                                     "\u{1}", "\u{1f}", "\u{7f}", "é", "€", "\u{2027}", "\u{2028}", "\u{2029}", "\u{202a}",
                                     "😀", "\u{e2}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let length = Int.random(in: 0...40, using: &rng)
            let s = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            for html in [false, true] {
                let written = Value.string(s).jsonString(JSONOptions(escapeHTML: html))
                #expect(written == Self.reference(s, html: html), "\(s.debugDescription) html: \(html)")
                // And back: the reader undoes every escape, run by run.
                #expect((try? Value.parseJSON(written)) == .string(s), "\(s.debugDescription) html: \(html)")
            }
        }
    }

    /// The writer passes over plain bytes a word (eight) at a time: a character that needs
    /// care at every position of the first words, after a plain run, must still be caught.
    @Test func specialCharacterAtEveryPositionOfTheFirstWords() {
        let specials: [String] = ["\"", "\\", "\n", "\u{1}", "\u{1f}", "<", ">", "&", "é", "\u{2028}", "\u{2029}", "€", "😀", " ", "\u{7f}"]
        for special in specials {
            for position in 0..<26 {
                let s = String(repeating: "a", count: position) + special + String(repeating: "b", count: 11)
                for html in [false, true] {
                    #expect(Value.string(s).jsonString(JSONOptions(escapeHTML: html)) == Self.reference(s, html: html),
                            "\(s.debugDescription) html: \(html)")
                }
            }
        }
    }

    /// Escaped strings as other writers send them: every character as `\uXXXX` (surrogate
    /// pairs beyond the BMP), read back to the same string.
    @Test func readsEveryCharacterEscaped() throws {
        let alphabet: [Character] = ["a", "\"", "\\", "/", "\n", "\u{1}", "é", "€", "\u{2028}", "😀", "\u{10FFFF}"]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let s = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            var text = "\""
            for unit in s.utf16 { text += "\\u" + String(unit, radix: 16).leftPadded(to: 4) }
            text += "\""
            #expect(try Value.parseJSON(text) == .string(s), "\(s.debugDescription)")
            // Short escapes mixed with plain runs.
            let mixed = String(Self.reference("x" + s, html: false).dropLast()) + "\\/\\b\\f\\t\\r\""
            #expect(try Value.parseJSON(mixed) == .string("x" + s + "/\u{8}\u{c}\t\r"), "\(mixed)")
        }
    }

    /// Lone surrogates become U+FFFD as in Go; a high one followed by another escape leaves
    /// that escape to be read on its own.
    @Test func loneSurrogatesAndBadEscapes() throws {
        #expect(try Value.parseJSON(#""\ud800""#) == .string("\u{FFFD}"))
        #expect(try Value.parseJSON(#""\udc00x""#) == .string("\u{FFFD}x"))
        #expect(try Value.parseJSON(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try Value.parseJSON(#""\ud800\ud800\udc00""#) == .string("\u{FFFD}\u{10000}"))
        #expect(try Value.parseJSON(#""a\u00e9\u20ac""#) == .string("aé€"))
        for (text, message) in [(#""a\qb""#, "invalid escape '\\q'"), (#""a\u12""#, "truncated \\u escape"),
                                (#""a\u12zz""#, "invalid hex digit"), (#""a\n"#, "unterminated string"),
                                (#""a\"#, "unterminated string"), ("\"a\\n\u{1}\"", "control character")] {
            do {
                _ = try Value.parseJSON(text)
                Issue.record("\(text) parsed")
            } catch {
                #expect("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }

    /// Longer than the writer's stack buffer, escapes all through (JSON in JSON, as in the
    /// last-applied annotation), including at the buffer's edges.
    @Test func longStringsFullOfEscapes() throws {
        var inner: Value = ["kind": "ConfigMap", "data": [:]]
        for i in 0..<300 { inner["data"][String(i)] = .string("<a href=\"x\">\(i)</a>\n\u{2028}") }
        let text = inner.jsonString(.goMarshal)
        #expect(text.utf8.count > 6000)
        for html in [false, true] {
            let written = Value.string(text).jsonString(JSONOptions(escapeHTML: html))
            #expect(written == Self.reference(text, html: html))
            #expect(try Value.parseJSON(written) == .string(text))
        }
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
