import CapstanModel

/// Helm's dependency processing before a render: match `charts/` content to the Chart.yaml
/// `dependencies` (by name and version range), apply aliases (an aliased chart is a renamed
/// copy, so one chart can appear twice), drop subcharts disabled by `tags` or `condition`
/// (evaluated against the coalesced values, conditions relative to the parent's path), then
/// import child values into parents (`import-values`), deepest charts first.
enum Dependencies {
    /// Names declared in Chart.yaml that have no chart in `charts/` (Helm's CheckDependencies).
    static func check(_ chart: Chart) throws(ChartError) {
        let present = Set(chart.dependencies.map(\.name))
        let missing = chart.metadata.dependencies.map(\.name).filter { !present.contains($0) }
        if !missing.isEmpty {
            throw ChartError(.dependency, "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: \(missing.joined(separator: ", "))")
        }
    }

    /// `ProcessDependencies`: enable/disable and alias, then import values.
    static func process(_ chart: inout Chart, values: ValueObject) throws(ChartError) {
        try processEnabled(&chart, values, path: "", depth: 0)
        try importValues(&chart, depth: 0)
    }

    private static func processEnabled(_ c: inout Chart, _ v: ValueObject, path: String, depth: Int) throws(ChartError) {
        guard depth < 64 else { throw ChartError(.dependency, "chart dependencies nested too deeply") }
        if c.metadata.dependencies.isEmpty && c.metadata.raw["dependencies"] == nil { return }
        var result: [Chart] = []
        // Subcharts not declared in Chart.yaml are kept as they are.
        for existing in c.dependencies {
            let declared = c.metadata.dependencies.contains {
                existing.name == $0.name && isCompatibleRange($0.version, existing.metadata.version)
            }
            if !declared { result.append(existing) }
        }
        for i in c.metadata.dependencies.indices {
            let req = c.metadata.dependencies[i]
            if let match = c.dependencies.first(where: { $0.name == req.name && isCompatibleRange(req.version, $0.metadata.version) }) {
                var copy = match
                if !req.alias.isEmpty { copy.metadata.name = req.alias }
                result.append(copy)
            }
            if !req.alias.isEmpty { c.metadata.dependencies[i].name = req.alias }
        }
        c.dependencies = result
        for i in c.metadata.dependencies.indices { c.metadata.dependencies[i].enabled = true }

        let cvals = try Coalesce.values(c, v, merge: false)
        applyTags(&c.metadata.dependencies, cvals)
        applyConditions(&c.metadata.dependencies, cvals, path: path)

        let removed = Set(c.metadata.dependencies.filter { !$0.enabled }.map(\.name))
        c.dependencies.removeAll { removed.contains($0.metadata.name) }
        c.metadata.dependencies.removeAll { removed.contains($0.name) }
        for i in c.dependencies.indices {
            let sub = path + c.dependencies[i].metadata.name + "."
            try processEnabled(&c.dependencies[i], cvals, path: sub, depth: depth + 1)
        }
    }

    private static func applyTags(_ reqs: inout [ChartDependency], _ cvals: ValueObject) {
        guard case .object(let tags)? = cvals["tags"] else { return }
        for i in reqs.indices {
            var hasTrue = false, hasFalse = false
            for t in reqs[i].tags {
                if case .bool(let b)? = tags[t] { if b { hasTrue = true } else { hasFalse = true } }
            }
            if !hasTrue && hasFalse { reqs[i].enabled = false } else { reqs[i].enabled = true }
        }
    }

    private static func applyConditions(_ reqs: inout [ChartDependency], _ cvals: ValueObject, path: String) {
        for i in reqs.indices {
            for cond in reqs[i].condition.goTrimmedSpace.split(separator: ",", omittingEmptySubsequences: false) where !cond.isEmpty {
                if case .bool(let b)? = pathValue(cvals, path + cond) {
                    reqs[i].enabled = b
                    break
                }
            }
        }
    }

    /// Helm's `Values.PathValue`: the value at a dotted path whose last step is a non-table.
    static func pathValue(_ vals: ValueObject, _ path: String) -> Value? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty else { return nil }
        var cur = vals
        for p in parts.dropLast() {
            guard case .object(let o)? = cur[p] else { return nil }
            cur = o
        }
        guard let last = parts.last, let v = cur[last] else { return nil }
        if case .object = v { return nil }
        return v
    }

    /// Helm's `Values.Table`: the table at a dotted path.
    static func table(_ vals: ValueObject, _ path: String) -> ValueObject? {
        var cur = vals
        for p in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let o)? = cur[String(p)] else { return nil }
            cur = o
        }
        return cur
    }

    private static func importValues(_ c: inout Chart, depth: Int) throws(ChartError) {
        guard depth < 64 else { throw ChartError(.dependency, "chart dependencies nested too deeply") }
        for i in c.dependencies.indices { try importValues(&c.dependencies[i], depth: depth + 1) }
        if c.metadata.dependencies.isEmpty && c.metadata.raw["dependencies"] == nil { return }
        let cvals = try Coalesce.values(c, ValueObject(), merge: true)
        var b = ValueObject()
        for i in c.metadata.dependencies.indices {
            let r = c.metadata.dependencies[i]
            var normalised: [Value] = []
            for riv in r.importValues {
                switch riv {
                case .object(let iv):
                    let child = goPrint(iv["child"] ?? .null)
                    let parent = goPrint(iv["parent"] ?? .null)
                    normalised.append(.object(["child": .string(child), "parent": .string(parent)]))
                    guard let vv = table(cvals, r.name + "." + child) else { continue }
                    b = Coalesce.tables(b, pathToMap(parent, vv), merge: true)
                case .string(let s):
                    let child = "exports." + s
                    normalised.append(.object(["child": .string(child), "parent": "."]))
                    guard let vm = table(cvals, r.name + "." + child) else { continue }
                    b = Coalesce.tables(b, vm, merge: true)
                default:
                    continue
                }
            }
            c.metadata.dependencies[i].importValues = normalised
        }
        // Imported values rank below the parent's own values.
        c.values = Coalesce.tables(cvals, b, merge: true)
    }

    private static func pathToMap(_ path: String, _ data: ValueObject) -> ValueObject {
        if path == "." { return data }
        var cur = data
        for p in path.split(separator: ".", omittingEmptySubsequences: false).reversed() {
            var o = ValueObject()
            o[String(p)] = .object(cur)
            cur = o
        }
        return cur
    }
}
