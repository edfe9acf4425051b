import CapstanModel
import Testing

@testable import CapstanAPI

/// Validation walks shared compiled schema nodes without reference counting (see
/// `CompiledSchema`), from every core at once. Validating from several tasks at the same time
/// must report exactly what validating one object after another does, including while the
/// tasks race to compile a fresh catalogue's nodes for the first time.
@Suite struct ConcurrentValidationTests {
    /// The corpus cases this test uses (a spread sample, to keep the test fast in debug builds).
    static let cases = ValidationCorpus.allCases().enumerated().filter { $0.offset % 5 == 0 }.map(\.element)

    /// A catalogue with fresh (not yet compiled) schema nodes that serves the corpus' custom kind.
    static func freshValidator() throws -> ObjectValidator {
        ObjectValidator(catalogue: try APICatalogue.builtin.adding(customResourceDefinition: ValidationCorpus.customResourceDefinition))
    }

    static func outputs(_ validator: ObjectValidator, from start: Int) -> [Int: [String]] {
        var out: [Int: [String]] = [:]
        for k in 0..<cases.count {
            let i = (start + k) % cases.count
            let c = cases[i]
            var text = validator.validate(c.object).map(\.description)
            if let old = c.old { text += ["#update"] + validator.validateUpdate(c.object, old: old).map(\.description) }
            out[i] = text
        }
        return out
    }

    @Test func concurrentValidationMatchesSerial() async throws {
        let serial = Self.outputs(try Self.freshValidator(), from: 0)
        #expect(serial.values.contains { !$0.isEmpty })

        let shared = try Self.freshValidator()
        let tasks = 4
        let results = await withTaskGroup(of: [Int: [String]].self) { group in
            for t in 0..<tasks {
                // Each task starts elsewhere in the corpus, so they compile different kinds first.
                group.addTask { Self.outputs(shared, from: t * Self.cases.count / tasks) }
            }
            var all: [[Int: [String]]] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == tasks)
        for result in results {
            var mismatches = 0
            for (i, expected) in serial where result[i] != expected {
                mismatches += 1
                if mismatches <= 3 { Issue.record("case \(Self.cases[i].id): \(result[i] ?? []) != \(expected)") }
            }
            #expect(mismatches == 0)
        }
    }

    /// A catalogue dropped right after validating frees its compiled nodes; a walk over a new
    /// catalogue still answers the same.
    @Test func droppedCataloguesDoNotDisturbLaterWalks() throws {
        let sample = Array(Self.cases.prefix(40))
        let reference = sample.map { ValidationCorpusTests.output($0).text }
        for _ in 0..<3 {
            let validator = try Self.freshValidator()
            let texts = sample.map { c in
                var text = ValidationCorpus.serialize(validator.validate(c.object))
                if let old = c.old { text += "\n#update\n" + ValidationCorpus.serialize(validator.validateUpdate(c.object, old: old)) }
                return text
            }
            #expect(texts == reference)
        }
    }
}
