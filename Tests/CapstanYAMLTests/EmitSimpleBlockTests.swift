import Testing
import CapstanModel
@testable import CapstanYAML

/// `YAML.emitSimpleBlock` (the direct writer `toYaml` uses) gives exactly libyaml's text
/// whenever it answers, over many random trees built from awkward keys and scalars.
@Suite struct EmitSimpleBlockTests {
    /// A small deterministic generator (the test must give the same trees every run).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let words = [
        "a", "name", "app.kubernetes.io/name", "x-y", "key_1", "true", "false", "null", "~", "yes", "No", "on",
        "1", "-1", "+1", "0x1F", "1e3", "1.5", "1:20", "12:30:45", "<<", "", " ", "a b", "a  b", " a", "a ", "a: b",
        "a:b", "a:", ":a", "a #b", "a#b", "#a", "-a", "- a", "-", "?a", "? a", "a?", "[a]", "a[0]", "{a}", "a,b",
        "&a", "*a", "!a", "|a", ">a", "'a'", "\"a\"", "a\"b", "a\\b", "%a", "@a", "`a", "---", "...", "--a", "..a",
        "é", "a\tb", "a\nb", "line1\nline2\n", "http://example.com:8080/path?q=1#frag", "nginx:1.25",
        "IfNotPresent", "ClusterIP", "100m", "128Mi", "0", "00", "0.0", ".5", "1_000", "NaN", ".inf",
        String(repeating: "long word ", count: 9), String(repeating: "x", count: 130), String(repeating: "k", count: 129),
        "short text with spaces that may fold when placed deep in the tree at a far column",
    ]

    static func scalar(_ g: inout Generator) -> Value {
        switch g.next(8) {
        case 0: return .null
        case 1: return .bool(g.next(2) == 0)
        case 2: return .int(Int64(g.next(2001)) - 1000)
        case 3: return .double([0.5, 1e21, 1e-7, -2.25, 3.0, 1e6, 123456789.0][g.next(7)])
        default: return .string(words[g.next(words.count)])
        }
    }

    static func value(_ g: inout Generator, depth: Int) -> Value {
        let r = g.next(10)
        if depth >= 5 || r < 4 { return scalar(&g) }
        if r < 7 {
            var o = ValueObject()
            for _ in 0..<g.next(5) { o[words[g.next(words.count)]] = value(&g, depth: depth + 1) }
            return .object(o)
        }
        return .array((0..<g.next(4)).map { _ in value(&g, depth: depth + 1) })
    }

    @Test func agreesWithLibyaml() {
        var g = Generator(state: 42)
        var answered = 0
        for i in 0..<6000 {
            var v = Self.value(&g, depth: 0)
            // Mostly collections at the top, as `toYaml` gets them.
            if i % 10 != 0 {
                switch v {
                case .object, .array: break
                default: v = .object(["k": v, "list": .array([v, v])])
                }
            }
            guard let fast = YAML.emitSimpleBlock(v) else { continue }
            answered += 1
            #expect(fast == YAML.emit(v), "\(v)")
        }
        // The fast path must actually be exercised for the comparison to mean anything.
        #expect(answered > 500)
    }

    @Test func typicalHelmValues() {
        let v: Value = .object([
            "resources": .object(["limits": .object(["cpu": "100m", "memory": "128Mi"])]),
            "ports": .array([.object(["containerPort": 80, "name": "http", "protocol": "TCP"])]),
            "args": .array(["serve", "value with spaces", .array(["nested", 1])]),
            "empty": .object([:]), "none": .array([]), "on": true, "n": 1.5,
        ])
        let fast = YAML.emitSimpleBlock(v)
        #expect(fast != nil)
        #expect(fast == YAML.emit(v))
    }
}
