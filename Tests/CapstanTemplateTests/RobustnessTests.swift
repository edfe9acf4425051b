import Foundation
import Testing
import CapstanModel
@testable import CapstanTemplate

/// Hostile input: every case ends in an error or a bounded result — never a crash or a hang.
@Suite struct RobustnessTests {
    @Test func hugeRangeHitsStepLimit() throws {
        var set = TemplateSet(options: TemplateOptions(maxSteps: 10_000))
        try set.add(name: "f", source: "{{ range 1000000000 }}x{{ end }}")
        do {
            _ = try set.render("f", data: .null)
            Issue.record("expected a limit error")
        } catch {
            #expect(error.kind == .limit)
        }
    }

    @Test func outputLimit() throws {
        var set = TemplateSet(options: TemplateOptions(maxOutputBytes: 1000))
        try set.add(name: "f", source: "{{ range until 10000 }}0123456789{{ end }}")
        #expect(throws: TemplateError.self) { try set.render("f", data: .null) }
    }

    @Test func recursiveTemplateActionIsBounded() throws {
        var set = TemplateSet()
        try set.add(name: "f", source: "{{ define \"a\" }}{{ template \"a\" . }}{{ end }}{{ template \"a\" . }}")
        do {
            _ = try set.render("f", data: .null)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message == "exceeded maximum template depth (1000)")
        }
    }

    @Test func cyclicIncludeIsBoundedLikeHelm() throws {
        var set = TemplateSet()
        try set.add(name: "f", source: "{{ define \"a\" }}{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}")
        do {
            _ = try set.render("f", data: .null)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasSuffix("error calling include: rendering template has a nested reference name: a: unable to execute template"))
        }
    }

    @Test func deepParenthesesAreAParseError() {
        var set = TemplateSet()
        let deep = "{{ " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000) + " }}"
        #expect(throws: TemplateError.self) { try set.add(name: "f", source: deep) }
        let ok = "{{ " + String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200) + " }}"
        #expect(throws: Never.self) { try set.add(name: "g", source: ok) }
    }

    @Test func deepControlNestingIsBounded() {
        var set = TemplateSet()
        let deep = String(repeating: "{{ if true }}", count: 3000) + "x" + String(repeating: "{{ end }}", count: 3000)
        #expect(throws: TemplateError.self) { try set.add(name: "f", source: deep) }
    }

    /// Values nested deeper than a small stack allows (only templates can build them) are
    /// printed and encoded on a big stack, also when the render starts on a 256 KiB thread.
    @Test func deeplyNestedValuesFromASmallStack() async throws {
        let source = "{{ $d := list }}{{ range until 5000 }}{{ $d = list $d }}{{ end }}{{ len (toJson $d) }} {{ len (print $d) }} {{ $d | toString | len }}"
        var set = TemplateSet()
        try set.add(name: "f", source: source)
        let shared = set
        let out: String? = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: try? shared.render("f", data: .null))
            }
            thread.stackSize = 256 << 10
            thread.start()
        }
        #expect(out == "10002 10002 10002")
    }

    @Test func untilIsBounded() throws {
        var set = TemplateSet()
        try set.add(name: "f", source: "{{ len (until 100000000000) }}")
        #expect(throws: TemplateError.self) { try set.render("f", data: .null) }
    }

    /// Mutations of real templates: parse and render must return normally or throw.
    @Test func mutatedTemplatesNeverCrash() {
        let seeds = [
            "{{- range $k, $v := .Values.labels }}\n{{ $k }}: {{ $v | quote }}\n{{- end }}",
            "{{ if and .a (eq .b \"x\") }}{{ include \"t\" (dict \"a\" 1) | nindent 2 }}{{ else }}{{ printf \"%d\" 3 }}{{ end }}",
            "{{ define \"t\" }}{{ with .a }}{{ . }}{{ end }}{{ end }}{{ template \"t\" . }}{{/* c */}}",
            "{{ `raw` }}{{ 'c' }}{{ 0x1F }}{{ -1.5e3 }}{{ $x := list 1 2 }}{{ index $x 1 }}{{ $x = 3 }}",
        ]
        let alphabet = Array("{}()|$.\"'`-:= \n,abc01/*")
        var rng = SplitMix(seed: 42)
        var count = 0
        for seed in seeds {
            for _ in 0..<400 {
                var chars = Array(seed)
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let op = rng.next() % 3
                    let i = Int(rng.next() % UInt64(chars.count + 1))
                    switch op {
                    case 0 where i < chars.count: chars.remove(at: i)
                    case 1: chars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
                    default: if i < chars.count { chars[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                    }
                }
                var set = TemplateSet(options: TemplateOptions(maxOutputBytes: 1 << 20, maxSteps: 100_000))
                let data: TemplateValue = .dict(["a": 1, "b": "x", "Values": .dict(["labels": .dict(["k": "v"])])])
                if (try? set.add(name: "m", source: String(chars))) != nil {
                    _ = try? set.render("m", data: data)
                }
                count += 1
            }
        }
        #expect(count == 1600)
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

@Suite struct HugeArgumentTests {
    @Test(arguments: ["{{ repeat 1000000000000 \"ab\" }}", "{{ indent 1000000000000 \"x\" }}", "{{ randAlphaNum 1000000000000 }}",
                      "{{ until 1000000000000 }}", "{{ printf \"%1000000000000d\" 1 | len }}"])
    func hugeSizesFailOrStayBounded(_ source: String) throws {
        var set = TemplateSet()
        try set.add(name: "f", source: source)
        let out = try? set.render("f", data: .null)
        #expect((out?.utf8.count ?? 0) < 1 << 20)
    }
}
