import CapstanTemplate

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
func isCompatibleRange(_ constraint: String, _ version: String) -> Bool {
    SemanticVersion.satisfies(constraint, version)
}
