import CapstanModel
import Testing
@testable import CapstanAPI

/// The allocation-free checks that short-cut the common valid case must agree with the general
/// rules they stand in front of: on curated edge cases and on many generated strings.
@Suite struct FastPathTests {
    /// Deterministic strings over `pieces` (so failures reproduce), lengths 0…`maxPieces`.
    static func generated(_ pieces: [String], count: Int, maxPieces: Int) -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            (0..<(next() % (maxPieces + 1))).map { _ in pieces[next() % pieces.count] }.joined()
        }
    }

    static let nameCases = [
        "", "a", "A", "-", ".", "a.b", "a..b", ".a", "a.", "a-", "-a", "a-.b", "a.-b", "a-b.c-d", "0", "0.0",
        "example.com/name", "example.com/", "/name", "a/b/c", "Example.com/x", "k8s.io/My_Name.x", "x/_a", "x/a_",
        "kubectl.kubernetes.io/last-applied-configuration", "é", "a/é", String(repeating: "a", count: 63),
        String(repeating: "a", count: 64), String(repeating: "a", count: 253), String(repeating: "a", count: 254),
        String(repeating: "a.", count: 126) + "a", String(repeating: "b", count: 64) + "/x",
        "p/" + String(repeating: "n", count: 63), "p/" + String(repeating: "n", count: 64),
    ]

    @Test func subdomainFastCheckMatchesTheGeneralRule() {
        let pieces = ["a", "z", "0", "9", "-", ".", "A", "_", "/", "é", " ", "ab", "a.b"]
        for s in Self.nameCases + Self.generated(pieces, count: 8_000, maxPieces: 8) {
            #expect(NameRules.withBytes(s, NameRules.isSubdomain) == NameRules.subdomainProblems(s).isEmpty, "\(s)")
            #expect(NameRules.dns1123Subdomain(s) == NameRules.subdomainProblems(s), "\(s)")
        }
    }

    @Test func qualifiedNameFastCheckMatchesTheGeneralRule() {
        let pieces = ["a", "Z", "0", "-", ".", "_", "/", "é", " ", "k8s.io", "x"]
        for s in Self.nameCases + Self.generated(pieces, count: 8_000, maxPieces: 8) {
            #expect(NameRules.withBytes(s, NameRules.isQualifiedName) == NameRules.qualifiedNameProblems(s).isEmpty, "\(s)")
            #expect(NameRules.qualifiedName(s) == NameRules.qualifiedNameProblems(s), "\(s)")
        }
    }

    /// Labels, DNS-1035 labels, label values, IANA port names and config keys: each byte check
    /// says "valid" exactly when the general rule finds no problem, so the public rule (fast
    /// check, then the general one) gives the general rule's answer.
    @Test func byteChecksMatchTheGeneralRules() {
        let pieces = ["a", "z", "0", "9", "-", "--", ".", "..", "A", "_", "/", "é", " ", "ab", "x1", "e\u{301}",
                      String(repeating: "a", count: 15), String(repeating: "b", count: 60)]
        let extra = ["", "-", ".", "..", "...", "..a", ".a", "a.", "http", "h-t", "h--t", "-h", "h-", "123", "a1234567890123456",
                     "abcdefghijklmno", "abcdefghijklmnop", "-\u{301}", "a--\u{301}b", "ab\u{301}-", String(repeating: "k", count: 253),
                     String(repeating: "k", count: 254), String(repeating: "v", count: 63), String(repeating: "v", count: 64)]
        let rules: [(String, (UnsafeBufferPointer<UInt8>) -> Bool, (String) -> [String], (String) -> [String])] = [
            ("label", NameRules.isLabel, NameRules.labelProblems, NameRules.dns1123Label),
            ("dns1035", NameRules.isDNS1035Label, NameRules.dns1035Problems, NameRules.dns1035Label),
            ("labelValue", NameRules.isLabelValue, NameRules.labelValueProblems, NameRules.labelValue),
            ("iana", NameRules.isIANAServiceName, NameRules.ianaServiceNameProblems, NameRules.ianaServiceName),
            ("configKey", NameRules.isConfigKey, NameRules.configKeyProblems, NameRules.configKey),
        ]
        for s in Self.nameCases + extra + Self.generated(pieces, count: 6_000, maxPieces: 6) {
            for (name, fast, general, rule) in rules {
                let problems = general(s)
                #expect(NameRules.withBytes(s, fast) == problems.isEmpty, "\(name): \(s)")
                #expect(rule(s) == problems, "\(name): \(s)")
            }
        }
    }

    @Test func asciiImageTagMatchesTheGeneralParse() {
        let cases = [
            "", "nginx", "nginx:1.27", "nginx:latest", "nginx@sha256:abc", "nginx:1@sha256:abc", "Nginx", "repo/Nginx:1",
            "Registry.io/x:1", "localhost/x", "localhost:5000/x:2", "a//b", "/x", "x/", ":tag", "x:", "a b", "a\tb",
            "example.com:443/team/app:" + String(repeating: "t", count: 128),
            "example.com/app:" + String(repeating: "t", count: 129), "UPPER.io/lower:TAG", "host:1/A",
        ]
        let pieces = ["a", "B", "/", ":", "@", ".", "localhost", " ", "1", "io", "-"]
        for s in cases + Self.generated(pieces, count: 8_000, maxPieces: 7) {
            #expect(ImageReference.asciiTag(of: s) == ImageReference.generalTag(of: s), "\(s)")
        }
        #expect(ImageReference.tag(of: "nginx") == "latest")
        #expect(ImageReference.tag(of: "nginx:1.27") == "1.27")
        #expect(ImageReference.tag(of: "é/x:1") == ImageReference.generalTag(of: "é/x:1"))
    }
}
