import CapstanTemplate
import Synchronization

/// Semantic versions as Helm checks them (Chart.yaml `version`, `kubeVersion` ranges,
/// dependency `version` ranges): CapstanTemplate's Masterminds rules, which `semverCompare`
/// uses too.
struct SemVer {
    var major: Int64
    var minor: Int64
    var patch: Int64
    var prerelease: String
    var metadata: String

    /// Lenient like Helm: `v` prefix allowed, missing minor/patch read as 0.
    init?(parsing text: String) {
        guard let v = SemanticVersion.parse(text) else { return nil }
        (major, minor, patch, prerelease, metadata) = v
    }
}

/// Helm's `IsCompatibleRange`: false when either side does not parse.
///
/// Every render checks each dependency's range against its chart's version, and parsing the
/// constraint costs more than the rest of dependency processing, so answers are remembered:
/// the check is a pure function of the two strings. The memo is shared by all renders behind
/// one `Mutex` and cleared when it grows past `compatibleRangeMemoLimit` pairs.
func isCompatibleRange(_ constraint: String, _ version: String) -> Bool {
    let key = CompatibleRangeKey(constraint: constraint, version: version)
    if let known = compatibleRangeMemo.withLock({ $0[key] }) { return known }
    let answer = SemanticVersion.satisfies(constraint, version)
    compatibleRangeMemo.withLock { memo in
        if memo.count >= compatibleRangeMemoLimit { memo.removeAll() }
        memo[key] = answer
    }
    return answer
}

private struct CompatibleRangeKey: Hashable, Sendable {
    var constraint: String
    var version: String
}

private let compatibleRangeMemoLimit = 1024
private let compatibleRangeMemo = Mutex<[CompatibleRangeKey: Bool]>([:])
