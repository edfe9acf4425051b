import CapstanModel

/// Helm's value coalescing: user values over a chart's defaults, recursively into subcharts
/// (each subchart sees the parent's `values[subchartName]` over its own defaults), with
/// `global` copied down from parent to child. Maps merge; scalars and lists replace.
///
/// `merge == false` is coalescing proper: a `null` from a higher source deletes the key (how a
/// user removes a default). `merge == true` keeps the nulls for a later coalesce, as Helm's
/// `MergeValues` does while processing dependencies. Helm logs warnings for type clashes
/// (table over scalar); they do not fail the render, so they are dropped here.
enum Coalesce {
    static let globalKey = "global"

    static func concatPrefix(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "." + b }

    /// `CoalesceValues` (merge false) / `MergeValues` (merge true) of a chart tree.
    static func values(_ chart: Chart, _ vals: ValueObject, merge: Bool) throws(ChartError) -> ValueObject {
        try coalesce(chart, vals, prefix: "", merge: merge, depth: 0)
    }

    private static func coalesce(_ chart: Chart, _ dest: ValueObject, prefix: String, merge: Bool, depth: Int) throws(ChartError) -> ValueObject {
        guard depth < 64 else { throw .values("chart dependencies nested too deeply at \(prefix)") }
        var d = coalesceValues(chart, dest, prefix: prefix, merge: merge)
        let subPrefix = concatPrefix(prefix, chart.name)
        for sub in chart.dependencies {
            var dv = ValueObject()
            if let existing = d[sub.name] {
                guard case .object(let o) = existing else {
                    throw .values("type mismatch on \(sub.name): %!t(\(goTypeName(existing))=\(goPrint(existing)))")
                }
                dv = o
            }
            dv = coalesceGlobals(dest: dv, src: d)
            d[sub.name] = .object(try coalesce(sub, dv, prefix: subPrefix, merge: merge, depth: depth + 1))
        }
        return d
    }

    /// Copies the parent's `global` into the child's, the parent winning on conflicts.
    private static func coalesceGlobals(dest: ValueObject, src: ValueObject) -> ValueObject {
        var dg = ValueObject()
        if let g = dest[globalKey] {
            guard case .object(let o) = g else { return dest }
            dg = o
        }
        var sg = ValueObject()
        if let g = src[globalKey] {
            guard case .object(let o) = g else { return dest }
            sg = o
        }
        for (key, val) in sg {
            if case .object(let vv) = val {
                if let existing = dg[key] {
                    if case .object(let destv) = existing {
                        dg[key] = .object(tables(vv, destv, merge: true))
                    }
                } else {
                    dg[key] = val
                }
            } else if let existing = dg[key], case .object = existing {
                continue
            } else {
                dg[key] = val
            }
        }
        var out = dest
        out[globalKey] = .object(dg)
        return out
    }

    /// Merges a chart's own defaults under `v` (the values destined for this chart).
    static func coalesceValues(_ chart: Chart, _ v: ValueObject, prefix: String, merge: Bool) -> ValueObject {
        // Nothing given for this chart (the top chart without user values, and every
        // `MergeValues` pass over it): its defaults as they are, shared instead of re-inserted
        // key by key (`coalesceValuesKeyByKey` would insert them in the same order).
        if v.isEmpty { return merge || prefix.isEmpty ? chart.values : cleanNils(chart.values) }
        return coalesceValuesKeyByKey(chart, v, prefix: prefix, merge: merge)
    }

    /// `coalesceValues` the general way: each default looked up in `v` and added or merged.
    static func coalesceValuesKeyByKey(_ chart: Chart, _ v: ValueObject, prefix: String, merge: Bool) -> ValueObject {
        var v = v
        // One allocation for the result instead of a rehash at every growth step.
        v.reserveCapacity(v.count + chart.values.count)
        let subchartNames = Set(chart.dependencies.map(\.name))
        for (key, val) in chart.values {
            if let value = v[key] {
                if value.isNull && !merge {
                    v.removeValue(forKey: key)
                } else if case .object(let dest) = value {
                    guard case .object(var src) = val else { continue }
                    let childMerge = subchartNames.contains(key) ? true : merge
                    if !childMerge && !prefix.isEmpty { src = cleanNils(src) }
                    v[key] = .object(tables(dest, src, merge: childMerge))
                }
            } else {
                var val = val
                if !merge && !prefix.isEmpty {
                    if val.isNull { continue }
                    if case .object(let o) = val { val = .object(cleanNils(o)) }
                }
                v[key] = val
            }
        }
        return v
    }

    /// `coalesceTablesFullKey`: `dst` is authoritative, `src` fills in what it lacks.
    static func tables(_ dst: ValueObject, _ src: ValueObject, merge: Bool, depth: Int = 0) -> ValueObject {
        if depth > 256 { return dst }
        let given = src
        var dst = dst
        var src = src
        for (k, v) in dst where v.isNull { src[k] = .null }
        for (key, val) in src {
            let dv = dst[key]
            // A null in `dst` deletes the key only when the given `src` had a value for it
            // (looked up here, in the rare null case, rather than collected for every call).
            if let dv, !merge, dv.isNull, let given = given[key], !given.isNull {
                dst.removeValue(forKey: key)
            } else if dv == nil {
                dst[key] = val
            } else if case .object(let so) = val {
                if case .object(let dvo)? = dv {
                    dst[key] = .object(tables(dvo, so, merge: merge, depth: depth + 1))
                }
            }
        }
        return dst
    }

    static func cleanNils(_ m: ValueObject) -> ValueObject {
        var out = ValueObject()
        for (k, v) in m {
            switch v {
            case .null: continue
            case .object(let o): out[k] = .object(cleanNils(o))
            default: out[k] = v
            }
        }
        return out
    }
}

/// Go's `%v` of a plain value, for messages.
func goPrint(_ v: Value) -> String {
    switch v {
    case .null: return "<nil>"
    case .bool(let b): return b ? "true" : "false"
    case .int(let i): return String(i)
    case .double(let d): return formatGoFloat(d)
    case .string(let s): return s
    case .array(let a): return "[" + a.map(goPrint).joined(separator: " ") + "]"
    case .object(let o):
        return "map[" + o.keys.sorted().map { "\($0):\(goPrint(o[$0] ?? .null))" }.joined(separator: " ") + "]"
    }
}
