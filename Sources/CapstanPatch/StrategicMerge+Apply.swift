/// Applying a strategic merge patch: patch + object → object, the way the API server (and
/// `kubectl patch --local`) does it, including list order.
import CapstanModel

/// Strategic merge patch: JSON merge patch plus per-field knowledge from the schema — lists of
/// objects merged by a merge key, primitive lists merged as sets, and `$` directives
/// (`$patch`, `$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`).
public enum StrategicMerge {}

/// How `mergeMap` treats directives. Applying a patch to an object merges parallel lists and
/// drops nulls that match nothing; combining two patches (three-way creation) keeps both.
struct MergeOptions {
    var mergeParallelList: Bool
    var ignoreUnmatchedNulls: Bool

    static let apply = MergeOptions(mergeParallelList: true, ignoreUnmatchedNulls: true)
    static let combinePatches = MergeOptions(mergeParallelList: false, ignoreUnmatchedNulls: false)
}

extension StrategicMerge {
    /// Applies `patch` to `object`. Both must be JSON objects. List order follows Kubernetes:
    /// `$setElementOrder` first, then the order of items in the patch, then live order.
    public static func apply(patch: Value, to object: Value, meta: PatchMeta = .none) throws(PatchError) -> Value {
        guard case .object(let patchObject) = patch else {
            throw PatchError(.invalidPatch, at: .root, "a strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let original: ValueObject
        switch object {
        case .object(let o): original = o
        case .null: original = [:]
        default: throw PatchError(.invalidDocument, at: .root, "the object to patch must be a JSON object, got \(object.typeName)")
        }
        let merger = Merger(options: .apply)
        return .object(try merger.mergeMap(original, patchObject, meta: meta, path: .root, depth: 0))
    }
}

/// The merge walk: `mergeMap` and `mergeSlice` recurse through patch and object together.
/// Immutable (only the options), so it is freely shared.
struct Merger {
    let options: MergeOptions

    init(options: MergeOptions) { self.options = options }

    func mergeMap(_ originalIn: ValueObject, _ patchIn: ValueObject, meta: PatchMeta, path: PatchPath, depth: Int) throws(PatchError) -> ValueObject {
        guard depth < maxPatchDepth else { throw PatchError(.tooDeep, at: path, "document nested deeper than \(maxPatchDepth) levels") }
        var patch = patchIn
        if let directive = patch["$patch"] {
            switch directive {
            case .string("replace"):
                // The patch stands for the whole map.
                patch.removeValue(forKey: "$patch")
                return patch
            case .string("delete"):
                return [:]
            default:
                throw PatchError(.invalidPatch, at: path, "unknown patch type \(directive.jsonString()) in map (expected \"replace\" or \"delete\")")
            }
        }
        var original = originalIn
        try applyRetainKeys(&original, &patch, path: path)
        try mergeOrderedLists(&original, &patch, meta: meta, path: path, depth: depth)

        for (patchKey, patchValue) in patch {
            var key = patchKey
            var isDeleteList = false
            if patchKey.hasPrefix(Directive.deleteFromPrimitiveList) {
                if !options.mergeParallelList {
                    // Combining patches: the deletion list travels on unchanged.
                    original[patchKey] = patchValue
                    continue
                }
                key = try Directive.listKey(patchKey, prefix: Directive.deleteFromPrimitiveList, path: path)
                isDeleteList = true
            }

            if patchValue.isNull {
                original.removeValue(forKey: key)
                if options.ignoreUnmatchedNulls { continue }
            }

            guard let originalValue = original[key], originalValue.kind == patchValue.kind else {
                // Absent, or a different type: the patch value wins, minus its directives.
                if !isDeleteList {
                    var value = patchValue
                    if options.ignoreUnmatchedNulls { value = Directive.discardingNulls(value, depth: 0) }
                    if let cleaned = Directive.removingDirectives(value, depth: 0) {
                        original[key] = cleaned
                    } else {
                        original.removeValue(forKey: key)
                    }
                }
                continue
            }

            switch (originalValue, patchValue) {
            case (.object(let o), .object(let p)):
                let fieldPath = path.appending(key)
                let field = meta.field(key)
                let (_, strategy) = try field.strategy(at: fieldPath)
                if strategy == "replace" {
                    original[key] = .object(p)
                } else {
                    original[key] = .object(try mergeMap(o, p, meta: field, path: fieldPath, depth: depth + 1))
                }
            case (.array(let o), .array(let p)):
                let fieldPath = path.appending(key)
                let field = meta.field(key)
                let (_, strategy) = try field.strategy(at: fieldPath)
                original[key] = .array(try mergeList(o, p, field: field, strategy: strategy, isDeleteList: isDeleteList, path: fieldPath, depth: depth + 1))
            default:
                original[key] = patchValue
            }
        }
        return original
    }

    /// A list field: merged when the schema says `merge` (or when it is a deletion list),
    /// otherwise the patch's list replaces the original.
    func mergeList(_ original: [Value], _ patch: [Value], field: PatchMeta, strategy: String, isDeleteList: Bool, path: PatchPath, depth: Int) throws(PatchError) -> [Value] {
        guard strategy == "merge" || isDeleteList else { return patch }
        return try mergeSlice(original, patch, elements: field.items, mergeKey: field.mergeKey ?? "", isDeleteList: isDeleteList, path: path, depth: depth)
    }

    func mergeSlice(_ originalIn: [Value], _ patchIn: [Value], elements: PatchMeta, mergeKey: String, isDeleteList: Bool, path: PatchPath, depth: Int) throws(PatchError) -> [Value] {
        if originalIn.isEmpty && patchIn.isEmpty { return originalIn }
        let kind = try ListOrder.elementKind([originalIn, patchIn], path: path)
        var original = originalIn
        var patch = patchIn
        var merged: [Value]
        if kind != .object {
            if options.mergeParallelList && isDeleteList {
                return ListOrder.deleting(patch, from: original)
            }
            merged = ListOrder.goDeduplicate(original + patch)
        } else {
            guard !mergeKey.isEmpty else {
                throw PatchError(.invalidPatch, at: path, "cannot merge a list of objects without a merge key (the schema declares none)")
            }
            (original, patch) = try mergeSpecialElements(original, patch, mergeKey: mergeKey, path: path)
            merged = try mergePlainElements(original, patch, mergeKey: mergeKey, elements: elements, path: path, depth: depth)
        }
        let (patchItems, serverOnly) = try ListOrder.partition(merged, by: patch, mergeKey: mergeKey, path: path)
        return try ListOrder.normalize(patchItems: patchItems, serverOnly: serverOnly, patchOrder: patch, serverOrder: original, mergeKey: mergeKey, kind: kind, path: path)
    }

    /// Handles list elements that carry `$patch`: `delete` removes every original element with
    /// that merge key, `replace` makes the rest of the patch list the whole list.
    func mergeSpecialElements(_ original: [Value], _ patch: [Value], mergeKey: String, path: PatchPath) throws(PatchError) -> ([Value], [Value]) {
        var plain: [Value] = []
        plain.reserveCapacity(patch.count)
        var replace = false
        var deleteKeys: Set<Value> = []
        for element in patch {
            guard case .object(let object) = element, let directive = object["$patch"] else {
                plain.append(element)
                continue
            }
            switch directive {
            case .string("delete"):
                guard let keyValue = object[mergeKey] else {
                    throw PatchError(.missingMergeKey, at: path, "element \(element.jsonString()) with $patch: delete lacks the merge key \"\(mergeKey)\"")
                }
                deleteKeys.insert(keyValue)
            case .string("replace"):
                replace = true
            case .string("merge"):
                throw PatchError(.invalidPatch, at: path, "$patch: merge is not supported on list elements (merging lists cannot be specified in the patch)")
            default:
                throw PatchError(.invalidPatch, at: path, "unknown patch type \(directive.jsonString()) in list element \(element.jsonString())")
            }
        }
        if replace { return (plain, []) }
        if deleteKeys.isEmpty { return (original, plain) }
        let kept = original.filter { element in
            guard case .object(let o) = element, let k = o[mergeKey] else { return true }
            return !deleteKeys.contains(k)
        }
        return (kept, plain)
    }

    /// Merges each patch element into the original element with the same merge key, or
    /// appends it. Original elements are indexed by merge key, so this is linear.
    func mergePlainElements(_ originalIn: [Value], _ patch: [Value], mergeKey: String, elements: PatchMeta, path: PatchPath, depth: Int) throws(PatchError) -> [Value] {
        var original = originalIn
        var index: [Value: Int] = [:]
        index.reserveCapacity(original.count)
        for (i, element) in original.enumerated() {
            if case .object(let o) = element, let k = o[mergeKey], index[k] == nil { index[k] = i }
        }
        for element in patch {
            guard case .object(let patchObject) = element else {
                throw PatchError(.typeMismatch, at: path, "list element \(element.jsonString()) is not an object")
            }
            guard let keyValue = patchObject[mergeKey] else {
                throw PatchError(.missingMergeKey, at: path, "element \(element.jsonString()) lacks the merge key \"\(mergeKey)\"")
            }
            if let i = index[keyValue], case .object(let originalObject) = original[i] {
                let elementPath = path.appending(mergeKey: mergeKey, value: keyValue)
                let merged = try mergeMap(originalObject, patchObject, meta: elements, path: elementPath, depth: depth + 1)
                original[i] = .object(merged)
                if merged[mergeKey] != keyValue {
                    // The merge changed the key itself (e.g. `$retainKeys` without it): re-index.
                    index = [:]
                    for (j, e) in original.enumerated() {
                        if case .object(let o) = e, let k = o[mergeKey], index[k] == nil { index[k] = j }
                    }
                }
            } else {
                if index[keyValue] == nil { index[keyValue] = original.count }
                original.append(element)
            }
        }
        return original
    }
}
