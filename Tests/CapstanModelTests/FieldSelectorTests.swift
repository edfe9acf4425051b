import Testing
@testable import CapstanModel

@Suite struct FieldSelectorTests {
    func message(_ s: String) -> String? {
        do { _ = try FieldSelector.parse(s); return nil } catch { return error.message }
    }

    @Test func parsesAndSortsTerms() throws {
        let s = try FieldSelector.parse("status.phase!=Running,metadata.name==web,spec.nodeName=n1")
        #expect(s.description == "metadata.name=web,spec.nodeName=n1,status.phase!=Running")
        #expect(s.requirements.map(\.operator) == [.doubleEquals, .equals, .notEquals])
        #expect(s.matches(["metadata.name": "web", "spec.nodeName": "n1", "status.phase": "Pending"]))
        #expect(!s.matches(["metadata.name": "web", "spec.nodeName": "n1", "status.phase": "Running"]))
        #expect(s.requiresExactMatch("spec.nodeName") == "n1")
        #expect(s.requiresExactMatch("status.phase") == nil)
    }

    @Test func emptyAndBlankTerms() throws {
        #expect(try FieldSelector.parse("").isEmpty)
        #expect(try FieldSelector.parse(",,").isEmpty)
        #expect(try FieldSelector.parse("a=b,").description == "a=b")
        // An absent field reads as the empty string.
        #expect(try FieldSelector.parse("spec.nodeName=").matches([:]))
        #expect(try FieldSelector.parse("spec.nodeName!=").matches(["spec.nodeName": "n"]))
    }

    @Test func escaping() throws {
        let s = try FieldSelector.parse(#"a=x\,y\=z\\w,b!=\,"#)
        #expect(s.requirements[0].value == #"x,y=z\w"#)
        #expect(s.requirements[1].value == ",")
        #expect(s.description == #"a=x\,y\=z\\w,b!=\,"#)
        #expect(FieldSelector.escape("a,b=c") == #"a\,b\=c"#)
        // `!` is not special in values.
        #expect(try FieldSelector.parse("a=!b").requirements[0].value == "!b")
    }

    @Test func operatorPrecedenceAtEachPosition() throws {
        // `!=` is found first at position 1, leaving "=b" as an (unescaped) value.
        #expect(message("a!==b") == "invalid field selector: unescaped character in value: 61")
        let d = try FieldSelector.parse("a==b").requirements[0]
        #expect(d.field == "a" && d.operator == .doubleEquals && d.value == "b")
        let n = try FieldSelector.parse("a!=b").requirements[0]
        #expect(n.field == "a" && n.operator == .notEquals && n.value == "b")
        let e = try FieldSelector.parse("x.y=!").requirements[0]
        #expect(e.field == "x.y" && e.operator == .equals && e.value == "!")
    }

    @Test func errors() {
        #expect(message("a") == "invalid selector: 'a'; can't understand 'a'")
        #expect(message("x=1,a") == "invalid selector: 'x=1,a'; can't understand 'a'")
        #expect(message("a=b=c") == "invalid field selector: unescaped character in value: 61")
        #expect(message(#"a=b\n"#) == #"invalid field selector: invalid escape sequence: \n"#)
        #expect(message(#"a=b\!"#) == #"invalid field selector: invalid escape sequence: \!"#)
        #expect(message(#"a=b\"#) == #"invalid field selector: invalid escape sequence: \"#)
    }

    @Test func fromSet() {
        #expect(FieldSelector(matching: ["b": "2", "a": "1"]).description == "a=1,b=2")
    }
}

@Suite struct SelectableFieldsTests {
    let pod: Value = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": "web-1", "namespace": "prod"],
        "spec": ["nodeName": "n1", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                 "serviceAccountName": "default", "hostNetwork": true],
        "status": ["phase": "Running", "podIP": "10.0.0.9", "podIPs": [["ip": "10.0.0.7"]]],
    ]
    let podKind = GroupKind(group: "", kind: "Pod")

    func check(_ text: String, _ kind: GroupKind) -> String? {
        do {
            _ = try SelectableFields.check(try FieldSelector.parse(text), kind: kind)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func podFields() throws {
        func matches(_ text: String) throws -> Bool { try FieldSelector.parse(text).matches(object: pod, kind: podKind) }
        #expect(try matches("metadata.name=web-1,metadata.namespace=prod"))
        #expect(try matches("spec.nodeName=n1,status.phase=Running,spec.restartPolicy=Always"))
        #expect(try matches("spec.schedulerName=default-scheduler,spec.serviceAccountName=default"))
        #expect(try matches("spec.hostNetwork=true"))
        #expect(try matches("status.podIP=10.0.0.7"))  // the first of podIPs wins
        #expect(try matches("status.nominatedNodeName="))
        #expect(!(try matches("status.phase!=Running")))
        #expect(try FieldSelector.parse("spec.hostNetwork=false").matches(object: ["kind": "Pod"], kind: podKind))
        #expect(try FieldSelector.parse("status.podIP=1.2.3.4").matches(object: ["status": ["podIP": "1.2.3.4"]], kind: podKind))
    }

    @Test func otherKinds() throws {
        let event: Value = ["metadata": ["name": "e", "namespace": "ns"], "reason": "Started", "type": "Normal",
                            "source": ["component": "kubelet"], "reportingComponent": "kubelet-x",
                            "involvedObject": ["kind": "Pod", "name": "web-1", "namespace": "ns", "uid": "u1",
                                               "apiVersion": "v1", "resourceVersion": "7", "fieldPath": "spec.containers{c}"]]
        let ev = GroupKind(group: "", kind: "Event")
        #expect(try FieldSelector.parse("involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.uid=u1,source=kubelet,reportingComponent=kubelet-x,type=Normal,reason=Started,involvedObject.fieldPath=spec.containers{c},involvedObject.apiVersion=v1,involvedObject.resourceVersion=7,involvedObject.namespace=ns").matches(object: event, kind: ev))
        let secret: Value = ["metadata": ["name": "s"], "type": "kubernetes.io/tls"]
        #expect(try FieldSelector.parse("type=kubernetes.io/tls").matches(object: secret, kind: GroupKind(group: "", kind: "Secret")))
        let node: Value = ["metadata": ["name": "n1"], "spec": ["unschedulable": true]]
        let nodeKind = GroupKind(group: "", kind: "Node")
        #expect(try FieldSelector.parse("spec.unschedulable=true").matches(object: node, kind: nodeKind))
        #expect(try FieldSelector.parse("spec.unschedulable=false").matches(object: ["metadata": ["name": "n2"]], kind: nodeKind))
        let ns: Value = ["metadata": ["name": "ns"], "status": ["phase": "Terminating"]]
        #expect(try FieldSelector.parse("status.phase=Terminating").matches(object: ns, kind: GroupKind(group: "", kind: "Namespace")))
        let job: Value = ["metadata": ["name": "j"], "status": ["succeeded": 3]]
        let jobKind = GroupKind(group: "batch", kind: "Job")
        #expect(try FieldSelector.parse("status.successful=3").matches(object: job, kind: jobKind))
        #expect(try FieldSelector.parse("status.successful=0").matches(object: ["metadata": ["name": "k"]], kind: jobKind))
        let rs: Value = ["metadata": ["name": "r"], "status": ["replicas": 2]]
        #expect(try FieldSelector.parse("status.replicas=2").matches(object: rs, kind: GroupKind(group: "apps", kind: "ReplicaSet")))
        let cm: Value = ["metadata": ["name": "c", "namespace": "x"]]
        #expect(try FieldSelector.parse("metadata.name=c,metadata.namespace=x").matches(object: cm, kind: GroupKind(group: "", kind: "ConfigMap")))
    }

    @Test func unsupportedFieldsAreRejectedWithKubernetesMessages() {
        #expect(check("spec.foo=x", podKind) == "field label not supported: spec.foo")
        #expect(check("metadata.name=a,spec.nodeName=b,status.podIPs=c", podKind) == nil)
        #expect(check("metadata.namespace=x", GroupKind(group: "", kind: "Node")) == "field label not supported: metadata.namespace")
        #expect(check("spec.x=1", GroupKind(group: "", kind: "ConfigMap"))
            == "\"spec.x\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
        #expect(check("metadata.namespace=a", GroupKind(group: "", kind: "ConfigMap")) == nil)
        #expect(check("status.active=1", GroupKind(group: "batch", kind: "Job")) == "field label \"status.active\" not supported for Job")
        #expect(check("spec.replicas=1", GroupKind(group: "apps", kind: "StatefulSet")) == "field label not supported for appsv1.StatefulSet: spec.replicas")
    }

    @Test func legacyAliasIsRewritten() throws {
        let checked = try SelectableFields.check(try FieldSelector.parse("spec.host=n1"), kind: podKind)
        #expect(checked.description == "spec.nodeName=n1")
        #expect(checked.matches(object: pod, kind: podKind))
    }

    @Test func supportedTable() {
        #expect(SelectableFields.supported(for: podKind)?.contains("spec.nodeName") == true)
        #expect(SelectableFields.supported(for: podKind)?.contains("metadata.namespace") == true)
        #expect(SelectableFields.supported(for: GroupKind(group: "", kind: "Node")) == ["metadata.name", "spec.unschedulable"])
        #expect(SelectableFields.supported(for: GroupKind(group: "", kind: "ConfigMap")) == nil)
    }
}

@Suite struct CompiledFieldSelectorTests {
    @Test func compiledAgreesWithDirectMatching() throws {
        let kinds = [GroupKind(group: "", kind: "Pod"), GroupKind(group: "", kind: "Node"), GroupKind(group: "batch", kind: "Job"),
                     GroupKind(group: "", kind: "ConfigMap")]
        let objects: [Value] = [
            ["metadata": ["name": "a", "namespace": "x"], "spec": ["nodeName": "n1", "unschedulable": true], "status": ["phase": "Running", "succeeded": 2]],
            ["metadata": ["name": "b"], "spec": [:], "status": ["podIP": "10.0.0.1"]],
            ["metadata": ["name": "c", "namespace": "y"]],
        ]
        let selectors = ["metadata.name=a", "metadata.namespace=x", "metadata.namespace=", "spec.nodeName=n1,status.phase!=Failed",
                         "spec.unschedulable=true", "status.successful=2", "status.successful=0", "status.podIP=10.0.0.1",
                         "spec.hostNetwork=false", "status.podIPs=", "bogus=", "bogus!=x"]
        for kind in kinds {
            for text in selectors {
                let selector = try FieldSelector.parse(text)
                let compiled = SelectableFields.compile(selector, kind: kind)
                for object in objects {
                    #expect(compiled.matches(object) == selector.matches(object: object, kind: kind), "\(kind) \(text) \(object)")
                }
            }
        }
    }
}
