import Testing
@testable import CapstanModel

/// The printed forms below are what kubectl 1.37 writes for `--limits=cpu=<input>`
/// (`kubectl set resources --local … -o jsonpath`); `KubectlOracleTests` re-checks a sample
/// against the live binary.
@Suite struct QuantityTests {
    static let printed: [(String, String)] = [
        ("100m", "100m"), ("1.5", "1500m"), ("2Gi", "2Gi"), ("512Mi", "512Mi"), ("1e3", "1e3"),
        ("1E3", "1E3"), ("+1k", "+1k"), ("0.5Gi", "512Mi"), ("1500m", "1500m"), ("1024Mi", "1Gi"),
        ("1000m", "1"), ("0.1", "100m"), ("1.0", "1"), ("1.", "1."), (".5", "500m"), ("0", "0"),
        ("00", "0"), ("-0", "0"), ("1Ki", "1Ki"), ("1.5Ki", "1536"), ("0.5Ki", "512"),
        ("1536Mi", "1536Mi"), ("8Gi", "8Gi"), ("1000", "1k"), ("1500", "1500"), ("2000", "2k"),
        ("1k", "1k"), ("1000k", "1M"), ("0.001", "1m"), ("0.0000000001", "1n"), ("1n", "1n"),
        ("1u", "1u"), ("1000n", "1u"), ("1e-3", "1e-3"), ("1e6", "1e6"), ("12e6", "12e6"),
        ("1E", "1E"), ("100E", "100E"), ("1Ei", "1Ei"), ("8Ei", "9223372036854775807"),
        ("1Pi", "1Pi"), ("1024Pi", "1Ei"), ("01k", "01k"), ("1.Gi", "1.Gi"),
        ("100000000000000000000", "100E"), ("0.3333333333333333333333", "333333334n"),
        ("1.23456789e3", "1234567890e-6"), ("5e-10", "1e-9"),
        ("123456789012345678", "123456789012345678"), ("1234567890123456789", "1234567890123456789"),
    ]

    @Test(arguments: printed)
    func printsLikeKubernetes(input: String, expected: String) throws {
        #expect(try Quantity(parsing: input).description == expected)
    }

    @Test func errors() {
        func reason(_ s: String) -> QuantityError.Reason? {
            do { _ = try Quantity(parsing: s); return nil } catch { return error.reason }
        }
        #expect(reason("abc") == .formatWrong)
        #expect(reason("") == .formatWrong)
        #expect(reason("1.2.3") == .formatWrong)
        #expect(reason("1 k") == .formatWrong)
        #expect(reason("1K") == .suffix)
        #expect(reason("1e") == .suffix)
        #expect(reason("1e+") == .suffix)
        #expect(reason("1Mii") == .suffix)
        #expect(reason("1e40") == .tooLarge)
        do {
            _ = try Quantity(parsing: "12x")
            Issue.record("expected an error")
        } catch {
            #expect(error.kubernetesMessage == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
            #expect(error.description.contains("\"12x\""))
        }
    }

    @Test func exactValues() throws {
        #expect(try Quantity(parsing: "100m").milliValue == 100)
        #expect(try Quantity(parsing: "1.5").milliValue == 1500)
        #expect(try Quantity(parsing: "2Gi").value == 2 * 1024 * 1024 * 1024)
        #expect(try Quantity(parsing: "0.5Gi").value == 536_870_912)
        #expect(try Quantity(parsing: "1e3").value == 1000)
        #expect(try Quantity(parsing: "1u").nanos == 1000)
        #expect(try Quantity(parsing: "12.345678901234").nanos == 12_345_678_902)  // rounded up
        #expect(try Quantity(parsing: "-12.3456789012").nanos == -12_345_678_902)  // away from zero
        #expect(try Quantity(parsing: "1Ei").nanos == Int128(1) << 60 * 1_000_000_000)
    }

    @Test func valueRoundsUpAwayFromZero() throws {
        #expect(try Quantity(parsing: "100m").value == 1)
        #expect(try Quantity(parsing: "1001m").value == 2)
        #expect(try Quantity(parsing: "1").value == 1)
        #expect(try Quantity(parsing: "-1500m").value == -2)
        #expect(try Quantity(parsing: "1n").milliValue == 1)
        #expect(try Quantity(parsing: "0").value == 0)
        #expect(try Quantity(parsing: "100E").value == Int64.max)  // clamped
    }

    @Test func comparison() throws {
        let a = try Quantity(parsing: "1")
        let b = try Quantity(parsing: "1000m")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(try Quantity(parsing: "1Ki") > Quantity(parsing: "1k"))
        #expect(try Quantity(parsing: "999m") < a)
        #expect(a.compare(b) == 0)
        #expect(try Quantity(parsing: "-1").compare(a) == -1)
        #expect(try [Quantity(parsing: "2"), Quantity(parsing: "100m"), Quantity(parsing: "1Ki")].max()?.description == "1Ki")
    }

    @Test func arithmetic() throws {
        let sum = try Quantity(parsing: "100m") + Quantity(parsing: "1.4")
        #expect(sum.description == "1500m")
        #expect((try Quantity(parsing: "1Gi") + Quantity(parsing: "1Gi")).description == "2Gi")
        #expect((try Quantity(parsing: "1Gi") - Quantity(parsing: "512Mi")).description == "512Mi")
        // A zero left side takes the right side's format.
        #expect((Quantity.zero + (try Quantity(parsing: "1Ki"))).description == "1Ki")
        #expect((try Quantity(parsing: "1Ki") - Quantity(parsing: "1Ki")).description == "0")
        #expect((try Quantity(parsing: "500m") - Quantity(parsing: "1")).description == "-500m")
        var total = Quantity.zero
        for _ in 0..<10 { total += try Quantity(parsing: "100m") }
        #expect(total.description == "1")
        #expect((-(try Quantity(parsing: "2k"))).description == "-2k")
        // Saturation instead of a trap.
        let huge = Quantity(nanos: Int128.max)
        #expect((huge + huge).nanos >= huge.nanos)
    }

    @Test func constructors() {
        #expect(Quantity(5).description == "5")
        #expect(Quantity(5000).description == "5k")
        #expect(Quantity(milliValue: 250).description == "250m")
        #expect(Quantity(1024, format: .binarySI).description == "1Ki")
        #expect(Quantity(1000, format: .binarySI).description == "1k")
        #expect(Quantity(3, format: .decimalExponent).description == "3")
        #expect(Quantity(3000, format: .decimalExponent).description == "3e3")
    }

    @Test func fromJSONValues() throws {
        #expect(try Quantity(json: "250m").milliValue == 250)
        #expect(try Quantity(json: " 1Gi ").description == "1Gi")
        #expect(try Quantity(json: 2).description == "2")
        #expect(try Quantity(json: 0.5).description == "500m")
        #expect(throws: QuantityError.self) { try Quantity(json: true) }
    }

    @Test func canonicalIgnoresKeptText() throws {
        #expect(try Quantity(parsing: "+1k").canonical == "1k")
        #expect(try Quantity(parsing: "1E3").canonical == "1e3")
        #expect(try Quantity(parsing: "01k").canonical == "1k")
    }
}

@Suite struct QuantityPathAgreementTests {
    /// The allocation-free path and the exact digit path must agree wherever both apply.
    @Test func fastAndExactPathsAgree() throws {
        let numbers = ["0", "1", "7", "10", "123", "999999999", "1.5", "0.001", "12.000", ".25", "3.", "100000",
                       "0.0000000001", "123456789012345678", "98765.4321", "0.3333333333"]
        let suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
                        "e3", "e-3", "E6", "e-12", "e+2", "e0"]
        var checked = 0
        for number in numbers {
            for suffix in suffixes {
                let text = number + suffix
                var bytes = text
                let outcome = bytes.withUTF8 { s -> (Int128?, Int128)? in
                    guard let parts = try? Quantity.scan(s, text: text),
                          let (base, exponent, _) = Quantity.interpretSuffix(parts.suffix(in: s)) else { return nil }
                    return (Quantity.fastNanos(s, parts: parts, base: base, exponent: exponent),
                            Quantity.slowNanos(s, parts: parts, base: base, exponent: exponent))
                }
                guard let (fast, exact) = outcome else {
                    Issue.record("\(text) did not scan")
                    continue
                }
                // Anything past the accepted range (or overflowing) is one outcome: too large.
                func normalized(_ n: Int128) -> Int128 { n < 0 || n > Quantity.maxNanos ? -1 : n }
                if let fast {
                    #expect(normalized(fast) == normalized(exact), "\(text)")
                    checked += 1
                }
            }
        }
        #expect(checked > 300)
    }
}
