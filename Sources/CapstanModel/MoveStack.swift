/// A stack whose top elements leave as one exact-size array by moving, not copying: no retain
/// and release per element, no growth by doubling in the array that results
/// (`ContainerStack` keeps open objects' members here).
///
/// Non-copyable: it owns its storage and frees what is left in `deinit` (a parse that throws
/// halfway leaves elements behind).
struct MoveStack<Element>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 32) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    mutating func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// A copy of the element at `index` (which must be below `count`).
    subscript(index: Int) -> Element { storage[index] }

    /// The elements from `start` (at most `count`) to the top, in order, in an array with room
    /// for `spare` more; the stack ends at `start`.
    mutating func popArray(from start: Int, spare: Int = 0) -> [Element] {
        // Reserved and appended rather than `Array(unsafeUninitializedCapacity:)`, whose
        // allocation with a count known only at run time looks the array's generic metadata
        // up every time (measured: several times the cost of the appends).
        var array: [Element] = []
        array.reserveCapacity(count - start + spare)
        for i in start..<count { array.append((storage + i).move()) }
        count = start
        return array
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity *= 2
    }
}
