/// Maps `items` on child tasks, a contiguous chunk per task, and returns the results in input
/// order — the same array a plain `map` gives. Loading and validating a large tree spends its
/// time per object with nothing shared, so the chunks run on every core while the cluster
/// still waits for the first request.
///
/// Sixteen chunks per task slot (`width`) even out files of uneven size and a core that starts
/// late (it was decoding the API catalogue): with four, the last chunk often ran alone for a
/// millisecond or two while the other core idled. A chunk costs one child task, a few µs. No
/// chunk is smaller than `minimumChunk`, so small inputs stay on one task.
func orderedConcurrentMap<T: Sendable, R: Sendable>(_ items: [T], width: Int, minimumChunk: Int = 16,
                                                    _ transform: @escaping @Sendable (T) -> R) async -> [R]
{
    let chunks = min(max(1, width) * 16, items.count / max(1, minimumChunk))
    if chunks <= 1 { return items.map(transform) }
    let size = (items.count + chunks - 1) / chunks
    var parts = [[R]](repeating: [], count: chunks)
    await withTaskGroup(of: (Int, [R]).self) { group in
        for chunk in 0..<chunks {
            let range = min(items.count, chunk * size)..<min(items.count, (chunk + 1) * size)
            let slice = Array(items[range])
            group.addTask { (chunk, slice.map(transform)) }
        }
        for await (chunk, results) in group { parts[chunk] = results }
    }
    var results: [R] = []
    results.reserveCapacity(items.count)
    for part in parts { results += part }
    return results
}
