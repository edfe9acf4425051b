import Testing
@testable import CapstanModel

@Suite struct StringTrimmingTests {
    /// The ASCII shortcut of `goTrimmedSpace` agrees with the Unicode route.
    @Test func trimmingShortcutAgrees() {
        for text in ["", " ", "\t\n", "a", " a ", "\ta b\r\n", "\u{A0}x\u{A0}", " é ", "x\u{2003}", "\u{85}",
                     "\u{1C}a\u{1F}", "\u{0B}\u{0C}y", "  \u{3000}  "] {
            #expect(text.goTrimmedSpace == text.unicodeTrimmedSpace, "\(Array(text.unicodeScalars))")
        }
    }

    /// Go's `unicode.IsSpace` set: NEL, NBSP and the Unicode spaces go; the ASCII separators
    /// U+001C–U+001F stay (they are not White_Space).
    @Test func trimsWhatGoTrims() {
        #expect("\u{85}\u{A0} x \u{2028}\u{3000}".goTrimmedSpace == "x")
        #expect("\u{1C}a\u{1F}".goTrimmedSpace == "\u{1C}a\u{1F}")
        #expect(" \t\n\u{0B}\u{0C}\r".goTrimmedSpace == "")
        #expect(" plain ".trimmingSpaces() == "plain")
    }

    /// The memcmp string order is the byte order of the general comparison.
    @Test func utf8PrecedesMatchesByteOrder() {
        let words = ["", "a", "ab", "abc", "b", "B", "é", "e\u{301}", "z", "ä", "a\u{0}", "templates/a.yaml",
                     "templates/_helpers.tpl", "charts/x/templates/a.yaml", "😀", String(repeating: "x", count: 40)]
        for a in words {
            for b in words {
                #expect(a.utf8Precedes(b) == a.utf8.lexicographicallyPrecedes(b.utf8), "\(a) < \(b)")
            }
        }
    }
}
