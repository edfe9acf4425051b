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
        guard let gvk = object.gvk, let schema = catalogue.schema(for: gvk) else { return [] }
        var validator = self
        if let r = catalogue.resource(for: gvk), catalogue.isCustomResource(group: gvk.group, plural: r.plural) {
            validator.enforceListSets = true
        }
        return validator.validate(object, against: schema)
    }

    public func validate(_ value: Value, against schema: Schema, at path: FieldPath = FieldPath()) -> [FieldError] {
        var errors: [FieldError] = []
        check(value, schema, path, depth: 0, into: &errors)
        return errors
    }

    // MARK: - Walk

    private func check(_ value: Value, _ schema: Schema, _ path: FieldPath, depth: Int, into errors: inout [FieldError]) {
        guard depth <= maxDepth else { return }
        // JSON null reads as "unset" in the API (the zero value); required-ness is checked by the parent.
        if case .null = value { return }
        let node = schema.node
        let declared = node["type"].stringValue

        if schema.isIntOrString {
            switch value {
            case .string: break
            case .int: break
            case .double(let d) where d.rounded() == d: break
            default: errors.append(typeError(path, value, expected: "integer,string"))
            }
            checkEnum(value, node, path, into: &errors)
            return
        }

        switch declared {
        case "object":
            checkObject(value, schema, path, depth: depth, into: &errors)
        case "array":
            guard case .array(let items) = value else { return errors.append(typeError(path, value, expected: "array")) }
            checkArrayLimits(items, node, path, into: &errors)
            if let itemSchema = schema.items {
                for (i, item) in items.enumerated() {
                    check(item, itemSchema, path.index(i), depth: depth + 1, into: &errors)
                }
            }
        case "string":
            if schema.format == "quantity" {
                checkQuantity(value, path, into: &errors)
                return
            }
            guard case .string(let s) = value else { return errors.append(typeError(path, value, expected: "string")) }
            if schema.format == "byte", let bad = Base64.firstInvalidByte(s) {
                errors.append(.invalid(path, value, "illegal base64 data at input byte \(bad)"))
            }
            checkStringLimits(s, value, node, path, into: &errors)
            checkEnum(value, node, path, into: &errors)
        case "integer":
            guard let i = value.intValue else { return errors.append(typeError(path, value, expected: "integer")) }
            if schema.format == "int32", i < Int64(Int32.min) || i > Int64(Int32.max) {
                errors.append(.invalid(path, value, "\(path) in body must be a 32-bit integer"))
            }
            checkNumberLimits(Double(i), value, node, path, into: &errors)
            checkEnum(value, node, path, into: &errors)
        case "number":
            guard let d = value.doubleValue else { return errors.append(typeError(path, value, expected: "number")) }
            checkNumberLimits(d, value, node, path, into: &errors)
            checkEnum(value, node, path, into: &errors)
        case "boolean":
            guard case .bool = value else { return errors.append(typeError(path, value, expected: "boolean")) }
        default:
            // No declared type: an object when it declares properties (CRD schemas may omit
            // `type`), otherwise any JSON value (RawExtension-like, `JSON`).
            if schema.hasProperties || node["additionalProperties"].isObject {
                checkObject(value, schema, path, depth: depth, into: &errors)
            }
        }
    }

    private func checkObject(_ value: Value, _ schema: Schema, _ path: FieldPath, depth: Int, into errors: inout [FieldError]) {
        guard case .object(let object) = value else { return errors.append(typeError(path, value, expected: "object")) }
        let node = schema.node
        let properties = node["properties"].objectValue
        let additional = node["additionalProperties"]
        let embedded = node["x-kubernetes-embedded-resource"].boolValue == true
        // An object schema that declares neither properties nor a value schema is free-form
        // (RawExtension, FieldsV1); so is one that preserves unknown fields.
        let openEnded = schema.preservesUnknownFields || additional.boolValue == true
            || (properties == nil && !additional.isObject)
        let valueSchema = additional.isObject ? schema.additionalProperties : nil

        for (key, child) in object {
            if let raw = properties?[key] {
                if let childSchema = schema.property(key), raw.isObject {
                    check(child, childSchema, path.child(key), depth: depth + 1, into: &errors)
                }
            } else if let valueSchema {
                check(child, valueSchema, path.key(key), depth: depth + 1, into: &errors)
            } else if embedded && (key == "apiVersion" || key == "kind" || key == "metadata") {
                continue
            } else if !openEnded {
                errors.append(.unknownField(path.child(key)))
            }
        }
        for name in schema.required where object[name] == nil || object[name] == .null {
            errors.append(.required(path.child(name)))
        }
        if let min = node["minProperties"].intValue, object.count < min {
            errors.append(.invalid(path, .int(Int64(object.count)), "\(path) in body should have at least \(min) properties"))
        }
        if let max = node["maxProperties"].intValue, object.count > max {
            errors.append(.invalid(path, .int(Int64(object.count)), "\(path) in body should have at most \(max) properties"))
        }
    }

    // MARK: - Leaf checks

    /// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
    private func typeError(_ path: FieldPath, _ value: Value, expected: String) -> FieldError {
        let actual = Self.jsonTypeName(value)
        return FieldError(
            .typeInvalid, path, value: .string(actual),
            detail: "\(path) in body must be of type \(expected): \(goQuote(actual))")
    }

    static func jsonTypeName(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

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
            errors.append(typeError(path, value, expected: "string"))
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

/// Quantity strings as `resource.Quantity` parses them: a signed decimal number, then an
/// optional binary suffix (Ki…Ei), decimal suffix (m, k, M…E) or exponent (e3, E-2).
enum QuantitySyntax {
    static func isValid(_ text: String) -> Bool {
        var s = Substring(text)
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        let number = s.prefix { ($0.isASCII && $0.isNumber) || $0 == "." }
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != "." else { return false }
        let suffix = s.dropFirst(number.count)
        switch suffix {
        case "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E": return true
        default:
            guard let e = suffix.first, e == "e" || e == "E" else { return false }
            var exp = suffix.dropFirst()
            if exp.first == "+" || exp.first == "-" { exp = exp.dropFirst() }
            return !exp.isEmpty && exp.allSatisfy { $0.isASCII && $0.isNumber }
        }
    }
}

/// Standard base64 (with padding), as Go's `encoding/base64.StdEncoding` reads `[]byte` fields.
enum Base64 {
    /// The offset Go would report for the first bad input byte, or nil when valid.
    static func firstInvalidByte(_ s: String) -> Int? {
        let bytes = Array(s.utf8)
        var i = 0
        var padding = 0
        for b in bytes {
            let isAlphabet = (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (b >= 48 && b <= 57) || b == 43 || b == 47
            if b == 61 {  // '='
                padding += 1
                if padding > 2 { return i }
            } else if !isAlphabet || padding > 0 {
                return i
            }
            i += 1
        }
        if bytes.count % 4 != 0 { return bytes.count - bytes.count % 4 }
        return nil
    }
}
