/// A growable run of bytes written through a raw pointer, for encoders that append many small
/// pieces (the JSON writer appends a quote, a key, a colon… several hundred times an object).
///
/// `[UInt8].append` checks uniqueness and capacity on every call, which cost more than the
/// bytes themselves; here a writer reserves once for a piece and then stores. Not copyable:
/// one owner writes, and the storage is freed with it.
struct ByteSink: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = Swift.max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Room for `n` more bytes; `tail` then points at the first of them.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        let newCapacity = Swift.max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// Where the next byte goes; valid for as many bytes as were last reserved.
    var tail: UnsafeMutablePointer<UInt8> { base + count }

    /// Counts `n` bytes a caller stored at `tail` after reserving them.
    @inline(__always)
    mutating func advance(_ n: Int) { count += n }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// The bytes as an array (one copy, sized exactly).
    func bytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 { buffer.baseAddress!.initialize(from: base, count: count) }
            initialized = count
        }
    }

    /// The bytes as a string, repairing invalid UTF-8 as `String(decoding:as:)` does.
    func string() -> String {
        String(unsafeUninitializedCapacity: count) { buffer in
            if count > 0 { buffer.baseAddress!.initialize(from: base, count: count) }
            return count
        }
    }
}
