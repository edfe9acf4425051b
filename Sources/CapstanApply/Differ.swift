import CapstanAPI
import CapstanClient
import CapstanManifest
import CapstanModel
import CapstanPatch
import CapstanYAML

/// One object's diff: the live object (nil when it does not exist yet) next to what applying
/// the manifest would make it, both cleaned of server-managed metadata and Secret values masked.
public struct ObjectDiff: Sendable {
    public var typedName: String
    public var namespace: String?
    /// `apps.v1.Deployment.demo.web` — kubectl's file name for the object.
    public var label: String
    public var live: Value?
    public var merged: Value?
    /// Unified diff text; empty when nothing differs.
    public var unified: String

    public var differs: Bool { !unified.isEmpty }
}

/// `capstan diff`: computes what apply would change, without changing anything.
///
/// The merged side comes from the server's dry run of exactly the request apply would send
/// (create or three-way patch); when the server cannot dry-run (it rejects `dryRun=All`), the
/// patch is applied locally instead. A value type over an immutable client.
public struct Differ: Sendable {
    public let client: any Client

    public init(client: any Client) { self.client = client }

    /// Metadata the server manages; hidden from both sides.
    static let managedMetadata = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp",
                                  "deletionTimestamp", "selfLink"]

    public func diff(_ manifests: [ResolvedManifest], concurrency: Int = 16) async -> (diffs: [ObjectDiff], errors: [String]) {
        var slots = [Result<ObjectDiff, ApplyError>?](repeating: nil, count: manifests.count)
        await withTaskGroup(of: (Int, Result<ObjectDiff, ApplyError>).self) { group in
            var next = 0
            func launch() {
                let i = next
                next += 1
                group.addTask { (i, await self.diffOne(manifests[i])) }
            }
            while next < manifests.count && next < max(1, concurrency) { launch() }
            for await (i, r) in group {
                slots[i] = r
                if next < manifests.count { launch() }
            }
        }
        var diffs: [ObjectDiff] = []
        var errors: [String] = []
        for slot in slots {
            switch slot {
            case .success(let d)?: diffs.append(d)
            case .failure(let e)?: errors.append(e.message)
            case nil: break
            }
        }
        return (diffs, errors)
    }

    func diffOne(_ item: ResolvedManifest) async -> Result<ObjectDiff, ApplyError> {
        let info = item.resource
        let namespace = info.namespaced ? item.object.namespace : nil
        let name = item.object.name ?? ""
        let modified = LastApplied.modified(item.object)
        var live: Value?
        do {
            live = try await client.get(info.gvr, namespace: namespace, name: name)
        } catch let error where error.isNotFound {
            live = nil
        } catch {
            return .failure(ApplyError(Failure.describe(error, verb: "reading", file: item.source.file, item: item)))
        }
        var merged: Value
        if let live {
            let patch: Value
            let type: CapstanClient.PatchType
            do {
                (patch, type) = try Applier.threeWayPatch(manifest: item.object, live: live, gvk: info.gvk)
            } catch {
                return .failure(ApplyError("error: \(item.typedName): computing the patch: \(error)"))
            }
            if Applier.isEmpty(patch) {
                merged = live
            } else {
                var body = patch
                body[path: ["metadata", "resourceVersion"]] = live[path: ["metadata", "resourceVersion"]]
                do {
                    merged = try await client.patch(info.gvr, namespace: namespace, name: name, type: type, body.jsonBytes(),
                                                    subresource: nil,
                                                    options: PatchOptions(dryRun: true, fieldManager: "capstan-client-side-apply"))
                } catch let error where Self.cannotDryRun(error) {
                    do { merged = try Applier.applyLocally(patch, type: type, to: live, gvk: info.gvk) } catch {
                        return .failure(ApplyError("error: \(item.typedName): applying the patch locally: \(error)"))
                    }
                } catch {
                    return .failure(ApplyError(Failure.describe(error, verb: "dry-running", file: item.source.file, item: item)))
                }
            }
        } else {
            do {
                merged = try await client.create(info.gvr, namespace: namespace, modified,
                                                 options: WriteOptions(dryRun: true, fieldManager: "capstan-client-side-apply"))
            } catch let error where Self.cannotDryRun(error) {
                merged = modified
            } catch {
                return .failure(ApplyError(Failure.describe(error, verb: "dry-running", file: item.source.file, item: item)))
            }
        }
        let (left, right) = Self.masked(live: live.map(Self.clean), merged: Self.clean(merged))
        let gvk = info.gvk
        let label = [gvk.group.isEmpty ? nil : gvk.group, gvk.version, gvk.kind, namespace, name].compactMap { $0 }
            .joined(separator: ".")
        let a = left.map { Self.lines(YAML.emit($0)) } ?? []
        let b = right.map { Self.lines(YAML.emit($0)) } ?? []
        let text = LineDiff.unified(a, b, from: "live/\(label)", to: "merged/\(label)")
        return .success(ObjectDiff(typedName: item.typedName, namespace: namespace, label: label, live: left, merged: right,
                                   unified: text))
    }

    /// Servers that cannot dry-run answer 400/405/415 or reject the parameter.
    static func cannotDryRun(_ error: APIError) -> Bool {
        error.origin == .server && [400, 405, 415, 501].contains(error.code) && !error.isInvalid
    }

    static func lines(_ text: String) -> [String] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// Drops server-managed metadata (and the empty `metadata` fields that leaves).
    public static func clean(_ object: Value) -> Value {
        var copy = object
        guard var metadata = copy["metadata"].objectValue else { return copy }
        for key in managedMetadata { metadata.removeValue(forKey: key) }
        copy["metadata"] = .object(metadata)
        return copy
    }

    /// Secret values hidden the way kubectl diff hides them: `***` where both sides agree,
    /// `*** (before)` / `*** (after)` where they differ, so a change shows without its content.
    public static func masked(live: Value?, merged: Value?) -> (Value?, Value?) {
        let isSecret = (merged?.kind ?? live?.kind) == "Secret" && (merged?.apiVersion ?? live?.apiVersion) == "v1"
        guard isSecret else { return (live, merged) }
        var left = live, right = merged
        for field in ["data", "stringData"] {
            let before = live?[field].objectValue ?? [:]
            let after = merged?[field].objectValue ?? [:]
            if var l = left?[field].objectValue {
                for (key, value) in l {
                    l[key] = .string(after[key] == nil || after[key] == value ? "***" : "*** (before)")
                }
                left?[field] = .object(l)
            }
            if var r = right?[field].objectValue {
                for (key, value) in r {
                    r[key] = .string(before[key] == nil || before[key] == value ? "***" : "*** (after)")
                }
                right?[field] = .object(r)
            }
        }
        // The last-applied annotation holds the values in clear text: hide it the same way.
        let path = ["metadata", "annotations", LastApplied.annotation]
        let before = live?[path: path], after = merged?[path: path]
        if left?[path: path].stringValue != nil { left?[path: path] = .string(before == after || after == .null ? "***" : "*** (before)") }
        if right?[path: path].stringValue != nil { right?[path: path] = .string(before == after || before == .null ? "***" : "*** (after)") }
        return (left, right)
    }
}
