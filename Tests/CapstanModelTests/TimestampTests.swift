import Testing
@testable import CapstanModel

@Suite struct TimestampTests {
    static let known: [(String, Int64)] = [
        ("2026-11-21T20:31:04Z", 1_795_293_064), ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T23:59:59Z", 951_868_799), ("1969-12-31T23:59:59Z", -1),
        ("9999-12-31T23:59:59Z", 253_402_300_799), ("0001-01-01T00:00:00Z", -62_135_596_800),
        ("2024-03-01T00:00:00Z", 1_709_251_200),
    ]

    @Test(arguments: known)
    func roundTrips(text: String, seconds: Int64) throws {
        let t = try Timestamp(rfc3339: text)
        #expect(t.seconds == seconds)
        #expect(t.nanoseconds == 0)
        #expect(t.rfc3339 == text)
        #expect(Timestamp(seconds: seconds).rfc3339 == text)
    }

    @Test func fractionsAndOffsets() throws {
        let t = try Timestamp(rfc3339: "2026-11-21T20:31:04.123456789Z")
        #expect(t.nanoseconds == 123_456_789)
        #expect(t.rfc3339 == "2026-11-21T20:31:04Z")  // metav1.Time drops the fraction
        #expect(t.rfc3339Micro == "2026-11-21T20:31:04.123456Z")
        #expect(try Timestamp(rfc3339: "2026-11-21T20:31:04.5Z").nanoseconds == 500_000_000)
        #expect(try Timestamp(rfc3339: "2026-11-21T20:31:04.1234567891234Z").nanoseconds == 123_456_789)
        #expect(try Timestamp(rfc3339: "2026-11-21T21:31:04+01:00").rfc3339 == "2026-11-21T20:31:04Z")
        #expect(try Timestamp(rfc3339: "2026-11-21T15:01:04-05:30").rfc3339 == "2026-11-21T20:31:04Z")
        #expect(try Timestamp(rfc3339: "2026-01-01T00:30:00+01:00").rfc3339 == "2025-12-31T23:30:00Z")
    }

    @Test func microTime() throws {
        let t = try Timestamp(rfc3339Micro: "2026-11-21T20:31:04.000123Z")
        #expect(t.nanoseconds == 123_000)
        #expect(t.rfc3339Micro == "2026-11-21T20:31:04.000123Z")
        #expect(Timestamp(seconds: 0).rfc3339Micro == "1970-01-01T00:00:00.000000Z")
        #expect(throws: TimestampError.self) { try Timestamp(rfc3339Micro: "2026-11-21T20:31:04Z") }
        #expect(throws: TimestampError.self) { try Timestamp(rfc3339Micro: "2026-11-21T20:31:04.12345Z") }
        #expect(throws: TimestampError.self) { try Timestamp(rfc3339Micro: "2026-11-21T20:31:04.1234567Z") }
    }

    @Test func negativeTimesFormat() {
        #expect(Timestamp(seconds: -1, nanoseconds: 500_000_000).rfc3339Micro == "1969-12-31T23:59:59.500000Z")
        #expect(Timestamp(seconds: 0, nanoseconds: -1).rfc3339Micro == "1969-12-31T23:59:59.999999Z")
    }

    @Test func rejectsMalformedInput() {
        for bad in ["", "2026-11-21", "2026-11-21T20:31:04", "2026-11-21 20:31:04Z", "2026-13-01T00:00:00Z",
                    "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T20:60:00Z",
                    "2026-11-21T20:31:60Z", "26-11-21T20:31:04Z", "2026-11-21T20:31:04.Z", "2026-11-21T20:31:04+0100",
                    "2026-11-21T20:31:04Zjunk", "2026-11-21t20:31:04Z", "2026-11-21T20:31:04z", "２026-11-21T20:31:04Z"] {
            #expect(throws: TimestampError.self, "\(bad)") { try Timestamp(rfc3339: bad) }
        }
        do {
            _ = try Timestamp(rfc3339: "2026-02-30T00:00:00Z")
        } catch {
            #expect(error.description.contains("\"2026-02-30T00:00:00Z\""))
            #expect(error.reason == "day out of range")
        }
    }

    @Test func readsValues() {
        #expect(Timestamp(Value.string("2026-11-21T20:31:04Z"))?.seconds == 1_795_293_064)
        #expect(Timestamp(Value.null) == nil)
        #expect(Timestamp(Value.string("yesterday")) == nil)
    }

    @Test func orderingAndDifferences() throws {
        let a = try Timestamp(rfc3339: "2026-11-21T20:31:04Z")
        let b = try Timestamp(rfc3339: "2026-11-21T20:34:24.5Z")
        #expect(a < b)
        #expect(b.nanoseconds(since: a) == 200_500_000_000)
        #expect(a.age(at: b) == "3m20s")
        #expect(a.adding(seconds: 60).rfc3339 == "2026-11-21T20:32:04Z")
        let now = Timestamp.now()
        #expect(now.seconds > 1_700_000_000)
    }
}

/// Cases from the shape of kubectl's `duration.HumanDuration` (apimachinery/pkg/util/duration).
@Suite struct HumanDurationTests {
    static let cases: [(Int64, String)] = [
        (-3, "<invalid>"), (-2, "<invalid>"), (-1, "0s"), (0, "0s"), (1, "1s"), (59, "59s"), (60, "60s"),
        (119, "119s"), (120, "2m"), (121, "2m1s"), (200, "3m20s"), (599, "9m59s"), (600, "10m"),
        (601, "10m"), (75 * 60, "75m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"), (3 * 3600 + 20 * 60, "3h20m"),
        (8 * 3600 - 1, "7h59m"), (8 * 3600, "8h"), (47 * 3600 + 59 * 60, "47h"), (48 * 3600, "2d"),
        (50 * 3600, "2d2h"), (8 * 86_400 - 1, "7d23h"), (8 * 86_400, "8d"), (400 * 86_400, "400d"),
        (730 * 86_400 - 1, "729d"), (730 * 86_400, "2y"), (750 * 86_400, "2y20d"), (8 * 365 * 86_400 - 1, "7y364d"),
        (8 * 365 * 86_400, "8y"), (20 * 365 * 86_400, "20y"),
    ]

    @Test(arguments: cases)
    func matchesKubectl(seconds: Int64, expected: String) {
        #expect(HumanDuration.string(seconds: seconds) == expected)
    }

    @Test func truncatesSubSecondParts() {
        #expect(HumanDuration.string(nanoseconds: 1_999_999_999) == "1s")
        #expect(HumanDuration.string(nanoseconds: -1_999_999_999) == "0s")
        #expect(HumanDuration.string(nanoseconds: -2_000_000_000) == "<invalid>")
        #expect(HumanDuration.string(seconds: Int64.max) != "")
    }

    @Test func shortForm() {
        #expect(HumanDuration.short(nanoseconds: 59_000_000_000) == "59s")
        #expect(HumanDuration.short(nanoseconds: 3_600_000_000_000) == "1h")
        #expect(HumanDuration.short(nanoseconds: 90 * 60_000_000_000) == "1h")
        #expect(HumanDuration.short(nanoseconds: 59 * 60_000_000_000) == "59m")
        #expect(HumanDuration.short(nanoseconds: 400 * 86_400_000_000_000) == "1y")
        #expect(HumanDuration.short(nanoseconds: -5_000_000_000) == "<invalid>")
    }
}
