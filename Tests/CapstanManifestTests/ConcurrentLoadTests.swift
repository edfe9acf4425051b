import Foundation
import Testing
import CapstanModel
@testable import CapstanManifest

/// `loadConcurrently` and `resolveConcurrently` must give exactly what the one-by-one paths give:
/// the same objects in the same order, and the same errors in the same order.
@Suite struct ConcurrentLoadTests {
    /// A tree of many files over nested folders, some of them bad in every way the loader reports.
    func tree(bad: Bool) throws -> Scratch {
        let dir = try Scratch()
        for i in 0..<150 {
            let folder = "apps/ns\(i % 7)"
            switch i % 5 {
            case 0: try dir.write("\(folder)/f\(i).yaml", cm("c\(i)") + "---\n" + cm("c\(i)b"))
            case 1: try dir.write("\(folder)/f\(i).json", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j\#(i)"}}"#)
            case 2: try dir.write("\(folder)/f\(i).yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d\(i), namespace: ns\(i % 7)}
                spec:
                  replicas: \(bad && i % 20 == 2 ? "\"three\"" : "2")
                  selector: {matchLabels: {app: d\(i)}}
                  template:
                    metadata: {labels: {app: d\(i)}}
                    spec: {containers: [{name: main, image: nginx}]}

                """)
            case 3: try dir.write("\(folder)/f\(i).yaml", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s\(i)}, spec: {ports: [{port: 80}]}}\n")
            default: try dir.write("\(folder)/f\(i).yml", cm("y\(i)"))
            }
        }
        if bad {
            try dir.write("apps/ns1/zz-broken.yaml", "a: [\n")
            try dir.write("apps/ns2/zz-noname.yaml", "apiVersion: v1\nkind: ConfigMap\n")
            try dir.write("apps/ns3/zz-dup.yaml", cm("c0"))
            try dir.write("apps/ns4/zz-bad.json", "{\"apiVersion\": ")
            try dir.write("apps/ns5/zz-widget.yaml", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
        }
        return dir
    }

    func outcome(_ body: () async throws -> [Manifest]) async -> Result<[Manifest], ManifestErrors> {
        do { return .success(try await body()) } catch let error as ManifestErrors { return .failure(error) } catch {
            return .failure(ManifestErrors(errors: [ManifestError(file: "", line: 0, message: "\(error)")]))
        }
    }

    func same(_ a: [Manifest], _ b: [Manifest]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.object == $1.object && $0.source == $1.source }
    }

    @Test func loadingSideBySideGivesTheSameManifestsInOrder() async throws {
        let dir = try tree(bad: false)
        let loader = ManifestLoader(recursive: true)
        let paths = [dir.path + "/apps/ns3", dir.path]
        let extra = try dir.write("extra.yaml", cm("extra"))
        let serial = try loader.load([extra, dir.path + "/apps"])
        let parallel = try await loader.loadConcurrently([extra, dir.path + "/apps"], width: 4)
        #expect(serial.count > 150)
        #expect(same(serial, parallel))
        // The same objects twice are duplicates either way.
        let a = await outcome { try loader.load(paths) }
        let b = await outcome { try await loader.loadConcurrently(paths, width: 2) }
        guard case .failure(let ea) = a, case .failure(let eb) = b else {
            Issue.record("repeated objects were not reported")
            return
        }
        #expect(ea.errors == eb.errors)
    }

    @Test func loadingSideBySideReportsTheSameErrorsInOrder() async throws {
        let dir = try tree(bad: true)
        let loader = ManifestLoader(recursive: true)
        let paths = [dir.path + "/missing", dir.path, dir.path + "/apps/ns6/none.yaml"]
        let a = await outcome { try loader.load(paths) }
        let b = await outcome { try await loader.loadConcurrently(paths, width: 3) }
        guard case .failure(let ea) = a, case .failure(let eb) = b else {
            Issue.record("bad files were not reported")
            return
        }
        #expect(ea.errors.count == 6)
        #expect(ea.errors == eb.errors)
    }

    @Test func standardInputStillWorks() async throws {
        let loader = ManifestLoader(readStandardInput: { cm("from-stdin") })
        let loaded = try await loader.loadConcurrently(["-"], width: 4)
        #expect(loaded.map { $0.object.name } == ["from-stdin"])
    }

    @Test func resolvingSideBySideGivesTheSameResultAndErrors() async throws {
        let dir = try tree(bad: false)
        let good = try ManifestLoader(recursive: true).load([dir.path])
        let resolver = ManifestResolver(defaultNamespace: "team")
        let serial = try resolver.resolve(good)
        let parallel = try await resolver.resolveConcurrently(good, width: 4)
        #expect(serial.count == parallel.count)
        #expect(zip(serial, parallel).allSatisfy {
            $0.object == $1.object && $0.source == $1.source && $0.typedName == $1.typedName && $0.resource.gvr == $1.resource.gvr
        })

        // Every kind of resolve error, spread over the input.
        var bad = good
        for i in stride(from: 5, to: bad.count, by: 37) {
            bad[i].object[path: ["metadata", "namespace"]] = "elsewhere"
        }
        bad.insert(Manifest(object: ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"]],
                            source: ManifestSource(file: "w.yaml", document: 0, line: 3)), at: 40)
        bad.insert(Manifest(object: ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"], "spec": ["replicas": "x"]],
                            source: ManifestSource(file: "d.yaml", document: 0, line: 7)), at: 90)
        let strict = ManifestResolver(defaultNamespace: "team", namespaceExplicit: true)
        var serialErrors: [ManifestError] = []
        var parallelErrors: [ManifestError] = []
        do { _ = try strict.resolve(bad) } catch { serialErrors = error.errors }
        do { _ = try await strict.resolveConcurrently(bad, width: 4) } catch { parallelErrors = error.errors }
        #expect(serialErrors.count > 5)
        #expect(serialErrors == parallelErrors)
    }
}
