/// kubectl's client-side-apply bookkeeping: the `last-applied-configuration` annotation that
/// is the *original* of the next three-way patch. Kept beside the patch algorithms so that
/// `apply` and `diff` compute byte for byte what kubectl would send.
import CapstanModel

public enum LastApplied {
    /// `kubectl.kubernetes.io/last-applied-configuration`
    public static let annotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// The annotation's value for `manifest`: the manifest without this annotation (and with
    /// `metadata.annotations` present, `{}` if empty), encoded as Go's encoder writes it —
    /// sorted keys, `<>&` escaped — followed by a newline.
    public static func configuration(for manifest: Value) -> String {
        var m = manifest
        return configuration(replacingIn: &m, annotations: m[path: ["metadata", "annotations"]].objectValue ?? [:])
    }

    /// The document kubectl treats as *modified*: the manifest carrying its own
    /// last-applied annotation.
    public static func modified(_ manifest: Value) -> Value {
        var m = manifest
        var annotations = m[path: ["metadata", "annotations"]].objectValue ?? [:]
        annotations[annotation] = .string(configuration(replacingIn: &m, annotations: annotations))
        // `m` is this function's own by now: the annotations go in without copying the object again.
        m[path: ["metadata", "annotations"]] = .object(annotations)
        return m
    }

    /// `modified(manifest)` as the JSON a create sends, keys sorted (as kubectl's body is).
    ///
    /// The annotation's text is the manifest's own JSON, so that JSON is written once and the
    /// body made from it: the text up to the annotation's place, the annotation (that text as a
    /// string), the rest. Writing the modified object again cost as much as the annotation.
    public static func modifiedJSON(_ manifest: Value) -> [UInt8] {
        var m = manifest
        removeAnnotation(from: &m, annotations: m[path: ["metadata", "annotations"]].objectValue ?? [:])
        let (text, point) = m.jsonBytes(.goMarshal, insertionPointFor: annotation, in: ["metadata", "annotations"])
        guard let point else { return modified(manifest).jsonBytes(.goMarshal) }
        var body: [UInt8] = []
        body.reserveCapacity(text.count * 2 + annotation.utf8.count + 16)
        body.append(contentsOf: text[..<point.offset])
        if point.commaBefore { body.append(UInt8(ascii: ",")) }
        body.append(UInt8(ascii: "\""))
        body.append(contentsOf: annotation.utf8)
        body.append(contentsOf: "\":".utf8)
        (text + [UInt8(ascii: "\n")]).withUnsafeBufferPointer { Value.appendJSONString($0, options: .goMarshal, to: &body) }
        if point.commaAfter { body.append(UInt8(ascii: ",")) }
        body.append(contentsOf: text[point.offset...])
        return body
    }

    /// `configuration(for: m)`, where `annotations` are `m`'s own; `m` is left as the document
    /// that was encoded (its annotations without the last-applied one).
    private static func configuration(replacingIn m: inout Value, annotations: ValueObject) -> String {
        removeAnnotation(from: &m, annotations: annotations)
        return m.jsonString(.goMarshal) + "\n"
    }

    /// Makes `m` the document the annotation encodes: its annotations (`m`'s own, passed in)
    /// without this one, present as `{}` when none are left.
    private static func removeAnnotation(from m: inout Value, annotations: ValueObject) {
        var without = annotations
        without.removeValue(forKey: annotation)
        m[path: ["metadata", "annotations"]] = .object(without)
    }

    /// The *original* recorded on a live object: its parsed annotation, or `.null` when the
    /// object was never applied (then nothing is deleted, only added or changed).
    public static func original(of live: Value) throws(PatchError) -> Value {
        guard let text = live[path: ["metadata", "annotations", annotation]].stringValue else { return .null }
        do {
            return try Value.parseJSON(text)
        } catch {
            throw PatchError(.invalidDocument, path: "metadata.annotations[\(annotation)]", "the last-applied configuration is not valid JSON: \(error)")
        }
    }

    /// The patch `kubectl apply` sends to bring `live` to `manifest`: strategic merge when
    /// `meta` is given (built-in kinds), kubectl's three-way JSON merge patch otherwise.
    public static func patch(manifest: Value, live: Value, meta: PatchMeta?, overwrite: Bool = true) throws(PatchError) -> (type: PatchType, patch: Value) {
        let original = try original(of: live)
        let modified = modified(manifest)
        if let meta {
            return (.strategic, try StrategicMerge.createThreeWay(original: original, modified: modified, current: live, meta: meta, overwrite: overwrite))
        }
        return (.merge, try MergePatch.createThreeWay(original: original, modified: modified, current: live))
    }
}
