import Testing
import CapstanModel
@testable import CapstanTemplate

@Test func liftsValueNumbersAsFloat64() {
    let v = TemplateValue(["a": 1, "b": [true, "x"]] as Value)
    guard case .map(let m) = v, case .float64(1) = m["a"] else { Issue.record("expected float64"); return }
    #expect(v.goTypeName == "map[string]interface {}")
}
