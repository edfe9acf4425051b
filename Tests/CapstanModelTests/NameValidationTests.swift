import Testing
@testable import CapstanModel

@Suite struct NameValidationTests {
    let subdomainError = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    let labelError = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    let dns1035Error = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"

    @Test func dns1123Subdomain() {
        for ok in ["a", "example.com", "a-b.c-d", "0", "1.2.3", String(repeating: "a", count: 253)] {
            #expect(NameValidation.dns1123Subdomain(ok).isEmpty, "\(ok)")
        }
        for bad in ["", "A", "a_b", "-a", "a-", ".a", "a.", "a..b", "a.-b", "é"] {
            #expect(NameValidation.dns1123Subdomain(bad) == [subdomainError], "\(bad)")
        }
        #expect(NameValidation.dns1123Subdomain(String(repeating: "a", count: 254)) == ["must be no more than 253 characters"])
        #expect(NameValidation.dns1123Subdomain(String(repeating: "A", count: 254)) == ["must be no more than 253 characters", subdomainError])
    }

    @Test func dns1123Label() {
        for ok in ["a", "a-b", "123", "a1", String(repeating: "z", count: 63)] {
            #expect(NameValidation.dns1123Label(ok).isEmpty, "\(ok)")
        }
        #expect(NameValidation.dns1123Label("a.b") == ["must not contain dots"])
        for bad in ["", "A", "a_b", "-a", "a-", "a..b"] {
            #expect(NameValidation.dns1123Label(bad) == [labelError], "\(bad)")
        }
        #expect(NameValidation.dns1123Label(String(repeating: "a", count: 64)) == ["must be no more than 63 characters"])
    }

    @Test func dns1035Label() {
        for ok in ["a", "my-svc", "a1"] { #expect(NameValidation.dns1035Label(ok).isEmpty, "\(ok)") }
        for bad in ["", "1a", "-a", "a-", "A", "a.b"] {
            #expect(NameValidation.dns1035Label(bad) == [dns1035Error], "\(bad)")
        }
        #expect(NameValidation.dns1035Label(String(repeating: "a", count: 64)) == ["must be no more than 63 characters"])
    }

    @Test func labelKeysAndValues() {
        #expect(NameValidation.labelKey("app.kubernetes.io/name").isEmpty)
        #expect(NameValidation.labelKey("MyName").isEmpty)
        #expect(NameValidation.labelKey("a_b.c-d").isEmpty)
        #expect(NameValidation.labelKey("/a") == ["prefix part must be non-empty"])
        #expect(NameValidation.labelKey("").count == 2)
        #expect(NameValidation.labelKey(String(repeating: "p", count: 254) + "/a")
            == ["prefix part must be no more than 253 bytes"])
        #expect(NameValidation.labelValue("").isEmpty)
        #expect(NameValidation.labelValue("v1.2_3-x").isEmpty)
        #expect(NameValidation.labelValue("-x").count == 1)
        #expect(NameValidation.labelValue(String(repeating: "v", count: 64)) == ["must be no more than 63 bytes"])
    }
}

@Suite struct GenerateNameTests {
    struct Fixed: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func suffixUsesTheAlphabet() {
        var g = Fixed(state: 42)
        let name = GenerateName.name(base: "web-", using: &g)
        #expect(name.hasPrefix("web-"))
        #expect(name.utf8.count == 9)
        let allowed = Set("bcdfghjklmnpqrstvwxz2456789")
        #expect(name.dropFirst(4).allSatisfy { allowed.contains($0) })
        #expect(NameValidation.dns1123Subdomain(name).isEmpty)
    }

    @Test func longBasesAreCut() {
        let base = String(repeating: "a", count: 70)
        let name = GenerateName.name(base: base)
        #expect(name.utf8.count == 63)
        #expect(name.hasPrefix(String(repeating: "a", count: 58)))
        let multibyte = String(repeating: "a", count: 57) + "éé"
        #expect(GenerateName.name(base: multibyte).unicodeScalars.prefix(57).allSatisfy { $0 == "a" })
        #expect(GenerateName.name(base: multibyte).utf8.count == 62)
    }

    @Test func suffixesVary() {
        let names = Set((0..<50).map { _ in GenerateName.name(base: "x-") })
        #expect(names.count > 45)
    }
}

@Suite struct LabelKeyFastPathTests {
    /// The allocation-free validity check must agree with the full message-building check.
    @Test func fastCheckAgreesWithFullCheck() {
        let long63 = String(repeating: "k", count: 63), long64 = long63 + "k"
        let prefix253 = Array(repeating: String(repeating: "p", count: 63), count: 4).joined(separator: ".").dropLast(2)
        let samples = ["a", "A", "a.b", "a_b", "-a", "a-", "", "/", "/a", "a/", "a/b", "a/b/c", "ex.com/a", "Ex.com/a",
                       "ex..com/a", "ex.com./a", "-ex.com/a", "ex_com/a", long63, long64, "ex.com/" + long63,
                       "ex.com/" + long64, String(prefix253) + "/a", String(prefix253) + "p/a", "é", "a/é", "1", "1/2"]
        for sample in samples {
            #expect(NameValidation.isValidLabelKey(sample) == NameValidation.labelKeyProblems(sample).isEmpty, "\(sample)")
        }
        #expect(String(prefix253).utf8.count == 253)
    }
}
