import CapstanModel

/// The `kubectl.kubernetes.io/last-applied-configuration` annotation, byte for byte as kubectl
/// 1.37 writes it: the manifest without that annotation, with `metadata.annotations` present
/// (an empty object when the manifest has none), encoded like Go's `json.Encoder` (keys sorted,
/// HTML characters escaped, compact) and ending in a newline.
public enum LastApplied {
    public static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// The annotation's value for `manifest`.
    public static func configuration(for manifest: Value) -> String {
        var copy = manifest
        var annotations: ValueObject = copy[path: ["metadata", "annotations"]].objectValue ?? [:]
        annotations.removeValue(forKey: annotation)
        copy[path: ["metadata", "annotations"]] = .object(annotations)
        return copy.jsonString(.goMarshal) + "\n"
    }

    /// `manifest` carrying its own last-applied annotation: what is created, and the "modified"
    /// side of the three-way patch.
    public static func annotated(_ manifest: Value) -> Value {
        var copy = manifest
        let value = configuration(for: manifest)
        var annotations: ValueObject = copy[path: ["metadata", "annotations"]].objectValue ?? [:]
        annotations[annotation] = .string(value)
        copy[path: ["metadata", "annotations"]] = .object(annotations)
        return copy
    }

    /// The last-applied configuration recorded on a live object; nil when it has none (or it is
    /// not JSON — kubectl then treats the original as empty too).
    public static func original(of live: Value) -> Value? {
        guard let text = live[path: ["metadata", "annotations", annotation]].stringValue, !text.isEmpty else { return nil }
        return try? Value.parseJSON(text)
    }
}
