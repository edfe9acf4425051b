import Synchronization
import Testing
import CapstanModel
@testable import CapstanManifest

/// The duplicate check works from hashes of identities, and the concurrent map moves results
/// out of a raw buffer: both must behave exactly like the plain versions.
@Suite struct DuplicateAndMapTests {
    func manifest(_ name: String, kind: String = "ConfigMap", line: Int) -> Manifest {
        Manifest(object: ["apiVersion": "v1", "kind": .string(kind), "metadata": ["name": .string(name)]],
                 source: ManifestSource(file: "m.yaml", document: 0, line: line))
    }

    @Test func equalHashesOfDifferentObjectsAreNotDuplicates() {
        let manifests = [manifest("a", line: 1), manifest("b", line: 2), manifest("c", kind: "Secret", line: 3),
                         manifest("b", line: 4), manifest("a", line: 5), manifest("b", line: 6)]
        // Every object hashes alike: only the identities may decide.
        let errors = ManifestLoader().duplicates(in: manifests, keyHashes: Array(repeating: 7, count: manifests.count))
        #expect(errors.map(\.line) == [4, 5, 6])
        #expect(errors[0].message == "ConfigMap b is defined twice: first at m.yaml:2, again here")
        #expect(errors[1].message == "ConfigMap a is defined twice: first at m.yaml:1, again here")
        #expect(errors[2].message == "ConfigMap b is defined twice: first at m.yaml:2, again here")
        // With real hashes the answer is the same.
        #expect(ManifestLoader().duplicates(in: manifests) == errors)
    }

    @Test func objectsWithoutIdentityAreSkipped() {
        var unnamed = manifest("x", line: 2)
        unnamed.object["metadata"] = ["generateName": "x-"]
        let manifests = [manifest("x", line: 1), unnamed, unnamed]
        #expect(ManifestLoader().duplicates(in: manifests).isEmpty)
    }

    /// Counts live instances, so a result copied and not released, or released twice, shows.
    final class Tracked: Sendable {
        static let live = Atomic<Int>(0)
        let value: Int
        init(_ value: Int) {
            self.value = value
            Self.live.add(1, ordering: .relaxed)
        }
        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    @Test func concurrentMapGivesEveryResultOnceInOrder() async {
        for count in [0, 1, 31, 32, 33, 500, 1001] {
            let items = Array(0..<count)
            let before = Tracked.live.load(ordering: .relaxed)
            do {
                let results = await orderedConcurrentMap(items, width: 3, minimumChunk: 4) { [Tracked($0), Tracked(-$0)] }
                #expect(results.map { $0.map(\.value) } == items.map { [$0, -$0] })
                #expect(Tracked.live.load(ordering: .relaxed) - before == 2 * count)
            }
            #expect(Tracked.live.load(ordering: .relaxed) == before)
        }
    }
}
