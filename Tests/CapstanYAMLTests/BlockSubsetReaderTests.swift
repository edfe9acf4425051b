import CapstanModel
import CapstanTestSupport
import Foundation
import Testing
@testable import CapstanYAML

/// The subset reader must never answer differently from libyaml: whenever it returns documents,
/// libyaml parses the same text without error into the same documents (values with their key
/// order and number types, indexes, lines).
@Suite struct BlockSubsetReaderTests {
    /// The reader's answer for `text`, or nil when it leaves the text to libyaml.
    static func subset(_ text: String) -> [YAMLDocument]? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { BlockSubsetReader.readAll(UnsafeBufferPointer($0)) }
    }

    /// Equal including key order and `.int` against `.double`, which `Value ==` does not check.
    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x.bitPattern == y.bitPattern
        case let (.string(x), .string(y)): return Array(x.utf8) == Array(y.utf8)
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case let (.object(x), .object(y)):
            return x.keys.elementsEqual(y.keys) && zip(x.values, y.values).allSatisfy { identical($0, $1) }
        default: return false
        }
    }

    /// `parseAll` (the reader, then libyaml from where it stopped) gives exactly libyaml's
    /// documents, or libyaml's error at the same line and column with the same message.
    static func checkStreamAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let mixed = Result { () throws(YAMLError) in try YAML.parseAll(text, file: "f") }
        let slow = Result { () throws(YAMLError) in try YAML.parseAll(text, file: "f", subsetReader: false) }
        switch (mixed, slow) {
        case let (.success(a), .success(b)):
            let same = a.count == b.count && zip(a, b).allSatisfy { identical($0.value, $1.value) && $0.index == $1.index && $0.line == $1.line }
            if !same { Issue.record("parseAll differs from libyaml:\n\(text)", sourceLocation: sourceLocation) }
        case let (.failure(a), .failure(b)):
            if a != b { Issue.record("parseAll error \(a) differs from libyaml's \(b):\n\(text)", sourceLocation: sourceLocation) }
        default:
            Issue.record("parseAll \(mixed) but libyaml \(slow):\n\(text)", sourceLocation: sourceLocation)
        }
    }

    /// The property: no answer, or libyaml's answer exactly. Returns whether the reader answered.
    @discardableResult
    static func checkAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        checkStreamAgreement(text, sourceLocation: sourceLocation)
        guard let fast = subset(text) else { return false }
        let slow: [YAMLDocument]
        do {
            slow = try YAML.parseAll(text, file: nil, subsetReader: false)
        } catch {
            Issue.record("subset reader accepted text libyaml rejects (\(error)):\n\(text)", sourceLocation: sourceLocation)
            return true
        }
        let same = fast.count == slow.count && zip(fast, slow).allSatisfy {
            identical($0.value, $1.value) && $0.index == $1.index && $0.line == $1.line
        }
        if !same {
            Issue.record("subset reader differs from libyaml:\n\(text)\nsubset: \(fast.map { ($0.value, $0.index, $0.line) })\nlibyaml: \(slow.map { ($0.value, $0.index, $0.line) })",
                         sourceLocation: sourceLocation)
        }
        return true
    }

    static let deployment = """
        # A typical manifest
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: shop   # trailing comment
          labels: {app: web, tier: "front end", 'quoted key': 'it''s'}
          annotations:
            example.com/url: http://example.com/a?b=c#frag
            example.com/empty: ""
            note: a,b [c] {d}
        spec:
          replicas: 3
          paused: false
          progressDeadlineSeconds: 0x10
          selector:
            matchLabels:
              app: web
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: main
                image: nginx:1.27
                args: ["--port=8080", --verbose, '-x']
                ports: [{containerPort: 8080, protocol: TCP}]
                env:
                  - name: A
                    value: "1"
                  - name: B
                    value: yes
                  - name: C
                  - name: D
                    value: "tab\\tnew\\nline \\u00e9 \\x41 \\"q\\" \\\\"
                resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {}}
              - {name: side, image: "busybox"}
              volumes: []
              nodeSelector:
              tolerations:
              -
                key: k
              -
              - 12
              - -3
              - 1.5
              - 2e3
              - ~
              - 2001-12-14
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports:
          - port: 80
            targetPort: http
        ---   # the last one
        - a
        - b: 1
          c: 2
        - [x, [y, z], {k: v}]
        """

    @Test func readsTypicalManifestsExactlyAsLibyaml() {
        #expect(Self.checkAgreement(Self.deployment))
        let generated = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app3
              namespace: ns3
              labels: {app: app3, tier: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: app3}}
            """
        #expect(Self.checkAgreement(generated))
        #expect(Self.checkAgreement("a: 1\na: 2\nb: 3\n"))  // a repeated key keeps its first place
        #expect(Self.checkAgreement("1: one\ntrue: yes\n1.5: x\n2001-12-14: d\n"))  // non-string keys
        #expect(Self.checkAgreement("  indented: root\n  second: 2\n"))
        #expect(Self.checkAgreement("just a scalar"))
        #expect(Self.checkAgreement("---\na: 1\n---\nb: 2\n"))
        #expect(Self.checkAgreement("a:\n- 1\n- 2\nb:\n  - 3\n"))
        #expect(Self.checkAgreement("\n\n# c\n\na: 1 # c\n\n# end"))
        #expect(Self.checkAgreement("name: héllo ☃ # → comment\n\"ключ\": '日本'\nlist: [ü, {ö: ä}]\n"))
    }

    @Test func readsLiteralBlockScalars() {
        let texts = [
            "a: |\n  line1\n  line2\nb: 1\n",
            "a: |-\n  line1\n\n  line2\n\n\nb: 1\n",
            "a: |+\n  line1\n    more\n\n\nb: 1\n",
            "a: | # comment\n  # not a comment\n  ---\n# a comment\nb: 1\n",
            "- |\n  x\n- |-\n   y\n- k: |\n    z\n  l: 2\n",
            "key:\n- |\n  indentless\n",
            "a:\n  b: |\n    deep\n  c: |+\n    keep\n\n---\nd: 1\n",
        ]
        for text in texts { #expect(Self.checkAgreement(text), "\(text.debugDescription)") }
        for text in ["a: |2\n   x\n", "a: >\n  x\n", "a: |\n\n  x\n", "a: |\n  x\n   \n", "a: |\n  x", "a: |\nb: 1\n",
                     "a: \u{85}\n", "a: b\u{2028}\n", "\u{FEFF}a: 1\n", "a: \u{9F}\n"] {
            #expect(Self.subset(text) == nil, "expected a fallback for \(text.debugDescription)")
        }
    }

    @Test func leavesEverythingElseToLibyaml() {
        let unsupported = [
            "a: &x 1\nb: *x\n", "a: !!str 1\n", "a: >\n  text\n", "a: b\n  continued\n",
            "a: [1,\n  2]\n", "a:\tb\n", "a: b\r\n", "a: 1\n---\n", "---\n---\na: 1\n", "a: 1\n...\n",
            "<<: {a: 1}\n", "a: b: c\n", "a: 'open\n", "a: [1, 2, ]\n", "? a\n: b\n", "- - a\n", "%YAML 1.1\n---\na: 1\n",
            "a: .inf\n", "a: 1\n b: 2\n", "a:\n  b: 1\n c: 2\n", "a: {b}\n", "[a]: b\n", "a: \"x\"#c\n", "", "# only\n",
            "a: [nginx:1.27]\n", "--- a\n", "a: -\n", "a: \"\\q\"\n", "a: \"\\ud800\"\n", "{}\n", "-\n",
        ]
        for text in unsupported {
            #expect(Self.subset(text) == nil, "expected a fallback for \(text.debugDescription)")
        }
    }

    @Test func libyamlTakesOverFromTheFirstDocumentOutsideTheSubset() throws {
        let text = "a: 1\n---\nb: [2]\n--- # anchors next\nc: &x 3\nd: *x\n---\ne: 4\n---\n"
        let partial = Array(text.utf8).withUnsafeBufferPointer { BlockSubsetReader.read($0) }
        #expect(partial.documents.count == 2)
        #expect(partial.rest?.line == 4)
        Self.checkStreamAgreement(text)
        let docs = try YAML.parseAll(text)
        #expect(docs.map(\.index) == [0, 1, 2, 3, 4])
        #expect(docs.map(\.line) == [1, 3, 5, 8, 10])  // an empty document is on the line after its `---`
        do {
            _ = try YAML.parseAll("a: 1\n---\nb: 2\n---\nc: [1,\n", file: "x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 6)  // counted from the start of the text, not of libyaml's part
        }
        Self.checkStreamAgreement("a: 1\n---\nb: 2\n---\nc: [1,\n")
    }

    @Test func falsePathsStillParse() throws {
        // The fallback gives the same public answers as before the reader existed.
        let docs = try YAML.parseAll("a: 1\n---\n")
        #expect(docs.count == 2)
        #expect(throws: YAMLError.self) { try YAML.parseAll("a: b: c\n") }
    }

    /// Every YAML file in this repository's tests, charts and examples.
    @Test func agreesOnTheRepositoryCorpus() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var answered = 0
        var total = 0
        for dir in ["Tests", "charts", "manifests"] {
            guard let walker = FileManager.default.enumerator(atPath: root.path + "/" + dir) else { continue }
            for case let path as String in walker where path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
                guard let text = try? String(contentsOfFile: root.path + "/" + dir + "/" + path, encoding: .utf8) else { continue }
                total += 1
                if Self.checkAgreement(text) { answered += 1 }
            }
        }
        #expect(total > 50)
        #expect(answered > 0)
    }

    /// Small random edits of valid manifests, with the characters YAML cares about.
    @Test func agreesOnMutatedManifests() {
        var rng = SplitMix(seed: 0x5EED)
        let alphabet: [String] = [" ", "  ", "\n", ":", ": ", "-", "- ", "#", " #", "'", "\"", "{", "}", "[", "]", ",",
                                  "a", "1", "\\", "~", ".", "0x", "<<", "\n  ", "\n- ", "---\n", "yes", "null",
                                  "|", "|-", "|+", "é", "\u{2028}", "\u{85}", "...\n", "\n---\n", "--- ", "%", "&a ", "*a"]
        let seeds = [Self.deployment, "a: 1\nb: [x, y]\nc: {d: e}\n", "- a\n- b: c\n  d: 'e'\n", "k: \"v\\n\"\nl:\n- 1\n",
                     "data:\n  a.conf: |\n    x = 1\n\n    y: 2\n  b: |-\n    z\nn: é\n",
                     "a: 1\n---\nb: [2]\n---\nc: {d: 3}\n---\n- e\n"]
        var answered = 0
        for seed in seeds {
            let original = Array(seed.utf8)
            for _ in 0..<1000 {
                var text = original
                for _ in 0..<Int(rng.next() % 3 + 1) {
                    let at = Int(rng.next() % UInt64(text.count + 1))
                    switch rng.next() % 3 {
                    case 0 where at < text.count: text.remove(at: at)
                    case 1 where at < text.count: text[at] = Array(alphabet[Int(rng.next() % UInt64(alphabet.count))].utf8)[0]
                    default: text.insert(contentsOf: Array(alphabet[Int(rng.next() % UInt64(alphabet.count))].utf8), at: at)
                    }
                }
                if Self.checkAgreement(String(decoding: text, as: UTF8.self)) { answered += 1 }
            }
        }
        // Most single edits keep the text in the subset, so the property was exercised.
        #expect(answered > 1000)
    }
}

/// The word-at-a-time character check against a byte-by-byte statement of the same rule.
@Suite struct PlainCharacterCheckTests {
    static func reference(_ bytes: [UInt8]) -> Bool {
        for (i, b) in bytes.enumerated() {
            let b1 = i + 1 < bytes.count ? bytes[i + 1] : 0
            let b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            if b == 0x7F || (b < 0x20 && b != 0x0A) { return false }
            if b == 0xC2 && b1 < 0xA0 { return false }
            if b == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9) { return false }
            if b == 0xEF && ((b1 == 0xBB && b2 == 0xBF) || (b1 == 0xBF && b2 >= 0xBE)) { return false }
        }
        return true
    }

    static func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { BlockSubsetReader.hasOnlyPlainCharacters($0) } }

    @Test func everyByteValueAtEveryOffsetOfAWord() {
        let line = Array("metadata: {name: web, namespace: default}\n  labels: {app: web}\n".utf8)
        for offset in 0..<24 {
            for value in 0...255 {
                var bytes = line
                bytes[offset] = UInt8(value)
                #expect(Self.check(bytes) == Self.reference(bytes), "byte \(value) at \(offset)")
            }
        }
    }

    @Test func excludedCodePointsAcrossWordBoundaries() {
        let bad: [[UInt8]] = [[0xC2, 0x85], [0xE2, 0x80, 0xA8], [0xE2, 0x80, 0xA9], [0xEF, 0xBB, 0xBF], [0xEF, 0xBF, 0xBE], [0x09], [0x0D], [0x7F]]
        let good: [[UInt8]] = [[0xC2, 0xA9], [0xE2, 0x80, 0x94], [0xEF, 0xBC, 0x81], [0x0A]]
        for sequence in bad + good {
            for offset in 0..<17 {
                let bytes = Array(repeating: UInt8(ascii: "a"), count: offset) + sequence + Array(repeating: UInt8(ascii: "b"), count: 9)
                #expect(Self.check(bytes) == Self.reference(bytes), "\(sequence) at \(offset)")
                #expect(Self.check(bytes) == good.contains(sequence), "\(sequence) at \(offset)")
            }
        }
    }
}
