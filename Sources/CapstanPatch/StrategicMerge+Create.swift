/// Creating a strategic merge patch from two documents (two-way): the smallest patch that
/// turns `original` into `modified`, as Kubernetes computes it — including `null` for removed
/// keys, `$patch: delete` for removed merge-list elements, `$deleteFromPrimitiveList/…` for
/// removed primitives, `$setElementOrder/…` when a merge list changes, and `$retainKeys` for
/// fields whose strategy is `retainKeys`.
import CapstanModel

/// Which parts of the difference to keep. Three-way creation runs two one-sided diffs.
struct DiffOptions {
    var setElementOrder = true
    var ignoreChangesAndAdditions = false
    var ignoreDeletions = false
    var buildRetainKeys = false
}

extension StrategicMerge {
    /// The patch that turns `original` into `modified` (both JSON objects). Applying it to
    /// `original` with `apply(patch:to:meta:)` yields `modified` (list order included).
    public static func createTwoWay(original: Value, modified: Value, meta: PatchMeta = .none) throws(PatchError) -> Value {
        let o = try document(original, "original")
        let m = try document(modified, "modified")
        let differ = Differ()
        return .object(try differ.diffMaps(o, m, meta: meta, options: DiffOptions(), path: .root, depth: 0))
    }

    static func document(_ value: Value, _ role: String) throws(PatchError) -> ValueObject {
        switch value {
        case .object(let o): return o
        case .null: return [:]
        default: throw PatchError(.invalidDocument, at: .root, "the \(role) document must be a JSON object, got \(value.typeName)")
        }
    }
}

struct Differ {
    func diffMaps(_ original: ValueObject, _ modified: ValueObject, meta: PatchMeta, options: DiffOptions, path: PatchPath, depth: Int) throws(PatchError) -> ValueObject {
        guard depth < maxPatchDepth else { throw PatchError(.tooDeep, at: path, "document nested deeper than \(maxPatchDepth) levels") }
        var patch = ValueObject()
        var retainKeys: [Value] = []

        for (key, modifiedValue) in modified {
            if options.buildRetainKeys && !modifiedValue.isNull { retainKeys.append(.string(key)) }
            guard let originalValue = original[key] else {
                if !options.ignoreChangesAndAdditions { patch[key] = modifiedValue }
                continue
            }
            if key == Directive.patch {
                // Documents that carry `$patch` themselves (patches being diffed).
                guard case .string(let o) = originalValue, case .string(let m) = modifiedValue else {
                    throw PatchError(.invalidPatch, at: path.appending(key), "invalid value for $patch")
                }
                if o != m { patch[key] = modifiedValue }
                continue
            }
            if originalValue.kind != modifiedValue.kind {
                if !options.ignoreChangesAndAdditions { patch[key] = modifiedValue }
                continue
            }
            switch (originalValue, modifiedValue) {
            case (.object(let o), .object(let m)):
                try diffMapField(key, o, m, into: &patch, meta: meta, options: options, path: path.appending(key), depth: depth)
            case (.array(let o), .array(let m)):
                try diffListField(key, o, m, into: &patch, meta: meta, options: options, path: path.appending(key), depth: depth)
            default:
                if !options.ignoreChangesAndAdditions && originalValue != modifiedValue { patch[key] = modifiedValue }
            }
        }

        if !options.ignoreDeletions {
            for key in original.keys where modified[key] == nil { patch[key] = .null }
        }
        if !retainKeys.isEmpty && (!patch.isEmpty || hasDroppedField(original, modified)) {
            retainKeys.sort { $0.goText.lexicographicallyPrecedes($1.goText) }
            patch[Directive.retainKeys] = .array(retainKeys)
        }
        return patch
    }

    /// True when `original` has a non-null key that `modified` lacks.
    private func hasDroppedField(_ original: ValueObject, _ modified: ValueObject) -> Bool {
        for (k, v) in original where !v.isNull && modified[k] == nil { return true }
        return false
    }

    private func diffMapField(_ key: String, _ original: ValueObject, _ modified: ValueObject, into patch: inout ValueObject, meta: PatchMeta, options: DiffOptions, path: PatchPath, depth: Int) throws(PatchError) {
        let field = meta.field(key)
        let (retain, strategy) = try field.strategy(at: path)
        var childOptions = options
        childOptions.buildRetainKeys = retain
        if strategy == "replace" {
            if !options.ignoreChangesAndAdditions { patch[key] = .object(modified) }
            return
        }
        let child = try diffMaps(original, modified, meta: field, options: childOptions, path: path, depth: depth + 1)
        if !child.isEmpty { patch[key] = .object(child) }
    }

    private func diffListField(_ key: String, _ original: [Value], _ modified: [Value], into patch: inout ValueObject, meta: PatchMeta, options: DiffOptions, path: PatchPath, depth: Int) throws(PatchError) {
        let field = meta.field(key)
        let (retain, strategy) = try field.strategy(at: path)
        guard strategy == "merge" else {
            if !options.ignoreChangesAndAdditions && original != modified { patch[key] = .array(modified) }
            return
        }
        var childOptions = options
        childOptions.buildRetainKeys = retain
        let (changes, deletions, order) = try diffLists(original, modified, elements: field.items, mergeKey: field.mergeKey ?? "", options: childOptions, path: path, depth: depth + 1)
        if !changes.isEmpty { patch[key] = .array(changes) }
        if !deletions.isEmpty { patch[Directive.deleteFromPrimitiveList + "/" + key] = .array(deletions) }
        if !order.isEmpty { patch[Directive.setElementOrder + "/" + key] = .array(order) }
    }

    /// A merge list: the changed/added elements (deleted merge-list elements appended as
    /// `$patch: delete`), the primitives to delete, and the `$setElementOrder` list.
    func diffLists(_ original: [Value], _ modified: [Value], elements: PatchMeta, mergeKey: String, options: DiffOptions, path: PatchPath, depth: Int) throws(PatchError) -> ([Value], [Value], [Value]) {
        if original.isEmpty {
            if modified.isEmpty || options.ignoreChangesAndAdditions { return ([], [], []) }
            return (modified, [], [])
        }
        let kind = try ListOrder.elementKind([original, modified], path: path)
        switch kind {
        case .object:
            var (changes, deletions) = try diffListsOfMaps(original, modified, elements: elements, mergeKey: mergeKey, options: options, path: path, depth: depth)
            if changes.count > 1 {
                changes = try ListOrder.sortedByOrder(changes, order: modified, mergeKey: mergeKey, kind: .object, path: path)
            }
            let sameOrder = try isOrderSame(original, modified, mergeKey: mergeKey, path: path)
            changes += deletions
            deletions = []
            var order: [Value] = []
            if options.setElementOrder
                && ((!options.ignoreChangesAndAdditions && (!changes.isEmpty || !sameOrder))
                    || (!options.ignoreDeletions && !changes.isEmpty))
            {
                order.reserveCapacity(modified.count)
                for v in modified {
                    var entry = ValueObject()
                    entry[mergeKey] = v[mergeKey]
                    order.append(.object(entry))
                }
            }
            return (changes, [], order)
        case .array:
            throw PatchError(.typeMismatch, at: path, "lists of lists are not supported")
        default:
            var (additions, deletions) = diffListsOfScalars(original, modified, options: options)
            if additions.count > 1 {
                additions = try ListOrder.sortedByOrder(additions, order: modified, mergeKey: mergeKey, kind: kind, path: path)
            }
            var order: [Value] = []
            if options.setElementOrder
                && ((!options.ignoreDeletions && !deletions.isEmpty)
                    || (!options.ignoreChangesAndAdditions && original != modified))
            {
                order = modified
            }
            return (additions, deletions, order)
        }
    }

    private func isOrderSame(_ original: [Value], _ modified: [Value], mergeKey: String, path: PatchPath) throws(PatchError) -> Bool {
        guard original.count == modified.count else { return false }
        for (o, m) in zip(original, modified) {
            guard case .object(let l) = o, case .object(let r) = m else {
                throw PatchError(.typeMismatch, at: path, "merge list elements must be objects")
            }
            guard let lk = l[mergeKey] else { throw missingKey(o, mergeKey, path) }
            guard let rk = r[mergeKey] else { throw missingKey(m, mergeKey, path) }
            if lk != rk { return false }
        }
        return true
    }

    private func missingKey(_ v: Value, _ mergeKey: String, _ path: PatchPath) -> PatchError {
        PatchError(.missingMergeKey, at: path, "element \(v.jsonString()) lacks the merge key \"\(mergeKey)\"")
    }

    /// Primitive merge lists are compared as sorted sets of their Go text.
    private func diffListsOfScalars(_ original: [Value], _ modified: [Value], options: DiffOptions) -> ([Value], [Value]) {
        let o = original.map { (text: $0.goText, value: $0) }.sorted { $0.text.lexicographicallyPrecedes($1.text) }
        let m = modified.map { (text: $0.goText, value: $0) }.sorted { $0.text.lexicographicallyPrecedes($1.text) }
        var additions: [Value] = []
        var deletions: [Value] = []
        var i = 0
        var j = 0
        while i < o.count || j < m.count {
            if i < o.count && j < m.count && o[i].text == m[j].text {
                i += 1; j += 1
            } else if i >= o.count || (j < m.count && m[j].text.lexicographicallyPrecedes(o[i].text)) {
                if !options.ignoreChangesAndAdditions { additions.append(m[j].value) }
                j += 1
            } else {
                if !options.ignoreDeletions { deletions.append(o[i].value) }
                i += 1
            }
        }
        return (additions, ListOrder.goDeduplicate(deletions))
    }

    /// Walks both lists sorted by the text of their merge key: equal keys are diffed
    /// recursively, keys only in `modified` are additions, keys only in `original` deletions.
    private func diffListsOfMaps(_ original: [Value], _ modified: [Value], elements: PatchMeta, mergeKey: String, options: DiffOptions, path: PatchPath, depth: Int) throws(PatchError) -> ([Value], [Value]) {
        let o = try keyedSorted(original, mergeKey: mergeKey, path: path)
        let m = try keyedSorted(modified, mergeKey: mergeKey, path: path)
        var changes: [Value] = []
        var deletions: [Value] = []
        var i = 0
        var j = 0
        while i < o.count || j < m.count {
            if i < o.count && j < m.count && o[i].text.utf8.elementsEqual(m[j].text.utf8) {
                if original[o[i].index] != modified[m[j].index], case .object(let oo) = original[o[i].index], case .object(let mo) = modified[m[j].index] {
                    let elementPath = path.appending(mergeKey: mergeKey, value: m[j].key)
                    var change = try diffMaps(oo, mo, meta: elements, options: options, path: elementPath, depth: depth + 1)
                    if !change.isEmpty {
                        change[mergeKey] = m[j].key
                        changes.append(.object(change))
                    }
                }
                i += 1; j += 1
            } else if i >= o.count || (j < m.count && m[j].text.utf8Precedes(o[i].text)) {
                if !options.ignoreChangesAndAdditions { changes.append(modified[m[j].index]) }
                j += 1
            } else {
                if !options.ignoreDeletions {
                    var directive = ValueObject()
                    directive[Directive.patch] = "delete"
                    directive[mergeKey] = o[i].key
                    deletions.append(.object(directive))
                }
                i += 1
            }
        }
        return (changes, deletions)
    }

    /// Merge-key values with their Go `%v` text and position, sorted by that text.
    private func keyedSorted(_ list: [Value], mergeKey: String, path: PatchPath) throws(PatchError) -> [(text: String, key: Value, index: Int)] {
        var out: [(text: String, key: Value, index: Int)] = []
        out.reserveCapacity(list.count)
        for (n, v) in list.enumerated() {
            guard case .object(let o) = v else {
                throw PatchError(.typeMismatch, at: path, "list element \(v.jsonString()) is not an object")
            }
            guard let k = o[mergeKey] else { throw missingKey(v, mergeKey, path) }
            if case .string(let s) = k {
                out.append((s, k, n))
            } else {
                out.append((String(decoding: k.goText, as: UTF8.self), k, n))
            }
        }
        var sorted = true
        for n in out.indices.dropFirst() where out[n].text.utf8Precedes(out[n - 1].text) {
            sorted = false
            break
        }
        if !sorted { out.sort { $0.text.utf8Precedes($1.text) } }
        return out
    }
}
