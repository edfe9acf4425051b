#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level substring search and replacement (Go's `strings.Index`/`strings.ReplaceAll`)
/// without Foundation, whose `contains`/`range(of:)` on `String` go through a Unicode-aware
/// NSString search many times slower than comparing UTF-8 bytes.
extension String {
    /// Every occurrence of `target` replaced (byte-exact, like Go's `strings.ReplaceAll`).
    /// Returns `self` untouched (no copy) when `target` does not occur.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, !isEmpty, var next = utf8Offset(of: target) else { return self }
        var source = self
        source.makeContiguousUTF8()
        let t = target.utf8.count
        let r = Array(replacement.utf8)
        return source.utf8.withContiguousStorageIfAvailable { a -> String in
            var out: [UInt8] = []
            out.reserveCapacity(a.count)
            var i = 0
            while true {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: a[i..<next]))
                out.append(contentsOf: r)
                i = next + t
                guard let found = Self.byteOffset(of: target, in: UnsafeBufferPointer(rebasing: a[i...])) else { break }
                next = i + found
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: a[i...]))
            return String(decoding: out, as: UTF8.self)
        } ?? self
    }

    /// Byte offset of the first occurrence of `target` in this string's UTF-8; nil when absent
    /// (an empty target is found at 0).
    package func utf8Offset(of target: String) -> Int? {
        if target.isEmpty { return 0 }
        if let found = utf8.withContiguousStorageIfAvailable({ Self.byteOffset(of: target, in: $0) }) { return found }
        return Array(utf8).withUnsafeBufferPointer { Self.byteOffset(of: target, in: $0) }
    }

    /// Whether `target` occurs in this string, compared byte for byte.
    package func utf8Contains(_ target: String) -> Bool { utf8Offset(of: target) != nil }

    private static func byteOffset(of target: String, in hay: UnsafeBufferPointer<UInt8>) -> Int? {
        var target = target
        target.makeContiguousUTF8()
        return target.utf8.withContiguousStorageIfAvailable { needle -> Int? in
            let m = needle.count, n = hay.count
            guard m > 0 else { return 0 }
            guard m <= n, let base = hay.baseAddress, let nb = needle.baseAddress else { return nil }
            let first = Int32(nb[0])
            var i = 0
            while i + m <= n {
                // memchr finds the candidate first byte; memcmp checks the rest.
                guard let hit = memchr(base + i, first, n - m - i + 1) else { return nil }
                let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if m == 1 || memcmp(base + at + 1, nb + 1, m - 1) == 0 { return at }
                i = at + 1
            }
            return nil
        } ?? nil
    }
}
