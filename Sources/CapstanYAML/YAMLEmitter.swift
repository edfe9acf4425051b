/// `Value` → YAML text, shaped like go-yaml v2's output (what `kubectl get -o yaml` and Helm's
/// `toYaml` print). libyaml's emitter does the layout and decides whether a plain scalar is
/// safe; this file chooses the style go-yaml would request and the key order.
import CYAML
import CapstanModel

public struct YAMLEmitOptions: Sendable {
    /// Sort keys the way go-yaml v2 sorts map keys; false keeps the `Value`'s own order.
    public var sortKeys: Bool
    /// Preferred line width for folding long plain scalars; go-yaml v2 uses libyaml's 80.
    /// A negative value disables folding.
    public var lineWidth: Int

    public init(sortKeys: Bool = true, lineWidth: Int = 80) {
        self.sortKeys = sortKeys
        self.lineWidth = lineWidth
    }
}

extension YAML {
    /// Emits one document (no leading `---`), ending with a newline.
    public static func emit(_ value: Value, options: YAMLEmitOptions = YAMLEmitOptions()) -> String {
        emitDocuments([value], options: options)
    }

    /// Emits several documents separated by `---` lines.
    public static func emitDocuments(_ values: [Value], options: YAMLEmitOptions = YAMLEmitOptions()) -> String {
        var emitter = Emitter(options: options)
        return emitter.run(values)
    }
}

private final class OutputBuffer {
    var bytes: [UInt8] = []
}

private struct Emitter {
    let options: YAMLEmitOptions

    init(options: YAMLEmitOptions) { self.options = options }

    mutating func run(_ documents: [Value]) -> String {
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) != 0 else { return "" }
        defer { yaml_emitter_delete(emitter) }
        let output = OutputBuffer()
        output.bytes.reserveCapacity(1024)
        let context = Unmanaged.passUnretained(output).toOpaque()
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 0 }
            let out = Unmanaged<OutputBuffer>.fromOpaque(data).takeUnretainedValue()
            out.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, context)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, Int32(options.lineWidth < 0 ? -1 : options.lineWidth))
        yaml_emitter_set_indent(emitter, 2)

        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        yaml_emitter_emit(emitter, &event)
        for document in documents {
            yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
            yaml_emitter_emit(emitter, &event)
            emitNode(document, emitter)
            yaml_document_end_event_initialize(&event, 1)
            yaml_emitter_emit(emitter, &event)
        }
        yaml_stream_end_event_initialize(&event)
        yaml_emitter_emit(emitter, &event)
        yaml_emitter_flush(emitter)
        return String(decoding: output.bytes, as: UTF8.self)
    }

    func emitNode(_ value: Value, _ emitter: UnsafeMutablePointer<yaml_emitter_t>) {
        var event = yaml_event_t()
        switch value {
        case .null: scalar("null", style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case .bool(let b): scalar(b ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case .int(let i): scalar(String(i), style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case .double(let d): scalar(formatYAMLNumber(d), style: YAML_PLAIN_SCALAR_STYLE, emitter)
        case .string(let s): scalar(s, style: stringStyle(s), emitter)
        case .array(let items):
            yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE)
            yaml_emitter_emit(emitter, &event)
            for item in items { emitNode(item, emitter) }
            yaml_sequence_end_event_initialize(&event)
            yaml_emitter_emit(emitter, &event)
        case .object(let object):
            yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE)
            yaml_emitter_emit(emitter, &event)
            if options.sortKeys {
                for key in object.keys.sorted(by: goYAMLKeyLess) {
                    scalar(key, style: stringStyle(key), emitter)
                    emitNode(object[key]!, emitter)
                }
            } else {
                for (key, v) in object {
                    scalar(key, style: stringStyle(key), emitter)
                    emitNode(v, emitter)
                }
            }
            yaml_mapping_end_event_initialize(&event)
            yaml_emitter_emit(emitter, &event)
        }
    }

    /// go-yaml v2: multi-line strings as literal blocks, strings that would resolve to another
    /// type (or look like base-60 floats) double-quoted, everything else plain if libyaml allows.
    func stringStyle(_ s: String) -> yaml_scalar_style_t {
        if s.utf8.contains(0x0A) { return YAML_LITERAL_SCALAR_STYLE }
        if !ScalarResolver.readsAsString(s) { return YAML_DOUBLE_QUOTED_SCALAR_STYLE }
        if s == "<<" || looksLikeBase60Float(s) { return YAML_DOUBLE_QUOTED_SCALAR_STYLE }
        return YAML_PLAIN_SCALAR_STYLE
    }

    func scalar(_ text: String, style: yaml_scalar_style_t, _ emitter: UnsafeMutablePointer<yaml_emitter_t>) {
        var event = yaml_event_t()
        var bytes = Array(text.utf8)
        let length = bytes.count
        if bytes.isEmpty { bytes = [0] }  // libyaml asserts a non-null value pointer
        bytes.withUnsafeMutableBufferPointer { buffer in
            _ = yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, Int32(length), 1, 1, style)
            yaml_emitter_emit(emitter, &event)
        }
    }
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$` — YAML 1.1 sexagesimal numbers.
func looksLikeBase60Float(_ s: String) -> Bool {
    var u = Substring(s).utf8[...]
    if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { u = u.dropFirst() }
    guard let first = u.first, first >= 0x30, first <= 0x39 else { return false }
    while let c = u.first, (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") { u = u.dropFirst() }
    var groups = 0
    while u.first == UInt8(ascii: ":") {
        u = u.dropFirst()
        var n = 0
        while let c = u.first, c >= 0x30, c <= 0x39, n < 2 { u = u.dropFirst(); n += 1 }
        guard n > 0 else { return false }
        groups += 1
    }
    guard groups > 0 else { return false }
    if u.first == UInt8(ascii: ".") {
        u = u.dropFirst()
        while let c = u.first, (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") { u = u.dropFirst() }
    }
    return u.isEmpty
}

/// A double as go-yaml prints a float64 that went through JSON: integral values read back as
/// integers, others in Go's %g form (`1.5`, `1e-06`, `1e+21`).
func formatYAMLNumber(_ d: Double) -> String {
    if case .int(let i) = ScalarResolver.jsonNumber(d) { return String(i) }
    let g = formatGoFloatG(d)
    switch g {
    case "+Inf": return ".inf"
    case "-Inf": return "-.inf"
    case "NaN": return ".nan"
    default: return g
    }
}

/// go-yaml v2's map key order: letters after digits and symbols, runs of digits compared as
/// numbers, otherwise by code point. Keys are nearly always ASCII: those are compared on their
/// bytes in place (sorting calls this n log n times; the general path builds two arrays).
func goYAMLKeyLess(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    let ascii: Bool? = a.withUTF8 { ab in
        b.withUTF8 { bb in
            guard ab.allSatisfy({ $0 < 0x80 }), bb.allSatisfy({ $0 < 0x80 }) else { return nil }
            return goYAMLKeyLess(ab, bb, value: { UInt32($0) }, isLetter: { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A })
        }
    }
    if let ascii { return ascii }
    return goYAMLKeyLess(Array(a.unicodeScalars), Array(b.unicodeScalars), value: \.value, isLetter: \.properties.isAlphabetic)
}

/// The comparison itself, over code points of either form.
func goYAMLKeyLess<C: RandomAccessCollection>(
    _ ar: C, _ br: C, value: (C.Element) -> UInt32, isLetter: (C.Element) -> Bool
) -> Bool where C.Index == Int {
    func isDigit(_ e: C.Element) -> Bool { value(e) >= 48 && value(e) <= 57 }
    var i = 0
    while i < ar.count && i < br.count {
        if value(ar[i]) == value(br[i]) { i += 1; continue }
        let al = isLetter(ar[i]), bl = isLetter(br[i])
        if al && bl { return value(ar[i]) < value(br[i]) }
        if al || bl { return bl }
        var an: Int64 = 0, bn: Int64 = 0
        if value(ar[i]) == 48 || value(br[i]) == 48 {
            var j = i - 1
            while j >= 0, isDigit(ar[j]) {
                if value(ar[j]) != 48 { an = 1; bn = 1; break }
                j -= 1
            }
        }
        var ai = i, bi = i
        while ai < ar.count, isDigit(ar[ai]) { an = an &* 10 &+ Int64(value(ar[ai]) - 48); ai += 1 }
        while bi < br.count, isDigit(br[bi]) { bn = bn &* 10 &+ Int64(value(br[bi]) - 48); bi += 1 }
        if an != bn { return an < bn }
        if ai != bi { return ai < bi }
        return value(ar[i]) < value(br[i])
    }
    return ar.count < br.count
}

