import CapstanModel

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
/// once (`PublishedOnce`): a task that finds none decodes the bytes and publishes its result;
/// when several race, one result stands and every caller (the losers included) returns that
/// one. Reads after the first are one acquiring load, without a lock.
final class LazyDefinition: Sendable {
    let text: RawJSON
    let range: Range<Int>
    /// Read from the definition's `x-kubernetes-group-version-kind` when the text was
    /// scanned, so the kind index needs no definition decoded.
    let kinds: [GroupVersionKind]
    /// The decoded value once made.
    private let published = PublishedOnce<Decoded>()

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
        if let made = published.withPublished({ $0.value }) { return made }
        let range = self.range
        let decoded = text.withBytes { bytes in try? Value.parseJSON(UnsafeBufferPointer(rebasing: bytes[range])) }
        return published.publish(Decoded(decoded)).value
    }

    /// Whether the value has been decoded (for tests).
    var isDecoded: Bool { published.isPublished }
}
