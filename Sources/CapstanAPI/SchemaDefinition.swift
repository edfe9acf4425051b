import CapstanModel
import Synchronization

/// JSON text that lives as long as the schemas read from it: the catalogue literal compiled
/// into the binary, or bytes held here (tests, other embedded documents).
enum RawJSON: Sendable {
    case literal(StaticString)
    case bytes([UInt8])

    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        switch self {
        case .literal(let text): return text.withUTF8Buffer(body)
        case .bytes(let bytes): return bytes.withUnsafeBufferPointer(body)
        }
    }
}

/// One named definition of an `OpenAPISchemas`: a value decoded already (sets built from
/// documents) or a `LazyDefinition` (the built-in catalogue), decoded on first use.
enum SchemaDefinition: Sendable {
    case decoded(Value)
    case lazy(LazyDefinition)

    /// The definition; nil only if lazily decoded bytes fail to parse, which cannot happen
    /// for bytes `JSONSkimmer` accepted (the test suite decodes every built-in one).
    var value: Value? {
        switch self {
        case .decoded(let value): return value
        case .lazy(let definition): return definition.value
        }
    }

    /// The kinds this definition is the schema of (its `x-kubernetes-group-version-kind`).
    var kinds: [GroupVersionKind] {
        switch self {
        case .decoded(let value): return Self.kinds(of: value["x-kubernetes-group-version-kind"])
        case .lazy(let definition): return definition.kinds
        }
    }

    /// The entries of an `x-kubernetes-group-version-kind` list that name a version and kind.
    static func kinds(of list: Value) -> [GroupVersionKind] {
        guard let entries = list.arrayValue else { return [] }
        return entries.compactMap { entry in
            guard let version = entry["version"].stringValue, let kind = entry["kind"].stringValue else { return nil }
            return GroupVersionKind(group: entry["group"].stringValue ?? "", version: version, kind: kind)
        }
    }
}

/// A definition kept as its byte range in a JSON text and decoded the first time it is read.
///
/// Concurrency: `text`, `range` and `kinds` are immutable. The decoded value is published
/// once through an atomic reference: a task that finds none decodes the bytes and installs
/// its result by compare-and-exchange; when several race, one result is installed and every
/// caller (the losers included) returns that one. Reads after the first are one acquiring
/// load, without a lock.
final class LazyDefinition: Sendable {
    let text: RawJSON
    let range: Range<Int>
    /// Read from the definition's `x-kubernetes-group-version-kind` when the text was
    /// scanned, so the kind index needs no definition decoded.
    let kinds: [GroupVersionKind]
    /// The decoded value once made; holds one retain of its own, given back in `deinit`.
    private let published = Atomic<Unmanaged<Decoded>?>(nil)

    /// A class, so the published value is one reference.
    final class Decoded: Sendable {
        let value: Value?
        init(_ value: Value?) { self.value = value }
    }

    init(text: RawJSON, range: Range<Int>, kinds: [GroupVersionKind]) {
        self.text = text
        self.range = range
        self.kinds = kinds
    }

    var value: Value? {
        if let made = published.load(ordering: .acquiring) { return made.takeUnretainedValue().value }
        let range = self.range
        let fresh = Decoded(text.withBytes { bytes in try? Value.parseJSON(UnsafeBufferPointer(rebasing: bytes[range])) })
        let mine = Unmanaged.passRetained(fresh)
        let (installed, current) = published.compareExchange(expected: nil, desired: mine, ordering: .acquiringAndReleasing)
        if installed { return fresh.value }
        mine.release()
        return current?.takeUnretainedValue().value ?? fresh.value
    }

    /// Whether the value has been decoded (for tests).
    var isDecoded: Bool { published.load(ordering: .acquiring) != nil }

    deinit {
        published.load(ordering: .acquiring)?.release()
    }
}
