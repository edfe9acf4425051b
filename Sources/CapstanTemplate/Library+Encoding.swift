import CapstanModel

/// Encodings and digests: base64/base32, sha1/sha256/adler32 sums, JSON.
extension Library {
    static func jsonText(_ v: TemplateValue, _ options: JSONOptions) -> String { v.jsonValue.jsonString(options) }

    static let encoding: [String: TemplateFunction] = [
        "b64enc": .fn([.string]) { .string(Base64.encode(Array(Conv.str($0[0]).utf8))) },
        "b64dec": .fn([.string]) { args in
            switch Base64.decode(Conv.str(args[0])) {
            case .success(let b): return .string(String(decoding: b, as: UTF8.self))
            case .failure(let e): return .string(e.message)
            }
        },
        "b32enc": .fn([.string]) { .string(Base32.encode(Array(Conv.str($0[0]).utf8))) },
        "b32dec": .fn([.string]) { args in
            switch Base32.decode(Conv.str(args[0])) {
            case .success(let b): return .string(String(decoding: b, as: UTF8.self))
            case .failure(let e): return .string(e.message)
            }
        },
        "sha1sum": .fn([.string]) { .string(Digest.hex(Digest.sha1(Array(Conv.str($0[0]).utf8)))) },
        "sha256sum": .fn([.string]) { .string(Digest.hex(Digest.sha256(Array(Conv.str($0[0]).utf8)))) },
        "sha512sum": .fn([.string]) { .string(Digest.hex(Digest.sha512(Array(Conv.str($0[0]).utf8)))) },
        "adler32sum": .fn([.string]) { .string(String(Digest.adler32(Array(Conv.str($0[0]).utf8)))) },
        "toJson": .fn([.any]) { .string(jsonText($0[0], .goMarshal)) },
        "mustToJson": .fn([.any]) { .string(jsonText($0[0], .goMarshal)) },
        "toPrettyJson": .fn([.any]) { .string(jsonText($0[0], JSONOptions(indent: 2, escapeHTML: true, sortKeys: true))) },
        "mustToPrettyJson": .fn([.any]) { .string(jsonText($0[0], JSONOptions(indent: 2, escapeHTML: true, sortKeys: true))) },
        "toRawJson": .fn([.any]) { .string(jsonText($0[0], JSONOptions(indent: 0, escapeHTML: false, sortKeys: true))) },
        "mustToRawJson": .fn([.any]) { .string(jsonText($0[0], JSONOptions(indent: 0, escapeHTML: false, sortKeys: true))) },
        // Helm's fromJson: a map, with the parse error under "Error".
        "fromJson": .fn([.string]) { args in
            do {
                let v = try Value.parseJSON(Conv.str(args[0]))
                if case .object = v { return TemplateValue(v) }
                return .dict(["Error": .string("json: cannot unmarshal \(jsonKind(v)) into Go value of type map[string]interface {}")])
            } catch let error as JSONError {
                return .dict(["Error": .string(GoJSONError.message(for: Conv.str(args[0])) ?? error.message)])
            } catch {
                return .dict(["Error": .string("\(error)")])
            }
        },
        "fromJsonArray": .fn([.string]) { args in
            do {
                let v = try Value.parseJSON(Conv.str(args[0]))
                if case .array = v { return TemplateValue(v) }
                return .list([.string("json: cannot unmarshal \(jsonKind(v)) into Go value of type []interface {}")])
            } catch let error as JSONError {
                return .list([.string(GoJSONError.message(for: Conv.str(args[0])) ?? error.message)])
            } catch {
                return .list([.string("\(error)")])
            }
        },
        "mustFromJson": .fn([.string]) { args in
            do { return TemplateValue(try Value.parseJSON(Conv.str(args[0]))) } catch let error as JSONError { throw TemplateFunctionError(GoJSONError.message(for: Conv.str(args[0])) ?? error.message) }
        },
    ]

    static func jsonKind(_ v: Value) -> String {
        switch v {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .int, .double: return "number"
        case .bool: return "bool"
        case .null: return "null"
        }
    }
}

struct DecodeError: Error { var message: String }

enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
    static func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let chunk = Array(b[i..<min(i + 5, b.count)])
            var n: UInt64 = 0
            for k in 0..<5 { n = n << 8 | UInt64(k < chunk.count ? chunk[k] : 0) }
            let chars = [2, 4, 5, 7, 8][chunk.count - 1]
            for k in 0..<8 { out.append(k < chars ? alphabet[Int(n >> UInt64(35 - 5 * k) & 31)] : 61) }
            i += 5
        }
        return String(decoding: out, as: UTF8.self)
    }
    static func decode(_ s: String) -> Result<[UInt8], DecodeError> {
        var table = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = i }
        let input = Array(s.utf8).filter { $0 != 10 && $0 != 13 }
        guard input.count % 8 == 0 else { return .failure(DecodeError(message: "illegal base32 data at input byte \(input.count / 8 * 8)")) }
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            var n: UInt64 = 0
            var chars = 0
            for k in 0..<8 {
                let c = input[i + k]
                if c == 61 { n <<= 5; continue }
                guard table[Int(c)] >= 0 else { return .failure(DecodeError(message: "illegal base32 data at input byte \(i + k)")) }
                n = n << 5 | UInt64(table[Int(c)])
                chars += 1
            }
            let bytes = [0, 0, 1, 1, 2, 3, 3, 4, 5][chars]
            for k in 0..<bytes { out.append(UInt8(n >> UInt64(32 - 8 * k) & 255)) }
            i += 8
        }
        return .success(out)
    }
}

enum Digest {
    static func hex(_ b: [UInt8]) -> String { b.map { zeroPaddedHex(UInt32($0), 2) }.joined() }

    static func adler32(_ b: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, s: UInt32 = 0
        for x in b { a = (a + UInt32(x)) % 65521; s = (s + a) % 65521 }
        return s << 16 | a
    }

    static func padded(_ message: [UInt8]) -> [UInt8] {
        var m = message
        let bitLength = UInt64(message.count) * 8
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        for i in (0..<8).reversed() { m.append(UInt8(bitLength >> UInt64(i * 8) & 0xFF)) }
        return m
    }

    static func sha1(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
        let m = padded(message)
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: m.count, by: 64) {
            for i in 0..<16 {
                w[i] = UInt32(m[chunk + 4 * i]) << 24 | UInt32(m[chunk + 4 * i + 1]) << 16 | UInt32(m[chunk + 4 * i + 2]) << 8 | UInt32(m[chunk + 4 * i + 3])
            }
            for i in 16..<80 { w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let f: UInt32, k: UInt32
                switch i {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A827999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC
                default: f = b ^ c ^ d; k = 0xCA62C1D6
                }
                let t = rotl(a, 5) &+ f &+ e &+ k &+ w[i]
                e = d; d = c; c = rotl(b, 30); b = a; a = t
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d; h[4] = h[4] &+ e
        }
        return h.flatMap { [UInt8($0 >> 24), UInt8($0 >> 16 & 255), UInt8($0 >> 8 & 255), UInt8($0 & 255)] }
    }

    static func sha256(_ message: [UInt8]) -> [UInt8] { SHA256.hash(message) }

    static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
    static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
}
