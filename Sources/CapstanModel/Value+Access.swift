/// Typed accessors and path access on `Value`.
///
/// Reading through a missing key or a value of the wrong kind yields `.null` instead of
/// trapping, so `obj["spec"]["template"]["spec"]` reads like the field path it is. Writing
/// through a missing key creates the intermediate objects.
extension Value {
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }
    public var doubleValue: Double? {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: return nil
        }
    }
    public var arrayValue: [Value]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: ValueObject? { if case .object(let o) = self { return o } else { return nil } }

    public var isObject: Bool { if case .object = self { return true } else { return false } }
    public var isArray: Bool { if case .array = self { return true } else { return false } }

    /// The value under `key` of an object; `.null` if absent or if this is not an object.
    /// Setting `.null`-free values inserts or replaces; assigning through a non-object turns it
    /// into an object.
    public subscript(key: String) -> Value {
        get {
            if case .object(let o) = self { return o.member(key) ?? .null }
            return .null
        }
        set {
            if case .object(var o) = self {
                self = .null  // release our reference so `o` stays uniquely owned
                o[key] = newValue
                self = .object(o)
            } else {
                self = .object([key: newValue])
            }
        }
    }

    /// The element at `index` of an array; `.null` when out of range or not an array.
    public subscript(index: Int) -> Value {
        get {
            if case .array(let a) = self, a.indices.contains(index) { return a[index] }
            return .null
        }
        set {
            guard case .array(var a) = self, a.indices.contains(index) else { return }
            self = .null
            a[index] = newValue
            self = .array(a)
        }
    }

    /// True when the object has `key`, even if its value is `null`.
    public func has(_ key: String) -> Bool {
        if case .object(let o) = self { return o.memberIndex(key) != nil }
        return false
    }

    /// Removes `key` from an object and returns what it held.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        guard case .object(var o) = self else { return nil }
        self = .null
        let removed = o.removeValue(forKey: key)
        self = .object(o)
        return removed
    }

    /// The value at a path of object keys; `.null` when any step is missing.
    public subscript(path path: [String]) -> Value {
        get {
            var current = self
            for key in path {
                guard case .object(let o) = current, let next = o[key] else { return .null }
                current = next
            }
            return current
        }
        set {
            guard let first = path.first else { self = newValue; return }
            var child = self[first]
            child[path: Array(path.dropFirst())] = newValue
            self[first] = child
        }
    }

    /// Removes the value at a path of object keys; returns it if it was there.
    @discardableResult
    public mutating func remove(path: [String]) -> Value? {
        guard let first = path.first else { return nil }
        if path.count == 1 { return removeValue(forKey: first) }
        guard has(first) else { return nil }
        var child = self[first]
        let removed = child.remove(path: Array(path.dropFirst()))
        self[first] = child
        return removed
    }

    /// Number of elements in an array or object, zero otherwise.
    public var count: Int {
        switch self {
        case .array(let a): return a.count
        case .object(let o): return o.count
        default: return 0
        }
    }
}

extension ValueObject {
    /// The value under `key`: `self[key]`, found faster in the small objects most of a
    /// Kubernetes object is made of.
    public func member(_ key: String) -> Value? {
        guard let index = memberIndex(key) else { return nil }
        return values[index]
    }

    /// Where `key` sits. Up to 15 members `OrderedDictionary` keeps no hash table and compares
    /// the key with each member's in turn, and a comparison that fails calls into the runtime;
    /// members whose UTF-8 length differs are passed over without one. So a key matches a
    /// member with different bytes only when Swift calls them equal and their lengths agree:
    /// the Kelvin sign is not `K` here, as it is not to the Go API server (which compares
    /// bytes), though `==` would say it is.
    public func memberIndex(_ key: String) -> Int? {
        let keys = self.keys
        if keys.count > 15 { return index(forKey: key) }
        let length = key.utf8.count
        var i = 0
        while i < keys.count {
            let candidate = keys[i]
            if candidate.utf8.count == length && candidate == key { return i }
            i += 1
        }
        return nil
    }
}
