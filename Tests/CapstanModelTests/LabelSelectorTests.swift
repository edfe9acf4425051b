import Testing
@testable import CapstanModel

/// Expected messages below were produced by kubectl 1.37 (`kubectl set selector --local`,
/// which runs the same parser) or read from apimachinery's `labels` package.
@Suite struct LabelSelectorParseTests {
    func parse(_ s: String) throws -> LabelSelector { try LabelSelector.parse(s) }

    func error(_ s: String) -> String? {
        do {
            _ = try LabelSelector.parse(s)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func equalityForms() throws {
        let s = try parse("app=web,tier==front,env!=prod")
        #expect(s.requirements.map(\.key) == ["app", "env", "tier"])
        #expect(s.requirements.map(\.operator) == [.equals, .notEquals, .doubleEquals])
        #expect(s.description == "app=web,env!=prod,tier==front")
        #expect(s.matches(["app": "web", "tier": "front"]))
        #expect(s.matches(["app": "web", "tier": "front", "env": "qa"]))
        #expect(!s.matches(["app": "web", "tier": "front", "env": "prod"]))
        #expect(!s.matches(["tier": "front"]))
    }

    @Test func setBasedForms() throws {
        let s = try parse("env in (prod, qa),tier notin (x),partition,!canary")
        #expect(s.description == "!canary,env in (prod,qa),partition,tier notin (x)")
        #expect(s.matches(["env": "qa", "partition": "1"]))
        #expect(s.matches(["env": "prod", "partition": "", "tier": "y"]))
        #expect(!s.matches(["env": "dev", "partition": "1"]))
        #expect(!s.matches(["env": "qa"]))
        #expect(!s.matches(["env": "qa", "partition": "1", "canary": "true"]))
        #expect(!s.matches(["env": "qa", "partition": "1", "tier": "x"]))
    }

    @Test func setValuesAreSortedAndDeduplicated() throws {
        let s = try parse("x in (c,a,b,a)")
        #expect(s.requirements[0].values == ["a", "b", "c"])
        #expect(s.description == "x in (a,b,c)")
    }

    @Test func emptyValuesInSets() throws {
        #expect(try parse("x in ()").requirements[0].values == [""])
        #expect(try parse("x in (,)").requirements[0].values == [""])
        #expect(try parse("x in (a,)").requirements[0].values == ["", "a"])
        #expect(try parse("x in (,a)").requirements[0].values == ["", "a"])
        #expect(try parse("x in (a,,b)").requirements[0].values == ["", "a", "b"])
        #expect(try parse("x notin ()").matches(["x": "v"]))
        #expect(!(try parse("x notin ()").matches(["x": ""])))
        #expect(try parse("x in ()").description == "x in ()")
    }

    @Test func emptyExactValue() throws {
        let s = try parse("a==")
        #expect(s.requirements[0].values == [""])
        #expect(s.matches(["a": ""]))
        #expect(!s.matches(["a": "x"]))
        #expect(!s.matches([:]))
        #expect(try parse("a=,b").description == "a=,b")
    }

    @Test func keywordsAreValuesInValuePositions() throws {
        #expect(try parse("a in (in)").requirements[0].values == ["in"])
        let s = try parse("in in (notin)")
        #expect(s.requirements[0].key == "in")
        #expect(s.matches(["in": "notin"]))
        #expect(try parse("in").requirements[0].operator == .exists)
        #expect(try parse("x=in").requirements[0].values == ["in"])
    }

    @Test func whitespaceSeparatesTokens() throws {
        #expect(try parse("  a = b ,\tc\n!= d ").description == "a=b,c!=d")
        #expect(try parse("x  in  ( a , b )").description == "x in (a,b)")
    }

    @Test func greaterAndLessThan() throws {
        let s = try parse("gen>3,size<10")
        #expect(s.description == "gen>3,size<10")
        #expect(s.matches(["gen": "4", "size": "9"]))
        #expect(!s.matches(["gen": "3", "size": "9"]))
        #expect(!s.matches(["gen": "4", "size": "10"]))
        #expect(!s.matches(["gen": "four", "size": "1"]))
        #expect(!s.matches(["size": "1"]))
        // The bound must also be a valid label value, so negative bounds are rejected...
        #expect(throws: LabelSelectorError.self) { try parse("a>-5") }
        // ...but label values on the node side may carry a sign in the comparison.
        #expect(try parse("a>5").matches(["a": "+6"]))
        #expect(try parse("a<5").matches(["a": "-6"]))
        #expect(!(try parse("a<1").matches(["a": "99999999999999999999"])))
    }

    @Test func emptyStringIsEverything() throws {
        let s = try parse("")
        #expect(s.isEmpty)
        #expect(s.matches([:]))
        #expect(s.description == "")
        #expect(try parse("   ").isEmpty)
    }

    @Test func equalKeysKeepTheirOrder() throws {
        #expect(try parse("b=1,a!=2,a=3").description == "a!=2,a=3,b=1")
    }

    @Test func requiresExactMatch() throws {
        let s = try parse("app=web,env in (prod),tier in (a,b),x!=y")
        #expect(s.requiresExactMatch("app") == "web")
        #expect(s.requiresExactMatch("env") == "prod")
        #expect(s.requiresExactMatch("tier") == nil)
        #expect(s.requiresExactMatch("x") == nil)
        #expect(s.requiresExactMatch("none") == nil)
    }

    @Test func prefixedKeys() throws {
        #expect(try parse("example.com/a=b").requirements[0].key == "example.com/a")
        #expect(try parse("app.kubernetes.io/name in (web)").matches(["app.kubernetes.io/name": "web"]))
    }

    @Test func syntaxErrors() {
        #expect(error("a!=b c") == "found 'c', expected: ',' or 'end of string'")
        #expect(error("x in a") == "unable to parse requirement: found 'a' expected: '('")
        #expect(error("x in (a b)") == "unable to parse requirement: found 'b', expected: ',' or ')'")
        #expect(error("x notin") == "unable to parse requirement: found '' expected: '('")
        #expect(error("(") == "found '(', expected: !, identifier, or 'end of string'")
        #expect(error("a,b)") == "unable to parse requirement: found ')', expected: in, notin, =, ==, !=, gt, lt")
        #expect(error("a b") == "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")
        #expect(error("!a=b") == "found '=', expected: ',' or 'end of string'")
        #expect(error("a=(") == "unable to parse requirement: found '(', expected: identifier")
        #expect(error("a in (") == "unable to parse requirement: found '', expected: ',', ')' or identifier")
        #expect(error("x in ((") == "unable to parse requirement: found '(', expected: ',', ')' or identifier")
        #expect(error("a=b=") == "found '=', expected: ',' or 'end of string'")
        #expect(error("x=a=b") == "found '=', expected: ',' or 'end of string'")
        #expect(error("=a") == "found '=', expected: !, identifier, or 'end of string'")
        #expect(error(",a") == "found ',', expected: !, identifier, or 'end of string'")
        #expect(error("a,") == "found '', expected: identifier after ','")
        #expect(error("a,,b") == "found ',', expected: identifier after ','")
        #expect(error("!") == "unable to parse requirement: found '', expected: identifier")
        #expect(error("x in (a,=)") == "unable to parse requirement: found '=', expected: ',', or identifier")
    }

    @Test func keyValidationErrors() {
        let long = String(repeating: "a", count: 70)
        #expect(error("\(long)=x") == "unable to parse requirement: <nil>: Invalid value: \"\(long)\": name part must be no more than 63 bytes")
        #expect(error("/x") == "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty")
        #expect(error("Ab.c/x=y") == "unable to parse requirement: <nil>: Invalid value: \"Ab.c/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        #expect(error("a/b/c") == "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")
        #expect(error("a-") == "unable to parse requirement: <nil>: Invalid value: \"a-\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        // Two problems with one key are joined with "; ".
        #expect(error("x/") == "unable to parse requirement: <nil>: Invalid value: \"x/\": name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
    }

    @Test func valueValidationErrors() {
        let long = String(repeating: "a", count: 70)
        #expect(error("x=\(long)") == "unable to parse requirement: values[0][x]: Invalid value: \"\(long)\": must be no more than 63 bytes")
        let bad = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        #expect(error("x=a-") == "unable to parse requirement: values[0][x]: Invalid value: \"a-\": " + bad)
        #expect(error("x in (a,b-)") == "unable to parse requirement: values[1][x]: Invalid value: \"b-\": " + bad)
        #expect(error("x>a") == "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer")
        #expect(error("a<b") == "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer")
        // Several problems aggregate into one bracketed list.
        #expect(error("x>a-") == "unable to parse requirement: [values[0]: Invalid value: \"a-\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: \"a-\": " + bad + "]")
    }

    @Test func quotesOddCharactersLikeGo() {
        #expect(error("a\"b=c")?.contains("Invalid value: \"a\\\"b\"") == true)
        #expect(error("é=1")?.contains("Invalid value: \"é\"") == true)
    }

    @Test func neverCrashesOnJunk() {
        for junk in ["\u{0}", "a\u{0}b", "!!!", "((((", ")))", "<>", "a<>b", "a in (b))", "x in (a,b", "==", "!=", ",,,", "a\u{0}=b"] {
            _ = try? LabelSelector.parse(junk)
        }
    }
}

@Suite struct LabelSelectorModelTests {
    @Test func everythingAndNothing() {
        #expect(LabelSelector.everything.isEmpty)
        #expect(LabelSelector.everything.matches(["a": "b"]))
        #expect(!LabelSelector.nothing.isEmpty)
        #expect(!LabelSelector.nothing.matches([:]))
        #expect(LabelSelector.nothing.description == "")
        #expect(!LabelSelector.nothing.matches(object: ["metadata": ["labels": ["a": "b"]]]))
        #expect(LabelSelector.nothing.adding([LabelSelector.Requirement(key: "a", operator: .exists, values: [])]).matchesNothing)
    }

    @Test func fromMatchLabels() {
        let s = LabelSelector(matchLabels: ["b": "2", "a": "1"])
        #expect(s.description == "a=1,b=2")
        #expect(s.matches(["a": "1", "b": "2", "c": "3"]))
        #expect(!s.matches(["a": "1"]))
        #expect(LabelSelector(matchLabels: [:]).isEmpty)
    }

    @Test func matchesObjectsInPlace() throws {
        let s = try LabelSelector.parse("app=web,!canary")
        let pod: Value = ["metadata": ["name": "p", "labels": ["app": "web", "n": 3]]]
        #expect(s.matches(object: pod))
        #expect(!s.matches(object: ["metadata": ["labels": ["app": "db"]]]))
        #expect(!s.matches(object: ["metadata": ["name": "no-labels"]]))
        #expect(try LabelSelector.parse("!app").matches(object: ["metadata": ["name": "no-labels"]]))
        // Non-string label values count as absent.
        #expect(try LabelSelector.parse("!n").matches(object: pod))
    }

    @Test func validatingRequirementInit() throws {
        let r = try LabelSelector.Requirement(validating: "a", .greaterThan, ["3"])
        #expect(r.matches { $0 == "a" ? "4" : nil })
        #expect(throws: LabelSelectorError.self) { try LabelSelector.Requirement(validating: "a", .in, []) }
        do {
            _ = try LabelSelector.Requirement(validating: "a", .equals, ["x", "y"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value")
        }
    }
}

@Suite struct StructuredLabelSelectorTests {
    @Test func nullIsNothingAndEmptyIsEverything() throws {
        #expect(try LabelSelector(structured: .null).matchesNothing)
        #expect(try LabelSelector(structured: [:]).isEmpty)
        #expect(try LabelSelector(structured: ["matchLabels": [:], "matchExpressions": []]).isEmpty)
    }

    @Test func labelsAndExpressions() throws {
        let v: Value = [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "env", "operator": "In", "values": ["qa", "prod"]],
                ["key": "tier", "operator": "NotIn", "values": ["db"]],
                ["key": "track", "operator": "Exists"],
                ["key": "canary", "operator": "DoesNotExist"],
            ],
        ]
        let s = try LabelSelector(structured: v)
        #expect(s.description == "app=web,!canary,env in (prod,qa),tier notin (db),track")
        #expect(s.matches(["app": "web", "env": "qa", "track": "stable"]))
        #expect(!s.matches(["app": "web", "env": "qa", "track": "stable", "canary": "1"]))
        #expect(!s.matches(["app": "web", "env": "dev", "track": "stable"]))
        #expect(!s.matches(["app": "web", "env": "qa", "tier": "db", "track": "x"]))
    }

    func message(_ v: Value) -> String? {
        do {
            _ = try LabelSelector(structured: v)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func newRequirementMessages() {
        #expect(message(["matchExpressions": [["key": "a", "operator": "In"]]])
            == "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty")
        #expect(message(["matchExpressions": [["key": "a", "operator": "NotIn", "values": []]]])
            == "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty")
        #expect(message(["matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]])
            == "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist")
        #expect(message(["matchExpressions": [["key": "a", "operator": "Gt", "values": ["1"]]]])
            == "\"Gt\" is not a valid label selector operator")
        #expect(message(["matchLabels": ["a-": "x"]])?.hasPrefix("key: Invalid value: \"a-\": name part must consist") == true)
        #expect(message(["matchLabels": ["a": "x-"]])?.hasPrefix("values[0][a]: Invalid value: \"x-\": a valid label") == true)
        #expect(message(["matchLabels": "app=web"]) != nil)
        #expect(message(["matchExpressions": [["key": "a", "operator": "In", "values": [1]]]]) != nil)
        #expect(message("nope") != nil)
    }

    @Test func apiServerValidation() {
        let v: Value = [
            "matchLabels": ["ok": "fine", "bad-": "v-"],
            "matchExpressions": [
                ["key": "a", "operator": "In"],
                ["key": "b", "operator": "Exists", "values": ["x"]],
                ["key": "c", "operator": "Maybe"],
                ["key": "d", "operator": "In", "values": ["ok", "no-"]],
            ],
        ]
        let issues = LabelSelector.validate(structured: v, path: "spec.selector").map(\.description)
        #expect(issues.count == 6)
        #expect(issues[0].hasPrefix("spec.selector.matchLabels: Invalid value: \"bad-\": name part must consist"))
        #expect(issues[1].hasPrefix("spec.selector.matchLabels: Invalid value: \"v-\": a valid label must be"))
        #expect(issues[2] == "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'")
        #expect(issues[3] == "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        #expect(issues[4] == "spec.selector.matchExpressions[2].operator: Invalid value: \"Maybe\": not a valid selector operator")
        #expect(issues[5].hasPrefix("spec.selector.matchExpressions[3].values[1]: Invalid value: \"no-\": a valid label"))
        #expect(LabelSelector.validate(structured: .null, path: "spec.selector").isEmpty)
        #expect(LabelSelector.validate(structured: ["matchLabels": ["a": "b"]], path: "x").isEmpty)
    }
}

@Suite struct NodeSelectorTests {
    @Test func operators() throws {
        let labels = ["zone": "a", "cpus": "8", "gpu": ""]
        func req(_ v: Value) throws -> NodeSelectorRequirement { try NodeSelectorRequirement(v) }
        #expect(try req(["key": "zone", "operator": "In", "values": ["a", "b"]]).matches(labels))
        #expect(!(try req(["key": "zone", "operator": "NotIn", "values": ["a"]]).matches(labels)))
        #expect(try req(["key": "disk", "operator": "NotIn", "values": ["ssd"]]).matches(labels))
        #expect(try req(["key": "gpu", "operator": "Exists"]).matches(labels))
        #expect(try req(["key": "disk", "operator": "DoesNotExist"]).matches(labels))
        #expect(try req(["key": "cpus", "operator": "Gt", "values": ["4"]]).matches(labels))
        #expect(!(try req(["key": "cpus", "operator": "Gt", "values": ["8"]]).matches(labels)))
        #expect(try req(["key": "cpus", "operator": "Lt", "values": ["9"]]).matches(labels))
        #expect(!(try req(["key": "zone", "operator": "Lt", "values": ["9"]]).matches(labels)))
        #expect(!(try req(["key": "missing", "operator": "Gt", "values": ["0"]]).matches(labels)))
    }

    @Test func validation() {
        func message(_ v: Value) -> String? {
            do { _ = try NodeSelectorRequirement(v); return nil } catch { return error.message }
        }
        #expect(message(["key": "a", "operator": "Gt", "values": ["1", "2"]])
            == "values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' operators, exactly one value is required")
        #expect(message(["key": "a", "operator": "Lt", "values": ["x"]])
            == "values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer")
        #expect(message(["key": "a", "operator": "Near"]) == "\"Near\" is not a valid node selector operator")
        #expect(message(["key": "a", "operator": "DoesNotExist", "values": ["x"]]) != nil)
    }

    @Test func termsAreOredAndEmptyTermsMatchNothing() throws {
        let t1 = try NodeSelectorTerm(["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]])
        let t2 = try NodeSelectorTerm(["matchFields": [["key": "metadata.name", "operator": "In", "values": ["node-2"]]]])
        #expect(t1.matches(nodeName: "n1", labels: ["zone": "a"]))
        #expect(!t1.matches(nodeName: "n1", labels: ["zone": "b"]))
        #expect(t2.matches(nodeName: "node-2", labels: [:]))
        #expect(!t2.matches(nodeName: "node-3", labels: [:]))
        #expect(NodeSelectorTerm.anyMatches([t1, t2], nodeName: "node-2", labels: ["zone": "b"]))
        #expect(!NodeSelectorTerm.anyMatches([t1, t2], nodeName: "node-3", labels: ["zone": "b"]))
        #expect(!NodeSelectorTerm().matches(nodeName: "n", labels: [:]))
        #expect(!NodeSelectorTerm.anyMatches([], nodeName: "n", labels: [:]))
        #expect(throws: LabelSelectorError.self) {
            try NodeSelectorTerm(["matchFields": [["key": "spec.nodeName", "operator": "In", "values": ["x"]]]])
        }
        func message(_ v: Value) -> String? {
            do { _ = try NodeSelectorTerm(v); return nil } catch { return error.message }
        }
        #expect(message(["matchFields": [["key": "metadata.name", "operator": "In", "values": ["a", "b"]]]])
            == "unexpected number of value (2) for node field selector operator \"In\"")
        #expect(message(["matchFields": [["key": "metadata.name", "operator": "Exists"]]])
            == "\"Exists\" is not a valid node field selector operator")
        let notIn = try NodeSelectorTerm(["matchFields": [["key": "metadata.name", "operator": "NotIn", "values": ["n1"]]]])
        #expect(notIn.matches(nodeName: "n2", labels: [:]))
        #expect(!notIn.matches(nodeName: "n1", labels: [:]))
    }
}

@Suite struct LabelSelectorConversionTests {
    @Test func toStructured() throws {
        let v = try LabelSelector.parse("app=web,env in (qa,prod),!canary,track").structured()
        #expect(v == [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "canary", "operator": "DoesNotExist"],
                ["key": "env", "operator": "In", "values": ["prod", "qa"]],
                ["key": "track", "operator": "Exists"],
            ],
        ])
        #expect(try LabelSelector.parse("").structured() == [:])
        // The structured form reads back to the same selector.
        let again = try LabelSelector(structured: v)
        #expect(again.description == "app=web,!canary,env in (prod,qa),track")
    }

    @Test func unsupportedOperators() {
        func message(_ s: String) -> String? {
            do { _ = try LabelSelector.parse(s).structured(); return nil } catch { return error.message }
        }
        #expect(message("x>1") == "\"gt\" isn't supported in label selectors")
        #expect(message("x<1") == "\"lt\" isn't supported in label selectors")
        #expect(message("x!=1") == "\"!=\" is not a valid label selector operator")
    }

    @Test func formatForPrinters() {
        #expect(LabelSelector.format(structured: ["matchLabels": ["app": "web"]]) == "app=web")
        #expect(LabelSelector.format(structured: [:]) == "<none>")
        #expect(LabelSelector.format(structured: .null) == "<none>")
        #expect(LabelSelector.format(structured: ["matchExpressions": [["key": "a", "operator": "Bad"]]]) == "<error>")
    }

    @Test func ageCells() throws {
        let now = try Timestamp(rfc3339: "2026-11-21T21:00:00Z")
        #expect(Timestamp.age(of: "2026-11-21T20:55:00Z", at: now) == "5m")
        #expect(Timestamp.age(of: .null, at: now) == "<unknown>")
    }
}

@Suite struct LabelSetFormattingTests {
    @Test func validatedFromSet() throws {
        #expect(try LabelSelector(validatingMatchLabels: ["b": "2", "a": "1"]).description == "a=1,b=2")
        #expect(try LabelSelector(validatingMatchLabels: [:]).isEmpty)
        #expect(throws: LabelSelectorError.self) { try LabelSelector(validatingMatchLabels: ["a": "bad value"]) }
        #expect(throws: LabelSelectorError.self) { try LabelSelector(validatingMatchLabels: ["bad key": "v"]) }
    }

    @Test func formatLabels() {
        #expect(LabelSelector.formatLabels([:]) == "<none>")
        #expect(LabelSelector.formatLabels(["tier": "web", "app": "shop", "app.kubernetes.io/name": "x"])
            == "app=shop,app.kubernetes.io/name=x,tier=web")
    }

    @Test func valueQuantity() {
        let pod: Value = ["resources": ["requests": ["cpu": "250m", "memory": "64Mi", "gpu": 1, "bad": "x"]]]
        #expect(pod["resources"]["requests"]["cpu"].quantity?.milliValue == 250)
        #expect(pod["resources"]["requests"]["memory"].quantity?.value == Int64(64 * 1024 * 1024))
        #expect(pod["resources"]["requests"]["gpu"].quantity?.value == 1)
        #expect(pod["resources"]["requests"]["bad"].quantity == nil)
        #expect(pod["resources"]["limits"]["cpu"].quantity == nil)
    }
}
