/// `metadata.generateName` suffixes, as Kubernetes' `SimpleNameGenerator` makes them: the base
/// cut to 58 bytes, then 5 random characters from an alphabet without vowels (so no words
/// form) and without look-alike characters (`0 1 3 a e i o u y`).
public enum GenerateName {
    public static let alphabet: [UInt8] = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
    public static let randomLength = 5
    /// 63 (max label length) minus the random suffix.
    public static let maxBaseLength = 58

    /// `base` (truncated) plus a fresh random suffix.
    public static func name<R: RandomNumberGenerator>(base: String, using generator: inout R) -> String {
        // Kubernetes cuts bytes; cut at a character boundary instead so the result stays
        // valid UTF-8 (only matters for names that are invalid anyway).
        var bytes: [UInt8] = []
        for scalar in base.unicodeScalars {
            let encoded = Array(String(scalar).utf8)
            if bytes.count + encoded.count > maxBaseLength { break }
            bytes += encoded
        }
        for _ in 0..<randomLength {
            bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func name(base: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return name(base: base, using: &generator)
    }
}
