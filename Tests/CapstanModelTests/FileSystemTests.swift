import CapstanModel
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The POSIX file helpers manifests and charts are read with.
struct FileSystemTests {
    func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "capstan-fs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        return dir
    }

    @Test func listsSortedByBytesWithTypesAndFollowsSymlinks() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["b.yaml", "B.yaml", "a.yaml", "é.yaml"] { FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("x".utf8)) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link-to-sub", withDestinationPath: dir + "/sub")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link-to-a", withDestinationPath: dir + "/a.yaml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: dir + "/missing")
        let entries = try FileSystem.list(dir)
        #expect(entries.map(\.name) == ["B.yaml", "a.yaml", "b.yaml", "link-to-a", "link-to-sub", "sub", "é.yaml"])
        #expect(entries.first { $0.name == "link-to-sub" }?.isDirectory == true)
        #expect(entries.first { $0.name == "link-to-a" }?.isRegular == true)
        #expect(try FileSystem.list(dir + "/") == entries)
        #expect(FileSystem.kind(dir)?.isDirectory == true)
        #expect(FileSystem.kind(dir + "/missing") == nil)
        #expect(throws: FileSystem.Failure.self) { try FileSystem.list(dir + "/missing") }
    }

    @Test func readsWholeFilesOfAnySize() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for size in [0, 1, 4095, 4096, 70_000] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            FileManager.default.createFile(atPath: dir + "/f", contents: Data(bytes))
            #expect(try FileSystem.read(dir + "/f") == bytes)
        }
        do {
            _ = try FileSystem.read(dir + "/sub")
            Issue.record("a directory was read")
        } catch {
            #expect(error.code == EISDIR && error.path == dir + "/sub")
        }
        do {
            _ = try FileSystem.read(dir + "/missing")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == ENOENT && error.description == "No such file or directory")
        }
    }

    @Test func readsAPipeToItsEnd() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = String(repeating: "apiVersion: v1\n", count: 3000)
        let writer = Thread {
            let fd = open(fifo, O_WRONLY)
            _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
        }
        writer.start()
        #expect(try FileSystem.read(fifo) == Array(text.utf8))
    }
}
