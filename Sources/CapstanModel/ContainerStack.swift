/// The members and elements of the objects and arrays a reader is in the middle of, innermost
/// last. Each object or array is built once, at its exact size, when it closes; building it
/// member by member grew its dictionary (and the two arrays inside it) by doubling, which cost
/// the JSON parser more than scanning the text. Used by the JSON parser and the YAML reader.
///
/// Non-copyable: it owns what it holds; whatever a reader that stopped halfway leaves behind
/// is freed with it.
public struct ContainerStack: ~Copyable {
    private var keys = MoveStack<String>()
    private var values = MoveStack<Value>()

    /// Where an object or array began on the stacks.
    public struct Mark: Sendable {
        fileprivate let keys: Int
        fileprivate let values: Int
    }

    /// Room left in every object for members its reader will add later (small objects only).
    private let spareMembers: Int

    public init(spareMembers: Int = 0) { self.spareMembers = spareMembers }

    /// Taken when an object or array opens.
    public var mark: Mark { Mark(keys: keys.count, values: values.count) }

    /// One member of the innermost open object.
    public mutating func member(_ key: String, _ value: consuming Value) {
        keys.push(key)
        values.push(value)
    }

    /// One element of the innermost open array.
    public mutating func element(_ value: consuming Value) {
        values.push(value)
    }

    /// The object opened at `mark`, off the stacks. A repeated key keeps its first position
    /// and takes the last value, as assigning the members one by one would.
    public mutating func object(since mark: Mark) -> ValueObject {
        let count = keys.count - mark.keys
        // Up to 15 keys a dictionary has no hash table and finds keys by comparing them anyway.
        if count <= 15, distinctKeys(from: mark.keys) {
            return ValueObject(uncheckedUniqueKeys: keys.popArray(from: mark.keys, spare: spareMembers),
                               values: values.popArray(from: mark.values, spare: spareMembers))
        }
        let keys = keys.popArray(from: mark.keys)
        let values = values.popArray(from: mark.values)
        var object = ValueObject(minimumCapacity: count)
        for i in 0..<count { object[keys[i]] = values[i] }
        return object
    }

    /// The array opened at `mark`, off the stack.
    public mutating func array(since mark: Mark) -> [Value] {
        values.popArray(from: mark.values)
    }

    private func distinctKeys(from base: Int) -> Bool {
        var i = base + 1
        while i < keys.count {
            let key = keys[i]
            for j in base..<i where keys[j] == key { return false }
            i += 1
        }
        return true
    }
}
