/// Ties loaded manifests to the API catalogue: which resource each object is, whether it is
/// namespaced, and which namespace it lands in — the steps kubectl takes before sending.
import CapstanAPI
import CapstanModel

/// A manifest whose kind is known.
public struct ResolvedManifest: Sendable {
    public var manifest: Manifest
    public var resource: ResourceInfo

    public var object: Value { manifest.object }
    public var source: ManifestSource { manifest.source }

    /// kubectl's `TYPE/NAME` form: `deployment.apps/web`, `service/web`.
    public var typedName: String {
        let group = resource.gvk.group
        let type = group.isEmpty ? resource.gvk.kind.lowercased() : "\(resource.gvk.kind.lowercased()).\(group)"
        return "\(type)/\(object.name ?? object.generateName ?? "")"
    }
}

public struct ManifestResolver: Sendable {
    public var catalogue: APICatalogue
    /// The namespace for namespaced objects that name none (`-n`, or the context's default).
    public var defaultNamespace: String
    /// True when the user gave `-n` explicitly: objects naming another namespace are then an error.
    public var namespaceExplicit: Bool
    public var validator: ObjectValidator?

    public init(catalogue: APICatalogue = .builtin, defaultNamespace: String = "default",
                namespaceExplicit: Bool = false, validate: Bool = true) {
        self.catalogue = catalogue
        self.defaultNamespace = defaultNamespace
        self.namespaceExplicit = namespaceExplicit
        self.validator = validate ? ObjectValidator(catalogue: catalogue) : nil
    }

    /// Resolves every manifest, or throws all problems at once (nothing is half-resolved).
    public func resolve(_ manifests: [Manifest]) throws(ManifestErrors) -> [ResolvedManifest] {
        try Self.collect(manifests.map(resolveOne))
    }

    /// `resolve` with the objects checked side by side on up to `width` tasks: the same result,
    /// and the same errors in the same order.
    public func resolveConcurrently(_ manifests: [Manifest], width: Int) async throws(ManifestErrors) -> [ResolvedManifest] {
        let resolver = self
        return try Self.collect(await orderedConcurrentMap(manifests, width: width, minimumChunk: 32) { resolver.resolveOne($0) })
    }

    /// What became of one manifest.
    enum Outcome: Sendable {
        /// Already reported by the loader (no apiVersion or kind).
        case skipped
        case resolved(ResolvedManifest)
        case failed([ManifestError])
    }

    static func collect(_ outcomes: consuming [Outcome]) throws(ManifestErrors) -> [ResolvedManifest] {
        var errors: [ManifestError] = []
        var resolved: [ResolvedManifest] = []
        resolved.reserveCapacity(outcomes.count)
        // Each outcome is taken out of the array rather than copied (a copy of a resolved
        // manifest counts up every reference it holds, and the array's end counts them down).
        outcomes.withUnsafeMutableBufferPointer { outcomes in
            for index in outcomes.indices {
                switch outcomes.exchange(index, with: .skipped) {
                case .skipped: continue
                case .resolved(let item): resolved.append(item)
                case .failed(let problems): errors += problems
                }
            }
        }
        if !errors.isEmpty { throw ManifestErrors(errors: errors) }
        return resolved
    }

    func resolveOne(_ manifest: Manifest) -> Outcome {
        let source = manifest.source
        guard let gvk = manifest.object.gvk else { return .skipped }  // the loader already reported it
        guard let resource = catalogue.resource(for: gvk) else {
            return .failed([ManifestError(file: source.file, line: source.line, message:
                "resource mapping not found for name: \"\(manifest.object.name ?? "")\": no matches for kind \"\(gvk.kind)\" in version \"\(gvk.apiVersion)\" (is the CustomResourceDefinition installed?)")])
        }
        var object = manifest.object
        if resource.namespaced {
            if let ns = object.namespace, !ns.isEmpty {
                if namespaceExplicit && ns != defaultNamespace {
                    return .failed([ManifestError(file: source.file, line: source.line, message:
                        "the namespace from the provided object \"\(ns)\" does not match the namespace \"\(defaultNamespace)\". You must pass '--namespace=\(ns)' to perform this operation.")])
                }
            } else {
                object.namespace = defaultNamespace
            }
        }
        if let validator {
            let problems = validator.validate(object)
            if !problems.isEmpty {
                let name = object.name ?? object.generateName ?? ""
                return .failed(problems.map { problem in
                    ManifestError(file: source.file, line: source.line, message: "\(gvk.kind) \"\(name)\": \(problem)")
                })
            }
        }
        return .resolved(ResolvedManifest(manifest: Manifest(object: object, source: source), resource: resource))
    }
}
