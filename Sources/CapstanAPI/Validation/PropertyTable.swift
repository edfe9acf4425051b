/// The declared properties of one compiled schema node, looked up by key without `Hasher`.
///
/// The schema walk looks up every field of every validated object here; a `Dictionary` pays
/// for a seeded SipHash of each key, while this table hashes the key's bytes with FNV-1a (the
/// keys are the schema's own, fixed when the node is compiled, so nothing hostile can steer
/// collisions into the table) and probes an open-addressed array. Immutable; safe to share.
struct PropertyTable: Sendable {
    private let keys: [String]
    private let schemas: [CompiledSchema?]
    /// Index + 1 into `keys` per slot, 0 for an empty slot; a power-of-two count, at most half full.
    private let slots: [Int32]

    init(_ pairs: [(key: String, schema: CompiledSchema?)]) {
        keys = pairs.map(\.key)
        schemas = pairs.map(\.schema)
        var size = 4
        while size < pairs.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        for (i, key) in keys.enumerated() {
            var slot = Self.hash(key) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(i + 1)
        }
        self.slots = slots
    }

    /// Number of declared properties.
    var count: Int { keys.count }

    /// `.some(nil)` for a declared property that has no usable schema, nil for an undeclared key
    /// (what `[String: CompiledSchema?]` would answer).
    subscript(key: String) -> CompiledSchema?? {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if keys[entry - 1] == key { return .some(schemas[entry - 1]) }
            slot = (slot + 1) & mask
        }
    }

    private static func hash(_ key: String) -> Int {
        withUTF8Bytes(key) { bytes in
            var h: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return Int(truncatingIfNeeded: h ^ (h >> 29))
        }
    }
}
