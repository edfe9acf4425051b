/// A small DEFLATE (RFC 1951) decoder and gzip (RFC 1952) unwrapper, enough to read chart
/// archives without linking zlib. Input is untrusted: every read is bounds-checked and
/// malformed streams throw `ArchiveError` instead of trapping.

/// Errors from reading a `.tgz` chart archive.
public struct ArchiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads bits least-significant first, as DEFLATE packs them.
private struct BitReader {
    let bytes: [UInt8]
    var pos: Int
    var bitBuf: UInt32 = 0
    var bitCount: Int = 0

    init(_ bytes: [UInt8], start: Int) { self.bytes = bytes; self.pos = start }

    mutating func bits(_ n: Int) throws(ArchiveError) -> Int {
        while bitCount < n {
            guard pos < bytes.count else { throw ArchiveError("gzip: unexpected end of data") }
            bitBuf |= UInt32(bytes[pos]) << UInt32(bitCount)
            pos += 1
            bitCount += 8
        }
        let v = Int(bitBuf & ((1 << UInt32(n)) - 1))
        bitBuf >>= UInt32(n)
        bitCount -= n
        return v
    }

    /// Tops the buffer up to at least `n` (≤ 24) bits when the input has them; never throws
    /// (missing bits read as zero, and `bitCount` says how many are real).
    @inline(__always) mutating func fill(_ n: Int) {
        while bitCount < n && pos < bytes.count {
            bitBuf |= UInt32(bytes[pos]) << UInt32(bitCount)
            pos += 1
            bitCount += 8
        }
    }
    @inline(__always) mutating func drop(_ n: Int) {
        bitBuf >>= UInt32(n)
        bitCount -= n
    }
    /// Discards the rest of the current byte. Whole bytes `fill` read ahead go back to the input.
    mutating func alignToByte() {
        pos -= bitCount / 8
        bitBuf = 0
        bitCount = 0
    }
    /// Offset of the first byte not (even partly) consumed.
    var consumedEnd: Int { pos - bitCount / 8 }
}

/// A canonical Huffman table: counts per code length and symbols in code order.
private struct Huffman {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int] = []
    /// Codes of up to `tableBits` bits, looked up by the next input bits (codes are stored
    /// bit-reversed, as DEFLATE sends them): `symbol << 4 | length`, or -1 where the code is
    /// longer (or unused) and `decode` walks the lengths one bit at a time as before.
    var table: [Int32] = []
    static let tableBits = 9

    init(lengths: [Int]) throws(ArchiveError) {
        for l in lengths { counts[l] += 1 }
        counts[0] = 0
        var offsets = [Int](repeating: 0, count: 16)
        for i in 1..<16 { offsets[i] = offsets[i - 1] + counts[i - 1] }
        symbols = [Int](repeating: 0, count: lengths.count)
        for (sym, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[l]] = sym
            offsets[l] += 1
        }
        table = [Int32](repeating: -1, count: 1 << Huffman.tableBits)
        // An over-subscribed set of lengths has no consistent table: leave it empty, so such
        // streams decode (and fail) exactly as with the bit-by-bit walk alone.
        var left = 1
        for len in 1..<16 {
            left = (left << 1) - counts[len]
            if left < 0 { return }
        }
        var code = 0, index = 0
        for len in 1...Huffman.tableBits {
            for _ in 0..<counts[len] {
                var reversed = 0, c = code
                for _ in 0..<len { reversed = (reversed << 1) | (c & 1); c >>= 1 }
                let entry = Int32(symbols[index] << 4 | len)
                var j = reversed
                while j < table.count { table[j] = entry; j += 1 << len }
                code += 1
                index += 1
            }
            code <<= 1
        }
    }

    func decode(_ r: inout BitReader) throws(ArchiveError) -> Int {
        r.fill(Huffman.tableBits)
        let entry = table[Int(r.bitBuf) & (table.count - 1)]
        if entry >= 0, Int(entry & 15) <= r.bitCount {
            r.drop(Int(entry & 15))
            return Int(entry >> 4)
        }
        return try decodeBitByBit(&r)
    }

    /// Canonical decoding one bit at a time (codes longer than the table, and the reference
    /// the table must agree with).
    func decodeBitByBit(_ r: inout BitReader) throws(ArchiveError) -> Int {
        var code = 0, first = 0, index = 0
        for len in 1..<16 {
            code |= try r.bits(1)
            let count = counts[len]
            if code - count < first { return symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        throw ArchiveError("gzip: invalid Huffman code")
    }
}

private let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
private let distExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

/// Decompresses a raw DEFLATE stream starting at `start`; returns the output and the byte offset
/// just after the stream. `limit` bounds the output so a hostile archive cannot exhaust memory.
func inflate(_ input: [UInt8], start: Int = 0, limit: Int = 1 << 30) throws(ArchiveError) -> (output: [UInt8], end: Int) {
    var r = BitReader(input, start: start)
    var out: [UInt8] = []
    out.reserveCapacity(input.count * 4)
    var final = 0
    repeat {
        final = try r.bits(1)
        let type = try r.bits(2)
        switch type {
        case 0:
            r.alignToByte()
            guard r.pos + 4 <= input.count else { throw ArchiveError("gzip: truncated stored block") }
            let len = Int(input[r.pos]) | Int(input[r.pos + 1]) << 8
            let nlen = Int(input[r.pos + 2]) | Int(input[r.pos + 3]) << 8
            guard len == (~nlen & 0xFFFF) else { throw ArchiveError("gzip: corrupt stored block") }
            r.pos += 4
            guard r.pos + len <= input.count else { throw ArchiveError("gzip: truncated stored block") }
            out.append(contentsOf: input[r.pos..<(r.pos + len)])
            r.pos += len
        case 1:
            var lengths = [Int](repeating: 8, count: 288)
            for i in 144..<256 { lengths[i] = 9 }
            for i in 256..<280 { lengths[i] = 7 }
            let lit = try Huffman(lengths: lengths)
            let dist = try Huffman(lengths: [Int](repeating: 5, count: 30))
            try inflateBlock(&r, &out, lit, dist, limit)
        case 2:
            let hlit = try r.bits(5) + 257
            let hdist = try r.bits(5) + 1
            let hclen = try r.bits(4) + 4
            let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
            var clens = [Int](repeating: 0, count: 19)
            for i in 0..<hclen { clens[order[i]] = try r.bits(3) }
            let ch = try Huffman(lengths: clens)
            var lengths: [Int] = []
            while lengths.count < hlit + hdist {
                let sym = try ch.decode(&r)
                switch sym {
                case 0..<16: lengths.append(sym)
                case 16:
                    guard let prev = lengths.last else { throw ArchiveError("gzip: repeat with no previous length") }
                    for _ in 0..<(3 + (try r.bits(2))) { lengths.append(prev) }
                case 17: for _ in 0..<(3 + (try r.bits(3))) { lengths.append(0) }
                default: for _ in 0..<(11 + (try r.bits(7))) { lengths.append(0) }
                }
            }
            guard lengths.count == hlit + hdist else { throw ArchiveError("gzip: too many code lengths") }
            let lit = try Huffman(lengths: Array(lengths[0..<hlit]))
            let dist = try Huffman(lengths: Array(lengths[hlit...]))
            try inflateBlock(&r, &out, lit, dist, limit)
        default:
            throw ArchiveError("gzip: invalid block type")
        }
    } while final == 0
    return (out, r.consumedEnd)
}

private func inflateBlock(_ r: inout BitReader, _ out: inout [UInt8], _ lit: Huffman, _ dist: Huffman, _ limit: Int) throws(ArchiveError) {
    while true {
        let sym = try lit.decode(&r)
        if sym < 256 {
            out.append(UInt8(sym))
        } else if sym == 256 {
            return
        } else {
            let li = sym - 257
            guard li < lengthBase.count else { throw ArchiveError("gzip: invalid length symbol") }
            let len = lengthBase[li] + (try r.bits(lengthExtra[li]))
            let di = try dist.decode(&r)
            guard di < distBase.count else { throw ArchiveError("gzip: invalid distance symbol") }
            let d = distBase[di] + (try r.bits(distExtra[di]))
            guard d <= out.count else { throw ArchiveError("gzip: distance too far back") }
            let from = out.count - d
            for i in 0..<len { out.append(out[from + i]) }
        }
        if out.count > limit { throw ArchiveError("gzip: archive expands beyond \(limit) bytes") }
    }
}

/// Unwraps one or more concatenated gzip members (RFC 1952).
func gunzip(_ data: [UInt8]) throws(ArchiveError) -> [UInt8] {
    var pos = 0
    var result: [UInt8] = []
    while pos < data.count {
        guard data.count - pos >= 18, data[pos] == 0x1f, data[pos + 1] == 0x8b else {
            if result.isEmpty { throw ArchiveError("gzip: invalid header") }
            break
        }
        guard data[pos + 2] == 8 else { throw ArchiveError("gzip: unsupported compression method") }
        let flags = data[pos + 3]
        var p = pos + 10
        if flags & 0x04 != 0 {
            guard p + 2 <= data.count else { throw ArchiveError("gzip: truncated header") }
            p += 2 + (Int(data[p]) | Int(data[p + 1]) << 8)
        }
        if flags & 0x08 != 0 { while p < data.count && data[p] != 0 { p += 1 }; p += 1 }
        if flags & 0x10 != 0 { while p < data.count && data[p] != 0 { p += 1 }; p += 1 }
        if flags & 0x02 != 0 { p += 2 }
        guard p <= data.count else { throw ArchiveError("gzip: truncated header") }
        let (out, end) = try inflate(data, start: p)
        result.append(contentsOf: out)
        pos = end + 8  // CRC32 and ISIZE trailer
    }
    return result
}
