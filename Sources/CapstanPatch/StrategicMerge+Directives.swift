/// The `$` directives of strategic merge patch, on the applying side:
/// `$retainKeys` (clear every key not listed), `$setElementOrder/<list>` (the final order of
/// a merged list) and the helpers that strip directives from values that are taken whole.
/// (`$patch` is handled where maps and list elements are merged; `$deleteFromPrimitiveList/…`
/// where lists are merged.)
import CapstanModel

enum Directive {
    static let patch = "$patch"
    static let retainKeys = "$retainKeys"
    static let setElementOrder = "$setElementOrder"
    static let deleteFromPrimitiveList = "$deleteFromPrimitiveList"

    /// `$setElementOrder/containers` → `containers`.
    static func listKey(_ key: String, prefix: String, path: PatchPath) throws(PatchError) -> String {
        guard let slash = key.firstIndex(of: "/"), key[..<slash] == prefix else {
            throw PatchError(.invalidPatch, at: path, "invalid directive key \"\(key)\": expected \"\(prefix)/<field>\"")
        }
        return String(key[key.index(after: slash)...])
    }

    /// A value taken whole into the result loses its directives: maps carrying `$patch`
    /// disappear (nil), everything else is kept. Other `$` keys stay, as in Kubernetes.
    static func removingDirectives(_ value: Value, depth: Int) -> Value? {
        guard depth < maxPatchDepth else { return value }
        switch value {
        case .object(let o):
            if o[patch] != nil { return nil }
            var needsWork = false
            for (_, v) in o where v.isObject || v.isArray { needsWork = true; break }
            if !needsWork { return value }
            var out = ValueObject()
            out.reserveCapacity(o.count)
            for (k, v) in o {
                if let cleaned = removingDirectives(v, depth: depth + 1) { out[k] = cleaned }
            }
            return .object(out)
        case .array(let a):
            var out: [Value] = []
            out.reserveCapacity(a.count)
            for v in a {
                if let cleaned = removingDirectives(v, depth: depth + 1) { out.append(cleaned) }
            }
            return .array(out)
        default:
            return value
        }
    }

    /// Drops every null-valued key, at any depth (a null that matched nothing means nothing).
    static func discardingNulls(_ value: Value, depth: Int) -> Value {
        guard depth < maxPatchDepth else { return value }
        switch value {
        case .object(let o):
            var out = ValueObject()
            out.reserveCapacity(o.count)
            for (k, v) in o where !v.isNull { out[k] = discardingNulls(v, depth: depth + 1) }
            return .object(out)
        case .array(let a):
            return .array(a.map { discardingNulls($0, depth: depth + 1) })
        default:
            return value
        }
    }
}

extension Merger {
    /// `$retainKeys: [k…]`: when applying, every key of the original not listed goes away, and
    /// every non-null key the patch sets must be listed. When combining two patches the lists
    /// must agree and are carried over.
    func applyRetainKeys(_ original: inout ValueObject, _ patch: inout ValueObject, path: PatchPath) throws(PatchError) {
        guard let retain = patch.removeValue(forKey: Directive.retainKeys) else { return }
        if !options.mergeParallelList {
            if let existing = original[Directive.retainKeys] {
                guard existing == retain else {
                    throw PatchError(.invalidPatch, at: path.appending(Directive.retainKeys), "the two patches disagree on $retainKeys: \(existing.jsonString()) vs \(retain.jsonString())")
                }
            } else {
                original[Directive.retainKeys] = retain
            }
            return
        }
        guard case .array(let list) = retain else {
            throw PatchError(.invalidPatch, at: path.appending(Directive.retainKeys), "$retainKeys must be a list of field names, got \(retain.typeName)")
        }
        let keep = Set(list)
        for (k, v) in patch {
            if v.isNull || k.hasPrefix(Directive.deleteFromPrimitiveList) || k.hasPrefix(Directive.setElementOrder) { continue }
            guard keep.contains(.string(k)) else {
                throw PatchError(.invalidPatch, at: path.appending(Directive.retainKeys), "the patch sets \"\(k)\", which $retainKeys does not list")
            }
        }
        if original.keys.contains(where: { !keep.contains(.string($0)) }) {
            original = original.filter { keep.contains(.string($0.key)) }
        }
    }

    /// `$setElementOrder/<list>`: merges the list it names (if the patch has it) and then puts
    /// the result in the given order, with items the order does not mention kept where the
    /// original had them relative to the rest.
    func mergeOrderedLists(_ original: inout ValueObject, _ patch: inout ValueObject, meta: PatchMeta, path: PatchPath, depth: Int) throws(PatchError) {
        var orderKeys: [String] = []
        for k in patch.keys where k.hasPrefix(Directive.setElementOrder) { orderKeys.append(k) }
        for orderKey in orderKeys {
            guard let orderValue = patch.removeValue(forKey: orderKey) else { continue }
            let directivePath = path.appending(orderKey)
            if !options.mergeParallelList {
                if let existing = original[orderKey] {
                    guard existing == orderValue else {
                        throw PatchError(.invalidPatch, at: directivePath, "the two patches disagree on \(orderKey)")
                    }
                } else {
                    original[orderKey] = orderValue
                }
            }
            guard case .array(let order) = orderValue else {
                throw PatchError(.invalidPatch, at: directivePath, "\(orderKey) must be a list, got \(orderValue.typeName)")
            }
            let listKey = try Directive.listKey(orderKey, prefix: Directive.setElementOrder, path: path)
            let listPath = path.appending(listKey)
            var originalList: [Value]?
            if let o = original[listKey] {
                guard case .array(let a) = o else {
                    throw PatchError(.typeMismatch, at: listPath, "\(orderKey) orders a list, but the object has a \(o.typeName) here")
                }
                originalList = a
            }
            var patchList: [Value]?
            if let p = patch[listKey] {
                guard case .array(let a) = p else {
                    throw PatchError(.typeMismatch, at: listPath, "\(orderKey) orders a list, but the patch has a \(p.typeName) here")
                }
                patchList = a
            }
            let field = meta.field(listKey)
            let (_, strategy) = try field.strategy(at: listPath)
            let mergeKey = field.mergeKey ?? ""
            try ListOrder.validate(patchList: patchList ?? [], against: order, mergeKey: mergeKey, path: listPath)

            let merged: [Value]
            switch (originalList, patchList) {
            case (let o?, nil): merged = o
            case (nil, let p?): merged = Directive.removingDirectives(.array(p), depth: depth)?.arrayValue ?? []
            case (let o?, let p?): merged = try mergeList(o, p, field: field, strategy: strategy, isDeleteList: false, path: listPath, depth: depth + 1)
            case (nil, nil): continue
            }
            let (inOrder, serverOnly) = try ListOrder.partition(merged, by: order, mergeKey: mergeKey, path: listPath)
            let kind = try ListOrder.elementKind([originalList ?? [], patchList ?? []], path: listPath)
            original[listKey] = .array(try ListOrder.normalize(patchItems: inOrder, serverOnly: serverOnly, patchOrder: order, serverOrder: originalList ?? [], mergeKey: mergeKey, kind: kind, path: listPath))
            patch.removeValue(forKey: listKey)
        }
    }
}
