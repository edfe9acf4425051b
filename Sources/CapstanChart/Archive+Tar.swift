/// Reading chart archives: a gzip-compressed tar whose entries all sit under one top directory
/// (`mychart/Chart.yaml`, …). Handles ustar prefixes, PAX `path` records and GNU long names.

/// One regular file from a tar stream.
struct TarEntry {
    var name: String
    var data: [UInt8]
}

/// Parses an uncompressed tar stream into its regular files, in archive order.
func readTar(_ bytes: [UInt8]) throws(ArchiveError) -> [TarEntry] {
    var entries: [TarEntry] = []
    var pos = 0
    var pendingName: String?
    while pos + 512 <= bytes.count {
        let header = bytes[pos..<(pos + 512)]
        if header.allSatisfy({ $0 == 0 }) { break }
        let size = try octal(bytes, pos + 124, 12)
        let type = bytes[pos + 156]
        var name = cString(bytes, pos, 100)
        if bytes[(pos + 257)..<(pos + 262)].elementsEqual("ustar".utf8) {
            let prefix = cString(bytes, pos + 345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let dataStart = pos + 512
        guard size >= 0, dataStart + size <= bytes.count else {
            throw ArchiveError("tar: entry \(name) is truncated")
        }
        let data = Array(bytes[dataStart..<(dataStart + size)])
        pos = dataStart + ((size + 511) / 512) * 512
        switch type {
        case UInt8(ascii: "x"):
            pendingName = paxPath(data) ?? pendingName
        case UInt8(ascii: "L"):
            pendingName = String(decoding: data.prefix { $0 != 0 }, as: UTF8.self)
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            entries.append(TarEntry(name: pendingName ?? name, data: data))
            pendingName = nil
        default:
            // Directories, links, global PAX headers: nothing a chart needs.
            pendingName = nil
        }
    }
    return entries
}

private func cString(_ b: [UInt8], _ at: Int, _ len: Int) -> String {
    let slice = b[at..<(at + len)]
    let end = slice.firstIndex(of: 0) ?? slice.endIndex
    return String(decoding: b[at..<end], as: UTF8.self)
}

private func octal(_ b: [UInt8], _ at: Int, _ len: Int) throws(ArchiveError) -> Int {
    var v = 0
    for byte in b[at..<(at + len)] {
        if byte == 0 || byte == 0x20 { if v > 0 { break } else { continue } }
        guard byte >= 0x30, byte <= 0x37 else { throw ArchiveError("tar: invalid size field") }
        v = v * 8 + Int(byte - 0x30)
        if v > 1 << 32 { throw ArchiveError("tar: entry too large") }
    }
    return v
}

/// Extracts the `path=` record of a PAX extended header ("LEN path=VALUE\n" records).
private func paxPath(_ data: [UInt8]) -> String? {
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(separator: "\n") {
        guard let space = line.firstIndex(of: " ") else { continue }
        let record = line[line.index(after: space)...]
        if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
    }
    return nil
}
