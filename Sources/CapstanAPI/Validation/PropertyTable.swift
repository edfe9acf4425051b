/// The declared properties of one compiled schema node, looked up by key without `Hasher`.
///
/// The schema walk looks up every field of every validated object here; a `Dictionary` pays
/// for a seeded SipHash of each key, while this table hashes a few bytes of the key (the keys
/// in the table are the schema's own, fixed when the node is compiled, so a hostile object can
/// make a lookup probe at most the table's longest run, never grow it) and probes an
/// open-addressed array.
///
/// Trivial to copy: its arrays are `FrozenBuffer`s and its schemas unmanaged references, so a
/// lookup touches no reference count of the shared node (see `CompiledSchema`). The
/// `CompiledSchema.Children` that makes a table owns it: it holds the schemas strongly and
/// calls `free()` in its `deinit`. Immutable; safe to share.
struct PropertyTable: Sendable {
    private let keys: FrozenBuffer<String>
    private let schemas: FrozenBuffer<NodeRef?>
    /// Index + 1 into `keys` per slot, 0 for an empty slot; a power-of-two count, at most half full.
    private let slots: FrozenBuffer<Int32>

    /// A table over `pairs`; the caller keeps the schemas alive for as long as the table is used.
    init(_ pairs: [(key: String, schema: CompiledSchema?)]) {
        let keys = pairs.map(\.key)
        var size = 4
        while size < pairs.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        for (i, key) in keys.enumerated() {
            var slot = Self.hash(key) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(i + 1)
        }
        self.keys = FrozenBuffer(keys)
        self.schemas = FrozenBuffer(pairs.map { $0.schema.map { Unmanaged.passUnretained($0) } })
        self.slots = FrozenBuffer(slots)
    }

    /// Called once, by the owner.
    func free() {
        keys.free()
        schemas.free()
        slots.free()
    }

    /// Number of declared properties.
    var count: Int { keys.count }

    /// `.some(nil)` for a declared property that has no usable schema, nil for an undeclared key
    /// (what `[String: CompiledSchema?]` would answer).
    @inline(__always)
    subscript(key: String) -> NodeRef?? {
        let slots = self.slots.elements, keys = self.keys.elements
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return .some(schemas.elements[entry - 1]) }
            slot = (slot + 1) & mask
        }
    }

    /// A signature of the key's length and four of its bytes (the two first, the middle and the
    /// last), spread by a multiplicative hash. Keys that share all five only probe further:
    /// cheaper than hashing every byte, and a schema's keys rarely agree on all of them.
    private static func hash(_ key: String) -> Int {
        withUTF8Bytes(key) { b in
            guard let first = b.first, let last = b.last else { return 0 }
            var signature = UInt64(b.count) | UInt64(first) << 16 | UInt64(b[b.count / 2]) << 24 | UInt64(last) << 32
            if b.count > 1 { signature |= UInt64(b[1]) << 40 }
            return Int(truncatingIfNeeded: (signature &* 0x9E37_79B9_7F4A_7C15) >> 32)
        }
    }
}
