/// Three-way strategic merge patch creation — what `kubectl apply` sends.
import CapstanModel

extension StrategicMerge {
    /// The patch that brings the live object in line with the new manifest without touching
    /// fields other actors own.
    ///
    /// - `original`: what this tool applied last time (the last-applied configuration);
    ///   `.null` when there is none.
    /// - `modified`: the new intent (the manifest being applied now).
    /// - `current`: the live object as the server has it.
    ///
    /// The patch holds (a) every addition or change needed to make `current` agree with
    /// `modified`, and (b) a deletion for every field or merge-list element `original` had and
    /// `modified` dropped. Fields present only in `current` (defaults, controller-set values,
    /// status) appear in neither, so they survive.
    ///
    /// A *conflict* is a field the patch would set that `current` also changed relative to
    /// `original`, to a different value. With `overwrite: true` (kubectl's default) the patch
    /// wins; with `overwrite: false` a `PatchError` of kind `.conflict` names the first such
    /// path instead.
    public static func createThreeWay(original: Value, modified: Value, current: Value, meta: PatchMeta = .none, overwrite: Bool = true) throws(PatchError) -> Value {
        let o = try document(original, "original")
        let m = try document(modified, "modified")
        let c = try document(current, "current")
        let differ = Differ()
        let delta = try differ.diffMaps(c, m, meta: meta, options: DiffOptions(setElementOrder: true, ignoreDeletions: true), path: .root, depth: 0)
        let deletions = try differ.diffMaps(o, m, meta: meta, options: DiffOptions(setElementOrder: true, ignoreChangesAndAdditions: true), path: .root, depth: 0)
        let merger = Merger(options: .combinePatches)
        let patch = try merger.mergeMap(deletions, delta, meta: meta, path: .root, depth: 0)
        if !overwrite {
            let changed = try differ.diffMaps(o, c, meta: meta, options: DiffOptions(setElementOrder: false), path: .root, depth: 0)
            if let at = Conflicts.firstConflict(.object(patch), .object(changed), meta: meta, strategy: "", mergeKey: "", path: .root, depth: 0) {
                let ours = patch.value(at: at)
                let theirs = changed.value(at: at)
                throw PatchError(.conflict, at: at, "the live object changed this field since it was last applied (live change: \(theirs?.jsonString() ?? "removed"); patch: \(ours?.jsonString() ?? "removed"))")
            }
        }
        return .object(patch)
    }
}

/// Kubernetes' conflict test between the patch and the live changes (original → current):
/// keys both touch must agree; merge lists are compared element by element by merge key.
enum Conflicts {
    static func firstConflict(_ left: Value, _ right: Value, meta: PatchMeta, strategy: String, mergeKey: String, path: PatchPath, depth: Int) -> PatchPath? {
        guard depth < maxPatchDepth else { return path }
        switch left {
        case .object(let l):
            guard case .object(let r) = right else { return path }
            let lm = l[Directive.patch]
            let rm = r[Directive.patch]
            if lm != nil || rm != nil {
                if (lm == nil) != (rm == nil) || lm != rm { return path }
            }
            if strategy == "replace" { return nil }
            for (key, lv) in l where key != Directive.patch && key != Directive.retainKeys {
                guard let rv = r[key] else { continue }
                let field = meta.field(key)
                let fieldStrategy = (try? field.strategy(at: path))?.strategy ?? ""
                if let found = firstConflict(lv, rv, meta: field, strategy: fieldStrategy, mergeKey: field.mergeKey ?? "", path: path.appending(key), depth: depth + 1) {
                    return found
                }
            }
            return nil
        case .array(let l):
            guard case .array(let r) = right else { return path }
            if l.isEmpty && r.isEmpty { return nil }
            guard let kind = try? ListOrder.elementKind([l, r], path: path) else { return path }
            let elements = meta.items
            if strategy == "merge" {
                guard kind == .object else { return nil }
                var rightByKey: [String: Value] = [:]
                for v in r {
                    guard let k = v.objectValue?[mergeKey] else { return path }
                    rightByKey[String(decoding: k.goText, as: UTF8.self)] = v
                }
                for v in l {
                    guard let k = v.objectValue?[mergeKey] else { return path }
                    if let rv = rightByKey[String(decoding: k.goText, as: UTF8.self)],
                       let found = firstConflict(v, rv, meta: elements, strategy: "", mergeKey: "", path: path.appending(mergeKey: mergeKey, value: k), depth: depth + 1)
                    {
                        return found
                    }
                }
                return nil
            }
            if l.count != r.count { return path }
            var ls = l
            var rs = r
            if kind != .object {
                ls = sortedScalars(ListOrder.goDeduplicate(l))
                rs = sortedScalars(ListOrder.goDeduplicate(r))
                if ls.count != rs.count { return path }
            }
            for i in ls.indices {
                if let found = firstConflict(ls[i], rs[i], meta: elements, strategy: "", mergeKey: "", path: path.appending(index: i), depth: depth + 1) {
                    return found
                }
            }
            return nil
        default:
            return left == right ? nil : path
        }
    }

    private static func sortedScalars(_ list: [Value]) -> [Value] {
        list.map { ($0.goText, $0) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }.map(\.1)
    }
}

extension ValueObject {
    /// The value at a `PatchPath` (keys and merge-key selectors), for error messages.
    func value(at path: PatchPath) -> Value? {
        var current: Value = .object(self)
        for step in path.steps {
            switch step {
            case .key(let k):
                guard case .object(let o) = current, let next = o[k] else { return nil }
                current = next
            case .index(let i):
                guard case .array(let a) = current, a.indices.contains(i) else { return nil }
                current = a[i]
            case .element(let key, let text):
                guard case .array(let a) = current,
                      let hit = a.first(where: { e in
                          guard let k = e.objectValue?[key] else { return false }
                          return (k.stringValue ?? k.jsonString()) == text
                      })
                else { return nil }
                current = hit
            }
        }
        return current
    }
}
