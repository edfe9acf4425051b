#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CapstanModel
import CapstanTemplate
import CapstanYAML

extension ChartRenderer {
    private struct Renderable {
        var source: String
        var data: [String: TemplateValue]
        var basePath: String
    }

    /// Renders every template of the chart tree with one shared template set, as Helm's engine
    /// does: all files are parsed first (deepest charts first, so a parent's `define` wins),
    /// then each non-partial file executes with its own chart's context.
    static func renderTemplates(_ chart: Chart, values: ValueObject, options: RenderOptions,
                                useDriver: Bool = true) throws(ChartError) -> [String: String] {
        try renderTemplatesReportingPath(chart, values: values, options: options, useDriver: useDriver).files
    }

    /// `renderTemplates`, also saying whether the one-call fast path produced the result.
    static func renderTemplatesReportingPath(_ chart: Chart, values: ValueObject, options: RenderOptions,
                                             useDriver: Bool) throws(ChartError) -> (files: [String: String], usedDriver: Bool) {
        let release: TemplateValue = .dict([
            "Name": .string(options.releaseName), "Namespace": .string(options.namespace),
            "IsUpgrade": .bool(options.isUpgrade), "IsInstall": .bool(!options.isUpgrade),
            "Revision": .int(options.revision), "Service": "Helm",
        ])
        let caps = TemplateValue.object(CapabilitiesObject(
            kube: options.kubeVersion, apiVersions: defaultAPIVersions + options.extraAPIVersions))
        // Builds every file's context afresh (values are Go-like shared maps that templates may
        // mutate, so a second attempt must not see the first one's changes). The values convert
        // lazily: only the maps templates use are converted (the tree stays on one thread).
        func buildRenderables() -> [String: Renderable] {
            var renderables = [String: Renderable](minimumCapacity: templateCount(chart, depth: 0))
            _ = collect(chart, parentPath: [], values: .lazy(.object(values), numbers: .typed),
                        isRoot: true, release: release, caps: caps, into: &renderables, depth: 0)
            return renderables
        }
        // Deepest path first, then reverse bytewise order (sort keys computed once); the
        // entries travel with their names, so nothing is looked up by name again.
        let ordered = buildRenderables().map { entry in
            (name: entry.key, renderable: entry.value, depth: byteCount(UInt8(ascii: "/"), in: entry.key))
        }.sorted { a, b in
            if a.depth != b.depth { return a.depth > b.depth }
            return b.name.utf8Precedes(a.name)
        }
        let sources = ordered.map { ($0.name, $0.renderable.source) }
        let targetEntries = ordered.filter { !baseName($0.name).hasPrefix("_") }
        let targets = targetEntries.map(\.name)
        func inputsFor(_ entries: [(name: String, renderable: Renderable)]) -> [(name: String, data: TemplateValue)] {
            entries.map { entry in
                var data = entry.renderable.data
                data["Template"] = .dict(["Name": .string(entry.name), "BasePath": .string(entry.renderable.basePath)])
                return (entry.name, .dict(data))
            }
        }
        var inputs = inputsFor(targetEntries.map { ($0.name, $0.renderable) })
        // Fast path: one parse call and one execution for the whole tree (the engine pays a
        // fixed cost per call). Any failure — parse or execution error, output the separator
        // cannot split — redoes the work file by file, so errors are exactly Helm's per-file ones.
        if useDriver, let set = combinedSet(for: sources, targets: targets, useCache: options.cacheTemplates) {
            var driverData = [String: TemplateValue](minimumCapacity: inputs.count)
            for (i, input) in inputs.enumerated() { driverData["f\(i)"] = input.data }
            if let combined = try? set.render(driverName, data: .dict(driverData)) {
                let pieces = splitOutput(combined)
                if pieces.count == inputs.count + 1, pieces.last == "" {
                    var out = [String: String](minimumCapacity: inputs.count)
                    for (i, input) in inputs.enumerated() { out[input.name] = pieces[i] }
                    return (out, true)
                }
            }
        }
        let set = try perFileSet(for: sources)
        if useDriver {
            let fresh = buildRenderables()
            inputs = inputsFor(targets.compactMap { name in fresh[name].map { (name, $0) } })
        }
        var out: [String: String] = [:]
        for input in inputs {
            do {
                out[input.name] = try set.render(input.name, data: input.data)
            } catch {
                throw templateError(error, parse: false, file: input.name)
            }
        }
        return (out, false)
    }

    /// Name of the generated template that renders all files in one engine call, and the
    /// separator between their outputs.
    static let driverName = "\u{1}capstan/render-all"
    static let driverSeparator = "\u{0}\u{1}capstan-file-end\u{1}\u{0}"

    /// Splits the driver's output at each separator, bytewise (Foundation's
    /// `components(separatedBy:)` does a much slower Unicode-aware search).
    static func splitOutput(_ text: String) -> [String] {
        var text = text
        text.makeContiguousUTF8()
        let sep = Array(driverSeparator.utf8)
        return text.utf8.withContiguousStorageIfAvailable { buf -> [String] in
            var pieces: [String] = []
            var start = 0, i = 0
            let n = buf.count, m = sep.count
            guard let base = buf.baseAddress else { return [""] }
            while i + m <= n {
                // The separator starts with a NUL byte, which rendered text rarely holds: jump
                // from one NUL to the next.
                guard let hit = memchr(base + i, Int32(sep[0]), n - i) else { break }
                i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                guard i + m <= n else { break }
                if (1..<m).allSatisfy({ buf[i + $0] == sep[$0] }) {
                    pieces.append(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self))
                    i += m
                    start = i
                } else {
                    i += 1
                }
            }
            pieces.append(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<n]), as: UTF8.self))
            return pieces
        } ?? text.components(separatedBy: driverSeparator)
    }

    /// An empty set with Helm's functions. Copies share the function table (copy on write),
    /// so a render does not rebuild and free a table of a few hundred closures.
    private static let emptySet: TemplateSet = {
        var set = TemplateSet(options: .helm, functions: [
            "lookup": .simple([.string, .string, .string, .string]) { _ in .dict([:]) },
        ])
        set.addFunctions(engineFallbacks.filter { set.functions[$0.key] == nil })
        return set
    }()

    private static func newSet() -> TemplateSet { emptySet }

    /// Helm's way: each file parsed on its own, merged in order; parse errors name the file and
    /// line. Files may be parsed concurrently; the first failure in file order is reported.
    static func perFileSet(for sources: [(String, String)],
                           concurrentBytes: Int = TemplateSet.concurrentParseBytes) throws(ChartError) -> TemplateSet {
        var set = newSet()
        let parsed = set.parseAll(sources.map { (name: $0.0, source: $0.1) }, concurrentBytes: concurrentBytes)
        set.reserveCapacity(for: parsed.compactMap { try? $0.get() })
        for (i, result) in parsed.enumerated() {
            switch result {
            case .success(let p): set.add(p)
            case .failure(let error): throw templateError(error, parse: true, file: sources[i].0)
            }
        }
        return set
    }

    /// One parse of every file that defines nothing itself, each wrapped as
    /// `{{define "FILE"}}…{{end}}`, followed by the driver
    /// `{{template "a" .f0}}SEP{{template "b" .f1}}SEP…`; files with their own `define`/`block`
    /// are parsed separately first (in Helm's order). Nil when anything does not parse.
    /// The wrapped files are cut into two pieces (at file boundaries, each piece only defines)
    /// so that, with the define-files, they can be parsed on two threads; results are merged
    /// in the sequential order, which gives the same set.
    /// With `useCache`, a set built earlier from exactly the same sources is reused: parsing is
    /// pure, so re-rendering an unchanged chart (the daemon's sync loop) skips it.
    static func combinedSet(for sources: [(String, String)], targets: [String], useCache: Bool,
                            concurrentBytes: Int = TemplateSet.concurrentParseBytes) -> TemplateSet? {
        // The cache key is only built when the cache is used.
        let key = useCache ? sources.map { $0.0 }.joined(separator: "\u{0}") : ""
        if useCache, let cached = TemplateSetCache.shared.lookup(key: key, sources: sources) { return cached }
        var set = newSet()
        var jobs: [(name: String, source: String)] = []
        var wrapped: [(name: String, source: String, bytes: Int)] = []
        var wrappedBytes = 0
        let defineOpen = "{{define `", defineClose = "`}}", end = "{{end}}"
        for (name, source) in sources {
            if byteCount(UInt8(ascii: "`"), in: name) > 0 { return nil }
            if mayDefine(source) {
                jobs.append((name, source))
            } else {
                let bytes = defineOpen.utf8.count + name.utf8.count + defineClose.utf8.count + source.utf8.count + end.utf8.count
                wrappedBytes += bytes
                wrapped.append((name, source, bytes))
            }
        }
        // First piece: wrapped files up to about half their text; the second, the rest and the
        // driver. Each piece is written straight into its string, sized once up front.
        var split = 0, taken = 0
        while split < wrapped.count && taken < wrappedBytes / 2 { taken += wrapped[split].bytes; split += 1 }
        let driverBytes = targets.reduce(0) { $0 + $1.utf8.count + driverSeparator.utf8.count + 24 }
        var first = "", rest = ""
        first.reserveCapacity(taken)
        rest.reserveCapacity(wrappedBytes - taken + driverBytes)
        func wrap(_ file: (name: String, source: String, bytes: Int), into text: inout String) {
            text += defineOpen; text += file.name; text += defineClose; text += file.source; text += end
        }
        for (k, file) in wrapped.enumerated() {
            if k < split { wrap(file, into: &first) } else { wrap(file, into: &rest) }
        }
        for (i, name) in targets.enumerated() {
            rest += "{{template `"; rest += name; rest += "` .f"; rest += String(i); rest += "}}"; rest += driverSeparator
        }
        let definesOnly = jobs.count
        if !first.isEmpty { jobs.append((partName, first)) }
        jobs.append((driverName, rest))
        let results = set.parseAll(jobs, concurrentBytes: concurrentBytes)
        set.reserveCapacity(for: results.compactMap { try? $0.get() })
        for (i, result) in results.enumerated() {
            guard case .success(let parsed) = result else { return nil }
            // The first piece's own (empty) top level is not a template anyone calls.
            set.add(parsed, includingRoot: !(i == definesOnly && !first.isEmpty))
        }
        if useCache { TemplateSetCache.shared.store(key: key, sources: sources, set: set) }
        return set
    }

    /// Whether `source` may hold a `define` or `block` action: some `{{` (with an optional
    /// `-` trim marker) followed by spaces and one of the two words. Erring towards yes is
    /// harmless (the file is parsed on its own); one scan for `{` instead of two for words
    /// whose first letters are everywhere in YAML.
    static func mayDefine(_ source: String) -> Bool {
        var source = source
        source.makeContiguousUTF8()
        return source.utf8.withContiguousStorageIfAvailable { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            let n = buf.count
            var i = 0
            while i + 1 < n {
                guard let hit = memchr(base + i, 0x7B, n - i - 1) else { return false }
                var j = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
                i = j
                guard buf[j] == 0x7B else { continue }
                j += 1
                if j < n, buf[j] == UInt8(ascii: "-") { j += 1 }
                while j < n, buf[j] == 0x20 || buf[j] == 0x09 || buf[j] == 0x0A || buf[j] == 0x0D { j += 1 }
                // Compared in place, byte by byte (most actions start with neither letter). The
                // offset is a parameter: a captured `var` would be boxed and access-checked.
                func word(_ w: StaticString, at j: Int) -> Bool {
                    let m = w.utf8CodeUnitCount
                    guard n - j >= m else { return false }
                    let p = w.utf8Start
                    for k in 0..<m where buf[j + k] != p[k] { return false }
                    return true
                }
                if j < n, (buf[j] == UInt8(ascii: "d") && word("define", at: j)) || (buf[j] == UInt8(ascii: "b") && word("block", at: j)) {
                    return true
                }
            }
            return false
        } ?? (source.utf8Contains("define") || source.utf8Contains("block"))
    }

    /// Name under which the first piece of wrapped files is parsed (never registered).
    static let partName = "\u{1}capstan/render-part"

    /// Helm functions the template engine may not provide yet; registered only when missing.
    static let engineFallbacks: [String: TemplateFunction] = [
        "toYaml": .simple([.any]) { args in
            guard let v = args.first, !v.isNull else { return .string("null") }
            var s = YAML.emit(v.jsonValue)
            if s.hasSuffix("\n") { s.removeLast() }
            return .string(s)
        },
        "base": .simple([.string]) { args in
            guard case .string(let p)? = args.first else { return .string(".") }
            if p.isEmpty { return .string(".") }
            var t = Substring(p)
            while t.count > 1 && t.hasSuffix("/") { t = t.dropLast() }
            if t == "/" { return .string("/") }
            return .string(t.split(separator: "/").last.map(String.init) ?? "/")
        },
    ]

    /// Builds each chart's `.` (Chart, Files, Release, Capabilities, Values, Subcharts) and
    /// registers its templates; returns the chart's context for its parent's `.Subcharts`.
    private static func collect(_ chart: Chart, parentPath: [String], values: TemplateValue, isRoot: Bool,
                                release: TemplateValue, caps: TemplateValue,
                                into renderables: inout [String: Renderable], depth: Int) -> TemplateValue {
        var c = chart
        c.parentPath = parentPath
        let fullPath = c.fullPath
        // Room for all eight entries (with `Subcharts` below and each file's `Template`), so
        // neither addition regrows and rehashes the table (a literal of five leaves no room).
        var data = [String: TemplateValue](minimumCapacity: 8)
        data["Chart"] = .object(ChartMetadataObject(chart.metadata))
        data["Files"] = .object(FilesObject(chart.files))
        data["Release"] = release
        data["Capabilities"] = caps
        data["Values"] = values
        var subcharts: [String: TemplateValue] = [:]
        if depth < 64 {
            for sub in chart.dependencies {
                var subValues = TemplateValue.dict([:])
                if case .map(let m) = values, let v = m[sub.name], case .map = v { subValues = v }
                subcharts[sub.name] = collect(sub, parentPath: parentPath + [chart.name], values: subValues,
                                              isRoot: false, release: release, caps: caps, into: &renderables, depth: depth + 1)
            }
        }
        data["Subcharts"] = .dict(subcharts)
        let library = chart.metadata.type == "library"
        for t in chart.templates {
            if library && !baseName(t.name).hasPrefix("_") { continue }
            let name = fullPath + "/" + t.name
            renderables[name] = Renderable(source: t.text, data: data, basePath: fullPath + "/templates")
        }
        return .dict(data)
    }

    /// How many templates the chart tree has (room for its renderables, sized once).
    private static func templateCount(_ chart: Chart, depth: Int) -> Int {
        guard depth < 64 else { return 0 }
        return chart.dependencies.reduce(chart.templates.count) { $0 + templateCount($1, depth: depth + 1) }
    }

    /// Helm's clean-up of template errors: parse errors become `parse error at (FILE:LINE): MSG`,
    /// `fail`/`required` become `execution error at (FILE:LINE:COL): MSG`; other execution
    /// errors print as Helm 4 traces them (`FILE:L:C` / `executing "T" at <X>:` / message, with
    /// nested `include` failures below), except function errors Helm leaves in Go's one-line form.
    static func templateError(_ error: TemplateError, parse: Bool, file: String) -> ChartError {
        let text = error.description
        var message = text
        if parse {
            let tokens = text.split(separator: ": ", omittingEmptySubsequences: false)
            if tokens.count == 1 {
                message = "parse error in (\(file)): \(text)"
            } else {
                message = "parse error at (\(tokens[1])): \(tokens[tokens.count - 1])"
            }
        } else if let user = userFailure(text) {
            message = user
        } else if error.kind == .userFailure {
            message = "execution error at (\(error.file):\(error.line):\(error.column)): \(error.message)"
        } else if let traced = traceExecError(text, depth: 0) {
            message = traced
        }
        return ChartError(.template, message, path: error.file.isEmpty ? file : error.file)
    }

    /// `fail`/`required` anywhere in the chain (Helm marks their messages): reported at the
    /// outermost location with the author's message.
    static func userFailure(_ text: String) -> String? {
        let tokens = text.components(separatedBy: ": ")
        guard tokens.count >= 3, tokens[0] == "template" else { return nil }
        for marker in ["error calling fail: ", "error calling required: "] {
            if let r = text.ranges(of: marker).last {
                return "execution error at (\(tokens[1])): \(text[r.upperBound...])"
            }
        }
        return nil
    }

    /// Reformats Go's `template: LOC: executing "NAME" at <CTX>: MSG` into Helm 4's trace form;
    /// nil when the text has another shape or the failure is a plain function error.
    static func traceExecError(_ text: String, depth: Int) -> String? {
        guard depth < 32, text.hasPrefix("template: "),
              let exec = text.firstRange(of: ": executing \""),
              let at = text[exec.upperBound...].firstRange(of: "\" at <"),
              let close = text[at.upperBound...].firstRange(of: ">: ") else { return nil }
        let location = text[text.index(text.startIndex, offsetBy: 10)..<exec.lowerBound]
        let name = text[exec.upperBound..<at.lowerBound]
        let context = text[at.upperBound..<close.lowerBound]
        let msg = String(text[close.upperBound...])
        let head = "\(location)\n  executing \"\(name)\" at <\(context)>:\n    "
        let includePrefix = "error calling include: "
        if msg.hasPrefix(includePrefix) {
            let inner = String(msg.dropFirst(includePrefix.count))
            return head + "error calling include:\n" + (traceExecError(inner, depth: depth + 1) ?? inner)
        }
        if msg.hasPrefix("error calling ") { return nil }
        return head + msg
    }
}
