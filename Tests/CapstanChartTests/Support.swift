import CapstanChart
import CapstanModel
import Foundation

/// Paths of the test corpus, found from this source file (tests run from the source tree).
enum Corpus {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.path
    }()
    static var charts: String { root + "/Charts" }
    static var golden: String { root + "/Golden" }
    static var casesFile: String { root + "/Cases/cases.json" }
    static var oracleScript: String { root + "/Oracle/helm_oracle.py" }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var chart: String
        var release: String
        var namespace: String
        var values: String
        var isUpgrade: Bool
        var kubeVersion: String?
        var apiVersions: [String]
        var description: String { name }
    }

    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: casesFile),
              let list = try? Value.parseJSON([UInt8](data)).arrayValue else { return [] }
        return list.map { c in
            Case(name: c["name"].stringValue ?? "", chart: c["chart"].stringValue ?? "",
                 release: c["release"].stringValue ?? "release-name", namespace: c["namespace"].stringValue ?? "default",
                 values: c["values"].stringValue ?? "", isUpgrade: c["is_upgrade"].boolValue ?? false,
                 kubeVersion: c["kube_version"].stringValue,
                 apiVersions: (c["api_versions"].arrayValue ?? []).compactMap(\.stringValue))
        }
    }()

    static func golden(_ name: String) -> Value? {
        guard let data = FileManager.default.contents(atPath: golden + "/" + name + ".json") else { return nil }
        return try? Value.parseJSON([UInt8](data))
    }

    /// What the oracle script reports for a case, computed by Capstan.
    static func capstanResult(_ c: Case, wantManifest: Bool) -> (files: [String: String]?, manifest: String?, notes: String?, error: String?) {
        do throws(ChartError) {
            var chart = try ChartLoader.load(path: charts + "/" + c.chart)
            let values = try ValueOptionsTestHook.parse(c.values)
            var options = RenderOptions(releaseName: c.release, namespace: c.namespace, isUpgrade: c.isUpgrade,
                                        extraAPIVersions: c.apiVersions)
            if let kv = c.kubeVersion { options.kubeVersion = try KubeVersion(parsing: kv) }
            let original = chart
            let files = try ChartRenderer.renderFiles(&chart, values: values, options: options)
            guard wantManifest else { return (files, nil, nil, nil) }
            do throws(ChartError) {
                let result = try ChartRenderer.render(original, values: values, options: options)
                return (files, ChartRenderer.manifestText(result, includeCRDs: false), result.notes, nil)
            } catch {
                return (nil, nil, nil, error.message)
            }
        } catch {
            return (nil, nil, nil, error.message)
        }
    }
}

/// Parses values YAML the way `-f` does.
enum ValueOptionsTestHook {
    static func parse(_ yaml: String) throws(ChartError) -> ValueObject {
        if yaml.isEmpty { return ValueObject() }
        let path = NSTemporaryDirectory() + "capstan-values-\(UUID().uuidString).yaml"
        FileManager.default.createFile(atPath: path, contents: Data(yaml.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ValueOptions(valueFiles: [path]).merged()
    }
}

/// Helm reports schema failures in random order; compare them as sets of lines.
func sameErrors(_ a: String, _ b: String) -> Bool {
    if a == b { return true }
    let marker = "found in Chart.yaml, but missing in charts/ directory: "
    if let ra = a.range(of: marker), let rb = b.range(of: marker) {
        return a[ra.lowerBound...] == b[rb.lowerBound...]
    }
    if a.hasPrefix("values don't meet") && b.hasPrefix("values don't meet") {
        return Set(a.split(separator: "\n")) == Set(b.split(separator: "\n"))
    }
    return false
}
