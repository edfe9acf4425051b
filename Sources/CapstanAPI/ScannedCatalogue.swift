import CapstanModel

/// The top level of the generator's catalogue document, read in one `JSONSkimmer` walk that
/// checks the whole text: `groups` and `resources` decoded, each definition kept as its byte
/// range (a `LazyDefinition`) with the kinds it claims. A key given twice counts once, the
/// last time, as in a parse; a member of the wrong type leaves its field nil.
struct ScannedCatalogue {
    var groups: [Value]?
    var resources: [Value]?
    var definitions: [String: SchemaDefinition]?

    init(_ bytes: UnsafeBufferPointer<UInt8>, text: RawJSON) throws(CatalogueError) {
        var walk = JSONSkimmer(bytes)
        if walk.peek(UInt8(ascii: "{")) {
            try walk.enterObject(depth: 0)
            var first = true
            while let key = try walk.nextKey(first: &first) {
                if walk.key(key, is: "definitions") {
                    if walk.peek(UInt8(ascii: "{")) {
                        definitions = try Self.definitions(&walk, text: text)
                    } else {
                        definitions = nil
                        try walk.skipValue(depth: 1)
                    }
                    continue
                }
                let range = try walk.skipValue(depth: 1)
                if walk.key(key, is: "groups") {
                    groups = Self.decode(bytes, range)?.arrayValue
                } else if walk.key(key, is: "resources") {
                    resources = Self.decode(bytes, range)?.arrayValue
                }
            }
        } else {
            try walk.skipValue(depth: 0)
        }
        walk.skipWhitespace()
        guard walk.index == bytes.count else { throw walk.error("unexpected data after the document") }
    }

    /// The definitions object at the walk's position, one `LazyDefinition` per member.
    private static func definitions(_ walk: inout JSONSkimmer, text: RawJSON) throws(CatalogueError)
        -> [String: SchemaDefinition]
    {
        try walk.enterObject(depth: 1)
        var definitions: [String: SchemaDefinition] = [:]
        definitions.reserveCapacity(1024)  // the built-in catalogue has ~600; growing rehashes every name
        var first = true
        while let name = try walk.nextKey(first: &first) {
            let start = walk.index
            var kinds: [GroupVersionKind] = []
            if walk.peek(UInt8(ascii: "{")) {
                // Walked member by member (not skipped whole) to find the kinds it claims.
                try walk.enterObject(depth: 2)
                var firstMember = true
                while let member = try walk.nextKey(first: &firstMember) {
                    // A repeated key counts the last time, as in a parse.
                    if walk.key(member, is: "x-kubernetes-group-version-kind") {
                        kinds = try Self.kinds(&walk, depth: 3)
                    } else {
                        try walk.skipValue(depth: 3)
                    }
                }
            } else {
                try walk.skipValue(depth: 2)
            }
            definitions[walk.string(name)] = .lazy(LazyDefinition(text: text, range: start..<walk.index, kinds: kinds))
        }
        return definitions
    }

    /// The kinds of an `x-kubernetes-group-version-kind` value at the walk's position, read
    /// in place: what `SchemaDefinition.kinds(of:)` gives for the parsed value (entries that
    /// are no objects, or lack a string `version` or `kind`, are left out; the last of a
    /// repeated key counts).
    private static func kinds(_ walk: inout JSONSkimmer, depth: Int) throws(CatalogueError) -> [GroupVersionKind] {
        guard walk.peek(UInt8(ascii: "[")) else {
            try walk.skipValue(depth: depth)
            return []
        }
        try walk.enterArray(depth: depth)
        var kinds: [GroupVersionKind] = []
        var first = true
        while try walk.nextElement(first: &first) {
            guard walk.peek(UInt8(ascii: "{")) else {
                try walk.skipValue(depth: depth + 1)
                continue
            }
            try walk.enterObject(depth: depth + 1)
            var group: String?, version: String?, kind: String?
            var firstMember = true
            while let key = try walk.nextKey(first: &firstMember) {
                var text: String?
                if walk.peek(UInt8(ascii: "\"")) {
                    text = walk.string(try walk.skipString())
                } else {
                    try walk.skipValue(depth: depth + 2)
                }
                if walk.key(key, is: "group") {
                    group = text
                } else if walk.key(key, is: "version") {
                    version = text
                } else if walk.key(key, is: "kind") {
                    kind = text
                }
            }
            if let version, let kind { kinds.append(GroupVersionKind(group: group ?? "", version: version, kind: kind)) }
        }
        return kinds
    }

    /// A value the walk accepted (so the parse does not fail).
    private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Value? {
        try? Value.parseJSON(UnsafeBufferPointer(rebasing: bytes[range]))
    }
}
