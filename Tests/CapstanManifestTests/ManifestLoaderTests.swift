import Foundation
import Testing
import CapstanModel
@testable import CapstanManifest

/// A scratch directory with files, removed when the test ends.
final class Scratch {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("capstan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let full = path + "/" + name
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }
}

let configMap = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: %@
data:
  k: v

"""

func cm(_ name: String) -> String { configMap.replacingOccurrences(of: "%@", with: name) }

@Suite struct ManifestLoaderTests {
    @Test func loadsFilesDirectoriesAndRecursion() throws {
        let dir = try Scratch()
        try dir.write("b.yaml", cm("b"))
        try dir.write("a.yml", cm("a") + "---\n" + cm("a2"))
        try dir.write("c.json", #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#)
        try dir.write("notes.txt", "not a manifest")
        try dir.write("sub/d.yaml", cm("d"))

        let flat = try ManifestLoader().load([dir.path])
        #expect(flat.map { $0.object.name! } == ["a", "a2", "b", "c"])
        let deep = try ManifestLoader(recursive: true).load([dir.path])
        #expect(deep.map { $0.object.name! } == ["a", "a2", "b", "c", "d"])
        #expect(deep[1].source.document == 1)
        #expect(deep[1].source.line == 8)
        #expect(deep[1].source.file.hasSuffix("a.yml"))
    }

    @Test func readsStandardInputAndRepeatedPaths() throws {
        let dir = try Scratch()
        let file = try dir.write("x.yaml", cm("x"))
        let loader = ManifestLoader(readStandardInput: { cm("from-stdin") })
        let loaded = try loader.load(["-", file])
        #expect(loaded.map { $0.object.name! } == ["from-stdin", "x"])
        #expect(loaded[0].source.file == "-")
    }

    @Test func skipsEmptyDocumentsAndFlattensLists() throws {
        let dir = try Scratch()
        let list = """
        ---
        # only a comment
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: one}
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: two}
        ---
        apiVersion: v1
        kind: ConfigMapList
        items:
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: three}
        """
        try dir.write("list.yaml", list)
        let loaded = try ManifestLoader().load([dir.path])
        #expect(loaded.map { $0.object.name! } == ["one", "two", "three"])
    }

    @Test func invalidYAMLNamesFileLineAndColumn() throws {
        let dir = try Scratch()
        let file = try dir.write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
        let errors = try #require(throwsErrors { try ManifestLoader().load([file]) })
        #expect(errors.count == 1)
        #expect(errors[0].file == file)
        #expect(errors[0].line >= 3)
        #expect(errors[0].column != nil)
    }

    @Test func invalidJSONNamesFileLineAndColumn() throws {
        let dir = try Scratch()
        let file = try dir.write("bad.json", "{\n  \"kind\": ,\n}")
        let errors = try #require(throwsErrors { try ManifestLoader().load([file]) })
        #expect(errors[0].description.hasPrefix("\(file):2:"))
    }

    @Test func missingIdentityFieldsAreReported() throws {
        let dir = try Scratch()
        try dir.write("a.yaml", "kind: ConfigMap\nmetadata: {name: x}\n")
        try dir.write("b.yaml", "apiVersion: v1\nmetadata: {name: why}\n")
        try dir.write("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
        try dir.write("d.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {generateName: web-}\nspec: {}\n")
        let errors = try #require(throwsErrors { try ManifestLoader().load([dir.path]) })
        #expect(errors.map(\.message) == [
            "ConfigMap object is missing required field apiVersion",
            "object is missing required field kind",
            "ConfigMap object is missing required field metadata.name",
        ])
    }

    @Test func duplicatesNameBothPlaces() throws {
        let dir = try Scratch()
        try dir.write("a.yaml", cm("same"))
        try dir.write("b.yaml", "# leading comment\n" + cm("same"))
        let errors = try #require(throwsErrors { try ManifestLoader().load([dir.path]) })
        #expect(errors.count == 1)
        #expect(errors[0].message.contains("ConfigMap same is defined twice"))
        #expect(errors[0].message.contains("a.yaml:1"))
        #expect(errors[0].file.hasSuffix("b.yaml"))
        #expect(errors[0].line == 2)
    }

    @Test func allErrorsAreReportedTogether() throws {
        let dir = try Scratch()
        try dir.write("a.yaml", "a: [\n")
        try dir.write("b.yaml", "apiVersion: v1\nkind: ConfigMap\n")
        try dir.write("c.yaml", "- just\n- a list\n")
        let errors = try #require(throwsErrors { try ManifestLoader().load([dir.path, dir.path + "/missing.yaml"]) })
        #expect(errors.count == 4)
    }

    @Test func emptyDirectoryAndMissingPathAreErrors() throws {
        let dir = try Scratch()
        let errors = try #require(throwsErrors { try ManifestLoader().load([dir.path, dir.path + "/nope"]) })
        #expect(errors.map(\.message) == ["no manifest files (.yaml, .yml, .json) in the directory", "the path does not exist"])
    }
}

func throwsErrors(_ body: () throws -> [Manifest]) -> [ManifestError]? {
    do {
        _ = try body()
        return nil
    } catch let error as ManifestErrors {
        return error.errors
    } catch {
        return [ManifestError(file: "", line: 0, message: "unexpected error type: \(error)")]
    }
}
