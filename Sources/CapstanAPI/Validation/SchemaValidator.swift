import CapstanModel

/// Checks an object against its OpenAPI schema: unknown fields, value types (int-or-string,
/// quantities, base64 bytes), required fields, enums, and the value limits structural CRD
/// schemas use (minimum, maxLength, pattern, minItems …).
///
/// It reports everything it finds (no early exit) as `FieldError`s with Kubernetes-shaped
/// messages; unknown fields come back as `.unknownField` so the caller decides whether they
/// fail the request (fieldValidation=Strict), become warnings (Warn), or are dropped (Ignore).
/// Stateless and immutable; safe to share.
public struct SchemaValidator: Sendable {
    public let catalogue: APICatalogue
    /// Nesting deeper than this is not inspected (bounded recursion on hostile input).
    public var maxDepth: Int = 100
    /// Reject duplicates in `x-kubernetes-list-type: set` lists. The API server does so for
    /// custom resources only; built-in kinds tolerate them (e.g. repeated finalizers).
    public var enforceListSets: Bool = false

    public init(catalogue: APICatalogue = .builtin) {
        self.catalogue = catalogue
    }

    /// Validates `object` against the schema of its `apiVersion`/`kind`. Kinds without a schema
    /// (unknown kinds, CRDs without one) yield no errors: there is nothing to check against.
    public func validate(_ object: Value) -> [FieldError] {
        var errors: [FieldError] = []
        let gvk = object.gvk
        validate(object, gvk: gvk, isCustom: gvk.map { catalogue.isCustomKind($0) } ?? false, into: &errors)
        return errors
    }

    /// `validate` with `gvk` already read from `object` and `isCustom` already asked of the
    /// catalogue (custom resources reject duplicates in `set` lists).
    func validate(_ object: Value, gvk: GroupVersionKind?, isCustom: Bool, into errors: inout [FieldError]) {
        // The root and every node under it are owned by the catalogue's schemas, which `self`
        // holds (strongly, through `catalogue`) until this returns.
        guard let gvk, let root = catalogue.schemas.compiledRoot(for: gvk) else { return }
        var stack: [FieldPathElement] = []
        stack.reserveCapacity(16)
        let walk = SchemaWalk(
            schemas: .passUnretained(catalogue.schemas), maxDepth: maxDepth, enforceListSets: enforceListSets || isCustom)
        walk.check(object, root, &stack, depth: 0, into: &errors)
    }

    public func validate(_ value: Value, against schema: Schema, at path: FieldPath = FieldPath()) -> [FieldError] {
        var errors: [FieldError] = []
        var stack = path.elements
        // A root of its own, held here for the walk; its children are owned by it or by
        // `schema.schemas` (which `schema` holds).
        let root = CompiledSchema(resolved: schema.node, depth: schema.depth)
        withExtendedLifetime(root) {
            let walk = SchemaWalk(schemas: .passUnretained(schema.schemas), maxDepth: maxDepth, enforceListSets: enforceListSets)
            walk.check(value, .passUnretained(root), &stack, depth: 0, into: &errors)
        }
        return errors
    }

    /// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
    static func typeError(_ path: FieldPath, _ value: Value, expected: String) -> FieldError {
        let actual = value.typeName
        return FieldError(
            .typeInvalid, path, value: .string(actual),
            detail: "\(path) in body must be of type \(expected): \(goQuote(actual))")
    }
}

/// One schema walk: `SchemaValidator`'s settings for one object, and the schemas its nodes come
/// from. Trivial to copy: the schema set and every node are held unmanaged (no reference count
/// is touched per field); the caller holds the set (and a root of its own) strongly meanwhile.
private struct SchemaWalk {
    /// The set the nodes belong to; children are resolved against it on first use.
    let schemas: Unmanaged<OpenAPISchemas>
    let maxDepth: Int
    let enforceListSets: Bool

    // MARK: - Walk

    /// The path is kept as a stack of elements and only turned into a `FieldPath` when an
    /// error is reported: most fields are fine, and building paths for them would dominate.
    func check(
        _ value: Value, _ node: NodeRef, _ stack: inout [FieldPathElement], depth: Int,
        into errors: inout [FieldError]
    ) {
        guard depth <= maxDepth else { return }
        // JSON null reads as "unset" in the API (the zero value); required-ness is checked by the parent.
        if case .null = value { return }

        let schema = node.walk
        if schema.intOrString {
            switch value {
            case .string: break
            case .int: break
            case .double(let d) where d.rounded() == d: break
            default: errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "integer,string"))
            }
            if schema.hasEnum { node.withNode { checkEnum(value, $0, FieldPath(stack), into: &errors) } }
            return
        }

        switch schema.kind {
        case .object:
            checkObject(value, node, &stack, depth: depth, into: &errors)
        case .array:
            guard case .array(let items) = value else {
                return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "array"))
            }
            if schema.hasLimits { node.withNode { checkArrayLimits(items, $0, FieldPath(stack), into: &errors) } }
            if let itemSchema = children(of: node).items {
                for (i, item) in items.enumerated() {
                    stack.append(.index(i))
                    check(item, itemSchema, &stack, depth: depth + 1, into: &errors)
                    stack.removeLast()
                }
            }
        case .string:
            if schema.format == .quantity {
                if case .string(let s) = value, QuantitySyntax.isValid(s) { return }
                checkQuantity(value, FieldPath(stack), into: &errors)
                return
            }
            guard case .string(let s) = value else {
                return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "string"))
            }
            if schema.format == .byte, let bad = Base64.firstInvalidByte(s) {
                errors.append(.invalid(FieldPath(stack), value, "illegal base64 data at input byte \(bad)"))
            }
            if schema.hasLimits { node.withNode { checkStringLimits(s, value, $0, FieldPath(stack), into: &errors) } }
            if schema.hasEnum { node.withNode { checkEnum(value, $0, FieldPath(stack), into: &errors) } }
        case .integer:
            guard let i = value.intValue else {
                return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "integer"))
            }
            if schema.format == .int32, i < Int64(Int32.min) || i > Int64(Int32.max) {
                errors.append(.invalid(FieldPath(stack), value, "\(FieldPath(stack)) in body must be a 32-bit integer"))
            }
            if schema.hasLimits { node.withNode { checkNumberLimits(Double(i), value, $0, FieldPath(stack), into: &errors) } }
            if schema.hasEnum { node.withNode { checkEnum(value, $0, FieldPath(stack), into: &errors) } }
        case .number:
            guard let d = value.doubleValue else {
                return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "number"))
            }
            if schema.hasLimits { node.withNode { checkNumberLimits(d, value, $0, FieldPath(stack), into: &errors) } }
            if schema.hasEnum { node.withNode { checkEnum(value, $0, FieldPath(stack), into: &errors) } }
        case .boolean:
            guard case .bool = value else { return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "boolean")) }
        case .other:
            // No declared type: an object when it declares properties (CRD schemas may omit
            // `type`), otherwise any JSON value (RawExtension-like, `JSON`).
            if schema.declaresObject {
                checkObject(value, node, &stack, depth: depth, into: &errors)
            }
        }
    }

    private func checkObject(
        _ value: Value, _ node: NodeRef, _ stack: inout [FieldPathElement], depth: Int,
        into errors: inout [FieldError]
    ) {
        guard case .object(let object) = value else {
            return errors.append(SchemaValidator.typeError(FieldPath(stack), value, expected: "object"))
        }
        let schema = node.walk
        let children = children(of: node)
        let valueSchema = children.additional

        // Keys and values side by side through buffer pointers: iterating the dictionary would
        // copy (retain and release) every key and value it hands out.
        let keys = object.keys.elements
        let values = object.values.elements
        keys.withUnsafeBufferPointer { keys in
            values.withUnsafeBufferPointer { values in
                for i in 0..<min(keys.count, values.count) {
                    let key = keys[i]
                    if let declared = children.properties[key] {
                        if let childSchema = declared {
                            stack.append(.key(key))
                            check(values[i], childSchema, &stack, depth: depth + 1, into: &errors)
                            stack.removeLast()
                        }
                    } else if let valueSchema {
                        stack.append(.mapKey(key))
                        check(values[i], valueSchema, &stack, depth: depth + 1, into: &errors)
                        stack.removeLast()
                    } else if schema.embedded && (key == "apiVersion" || key == "kind" || key == "metadata") {
                        continue
                    } else if !schema.openEnded {
                        errors.append(.unknownField(FieldPath(stack + [.key(key)])))
                    }
                }
                // Missing or null; looked at in place (a lookup by key would copy the value). The
                // names are read where the node keeps them (a copy would retain a shared string).
                let required = schema.required.elements
                for r in required.indices {
                    if let i = object.index(forKey: required[r]), i < values.count, !values[i].isNull { continue }
                    errors.append(.required(FieldPath(stack + [.key(required[r])])))
                }
            }
        }
        if schema.hasLimits {
            let path = FieldPath(stack)
            node.withNode { node in
                if let min = node["minProperties"].intValue, object.count < min {
                    errors.append(.invalid(path, .int(Int64(object.count)), "\(path) in body should have at least \(min) properties"))
                }
                if let max = node["maxProperties"].intValue, object.count > max {
                    errors.append(.invalid(path, .int(Int64(object.count)), "\(path) in body should have at most \(max) properties"))
                }
            }
        }
    }

    /// `node`'s children, resolved against this walk's schemas on first use.
    private func children(of node: NodeRef) -> ChildView {
        // The walk's caller holds the schemas strongly for the whole walk.
        schemas._withUnsafeGuaranteedRef { node.children(in: $0) }
    }

    // MARK: - Leaf checks

    private func checkEnum(_ value: Value, _ node: Value, _ path: FieldPath, into errors: inout [FieldError]) {
        guard let allowed = node["enum"].arrayValue, !allowed.isEmpty, !allowed.contains(value) else { return }
        errors.append(.notSupported(path, value, allowed.map { $0.stringValue ?? goFormat($0) }))
    }

    private func checkQuantity(_ value: Value, _ path: FieldPath, into errors: inout [FieldError]) {
        switch value {
        case .int, .double: return
        case .string(let s):
            if !QuantitySyntax.isValid(s) {
                errors.append(.invalid(path, value, "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"))
            }
        default:
            errors.append(SchemaValidator.typeError(path, value, expected: "string"))
        }
    }

    private func checkStringLimits(_ s: String, _ value: Value, _ node: Value, _ path: FieldPath, into errors: inout [FieldError]) {
        let length = s.count
        if let min = node["minLength"].intValue, length < min {
            errors.append(.invalid(path, value, "\(path) in body should be at least \(min) chars long"))
        }
        if let max = node["maxLength"].intValue, length > max {
            errors.append(.invalid(path, value, "\(path) in body should be at most \(max) chars long"))
        }
        if let pattern = node["pattern"].stringValue, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
            errors.append(.invalid(path, value, "\(path) in body should match '\(pattern)'"))
        }
    }

    private func checkNumberLimits(_ d: Double, _ value: Value, _ node: Value, _ path: FieldPath, into errors: inout [FieldError]) {
        if let min = node["minimum"].doubleValue {
            let exclusive = node["exclusiveMinimum"].boolValue == true
            if exclusive ? d <= min : d < min {
                let bound = goFormat(node["minimum"])
                errors.append(.invalid(
                    path, value, "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }
        if let max = node["maximum"].doubleValue {
            let exclusive = node["exclusiveMaximum"].boolValue == true
            if exclusive ? d >= max : d > max {
                let bound = goFormat(node["maximum"])
                errors.append(.invalid(
                    path, value, "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }
        if let multiple = node["multipleOf"].doubleValue, multiple > 0, (d / multiple).rounded() != d / multiple {
            errors.append(.invalid(path, value, "\(path) in body should be a multiple of \(goFormat(node["multipleOf"]))"))
        }
    }

    private func checkArrayLimits(_ items: [Value], _ node: Value, _ path: FieldPath, into errors: inout [FieldError]) {
        if let min = node["minItems"].intValue, items.count < min {
            errors.append(.invalid(path, .int(Int64(items.count)), "\(path) in body should have at least \(min) items"))
        }
        if let max = node["maxItems"].intValue, items.count > max {
            errors.append(FieldError(.tooMany, path, detail: "must have at most \(max) items"))
        }
        if node["uniqueItems"].boolValue == true
            || (enforceListSets && node["x-kubernetes-list-type"].stringValue == "set") {
            var seen: Set<Value> = []
            for (i, item) in items.enumerated() where !seen.insert(item).inserted {
                errors.append(.duplicate(path.index(i), item))
            }
        }
    }
}

/// The facts of one schema node the validator needs, read in a single pass over its keys, with
/// the decisions the walk makes at every node (which type, which format, open-ended or not)
/// taken here once instead of per validated field.
struct NodeFacts: Sendable {
    /// `type`, as the walk branches on it.
    enum Kind: Sendable { case object, array, string, integer, number, boolean, other }
    /// The `format`s the walk checks.
    enum Format: Sendable { case quantity, byte, int32, other }

    var kind: Kind = .other
    var format: Format = .other
    var intOrString = false
    var preserve = false
    var embedded = false
    var properties: ValueObject?
    var additional: Value = .null
    var items: Value = .null
    /// The string entries of `required`, in order (the only ones the walk can check).
    var requiredNames: [String] = []
    var hasEnum = false
    /// Any of the CRD value limits (minimum, maxLength, pattern, minItems, …) or a `set` list.
    var hasLimits = false
    /// Keys the node does not declare are fine: it preserves unknown fields, allows any
    /// additional property, or declares neither properties nor a value schema (RawExtension,
    /// FieldsV1).
    var openEnded = false
    /// An untyped node that still describes an object (CRD schemas may omit `type`).
    var declaresObject = false

    init(_ node: Value) {
        guard case .object(let o) = node else { return }
        for (key, value) in o {
            switch key {
            case "type":
                switch value.stringValue {
                case "object": kind = .object
                case "array": kind = .array
                case "string": kind = .string
                case "integer": kind = .integer
                case "number": kind = .number
                case "boolean": kind = .boolean
                default: kind = .other
                }
            case "format":
                let name = value.stringValue
                switch name {
                case "quantity": format = .quantity
                case "byte": format = .byte
                case "int32": format = .int32
                default: format = .other
                }
                if name == "int-or-string" { intOrString = true }
            case "x-kubernetes-int-or-string": if value.boolValue == true { intOrString = true }
            case "x-kubernetes-preserve-unknown-fields": preserve = value.boolValue == true
            case "x-kubernetes-embedded-resource": embedded = value.boolValue == true
            case "properties": properties = value.objectValue
            case "additionalProperties": additional = value
            case "items": items = value
            case "required":
                requiredNames = []
                for case .string(let name) in value.arrayValue ?? [] { requiredNames.append(name) }
            case "enum": hasEnum = value.arrayValue != nil
            case "minimum", "maximum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems",
                "uniqueItems", "minProperties", "maxProperties":
                hasLimits = true
            case "x-kubernetes-list-type": if value.stringValue == "set" { hasLimits = true }
            default: break
            }
        }
        declaresObject = properties != nil || additional.isObject
        openEnded = preserve || additional.boolValue == true || (properties == nil && !additional.isObject)
    }
}

/// Quantity strings as `resource.Quantity` parses them; CapstanModel's `Quantity` parser is the
/// one definition of the syntax.
enum QuantitySyntax {
    static func isValid(_ text: String) -> Bool { (try? Quantity(parsing: text)) != nil }
}

