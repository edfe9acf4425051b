import CYAML

/// A fast reader for the head of a rendered manifest (apiVersion, kind, metadata.name,
/// metadata.annotations): walks libyaml events of the first document without building a value
/// tree. Anything out of the ordinary for those fields — aliases, tags, merge keys, scalars
/// that might not resolve to strings, a non-mapping root, a syntax error — makes it return nil
/// so the caller takes the full YAML route, which owns the exact typing rules and messages.
enum HeadScanner {
    static func scan(_ doc: String) -> ManifestSorter.Head? {
        var bytes = Array(doc.utf8)
        return bytes.withUnsafeMutableBufferPointer { buf -> ManifestSorter.Head? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) != 0 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var walker = Walker()
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) != 0 else { return nil }
                let step = walker.handle(&event)
                yaml_event_delete(&event)
                switch step {
                case .more: continue
                case .fallback: return nil
                case .done:
                    // Validate the rest of the stream as the full route does.
                    while true {
                        guard yaml_parser_parse(&parser, &event) != 0 else { return nil }
                        let end = event.type == YAML_STREAM_END_EVENT
                        yaml_event_delete(&event)
                        if end { return walker.head }
                    }
                }
            }
        }
    }

    private enum Step { case more, done, fallback }

    /// Tracks where the current event sits: a stack of containers, and for mappings whether the
    /// next scalar is a key, plus which head field (if any) the container is.
    private struct Walker {
        enum Slot { case root, metadata, annotations, other }
        struct Frame {
            var isMapping: Bool
            var slot: Slot
            var pendingKey: String?
            var expectingKey: Bool
        }

        var head = ManifestSorter.Head()
        var stack: [Frame] = []
        var sawRoot = false

        mutating func handle(_ e: inout yaml_event_t) -> Step {
            switch e.type {
            case YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT:
                return .more
            case YAML_DOCUMENT_END_EVENT:
                return .done
            case YAML_STREAM_END_EVENT:
                return .fallback
            case YAML_ALIAS_EVENT:
                return .fallback
            case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
                let isMapping = e.type == YAML_MAPPING_START_EVENT
                let hasAnchorOrTag = isMapping
                    ? (e.data.mapping_start.anchor != nil || (e.data.mapping_start.tag != nil && e.data.mapping_start.implicit == 0))
                    : (e.data.sequence_start.anchor != nil || (e.data.sequence_start.tag != nil && e.data.sequence_start.implicit == 0))
                guard stack.count < 256 else { return .fallback }
                if stack.isEmpty {
                    guard isMapping, !sawRoot, !hasAnchorOrTag else { return .fallback }
                    sawRoot = true
                    stack.append(Frame(isMapping: true, slot: .root, pendingKey: nil, expectingKey: true))
                    return .more
                }
                var slot = Slot.other
                if let parent = stack.last, parent.isMapping {
                    let key = parent.pendingKey
                    if parent.slot == .root, let key, ["apiVersion", "kind", "metadata"].contains(key) {
                        // A container where a head field should be a string (or metadata a map).
                        guard key == "metadata", isMapping, !hasAnchorOrTag else { return .fallback }
                        slot = .metadata
                    } else if parent.slot == .metadata, let key, key == "name" || key == "annotations" {
                        guard key == "annotations", isMapping, !hasAnchorOrTag else { return .fallback }
                        slot = .annotations
                    } else if parent.slot == .annotations {
                        return .fallback  // annotation values must be strings
                    }
                }
                stack.append(Frame(isMapping: isMapping, slot: slot, pendingKey: nil, expectingKey: isMapping))
                return .more
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                stack.removeLast()
                if stack.isEmpty { return .more }
                afterValue()
                return .more
            case YAML_SCALAR_EVENT:
                let s = e.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
                let plain = s.style == YAML_PLAIN_SCALAR_STYLE
                if s.anchor != nil || (s.tag != nil && s.plain_implicit == 0 && s.quoted_implicit == 0) { return relevant ? .fallback : skipScalar() }
                guard var top = stack.last else {
                    // A scalar document: only an empty/null one is an empty head.
                    return plain && isNullWord(text) ? .done : .fallback
                }
                if top.isMapping && top.expectingKey {
                    if top.slot != .other {
                        if plain && (text == "<<" || mightNotBeString(text)) { return .fallback }
                    }
                    top.pendingKey = text
                    top.expectingKey = false
                    stack[stack.count - 1] = top
                    return .more
                }
                if top.isMapping, let key = top.pendingKey {
                    switch top.slot {
                    case .root where key == "apiVersion" || key == "kind":
                        if plain && isNullWord(text) { if key == "kind" { head.kind = "" } else { head.apiVersion = "" } }
                        else if plain && mightNotBeString(text) { return .fallback }
                        else if key == "kind" { head.kind = text } else { head.apiVersion = text }
                    case .root where key == "metadata":
                        guard plain && isNullWord(text) else { return .fallback }
                    case .metadata where key == "name":
                        if plain && isNullWord(text) { head.name = "" }
                        else if plain && mightNotBeString(text) { return .fallback }
                        else { head.name = text }
                    case .metadata where key == "annotations":
                        guard plain && isNullWord(text) else { return .fallback }
                    case .annotations:
                        if plain && isNullWord(text) { head.annotations[key] = "" }
                        else if plain && mightNotBeString(text) { return .fallback }
                        else { head.annotations[key] = text }
                    default:
                        break
                    }
                }
                afterValue()
                return .more
            default:
                return .more
            }
        }

        /// Whether the innermost container is one whose scalars matter.
        var relevant: Bool {
            guard let top = stack.last else { return true }
            return top.slot != .other
        }

        mutating func skipScalar() -> Step {
            guard var top = stack.last else { return .fallback }
            if top.isMapping && top.expectingKey {
                top.pendingKey = nil
                top.expectingKey = false
                stack[stack.count - 1] = top
            } else {
                afterValue()
            }
            return .more
        }

        mutating func afterValue() {
            guard var top = stack.last, top.isMapping else { return }
            top.pendingKey = nil
            top.expectingKey = true
            stack[stack.count - 1] = top
        }
    }

    static func isNullWord(_ s: String) -> Bool {
        s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// Plain scalars YAML 1.1 might read as a bool, number, timestamp or special value.
    static func mightNotBeString(_ s: String) -> Bool {
        guard let first = s.utf8.first else { return true }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            break
        }
        switch s.lowercased() {
        case "y", "yes", "n", "no", "true", "false", "on", "off", "null": return true
        default: return false
        }
    }
}
