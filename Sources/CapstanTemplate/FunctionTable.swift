import Synchronization

/// A set's functions in the form parse trees point into: each name has a slot, so a call
/// found by the parser runs without hashing its name again at every execution (charts are
/// parsed and executed once per render, and a name hash costs about as much as a small call).
///
/// Immutable once built; `TemplateSet` builds a new one whenever its functions change, and a
/// tree parsed against an older table falls back to looking names up (`FunctionRef.table`
/// tells which table a reference belongs to), so adding functions after parsing still works
/// the way Go's late `Funcs` does.
final class FunctionTable: Sendable {
    /// Distinguishes tables: refs of another table are never used to index this one.
    let id: Int
    /// Each function's index in `list`; builtins the functions do not shadow are here too, as
    /// `-1 - kind` (so resolving a name costs one hash whichever it is).
    let slots: [String: Int32]
    let list: [TemplateFunction]

    private static let nextID = Atomic<Int>(1)

    init(_ functions: [String: TemplateFunction]) {
        id = FunctionTable.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        var slots = [String: Int32](minimumCapacity: functions.count + Builtins.kinds.count)
        var list: [TemplateFunction] = []
        list.reserveCapacity(functions.count)
        for (name, function) in functions {
            slots[name] = Int32(list.count)
            list.append(function)
        }
        for (name, kind) in Builtins.kinds where slots[name] == nil { slots[name] = -1 - Int32(kind.rawValue) }
        self.slots = slots
        self.list = list
    }

    /// What `name` calls: a slot of this table (functions win over builtins, as in
    /// `Executor.evalFunction`), else a builtin; nil when neither defines it.
    func resolve(_ name: String) -> FunctionRef? {
        guard let slot = slots[name] else { return nil }
        if slot >= 0 { return FunctionRef(table: id, slot: slot, builtin: .none) }
        return FunctionRef(table: id, slot: -1, builtin: Builtins.Kind(rawValue: UInt8(truncatingIfNeeded: -1 - slot)) ?? .none)
    }
}

/// A function name resolved by the parser against one `FunctionTable`.
struct FunctionRef: Sendable {
    /// The `FunctionTable.id` this was resolved against.
    var table: Int
    /// Index into that table's `list`, or -1 for a builtin.
    var slot: Int32
    var builtin: Builtins.Kind
}
