/// Maps `items` on child tasks, a contiguous chunk per task, and returns the results in input
/// order — the same array a plain `map` gives. Loading and validating a large tree spends its
/// time per object with nothing shared, so the chunks run on every core while the cluster
/// still waits for the first request.
///
/// Sixteen chunks per task slot (`width`) even out files of uneven size and a core that starts
/// late (it was decoding the API catalogue): with four, the last chunk often ran alone for a
/// millisecond or two while the other core idled. A chunk costs one child task, a few µs. No
/// chunk is smaller than `minimumChunk`, so small inputs stay on one task.
///
/// Each task writes its results straight into their slots of one buffer, and the array is
/// made by moving them out of it. Joining per-chunk arrays instead copied every result and then
/// destroyed the originals: a retain and a release of every reference a result holds, on cache
/// lines the other core had written, alone on one core (about 15 ms for 5,000 objects).
func orderedConcurrentMap<T: Sendable, R: Sendable>(_ items: [T], width: Int, minimumChunk: Int = 16,
                                                    _ transform: @escaping @Sendable (T) -> R) async -> [R]
{
    let chunks = min(max(1, width) * 16, items.count / max(1, minimumChunk))
    if chunks <= 1 { return items.map(transform) }
    let size = (items.count + chunks - 1) / chunks
    let slots = ResultSlots<R>(count: items.count)
    defer { slots.deallocate() }
    await withTaskGroup(of: Void.self) { group in
        for chunk in 0..<chunks {
            let range = min(items.count, chunk * size)..<min(items.count, (chunk + 1) * size)
            group.addTask {
                for i in range { slots.initialize(i, to: transform(items[i])) }
            }
        }
    }
    // Every task has finished (the group waits for all), so every slot holds a result.
    return slots.moveAll()
}

/// Uninitialised room for `count` results that tasks fill at disjoint indices.
///
/// Sendable by construction rather than by the compiler's proof: each index is written by
/// exactly one task, and the slots are read only after the task group has joined them all.
private struct ResultSlots<R>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<R>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = .allocate(capacity: count)
    }

    func initialize(_ index: Int, to value: consuming R) {
        (base + index).initialize(to: value)
    }

    /// The results as an array; the slots are left uninitialised.
    func moveAll() -> [R] {
        Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: base, count: count)
            initialized = count
        }
    }

    func deallocate() { base.deallocate() }
}

extension UnsafeMutableBufferPointer {
    /// Takes the element at `index` out, leaving `value` in its place: ownership moves, so
    /// nothing is counted up or down.
    func exchange(_ index: Int, with value: consuming Element) -> Element {
        precondition(indices.contains(index))
        let slot = baseAddress! + index
        let old = slot.move()
        slot.initialize(to: value)
        return old
    }
}
