// capstan-store-crashtest: the child process of the SQLiteStore durability test.
//
// Usage: capstan-store-crashtest DB-PATH WRITERS COUNT [WAL-PREALLOCATION-BYTES]
// Opens the store, runs WRITERS concurrent tasks that create COUNT keys in total, and after
// each acknowledged create prints "ack KEY REVISION" on stdout, unbuffered. The test kills
// this process with SIGKILL mid-stream and checks that every acknowledged key survived.
import CapstanStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func say(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
            if written <= 0 { exit(3) }
            offset += written
        }
    }
}

/// The value the test expects for a key: deterministic and about 1 KB.
func payload(for key: String) -> [UInt8] {
    Array(String(repeating: key + ";", count: max(1, 1024 / (key.utf8.count + 1))).utf8)
}

let arguments = CommandLine.arguments
guard arguments.count == 4 || arguments.count == 5, let writers = Int(arguments[2]), let count = Int(arguments[3]) else {
    say("usage: capstan-store-crashtest DB-PATH WRITERS COUNT [WAL-PREALLOCATION-BYTES]")
    exit(2)
}
let walPreallocation = arguments.count == 5 ? Int(arguments[4]) ?? 0 : 0

do {
    let store = try SQLiteStore(path: arguments[1], compaction: .disabled, walPreallocation: walPreallocation)
    say("ready")
    await withTaskGroup(of: Void.self) { group in
        for writer in 0..<writers {
            group.addTask {
                var n = writer
                while n < count {
                    let key = "/crash/\(String(n, radix: 10))"
                    do {
                        let kv = try await store.create(key, value: payload(for: key))
                        say("ack \(key) \(kv.modRevision)")
                    } catch {
                        say("error \(key) \(error)")
                        exit(4)
                    }
                    n += writers
                }
            }
        }
    }
    say("done")
    // Wait to be killed, like a server that is still running.
    while true { sleep(60) }
} catch {
    say("error open \(error)")
    exit(1)
}
