import CapstanModel
import Testing
@testable import CapstanAPIServer

extension ServerTests {
@Suite struct StoredJSONTests {
    /// The splice must give exactly the bytes of decode → set resourceVersion → encode.
    @Test(arguments: [
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"x","labels":{"k":"v"}},"data":{"v":"x}\"{,]"}}"#,
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{}}"#,
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","annotations":{"a":"{\"metadata\":{\"resourceVersion\":\"3\"}}"}},"spec":{"replicas":3,"paused":false,"x":null,"f":1.5,"l":[{"a":[1,2]},"s"]}}"#,
        #"{"apiVersion":"v1","kind":"Pod","spec":{"metadata":{}},"metadata":{"name":"late"},"status":{}}"#,
    ])
    func spliceMatchesDecoding(_ text: String) throws {
        let stored = Array(text.utf8)
        let apiVersion = try #require(Value.parseJSON(stored)["apiVersion"].stringValue)
        var spliced: [UInt8] = [1, 2]
        #expect(StoredJSON.appendWithRevision(stored, revision: 42, apiVersion: apiVersion, into: &spliced))
        let decoded = try ObjectCodec.decode(stored, revision: 42, apiVersion: apiVersion).jsonBytes()
        #expect(String(decoding: spliced.dropFirst(2), as: UTF8.self) == String(decoding: decoded, as: UTF8.self))
    }

    /// Shapes the splice must leave to the decoding path.
    @Test(arguments: [
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#, "apps/v1"),          // other version asked
        (#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a"}}"#, "v1"),                // other key order
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"resourceVersion":"9"}}"#, "v1"),     // revision present
        (#"{"apiVersion":"v1","kind":"ConfigMap","data":{}}"#, "v1"),                              // no metadata
        (#"{"apiVersion":"v1","kind":"ConfigMap", "metadata":{}}"#, "v1"),                         // not compact
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a""#, "v1"),                 // truncated
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":"s","data":{}}"#, "v1"),              // metadata no object
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"2"},"data":{}}"#, "v1"), // revision later
    ])
    func declinesOtherShapes(_ text: String, _ apiVersion: String) {
        var out: [UInt8] = [7]
        #expect(!StoredJSON.appendWithRevision(Array(text.utf8), revision: 1, apiVersion: apiVersion, into: &out))
        #expect(out == [7])
    }
}
}
