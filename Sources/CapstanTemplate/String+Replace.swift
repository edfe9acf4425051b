/// Byte-level string replacement (Go's `strings.ReplaceAll`) without Foundation.
extension String {
    /// Every occurrence of `target` replaced (byte-exact, like Go's `strings.ReplaceAll`).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, !isEmpty else { return self }
        let a = Array(utf8), t = Array(target.utf8)
        guard a.count >= t.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(a.count)
        var i = 0
        let r = Array(replacement.utf8)
        var changed = false
        while i < a.count {
            if a[i] == t[0], i + t.count <= a.count, a[i..<(i + t.count)].elementsEqual(t) {
                out += r
                i += t.count
                changed = true
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return changed ? String(decoding: out, as: UTF8.self) : self
    }
}
