import CapstanTestSupport
import Foundation
import Testing
@testable import CapstanModel

/// Live comparisons with kubectl 1.37, which links the same apimachinery code the API server
/// uses: `kubectl set resources --local` re-encodes every quantity of a pod template, and
/// `kubectl set selector --local` runs the label selector parser. Missing kubectl fails the
/// test under CI=true and is recorded as a skip reason elsewhere.
@Suite struct KubectlOracleTests {
    func kubectl() -> String? {
        if let path = Oracle.kubectl { return path }
        if Oracle.isCI { Issue.record(Comment(rawValue: Oracle.missing("kubectl 1.37"))) }
        return nil
    }

    @Test func quantitiesPrintLikeKubectl() throws {
        guard let kubectl = kubectl() else { return }
        let inputs = QuantityTests.printed.map(\.0) + ["3.25Gi", "250000u", "7e2", "1.000001", "2.5e-7", "999999999n",
                                                       "1025Ki", "0.125", "64Ei", "-1.5", "-2Gi", "1e-9", "4096"]
        var containers = ""
        for (i, q) in inputs.enumerated() {
            containers += "      - {name: c\(i), image: i, resources: {limits: {cpu: \"\(q)\"}}}\n"
        }
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
            \(containers)      - {name: zz, image: i}

            """
        let out = try Oracle.run(kubectl, ["set", "resources", "--local", "-f", "-", "--containers=zz", "--limits=cpu=1",
                                           "-o", "jsonpath={range .spec.template.spec.containers[*]}{.resources.limits.cpu}{\"\\n\"}{end}"],
                                 input: manifest)
        #expect(out.status == 0, "\(out.stderr)")
        let printed = out.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(printed.count >= inputs.count + 1, "kubectl printed \(printed.count) lines")
        for (i, input) in inputs.enumerated() where i < printed.count {
            #expect(try Quantity(parsing: input).description == printed[i], "input \(input)")
        }
    }

    @Test func quantityErrorsMatchKubectl() throws {
        guard let kubectl = kubectl() else { return }
        for bad in ["abc", "1K", "1e", "1.2.3", "--1"] {
            let out = try Oracle.run(kubectl, ["set", "resources", "--local", "-f", "-", "--limits=cpu=\(bad)", "-o", "name"],
                                     input: Self.service.replacingOccurrences(of: "kind: Service", with: "kind: Pod")
                                        .replacingOccurrences(of: "spec:\n  selector: {a: b}", with: "spec:\n  containers: [{name: c, image: i}]"))
            var ours = ""
            do { _ = try Quantity(parsing: bad) } catch { ours = error.kubernetesMessage }
            #expect(out.stderr.contains(ours) && !ours.isEmpty, "\(bad): kubectl said \(out.stderr)")
        }
    }

    static let service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: x
        spec:
          selector: {a: b}

        """

    static let badSelectors: [String] = {
        let long = String(repeating: "a", count: 70)
        return ["x>a-", "x in (a,b-)", "a!=b c", "x in a", "x in (a b)", "x notin", "(", "a,b)", "!a=b", "a=(",
                "a in (", "x in ((", "a_b/c", "a<b", "a=b=", "=a", ",a", "a,", "!", "a b", "Ab.c/x=y", "/x", "a/b/c",
                "a-", "x=a-", "x>a", "\(long)=x", "x=\(long)", "x/=1", "a,,b", "x in (a,=)", "a==b==c", "é=1"]
    }()

    @Test(arguments: badSelectors)
    func labelSelectorErrorsMatchKubectl(input: String) throws {
        guard let kubectl = kubectl() else { return }
        let out = try Oracle.run(kubectl, ["set", "selector", "--local", "-f", "-", "-o", "name", input], input: Self.service)
        let prefix = "error: couldn't parse the selector string \"\(input)\": "
        let theirs = out.stderr.hasPrefix(prefix)
            ? String(out.stderr.dropFirst(prefix.count)).trimmingCharacters(in: .newlines) : "(kubectl: \(out.stderr))"
        var ours = "(parsed)"
        do { _ = try LabelSelector.parse(input) } catch { ours = error.message }
        #expect(ours == theirs, "selector \(input)")
    }

    @Test func equalitySelectorsParseLikeKubectl() throws {
        guard let kubectl = kubectl() else { return }
        for input in ["a==", "example.com/a=b", "a.b/c=d,x=y", "  k = v "] {
            let out = try Oracle.run(kubectl, ["set", "selector", "--local", "-f", "-", "-o", "jsonpath={.spec.selector}", input],
                                     input: Self.service)
            #expect(out.status == 0, "\(input): \(out.stderr)")
            let theirs = try Value.parseJSON(out.stdout)
            let ours = try LabelSelector.parse(input)
            var map = ValueObject()
            for r in ours.requirements { map[r.key] = .string(r.values[0]) }
            #expect(theirs == .object(map), "\(input)")
        }
    }
}
