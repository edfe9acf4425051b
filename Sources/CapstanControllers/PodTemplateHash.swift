import CapstanModel

/// The `pod-template-hash` of a Deployment's pod template.
///
/// Kubernetes hashes the template with 32-bit FNV-1a, feeds the collision count (when set) as
/// eight little-endian bytes of which the low four carry the count, prints the 32-bit sum in
/// decimal and maps every byte of that decimal string onto the "safe" alphabet (no vowels, no
/// look-alike digits) so the result can never spell a word. Kubernetes hashes a dump of its Go
/// struct; we hash the template's canonical JSON (sorted keys, compact) instead — the same
/// template always gives the same hash and a collision count changes it, but the value is not
/// byte-identical to a Go controller's for the same template.
public enum PodTemplateHash {
    static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)

    public static func compute(template: Value, collisionCount: Int64?) -> String {
        var hash = FNV32a()
        hash.write(canonical(template).jsonBytes(JSONOptions(sortKeys: true)))
        if let collisionCount {
            let c = UInt32(truncatingIfNeeded: collisionCount)
            hash.write([UInt8(c & 0xff), UInt8((c >> 8) & 0xff), UInt8((c >> 16) & 0xff), UInt8(c >> 24), 0, 0, 0, 0])
        }
        return safeEncode(String(hash.value))
    }

    /// Maps every byte onto the safe alphabet (Kubernetes' rand.SafeEncodeString).
    public static func safeEncode(_ s: String) -> String {
        String(decoding: s.utf8.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// The template without the hash label itself.
    static func canonical(_ template: Value) -> Value {
        var t = template
        t["metadata"]["labels"].removeValue(forKey: DeploymentController.hashLabel)
        if t["metadata"]["labels"].objectValue?.isEmpty == true { t["metadata"].removeValue(forKey: "labels") }
        return t
    }
}

/// 32-bit FNV-1a.
struct FNV32a {
    private(set) var value: UInt32 = 2_166_136_261
    mutating func write(_ bytes: [UInt8]) {
        for b in bytes {
            value ^= UInt32(b)
            value = value &* 16_777_619
        }
    }
}
