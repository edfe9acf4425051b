/// CapstanPatch: the three patch languages Kubernetes speaks, on `Value` trees.
///
/// It owns JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch
/// (two-way and three-way creation, application, every `$` directive), with patch metadata
/// (merge keys, strategies) read from a `Schema` through `PatchMeta`. It must not fetch
/// objects, talk to a server or decide *when* to patch: callers (`CapstanApply`, the API
/// server) pass in the documents and get documents back. Every function is pure; nothing here
/// holds shared mutable state except the memo tables inside `PatchMeta` (guarded by a mutex).
///
/// The one algorithm to know (three-way strategic merge, as `kubectl apply` computes it):
/// the patch is the *additions and changes* from live (current) to intent (modified), plus the
/// *deletions* from last-applied (original) to intent, merged into one patch. Fields only the
/// live object has (set by controllers, defaulted by the server) are never touched.
import CapstanModel

/// The patch languages of the Kubernetes PATCH verb.
public enum PatchType: String, Sendable, CaseIterable {
    /// `application/json-patch+json`
    case json
    /// `application/merge-patch+json`
    case merge
    /// `application/strategic-merge-patch+json`
    case strategic

    public var contentType: String {
        switch self {
        case .json: return "application/json-patch+json"
        case .merge: return "application/merge-patch+json"
        case .strategic: return "application/strategic-merge-patch+json"
        }
    }

    /// The patch type of a PATCH request's `Content-Type` (parameters such as `charset` are
    /// ignored); nil for anything else (e.g. `application/apply-patch+yaml`).
    public init?(contentType: String) {
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces().lowercased() } ?? ""
        guard let type = PatchType.allCases.first(where: { $0.contentType == media }) else { return nil }
        self = type
    }
}

extension PatchType {
    /// Applies a patch of this type to `object` — what an API server does for PATCH.
    /// `meta` matters only to strategic merge (`.none`: plain JSON rules).
    public func apply(_ patch: Value, to object: Value, meta: PatchMeta = .none) throws(PatchError) -> Value {
        switch self {
        case .json: return try JSONPatch.apply(patch: patch, to: object)
        case .merge: return try MergePatch.apply(patch: patch, to: object)
        case .strategic: return try StrategicMerge.apply(patch: patch, to: object, meta: meta)
        }
    }
}

/// A location inside a document, printed as `spec.containers[name=web].image` (map keys are
/// dotted, list elements show their merge key or index).
public struct PatchPath: Sendable, Hashable, CustomStringConvertible {
    public enum Step: Sendable, Hashable {
        case key(String)
        case index(Int)
        case element(mergeKey: String, value: String)
    }

    public private(set) var steps: [Step]

    public init(_ steps: [Step] = []) { self.steps = steps }

    public static let root = PatchPath()

    public func appending(_ key: String) -> PatchPath {
        var copy = self
        copy.steps.append(.key(key))
        return copy
    }

    public func appending(index: Int) -> PatchPath {
        var copy = self
        copy.steps.append(.index(index))
        return copy
    }

    public func appending(mergeKey: String, value: Value) -> PatchPath {
        var copy = self
        copy.steps.append(.element(mergeKey: mergeKey, value: value.stringValue ?? value.jsonString()))
        return copy
    }

    public var description: String {
        if steps.isEmpty { return "<root>" }
        var out = ""
        for step in steps {
            switch step {
            case .key(let k):
                if !out.isEmpty { out += "." }
                out += k
            case .index(let i): out += "[\(i)]"
            case .element(let key, let value): out += "[\(key)=\(value)]"
            }
        }
        return out
    }
}

/// Why a patch could not be created or applied. Always names the path it is about and, for
/// JSON Patch, the index of the failing operation.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The patch document itself is malformed (bad directive, wrong shape).
        case invalidPatch
        /// A document (original, modified, current, object) is not what the operation needs.
        case invalidDocument
        /// A list element lacks the merge key its list is merged by.
        case missingMergeKey
        /// Values of different JSON types where one type is required (lists of mixed elements).
        case typeMismatch
        /// Three-way creation with `overwrite: false`: live changed a field the patch changes.
        case conflict
        /// JSON Patch `test` found a different value.
        case testFailed
        /// JSON Patch: the pointer names nothing.
        case pathNotFound
        /// JSON Patch: the pointer is not valid syntax, or an index is out of range.
        case invalidPointer
        /// Nesting deeper than `maxDepth`.
        case tooDeep
    }

    public var kind: Kind
    /// Where in the document, e.g. `spec.template.spec.containers[name=web]`, or a JSON Pointer.
    public var path: String
    public var message: String
    /// For JSON Patch: the zero-based index of the failing operation.
    public var operationIndex: Int?

    public init(_ kind: Kind, path: String, _ message: String, operationIndex: Int? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.operationIndex = operationIndex
    }

    init(_ kind: Kind, at path: PatchPath, _ message: String) {
        self.init(kind, path: path.description, message)
    }

    public var description: String {
        var s = ""
        if let i = operationIndex { s += "operation \(i): " }
        switch kind {
        case .conflict: s += "conflict at \(path): \(message)"
        default: s += "\(path): \(message)"
        }
        return s
    }
}

/// Bound on nesting, so hostile input cannot exhaust the stack.
let maxPatchDepth = 200

