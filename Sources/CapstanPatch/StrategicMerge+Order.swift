/// List mechanics of strategic merge: element types, set-like merging of primitives, and the
/// order rules (`$setElementOrder` > order in the patch > order in the live list).
///
/// Lookups that Kubernetes does by scanning (index of an item in an order list) are done
/// here through dictionaries, so ordering a list of n items costs O(n log n), not O(n²).
import CapstanModel

enum ListOrder {
    /// The one JSON type shared by every element of the given lists. Lists of lists, null
    /// elements and mixed types are rejected, as Kubernetes rejects them.
    static func elementKind(_ lists: [[Value]], path: PatchPath) throws(PatchError) -> JSONKind {
        var found: JSONKind?
        for list in lists {
            for element in list {
                if let f = found, f == element.kind { continue }
                let k = element.kind
                if let f = found {
                    if f != k {
                        throw PatchError(.typeMismatch, at: path, "list element types are not identical (\(f) and \(k))")
                    }
                } else {
                    if k == .array { throw PatchError(.typeMismatch, at: path, "lists of lists are not supported") }
                    if k == .null { throw PatchError(.typeMismatch, at: path, "list elements must not be null") }
                    found = k
                }
            }
        }
        guard let kind = found else { throw PatchError(.invalidPatch, at: path, "no elements in any of the lists to order") }
        return kind
    }

    /// Removes duplicates the way Kubernetes does: a later duplicate is overwritten by the
    /// current last element (so order can change; the ordering pass fixes it afterwards).
    static func goDeduplicate(_ input: [Value]) -> [Value] {
        var s = input
        var length = s.count - 1
        var i = 0
        while i < length {
            var j = i + 1
            while j <= length {
                if s[i] == s[j] {
                    s[j] = s[length]
                    s.removeLast()
                    length -= 1
                    j -= 1
                }
                j += 1
            }
            i += 1
        }
        return s
    }

    /// `$deleteFromPrimitiveList`: every element equal to one listed goes.
    static func deleting(_ toDelete: [Value], from list: [Value]) -> [Value] {
        let gone = Set(toDelete)
        return list.filter { !gone.contains($0) }
    }

    /// Splits `list` into the items `partitionBy` mentions (by merge key, or by value for
    /// primitives) and the rest, each keeping its order.
    static func partition(_ list: [Value], by partitionBy: [Value], mergeKey: String, path: PatchPath) throws(PatchError) -> ([Value], [Value]) {
        var inside: [Value] = []
        var outside: [Value] = []
        inside.reserveCapacity(list.count)
        if mergeKey.isEmpty {
            let present = Set(partitionBy)
            for v in list {
                if present.contains(v) { inside.append(v) } else { outside.append(v) }
            }
            return (inside, outside)
        }
        var present: Set<Value> = []
        for v in partitionBy {
            guard case .object(let o) = v else {
                throw PatchError(.typeMismatch, at: path, "list element \(v.jsonString()) is not an object")
            }
            if let k = o[mergeKey] { present.insert(k) }
        }
        for v in list {
            guard case .object(let o) = v else {
                throw PatchError(.typeMismatch, at: path, "list element \(v.jsonString()) is not an object")
            }
            guard let k = o[mergeKey] else {
                throw PatchError(.missingMergeKey, at: path, "element \(v.jsonString()) lacks the merge key \"\(mergeKey)\"")
            }
            if present.contains(k) { inside.append(v) } else { outside.append(v) }
        }
        return (inside, outside)
    }

    /// Checks that the patch list mentions its items in the order `$setElementOrder` gives and
    /// mentions nothing the order list lacks (deletions aside).
    static func validate(patchList: [Value], against order: [Value], mergeKey: String, path: PatchPath) throws(PatchError) {
        if order.isEmpty || patchList.isEmpty { return }
        var items: [Value] = []
        if mergeKey.isEmpty {
            items = patchList
        } else {
            for v in patchList {
                guard case .object(let o) = v else {
                    throw PatchError(.typeMismatch, at: path, "list element \(v.jsonString()) is not an object")
                }
                if o[Directive.patch] != .string("delete") { items.append(v) }
            }
        }
        var p = 0
        var s = 0
        while p < items.count && s < order.count {
            if case .object(let o) = items[p], o[Directive.patch] != nil {
                p += 1
                continue
            }
            if try sameMergeKey(items[p], order[s], mergeKey: mergeKey, path: path) { p += 1 }
            s += 1
        }
        if p < items.count && s >= order.count {
            throw PatchError(.invalidPatch, at: path, "the order of the patch list \(Value.array(patchList).jsonString()) does not match $setElementOrder \(Value.array(order).jsonString())")
        }
    }

    private static func sameMergeKey(_ a: Value, _ b: Value, mergeKey: String, path: PatchPath) throws(PatchError) -> Bool {
        if mergeKey.isEmpty { return a == b }
        guard case .object(let l) = a, case .object(let r) = b else {
            throw PatchError(.typeMismatch, at: path, "$setElementOrder of a merge list must list objects, got \(a.typeName) and \(b.typeName)")
        }
        guard let lk = l[mergeKey] else {
            throw PatchError(.missingMergeKey, at: path, "element \(a.jsonString()) lacks the merge key \"\(mergeKey)\"")
        }
        guard let rk = r[mergeKey] else {
            throw PatchError(.missingMergeKey, at: path, "element \(b.jsonString()) lacks the merge key \"\(mergeKey)\"")
        }
        return lk == rk
    }

    /// Sorts the patch items by `patchOrder` and the server-only items by `serverOrder`, then
    /// interleaves them, keeping each group's relative order and placing server-only items
    /// where the live list had them.
    static func normalize(patchItems: [Value], serverOnly: [Value], patchOrder: [Value], serverOrder: [Value], mergeKey: String, kind: JSONKind, path: PatchPath) throws(PatchError) -> [Value] {
        let right = try sortedByOrder(patchItems, order: patchOrder, mergeKey: mergeKey, kind: kind, path: path)
        let left = try sortedByOrder(serverOnly, order: serverOrder, mergeKey: mergeKey, kind: kind, path: path)
        if left.isEmpty { return right }
        if right.isEmpty { return left }
        let serverIndex = OrderIndex(serverOrder, mergeKey: mergeKey, kind: kind)
        var out: [Value] = []
        out.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                out.append(right[j]); j += 1
            } else if j >= right.count {
                out.append(left[i]); i += 1
            } else if let li = serverIndex.rank(of: left[i]), let ri = serverIndex.rank(of: right[j]), li < ri {
                out.append(left[i]); i += 1
            } else {
                out.append(right[j]); j += 1
            }
        }
        return out
    }

    /// Position of an item (by merge key, or by value for primitives) in an order list: the
    /// first occurrence, as Kubernetes' scan finds it. Short lists are scanned, long ones hashed.
    struct OrderIndex {
        let keys: [Value]
        let table: [Value: Int]?
        let mergeKey: String
        let kind: JSONKind

        init(_ list: [Value], mergeKey: String, kind: JSONKind) {
            self.mergeKey = mergeKey
            self.kind = kind
            var keys: [Value] = []
            keys.reserveCapacity(list.count)
            for v in list { keys.append(ListOrder.orderKey(v, mergeKey: mergeKey, kind: kind)) }
            self.keys = keys
            if keys.count > 12 {
                var table: [Value: Int] = [:]
                table.reserveCapacity(keys.count)
                for (i, k) in keys.enumerated() where table[k] == nil { table[k] = i }
                self.table = table
            } else {
                self.table = nil
            }
        }

        func rank(of item: Value) -> Int? {
            let key = ListOrder.orderKey(item, mergeKey: mergeKey, kind: kind)
            if let table { return table[key] }
            return keys.firstIndex(of: key)
        }
    }

    @inline(__always)
    static func orderKey(_ v: Value, mergeKey: String, kind: JSONKind) -> Value {
        if kind == .object {
            if case .object(let o) = v { return o[mergeKey] ?? .null }
            return .null
        }
        return v
    }

    @inline(__always)
    static func isDeleteDirective(_ v: Value) -> Bool {
        guard case .object(let o) = v, case .string(let s)? = o[Directive.patch] else { return false }
        return s == "delete"
    }

    private static func checkMergeKeys(_ list: [Value], mergeKey: String, path: PatchPath) throws(PatchError) {
        for v in list {
            guard case .object(let o) = v else {
                throw PatchError(.typeMismatch, at: path, "list element \(v.jsonString()) is not an object")
            }
            guard o[mergeKey] != nil else {
                throw PatchError(.missingMergeKey, at: path, "element \(v.jsonString()) lacks the merge key \"\(mergeKey)\"")
            }
        }
    }

    /// Sorts `items` by their position in `order`; `$patch: delete` items go last. Items the
    /// order does not mention are placed the way Go's stable sort places them with
    /// Kubernetes' comparator ("not found" sorts before anything).
    static func sortedByOrder(_ itemsIn: [Value], order: [Value], mergeKey: String, kind: JSONKind, path: PatchPath) throws(PatchError) -> [Value] {
        var items = itemsIn
        var deletions: [Value] = []
        if kind == .object {
            try checkMergeKeys(items, mergeKey: mergeKey, path: path)
            try checkMergeKeys(order, mergeKey: mergeKey, path: path)
            if items.contains(where: isDeleteDirective) {
                deletions = items.filter(isDeleteDirective)
                items = items.filter { !isDeleteDirective($0) }
            }
        }
        if items.count > 1 {
            let index = OrderIndex(order, mergeKey: mergeKey, kind: kind)
            var ranks: [Int] = []
            ranks.reserveCapacity(items.count)
            var allFound = true
            var sorted = true
            for item in items {
                let r = index.rank(of: item) ?? -1
                if r < 0 { allFound = false }
                if let last = ranks.last, last > r { sorted = false }
                ranks.append(r)
            }
            if allFound {
                if !sorted {
                    // A consistent comparator: any stable sort gives Go's answer.
                    let permutation = ranks.indices.sorted { a, b in ranks[a] != ranks[b] ? ranks[a] < ranks[b] : a < b }
                    items = permutation.map { items[$0] }
                }
            } else {
                GoStableSort.sort(&ranks, &items)
            }
        }
        return deletions.isEmpty ? items : items + deletions
    }
}

/// Go's `sort.SliceStable` (insertion sort on blocks of 20, then symmetric merges), replayed
/// step by step. Needed only when Kubernetes' comparator is inconsistent (items missing from
/// the order list), where the result depends on the exact algorithm.
enum GoStableSort {
    /// Kubernetes' order comparator: by rank when both are found, otherwise "less".
    @inline(__always)
    static func less(_ ranks: [Int], _ i: Int, _ j: Int) -> Bool {
        let a = ranks[i], b = ranks[j]
        if a >= 0 && b >= 0 { return a < b }
        return true
    }

    static func sort(_ ranks: inout [Int], _ values: inout [Value]) {
        let n = ranks.count
        var blockSize = 20
        var a = 0
        var b = blockSize
        while b <= n {
            insertionSort(&ranks, &values, a, b)
            a = b
            b += blockSize
        }
        insertionSort(&ranks, &values, a, n)
        while blockSize < n {
            a = 0
            b = 2 * blockSize
            while b <= n {
                symMerge(&ranks, &values, a, a + blockSize, b, depth: 0)
                a = b
                b += 2 * blockSize
            }
            let m = a + blockSize
            if m < n { symMerge(&ranks, &values, a, m, n, depth: 0) }
            blockSize *= 2
        }
    }

    @inline(__always)
    static func swap(_ ranks: inout [Int], _ values: inout [Value], _ i: Int, _ j: Int) {
        ranks.swapAt(i, j)
        values.swapAt(i, j)
    }

    static func insertionSort(_ ranks: inout [Int], _ values: inout [Value], _ a: Int, _ b: Int) {
        var i = a + 1
        while i < b {
            var j = i
            while j > a && less(ranks, j, j - 1) {
                swap(&ranks, &values, j, j - 1)
                j -= 1
            }
            i += 1
        }
    }

    static func symMerge(_ ranks: inout [Int], _ values: inout [Value], _ a: Int, _ m: Int, _ b: Int, depth: Int) {
        guard depth < 128 else { return }
        if m - a == 1 {
            var i = m
            var j = b
            while i < j {
                let h = (i + j) >> 1
                if less(ranks, h, a) { i = h + 1 } else { j = h }
            }
            var k = a
            while k < i - 1 {
                swap(&ranks, &values, k, k + 1)
                k += 1
            }
            return
        }
        if b - m == 1 {
            var i = a
            var j = m
            while i < j {
                let h = (i + j) >> 1
                if !less(ranks, m, h) { i = h + 1 } else { j = h }
            }
            var k = m
            while k > i {
                swap(&ranks, &values, k, k - 1)
                k -= 1
            }
            return
        }
        let mid = (a + b) >> 1
        let n = mid + m
        var start: Int
        var r: Int
        if m > mid {
            start = n - b
            r = mid
        } else {
            start = a
            r = m
        }
        let p = n - 1
        while start < r {
            let c = (start + r) >> 1
            if !less(ranks, p - c, c) { start = c + 1 } else { r = c }
        }
        let end = n - start
        if start < m && m < end { rotate(&ranks, &values, start, m, end) }
        if a < start && start < mid { symMerge(&ranks, &values, a, start, mid, depth: depth + 1) }
        if mid < end && end < b { symMerge(&ranks, &values, mid, end, b, depth: depth + 1) }
    }

    static func rotate(_ ranks: inout [Int], _ values: inout [Value], _ a: Int, _ m: Int, _ b: Int) {
        var i = m - a
        var j = b - m
        while i != j {
            if i > j {
                swapRange(&ranks, &values, m - i, m, j)
                i -= j
            } else {
                swapRange(&ranks, &values, m - i, m + j - i, i)
                j -= i
            }
        }
        swapRange(&ranks, &values, m - i, m, i)
    }

    static func swapRange(_ ranks: inout [Int], _ values: inout [Value], _ a: Int, _ b: Int, _ n: Int) {
        for i in 0..<n { swap(&ranks, &values, a + i, b + i) }
    }
}
