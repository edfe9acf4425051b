import Foundation
import Testing

@testable import CapstanClient

@Suite struct APIPathTests {
    /// The escape's shortcut (unreserved text returned as is) and its slow path agree with
    /// Foundation's percent-encoding over RFC 3986's unreserved set.
    @Test func escapeMatchesFoundation() {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        var samples = ["", "web", "kube-system", "app.v1_x~", "a b", "app=web,tier!=db", "x/y?z#w&v", "100%", "ünï©ødé", "🚀", "tab\tnew\nline"]
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("az09-._~ %/=&?+,:;é€🚀\t")
        for _ in 0..<300 {
            samples.append(String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! }))
        }
        for s in samples {
            #expect(APIPath.escape(s) == s.addingPercentEncoding(withAllowedCharacters: unreserved), "\(s)")
        }
        #expect(APIPath.withQuery("/api/v1/pods", [("labelSelector", "app=web"), ("limit", "5")]) == "/api/v1/pods?labelSelector=app%3Dweb&limit=5")
    }
}
