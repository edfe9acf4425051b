@testable import CapstanChart
import CapstanModel
import Testing

/// Helm's `--set` language: paths, lists, indexes, escapes and type inference.
@Suite struct StrvalsTests {
    private func parse(_ s: String, _ mode: StrvalsParser.Mode = .typed) throws -> Value {
        var out = ValueObject()
        try StrvalsParser.parse(s, into: &out, mode: mode)
        return .object(out)
    }

    @Test func nestedKeysAndTypes() throws {
        let v = try parse("a.b=c,n=1000000,t=true,f=FALSE,z=0,lead=0123,neg=-5,fl=1.5,nil=null,big=99999999999999999999")
        #expect(v["a"]["b"] == "c")
        #expect(v["n"] == .int(1_000_000))
        #expect(v["t"] == true)
        #expect(v["f"] == false)
        #expect(v["z"] == .int(0))
        #expect(v["lead"] == "0123")
        #expect(v["neg"] == .int(-5))
        #expect(v["fl"] == "1.5")
        #expect(v.has("nil") && v["nil"] == .null)
        #expect(v["big"] == "99999999999999999999")
    }

    @Test func listsAndIndexes() throws {
        let v = try parse("list={a,b,3},arr[1].name=x,arr[0]=first,m[0][1]=deep")
        #expect(v["list"] == ["a", "b", .int(3)])
        #expect(v["arr"] == ["first", ["name": "x"]])
        #expect(v["m"] == [[.null, "deep"]])
    }

    @Test func escapes() throws {
        let v = try parse(#"name=a\,b,dotted\.key=v,path=c:\\x"#)
        #expect(v["name"] == "a,b")
        #expect(v["dotted.key"] == "v")
        #expect(v["path"] == #"c:\x"#)
    }

    @Test func stringMode() throws {
        let v = try parse("a=1,b=true,c=null", .string)
        #expect(v == ["a": "1", "b": "true", "c": "null"])
    }

    @Test func jsonMode() throws {
        let v = try parse(#"a={"x":[1,2]},b=3,c=,d="s""#, .json)
        #expect(v["a"] == ["x": [.double(1), .double(2)]])
        #expect(v["b"] == .double(3))
        #expect(v["c"] == .null)
        #expect(v["d"] == "s")
    }

    @Test func errors() {
        #expect(throws: ChartError.self) { try parse("a") }
        #expect(throws: ChartError.self) { try parse("a,b=1") }
        #expect(throws: ChartError.self) { try parse("a[-1]=x") }
        #expect(throws: ChartError.self) { try parse("a[70000]=x") }
        #expect(throws: ChartError.self) { try parse("a=1,a.b=2") }
        do {
            _ = try parse("name")
        } catch {
            #expect((error as? ChartError)?.description == "key \"name\" has no value")
        }
    }

    @Test func laterAssignmentsWin() throws {
        let v = try parse("a.b=1,a.c=2,a.b=3")
        #expect(v["a"] == ["b": .int(3), "c": .int(2)])
    }
}
