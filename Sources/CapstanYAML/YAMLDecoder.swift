/// CapstanYAML: YAML ⇄ `Value` through libyaml.
///
/// Reading follows what Kubernetes and Helm do with a YAML file (go-yaml v2 resolution, then
/// sigs.k8s.io/yaml's conversion to JSON), so a manifest means the same here as in kubectl.
/// Writing follows go-yaml v2's encoder as kubectl and Helm's `toYaml` use it: 2-space indent,
/// sequences flush with their key, keys sorted, strings quoted only when they would read back
/// as something else. libyaml does the syntax both ways; this module owns the typing rules.
///
/// A libyaml parser or emitter lives only inside one call, so nothing here is shared.
import CYAML
import CapstanModel

/// A syntax or typing error, with the 1-based position in the source.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String? = nil, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "\(file ?? "<input>"):\(line):\(column): \(message)"
    }
}

/// One document of a stream, with where it started.
public struct YAMLDocument: Sendable {
    public var value: Value
    /// Zero-based position of the document in the stream (empty documents count).
    public var index: Int
    /// 1-based line of the document's first content.
    public var line: Int

    public init(value: Value, index: Int, line: Int) {
        self.value = value
        self.index = index
        self.line = line
    }
}

public enum YAML {
    /// Parses every document of a stream. Empty documents come back as `.null`.
    public static func parseAll(_ text: String, file: String? = nil) throws(YAMLError) -> [YAMLDocument] {
        try parseAll(text, file: file, subsetReader: true)
    }

    /// `subsetReader: false` always goes through libyaml (tests compare the two paths).
    static func parseAll(_ text: String, file: String?, subsetReader: Bool) throws(YAMLError) -> [YAMLDocument] {
        if text.utf8.isEmpty { return [] }
        guard subsetReader else { return try parseWithLibyaml(text.utf8, file: file) }
        // Most manifests are plain block YAML, read in place without libyaml's per-parser cost;
        // libyaml reads from the first document outside that subset on (and reports every
        // error), its lines and indexes shifted to where it started.
        var text = text
        let (partial, rest) = text.withUTF8 { input in
            let partial = BlockSubsetReader.read(input)
            return (partial, partial.rest.map { Array(input[$0.offset...]) })
        }
        guard let rest, let start = partial.rest else { return partial.documents }
        do throws(YAMLError) {
            let tail = try parseWithLibyaml(rest, file: file)
            return partial.documents + tail.map {
                YAMLDocument(value: $0.value, index: $0.index + partial.documents.count, line: $0.line + start.line - 1)
            }
        } catch {
            var shifted = error
            shifted.line += start.line - 1
            throw shifted
        }
    }

    /// libyaml over a NUL-terminated copy of `bytes`.
    static func parseWithLibyaml<Bytes: Collection<UInt8>>(_ bytes: Bytes, file: String?) throws(YAMLError) -> [YAMLDocument] {
        var copy = Array(bytes)
        if copy.isEmpty { return [] }
        copy.append(0)
        let result = copy.withUnsafeBufferPointer { buffer in
            Result { () throws(YAMLError) -> [YAMLDocument] in
                var builder = TreeBuilder(file: file)
                return try builder.parse(UnsafeBufferPointer(rebasing: buffer[0..<(buffer.count - 1)]))
            }
        }
        return try result.get()
    }

    /// Parses a stream and returns the values of its documents, empty ones included as `.null`.
    public static func parseValues(_ text: String, file: String? = nil) throws(YAMLError) -> [Value] {
        try parseAll(text, file: file).map(\.value)
    }

    /// Parses a single document; an empty stream is `.null`; more than one document is an error.
    public static func parse(_ text: String, file: String? = nil) throws(YAMLError) -> Value {
        let docs = try parseAll(text, file: file)
        if docs.count > 1 {
            throw YAMLError(file: file, line: docs[1].line, column: 1, message: "expected a single document, found \(docs.count)")
        }
        return docs.first?.value ?? .null
    }
}

/// Turns libyaml events into `Value` trees without an intermediate node tree.
///
/// Children of every open container collect on two flat stacks (`values`, and `keys` for
/// mappings); a finished container copies its slice out once at its exact size and pops it.
/// The innermost container's bookkeeping lives in `top`, outside the `parents` array, so the
/// per-event updates (weight, pending key) are plain stored-property writes.
struct TreeBuilder {
    let file: String?
    static let maxDepth = 512
    /// Bound on the nodes a document may expand to through aliases ("billion laughs").
    static let maxExpandedNodes = 5_000_000

    /// What a mapping holds between reading a key and reading its value.
    enum PendingKey {
        case none
        case key(String)
        /// A plain `<<`: the value is merged in.
        case merge
        /// A key JSON cannot hold (a sequence, a map, null); reported when its value arrives,
        /// at the key's position.
        case unsupported(typeName: String, line: Int, column: Int)
    }

    struct Frame {
        var isMapping: Bool
        var anchor: String?
        /// Nodes in this container so far, aliases counted at their full size.
        var weight = 1
        /// Where this container's children start on `values` / `keys`.
        var valueStart: Int
        var keyStart: Int
        var pending = PendingKey.none
        /// Key positions (relative to `keyStart`), built once a map grows past `linearKeyLimit` entries.
        var keyIndex: [String: Int]?
    }

    static let linearKeyLimit = 32
    /// The innermost open container; meaningful only while `depth > 0`.
    var top = Frame(isMapping: false, anchor: nil, valueStart: 0, keyStart: 0)
    /// The open containers enclosing `top`, outermost first.
    var parents: [Frame] = []
    var depth = 0
    var keys: [String] = []
    var values: [Value] = []
    var anchors: [String: (value: Value, weight: Int)] = [:]
    var expandedNodes = 0

    init(file: String?) { self.file = file }

    func error(_ mark: yaml_mark_t, _ message: String) -> YAMLError {
        YAMLError(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1, message: message)
    }

    mutating func parse(_ input: UnsafeBufferPointer<UInt8>) throws(YAMLError) -> [YAMLDocument] {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) != 0 else {
            throw YAMLError(file: file, line: 1, column: 1, message: "cannot initialise the YAML parser")
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, input.baseAddress, input.count)

        var documents: [YAMLDocument] = []
        var documentLine = 1
        var seenContent = false
        var current: Value = .null
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(parser, &event) != 0 else {
                let p = parser.pointee
                var message = p.problem.map { String(cString: $0) } ?? "invalid YAML"
                if let context = p.context { message = "\(String(cString: context)): \(message)" }
                throw YAMLError(file: file, line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1, message: message)
            }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return documents
            case YAML_DOCUMENT_START_EVENT:
                anchors.removeAll(keepingCapacity: true)
                expandedNodes = 0
                seenContent = false
                documentLine = Int(event.start_mark.line) + 1
                current = .null
            case YAML_DOCUMENT_END_EVENT:
                documents.append(YAMLDocument(value: current, index: documents.count, line: documentLine))
            case YAML_MAPPING_START_EVENT:
                guard depth < Self.maxDepth else { throw error(event.start_mark, "nesting deeper than \(Self.maxDepth) levels") }
                openContainer(isMapping: true, anchor: event.data.mapping_start.anchor.map { String(cString: $0) })
            case YAML_SEQUENCE_START_EVENT:
                guard depth < Self.maxDepth else { throw error(event.start_mark, "nesting deeper than \(Self.maxDepth) levels") }
                openContainer(isMapping: false, anchor: event.data.sequence_start.anchor.map { String(cString: $0) })
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                let (value, weight) = closeContainer()
                if depth == 0 { current = value } else { try add(value, weight: weight, isPlainMergeKey: false, mark: event.start_mark) }
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                if !seenContent {
                    // The first scalar is the document's first content line (`---` and comments precede it).
                    seenContent = true
                    documentLine = Int(event.start_mark.line) + 1
                }
                let bytes = UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length))
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                let value: Value
                if let tagPointer = scalar.tag {
                    value = try resolve(String(decoding: bytes, as: UTF8.self), tag: String(cString: tagPointer), plain: plain, mark: event.start_mark)
                } else if plain {
                    value = try typed(ScalarResolver.resolvePlain(bytes), bytes: bytes, mark: event.start_mark)
                } else {
                    value = .string(String(decoding: bytes, as: UTF8.self))
                }
                if let anchor = scalar.anchor { anchors[String(cString: anchor)] = (value, 1) }
                if depth == 0 {
                    current = value
                } else {
                    let isMergeKey = plain && scalar.tag == nil && bytes.count == 2 && bytes[0] == 0x3C && bytes[1] == 0x3C
                    try add(value, weight: 1, isPlainMergeKey: isMergeKey, mark: event.start_mark)
                }
            case YAML_ALIAS_EVENT:
                let name = String(cString: event.data.alias.anchor)
                guard let (value, weight) = anchors[name] else { throw error(event.start_mark, "unknown anchor '\(name)' referenced") }
                expandedNodes += weight
                guard expandedNodes <= Self.maxExpandedNodes else {
                    throw error(event.start_mark, "document contains excessive aliasing (more than \(Self.maxExpandedNodes) nodes)")
                }
                if depth == 0 { current = value } else { try add(value, weight: weight, isPlainMergeKey: false, mark: event.start_mark) }
            default:
                break
            }
        }
    }

    func resolve(_ text: String, tag: String, plain: Bool, mark: yaml_mark_t) throws(YAMLError) -> Value {
        switch tag {
        case "tag:yaml.org,2002:str", "!!str", "!": return .string(text)  // `!` (non-specific) forces a string
        case "tag:yaml.org,2002:null": return .null
        default:
            // !!bool/!!int/!!float resolve as plain text would; unknown local tags keep the
            // scalar as go-yaml does (typed when plain, a string when quoted).
            guard plain || tag.hasPrefix("tag:yaml.org,2002:") else { return .string(text) }
            switch ScalarResolver.resolvePlain(text) {
            case .value(let v): return v
            case .timestamp: return .string(text)
            case .notRepresentable(let s):
                throw error(mark, "'\(s)' cannot be represented in JSON (infinite or NaN numbers are not allowed)")
            }
        }
    }

    func typed(_ resolved: ResolvedScalar, bytes: UnsafeBufferPointer<UInt8>, mark: yaml_mark_t) throws(YAMLError) -> Value {
        switch resolved {
        case .value(let v): return v
        case .timestamp: return .string(String(decoding: bytes, as: UTF8.self))  // sigs.k8s.io/yaml keeps the text
        case .notRepresentable(let s):
            throw error(mark, "'\(s)' cannot be represented in JSON (infinite or NaN numbers are not allowed)")
        }
    }

    mutating func openContainer(isMapping: Bool, anchor: String?) {
        if depth > 0 { parents.append(top) }
        top = Frame(isMapping: isMapping, anchor: anchor, valueStart: values.count, keyStart: keys.count)
        depth += 1
    }

    /// Pops the innermost container, returning its value and alias-weighted size.
    mutating func closeContainer() -> (Value, Int) {
        let frame = top
        let items = Array(values[frame.valueStart...])
        values.removeSubrange(frame.valueStart...)
        let value: Value
        if frame.isMapping {
            let names = Array(keys[frame.keyStart...])
            keys.removeSubrange(frame.keyStart...)
            value = .object(ValueObject(uncheckedUniqueKeys: names, values: items))
        } else {
            value = .array(items)
        }
        if let anchor = frame.anchor { anchors[anchor] = (value, frame.weight) }
        depth -= 1
        if depth > 0 { top = parents.removeLast() }
        return (value, frame.weight)
    }

    /// Sets `key` in the innermost (mapping) container; a repeated key replaces the earlier
    /// value in its original position, as assigning into a Go map and then JSON would.
    mutating func set(_ key: String, _ value: Value) {
        let keyStart = top.keyStart
        if top.keyIndex != nil {
            if let i = top.keyIndex?[key] { values[top.valueStart + i] = value; return }
            top.keyIndex?[key] = keys.count - keyStart
        } else if let i = keys[keyStart...].firstIndex(of: key) {
            values[top.valueStart + (i - keyStart)] = value
            return
        } else if keys.count - keyStart >= Self.linearKeyLimit {
            var index: [String: Int] = [:]
            for (i, k) in keys[keyStart...].enumerated() { index[k] = i }
            index[key] = keys.count - keyStart
            top.keyIndex = index
        }
        keys.append(key)
        values.append(value)
    }

    mutating func add(_ value: Value, weight: Int, isPlainMergeKey: Bool, mark: yaml_mark_t) throws(YAMLError) {
        top.weight += weight
        guard top.isMapping else {
            values.append(value)
            return
        }
        switch top.pending {
        case .none:
            if isPlainMergeKey {
                top.pending = .merge
            } else if let key = ScalarResolver.keyString(value) {
                top.pending = .key(key)
            } else {
                top.pending = .unsupported(typeName: value.typeName, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
            }
        case .key(let key):
            top.pending = .none
            set(key, value)
        case .merge:
            top.pending = .none
            try merge(value, mark: mark)
        case .unsupported(let typeName, let line, let column):
            throw YAMLError(file: file, line: line, column: column, message: "unsupported map key of type \(typeName)")
        }
    }

    /// `<<: *base` or `<<: [*a, *b]`: merged keys override what came before; with a list, earlier
    /// maps win over later ones (go-yaml v2's order).
    mutating func merge(_ value: Value, mark: yaml_mark_t) throws(YAMLError) {
        switch value {
        case .object(let source):
            for (k, v) in source { set(k, v) }
        case .array(let list):
            for item in list.reversed() {
                guard case .object(let source) = item else {
                    throw error(mark, "map merge requires map or sequence of maps as the value")
                }
                for (k, v) in source { set(k, v) }
            }
        default:
            throw error(mark, "map merge requires map or sequence of maps as the value")
        }
    }
}
