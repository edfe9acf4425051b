/// The names seen so far in one list (volumes, containers, ports), to report duplicates and
/// dangling references. A few names are compared in place (no hashing, one small array);
/// past 16 they move to a `Set`, so long hostile lists stay linear.
struct SeenNames {
    private var few: [String] = []
    private var many: Set<String>?

    init() {}

    init(_ names: some Sequence<String>) {
        for name in names { _ = insert(name) }
    }

    func contains(_ name: String) -> Bool {
        if let many { return many.contains(name) }
        return few.contains(name)
    }

    /// Adds `name`; false when it was there already.
    mutating func insert(_ name: String) -> Bool {
        if many != nil { return many!.insert(name).inserted }
        if few.contains(name) { return false }
        if few.count < 16 {
            few.append(name)
        } else {
            var set = Set(few)
            set.insert(name)
            many = set
            few = []
        }
        return true
    }
}
