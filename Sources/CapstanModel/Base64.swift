/// Standard base64 with padding, as Go's `encoding/base64.StdEncoding` writes and reads it
/// (what `[]byte` fields, Secrets' `data` and sprig's `b64enc`/`b64dec` use).
public enum Base64 {
    /// A decoding failure, worded like Go's `base64.CorruptInputError`.
    public struct DecodeError: Error, Sendable, Hashable { public var message: String }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// `base64.StdEncoding.EncodeToString`.
    public static func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((b.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < b.count {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = b.count - i
        if rest == 1 {
            let n = UInt32(b[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let n = UInt32(b[i]) << 16 | UInt32(b[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `base64.StdEncoding.DecodeString` (newlines ignored, padding required).
    public static func decode(_ s: String) -> Result<[UInt8], DecodeError> {
        var table = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        let input = Array(s.utf8)
        var out: [UInt8] = []
        var quad: [Int] = []
        var pad = 0
        var pos = 0
        for c in input {
            defer { pos += 1 }
            if c == 10 || c == 13 { continue }
            if c == 61 {
                pad += 1
                quad.append(0)
            } else {
                guard pad == 0, table[Int(c)] >= 0 else { return .failure(DecodeError(message: "illegal base64 data at input byte \(pos)")) }
                quad.append(table[Int(c)])
            }
            if quad.count == 4 {
                let n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3]
                out.append(UInt8(n >> 16 & 255))
                if pad < 2 { out.append(UInt8(n >> 8 & 255)) }
                if pad < 1 { out.append(UInt8(n & 255)) }
                quad = []
                if pad > 0 { break }
            }
        }
        if !quad.isEmpty || pad > 2 { return .failure(DecodeError(message: "illegal base64 data at input byte \(max(0, input.count - quad.count))")) }
        return .success(out)
    }

    /// The offset Go would report for the first bad input byte, or nil when valid.
    public static func firstInvalidByte(_ s: String) -> Int? {
        // Go's decoder skips line breaks, so wrapped base64 from YAML block scalars is valid.
        let bytes = Array(s.utf8).filter { $0 != 10 && $0 != 13 }
        var i = 0
        var padding = 0
        for b in bytes {
            let isAlphabet = (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 43 || b == 47
            if b == 61 {  // '='
                padding += 1
                if padding > 2 { return i }
            } else if !isAlphabet || padding > 0 {
                return i
            }
            i += 1
        }
        if bytes.count % 4 != 0 { return bytes.count - bytes.count % 4 }
        return nil
    }
}
