import CapstanModel
import Testing

@testable import CapstanAPI

/// Hostile and malformed input: every entry point must return (errors, not crashes) whatever
/// shape the object has. Deterministic pseudo-random mutations of valid fixtures.
@Suite struct RobustnessTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

        mutating func randomValue(depth: Int = 0) -> Value {
            switch below(depth > 3 ? 6 : 8) {
            case 0: return .null
            case 1: return .bool(below(2) == 0)
            case 2: return .int(Int64(below(200_000)) - 100_000)
            case 3: return .double(Double(below(1000)) / 7)
            case 4: return .string(["", "x", "Always", "-bad-", "25%", "nginx:latest", "a/b/c", "☃"][below(8)])
            case 5: return .string(String(repeating: "z", count: below(300)))
            case 6: return .array((0..<below(4)).map { _ in randomValue(depth: depth + 1) })
            default:
                var o: ValueObject = [:]
                for _ in 0..<below(4) { o[["name", "image", "spec", "ports", "x", "metadata"][below(6)]] = randomValue(depth: depth + 1) }
                return .object(o)
            }
        }

        /// Replaces one randomly chosen node of `value` with a random value.
        mutating func mutate(_ value: Value, depth: Int = 0) -> Value {
            if depth > 12 || below(4) == 0 { return randomValue() }
            switch value {
            case .object(var o) where !o.isEmpty:
                let key = o.keys[below(o.count)]
                o[key] = mutate(o[key] ?? .null, depth: depth + 1)
                return .object(o)
            case .array(var a) where !a.isEmpty:
                let i = below(a.count)
                a[i] = mutate(a[i], depth: depth + 1)
                return .array(a)
            default:
                return randomValue()
            }
        }
    }

    static var fixtures: [Value] {
        [
            Fixtures.deployment(), Fixtures.service(["ports": [["port": 80, "targetPort": "http"]], "selector": ["a": "b"]]),
            Fixtures.pod(["containers": [["name": "a", "image": "x", "ports": [["containerPort": 1]],
                "livenessProbe": ["httpGet": ["port": 80]]]], "volumes": [["name": "v", "configMap": ["name": "c"]]]]),
            ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "c"], "spec": ["schedule": "* * * * *",
                "jobTemplate": ["spec": ["template": ["spec": ["restartPolicy": "Never", "containers": [["name": "a", "image": "b"]]]]]]]],
            ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "s"], "spec": ["selector": ["matchLabels": ["a": "b"]],
                "template": ["metadata": ["labels": ["a": "b"]], "spec": ["containers": [["name": "a", "image": "b"]]]],
                "volumeClaimTemplates": [["metadata": ["name": "d"], "spec": ["accessModes": ["ReadWriteOnce"]]]]]],
            CustomResourceTests.widgetCRD(),
        ]
    }

    @Test func mutatedObjectsNeverCrashAnyEntryPoint() {
        var g = Generator(state: 42)
        let validator = ObjectValidator()
        let pruner = SchemaPruner()
        var reported = 0
        for fixture in Self.fixtures {
            for _ in 0..<80 {
                var object = g.mutate(fixture)
                // Keep identity most of the time so the kind-specific rules run.
                if g.below(4) != 0 {
                    object["apiVersion"] = fixture["apiVersion"]
                    object["kind"] = fixture["kind"]
                }
                reported += validator.validate(object).count
                _ = validator.validateUpdate(object, old: fixture)
                var defaulted = object
                Defaulter.apply(to: &defaulted)
                #expect(Defaulter.defaulted(defaulted) == defaulted, "defaulting is idempotent")
                var pruned = object
                pruner.prune(&pruned)
                #expect(validator.validate(pruned).unknownFields.isEmpty, "nothing unknown survives pruning")
                var admitted = defaulted
                PodAdmission.apply(to: &admitted, tokenVolumeSuffix: "x")
                if fixture["kind"] == "CustomResourceDefinition" {
                    _ = try? APICatalogue.builtin.adding(customResourceDefinition: object)
                }
            }
        }
        #expect(reported > 0)
    }
}
