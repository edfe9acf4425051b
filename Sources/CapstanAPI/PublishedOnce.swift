import Synchronization

/// An object set once and then read by any task without a lock or a reference count: the
/// slot holds one retain of its own (given back in `deinit`), so a reader borrows the object
/// for as long as the slot's owner lives. Publishing releases and reading acquires, so a
/// reader that finds the object sees it whole. Used for what a shared schema set fills in on
/// first use: a compiled node's children, a built-in definition's decoded value.
struct PublishedOnce<Object: AnyObject & Sendable>: ~Copyable, Sendable {
    private let slot = Atomic<Unmanaged<Object>?>(nil)

    init() {}

    deinit {
        slot.load(ordering: .acquiring)?.release()
    }

    /// `body` on the published object, borrowed (no retain); nil while nothing is published.
    @inline(__always)
    func withPublished<R>(_ body: (Object) -> R) -> R? {
        slot.load(ordering: .acquiring)?._withUnsafeGuaranteedRef(body)
    }

    var isPublished: Bool { slot.load(ordering: .acquiring) != nil }

    /// Publishes `object` unless another was published first, and returns the one that stands
    /// (so tasks that race all go on with the same object).
    func publish(_ object: Object) -> Object {
        let mine = Unmanaged.passRetained(object)
        let (installed, current) = slot.compareExchange(expected: nil, desired: mine, ordering: .acquiringAndReleasing)
        if installed { return object }
        mine.release()
        return current?.takeUnretainedValue() ?? object
    }
}
