import Testing
@testable import CapstanModel

/// `memberIndex` skips members by length before comparing: it must find exactly what
/// `index(forKey:)` finds, for small objects (scanned) and large ones (hashed).
@Suite struct MemberLookupTests {
    @Test func findsWhatTheDictionaryFinds() {
        for size in [0, 1, 3, 15, 16, 40] {
            var object = ValueObject()
            for i in 0..<size { object["k\(i % 2 == 0 ? "" : "ey")\(i)"] = .int(Int64(i)) }
            object["é"] = "accent"
            let probes = object.keys.elements + ["", "k", "key", "k0x", "ke", "k00", "é", "e\u{301}", "missing"]
            for probe in probes {
                let scanned = object.memberIndex(probe)
                if Array(probe.utf8) == Array("e\u{301}".utf8) && object.count <= 15 {
                    // Equal to "é" for Swift, different bytes and length: not the same key here.
                    #expect(scanned == nil)
                } else {
                    #expect(scanned == object.index(forKey: probe), "size \(size), key \(probe)")
                }
                #expect(object.member(probe) == scanned.map { object.values[$0] })
            }
        }
        let value: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a", "namespace": "b"]]
        #expect(value["kind"] == "ConfigMap" && value["kinds"] == .null && value.has("metadata") && !value.has("meta"))
        #expect(value.name == "a" && value.namespace == "b" && value.apiVersion == "v1" && value.kind == "ConfigMap")
    }
}
