/// Helm's `include` and `tpl`: re-entering the executor with a fresh output buffer and `$`,
/// bounded like Helm (an `include` name may nest 1000 times), `tpl` text parsed once per
/// render under the name `gotpl` with its `define`s visible only inside it.
extension Executor {
    // MARK: - include / tpl

    func include(_ name: String, _ data: TemplateValue) throws -> String {
        let slot: IncludeSlot
        if let known = includeSlots[name] {
            slot = known
        } else {
            slot = IncludeSlot()
            includeSlots[name] = slot
        }
        let count = slot.count
        if count > 1000 || depth > options.maxIncludeDepth {
            throw NestedFailure(message: "rendering template has a nested reference name: \(name): unable to execute template",
                                inner: nil, keepsGoText: true, userMessage: nil)
        }
        let found: ParsedTemplate?
        if scope.parent == nil {
            // The set's own scope never changes during a render; `tpl` layers sit above it.
            if let cached = slot.baseTemplate {
                found = cached
            } else {
                found = scope.lookup(name)
                slot.baseTemplate = .some(found)
            }
        } else {
            found = scope.lookup(name)
        }
        guard let tmpl = found else {
            throw NestedFailure(message: "template: no template \(GoFormat.quote(name)) associated with template \"gotpl\"",
                                inner: nil, keepsGoText: false, userMessage: nil)
        }
        slot.count = count + 1
        depth += 1
        defer { slot.count = count; depth -= 1 }
        do {
            return try execute(tmpl, data: .of(data))
        } catch let e as ExecFailure {
            throw NestedFailure(message: e.error.description, inner: e.error, keepsGoText: e.error.helmKeepsGoText,
                                userMessage: e.error.userMessage)
        }
    }

    func tpl(_ text: String, _ data: TemplateValue) throws -> String {
        // Helm 4 parses tpl text under the fixed name "gotpl".
        let name = "gotpl"
        let key = name + "\u{0}" + text
        let trees: [ParsedTemplate]
        if let cached = tplCache[key] {
            trees = cached
        } else {
            do {
                trees = try Parser.parseOnRoomyStack(name: name, source: text, functions: templateSet.functionTable, options: options)
            } catch {
                throw TemplateFunctionError("cannot parse template \(GoFormat.quote(text)): \(error.description)")
            }
            tplCache[key] = trees
        }
        guard depth < options.maxIncludeDepth else {
            throw TemplateFunctionError("rendering template has a nested reference name: \(name): unable to execute template")
        }
        var layer: [String: ParsedTemplate] = [:]
        for t in trees {
            if let old = scope.lookup(t.name), !old.isEmptyTree, t.isEmptyTree, t.name != name { continue }
            layer[t.name] = t
        }
        let savedScope = scope
        scope = Scope(templates: layer, parent: scope)
        depth += 1
        defer { scope = savedScope; depth -= 1 }
        do {
            let result = try execute(trees[0], data: .of(data))
            return result.replacingAll("<no value>", with: "")
        } catch let e as ExecFailure {
            throw NestedFailure(message: "error during tpl function execution for \(GoFormat.quote(text)): \(e.error.description)",
                                inner: nil, keepsGoText: true, userMessage: e.error.userMessage)
        }
    }
}
