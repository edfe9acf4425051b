import CapstanModel
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `FileSystem.Directory` (files opened relative to an open directory) must agree with the
/// path-based `list` and `read`.
struct FileSystemDirectoryTests {
    @Test func agreesWithPathBasedAccess() throws {
        let dir = NSTemporaryDirectory() + "capstan-fsdir-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for size in [0, 1, 4095, 70_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            FileManager.default.createFile(atPath: dir + "/f\(size)", contents: Data(bytes))
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/f4095")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: dir + "/missing")
        let opened = try FileSystem.Directory(dir)
        #expect(opened.entries == (try FileSystem.list(dir)))
        #expect(opened.entries.map(\.name) == ["f0", "f1", "f4095", "f70000", "link", "sub"])
        for entry in opened.entries where entry.isRegular {
            #expect(try opened.read(entry.name) == (try FileSystem.read(dir + "/" + entry.name)))
        }
        do {
            _ = try opened.read("missing")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == ENOENT && error.path == dir + "/missing")
        }
        do {
            _ = try opened.read("sub")
            Issue.record("a directory was read")
        } catch {
            #expect(error.code == EISDIR && error.path == dir + "/sub")
        }
        #expect(throws: FileSystem.Failure.self) { try FileSystem.Directory(dir + "/missing") }
    }
}
