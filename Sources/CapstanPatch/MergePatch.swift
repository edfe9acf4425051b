/// JSON merge patch (RFC 7386): objects merge key by key, `null` deletes, anything else
/// (lists included) replaces. What Kubernetes uses for custom resources.
import CapstanModel

public enum MergePatch {
    /// Applies `patch` to `target` (RFC 7386 §2).
    public static func apply(patch: Value, to target: Value) throws(PatchError) -> Value {
        try merge(patch, into: target, path: .root, depth: 0)
    }

    private static func merge(_ patch: Value, into target: Value, path: PatchPath, depth: Int) throws(PatchError) -> Value {
        guard depth < maxPatchDepth else { throw PatchError(.tooDeep, at: path, "document nested deeper than \(maxPatchDepth) levels") }
        guard case .object(let p) = patch else { return patch }
        var result: ValueObject
        if case .object(let t) = target { result = t } else { result = [:] }
        for (key, value) in p {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = try merge(value, into: result[key] ?? .null, path: path.appending(key), depth: depth + 1)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified`: changed and added keys with
    /// their new values, removed keys as `null`, lists whole.
    public static func createTwoWay(original: Value, modified: Value) throws(PatchError) -> Value {
        guard case .object(let o) = original, case .object(let m) = modified else { return modified }
        return .object(try diff(o, m, path: .root, depth: 0))
    }

    private static func diff(_ original: ValueObject, _ modified: ValueObject, path: PatchPath, depth: Int) throws(PatchError) -> ValueObject {
        guard depth < maxPatchDepth else { throw PatchError(.tooDeep, at: path, "document nested deeper than \(maxPatchDepth) levels") }
        var patch = ValueObject()
        for (key, m) in modified {
            guard let o = original[key] else {
                patch[key] = m
                continue
            }
            if case .object(let oo) = o, case .object(let mo) = m {
                let child = try diff(oo, mo, path: path.appending(key), depth: depth + 1)
                if !child.isEmpty { patch[key] = .object(child) }
            } else if o != m {
                patch[key] = m
            }
        }
        for key in original.keys where modified[key] == nil { patch[key] = .null }
        return patch
    }

    /// kubectl's three-way JSON merge patch (used for kinds without strategic-merge metadata):
    /// additions and changes from `current` to `modified`, plus deletions (`null`) of what
    /// `original` had and `modified` dropped. Keys only `current` has are left alone.
    /// Throws `.conflict` if a deletion and a change touch the same key differently.
    public static func createThreeWay(original: Value, modified: Value, current: Value) throws(PatchError) -> Value {
        let o = original.isNull ? Value.object([:]) : original
        let m = modified.isNull ? Value.object([:]) : modified
        let c = current.isNull ? Value.object([:]) : current
        let changes = try createTwoWay(original: c, modified: m)
        let deletions = try createTwoWay(original: o, modified: m)
        let keptChanges = filter(changes, keepNulls: false, depth: 0)
        let keptDeletions = filter(deletions, keepNulls: true, depth: 0)
        if let at = conflict(keptChanges, keptDeletions, path: .root, depth: 0) {
            throw PatchError(.conflict, at: at, "the change and the deletion computed for this field disagree")
        }
        // Apply the changes onto the deletions as a patch document (nulls in the deletions stay).
        return mergePatches(keptDeletions, keptChanges, depth: 0)
    }

    /// Keeps only the nulls (deletions) or only the non-nulls (additions and changes) of a
    /// merge patch. An explicitly empty object counts as a value.
    private static func filter(_ patch: Value, keepNulls: Bool, depth: Int) -> Value {
        guard case .object(let o) = patch, depth < maxPatchDepth else { return keepNulls ? .object([:]) : patch }
        var out = ValueObject()
        for (k, v) in o {
            switch v {
            case .null:
                if keepNulls { out[k] = .null }
            case .object(let sub):
                if sub.isEmpty {
                    if !keepNulls { out[k] = v }
                    continue
                }
                let filtered = filter(v, keepNulls: keepNulls, depth: depth + 1)
                if filtered.count > 0 { out[k] = filtered }
            default:
                if !keepNulls { out[k] = v }
            }
        }
        return .object(out)
    }

    private static func conflict(_ left: Value, _ right: Value, path: PatchPath, depth: Int) -> PatchPath? {
        guard depth < maxPatchDepth else { return path }
        switch left {
        case .object(let l):
            guard case .object(let r) = right else { return path }
            for (k, lv) in l {
                guard let rv = r[k] else { continue }
                if let found = conflict(lv, rv, path: path.appending(k), depth: depth + 1) { return found }
            }
            return nil
        case .array(let l):
            guard case .array(let r) = right, l.count == r.count else { return path }
            for i in l.indices {
                if let found = conflict(l[i], r[i], path: path.appending(index: i), depth: depth + 1) { return found }
            }
            return nil
        default:
            return left == right ? nil : path
        }
    }

    /// RFC 7386 merge of one patch document onto another: like `apply`, but a null in the
    /// patch being merged removes the key while nulls already in the base are kept.
    private static func mergePatches(_ base: Value, _ patch: Value, depth: Int) -> Value {
        guard case .object(let p) = patch, depth < maxPatchDepth else { return patch }
        var result: ValueObject
        if case .object(let b) = base { result = b } else { result = [:] }
        for (k, v) in p {
            if v.isNull {
                result.removeValue(forKey: k)
            } else if case .object = v {
                result[k] = mergePatches(result[k] ?? .object([:]), v, depth: depth + 1)
            } else {
                result[k] = v
            }
        }
        return .object(result)
    }
}
