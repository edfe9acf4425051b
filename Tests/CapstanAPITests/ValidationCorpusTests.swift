import CapstanModel
import Foundation
import Testing

@testable import CapstanAPI

/// The validator's output on `ValidationCorpus` must stay exactly what it was when
/// `ValidationCorpusGolden` was recorded (before the validator was optimised): same errors,
/// same order, same messages and field paths, for creates and updates.
///
/// To re-record after an intended change of behaviour (never to make a speed-up pass), run
/// `CAPSTAN_RECORD_VALIDATION_GOLDEN=Tests/CapstanAPITests/ValidationCorpusGolden.swift swift test
/// --filter ValidationCorpusTests` and review the diff of the failing cases first.
@Suite struct ValidationCorpusTests {
    static let builtin = ObjectValidator()
    static let custom: ObjectValidator = {
        let catalogue = (try? APICatalogue.builtin.adding(customResourceDefinition: ValidationCorpus.customResourceDefinition))
            ?? APICatalogue.builtin
        return ObjectValidator(catalogue: catalogue)
    }()

    static func output(_ c: ValidationCorpus.Case) -> (text: String, errors: [FieldError]) {
        let validator = c.custom ? custom : builtin
        let created = validator.validate(c.object)
        var text = ValidationCorpus.serialize(created)
        var errors = created
        if let old = c.old {
            let updated = validator.validateUpdate(c.object, old: old)
            text += "\n#update\n" + ValidationCorpus.serialize(updated)
            errors += updated
        }
        return (text, errors)
    }

    @Test func corpusMatchesTheRecordedOutput() throws {
        let cases = ValidationCorpus.allCases()
        let outputs = cases.map(Self.output)
        let digests = outputs.map { ValidationCorpus.digest($0.text) }

        if let target = ProcessInfo.processInfo.environment["CAPSTAN_RECORD_VALIDATION_GOLDEN"] {
            var lines: [String] = []
            for start in stride(from: 0, to: digests.count, by: 12) {
                lines.append(digests[start..<min(start + 12, digests.count)].joined(separator: " "))
            }
            let source = """
                /// Recorded by `ValidationCorpusTests` (see there): one digest per corpus case, in order.
                enum ValidationCorpusGolden {
                    static let count = \(digests.count)
                    static let digests = \"\"\"
                \(lines.map { "        " + $0 }.joined(separator: "\n"))
                        \"\"\"
                }

                """
            try source.write(toFile: target, atomically: true, encoding: .utf8)
            return
        }

        let recorded = ValidationCorpusGolden.digests.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(cases.count == ValidationCorpusGolden.count)
        #expect(recorded.count == ValidationCorpusGolden.count)
        var mismatches = 0
        for (i, c) in cases.enumerated() where i >= recorded.count || recorded[i] != digests[i] {
            mismatches += 1
            if mismatches <= 10 { Issue.record("case \(i) \(c.id) changed; now:\n\(outputs[i].text)") }
        }
        #expect(mismatches == 0)

        // The corpus must exercise the validator broadly, or matching it proves little.
        let all = outputs.flatMap(\.errors)
        let kinds = Set(all.map(\.kind))
        #expect(kinds == [.required, .invalid, .notSupported, .duplicate, .forbidden, .notFound, .tooLong, .tooMany,
                          .typeInvalid, .unknownField])
        #expect(all.count > 5_000)
        #expect(outputs.filter { $0.errors.isEmpty }.count > 100)
        #expect(all.contains { $0.path.elements.contains(.mapKey("app")) })
    }

    /// A few outputs spelled out in full (the digests only say whether anything changed).
    @Test func nestedErrorsInDocumentOrder() {
        var d = ValidationCorpus.deployment
        var containers = d[path: ["spec", "template", "spec", "containers"]]
        var first = containers[0]
        first["ports"] = [["name": "http", "containerPort": 0], ["name": "http", "containerPort": 80, "bogus": 1]]
        first["volumeMounts"] = [["name": "nope", "mountPath": "/x"]]
        first["imagee"] = "x"
        containers[0] = first
        d[path: ["spec", "template", "spec", "containers"]] = containers
        d[path: ["spec", "replicas"]] = -2
        d[path: ["metadata", "labels"]] = ["Bad Key": "v", "ok": "bad value!"]
        #expect(Self.builtin.validate(d).map(\.description) == [
            #"unknown field "spec.template.spec.containers[0].ports[1].bogus""#,
            #"unknown field "spec.template.spec.containers[0].imagee""#,
            #"metadata.labels: Invalid value: "Bad Key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"#,
            #"metadata.labels: Invalid value: "bad value!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"#,
            "spec.replicas: Invalid value: -2: must be greater than or equal to 0",
            "spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive",
            #"spec.template.spec.containers[0].ports[1].name: Duplicate value: "http""#,
            #"spec.template.spec.containers[0].volumeMounts[0].name: Not found: "nope""#,
        ])
    }
}
