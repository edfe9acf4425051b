import CapstanModel
import FoundationEssentials

/// User-supplied values as `helm template` collects them, merged in Helm's order: `-f` files
/// (in order), then `--set-json`, `--set`, `--set-string`, `--set-file` (each in order).
/// Later sources win; maps merge, anything else replaces.
public struct ValueOptions: Sendable {
    public var valueFiles: [String] = []
    public var jsonValues: [String] = []
    public var values: [String] = []
    public var stringValues: [String] = []
    public var fileValues: [String] = []

    public init(valueFiles: [String] = [], jsonValues: [String] = [], values: [String] = [],
                stringValues: [String] = [], fileValues: [String] = []) {
        self.valueFiles = valueFiles
        self.jsonValues = jsonValues
        self.values = values
        self.stringValues = stringValues
        self.fileValues = fileValues
    }

    /// Reads a file for `-f` or `--set-file`; `-` is standard input.
    static func readFile(_ path: String) throws(ChartError) -> [UInt8] {
        if path == "-" {
            do { return try FileSystem.readStandardInput() } catch { throw .values("read standard input: \(error)") }
        }
        guard let data = try? FileSystem.read(path) else {
            throw .values("open \(path): no such file or directory")
        }
        return data
    }

    public func merged() throws(ChartError) -> ValueObject {
        var base = Value.object(ValueObject())
        for path in valueFiles {
            let text = String(decoding: try Self.readFile(path), as: UTF8.self)
            let current = try ChartLoader.parseValuesDocument(text, file: path, context: "failed to parse \(path)")
            base = mergeMaps(base, .object(current))
        }
        var out = base.objectValue ?? ValueObject()
        for value in jsonValues {
            let trimmed = value.goTrimmedSpace
            if trimmed.hasPrefix("{") {
                guard let parsed = try? Value.parseJSON(trimmed), case .object = parsed else {
                    throw .values("failed parsing --set-json data JSON: \(value)")
                }
                if case .object(let o) = mergeMaps(.object(out), floatNumbers(parsed)) { out = o }
            } else {
                do { try StrvalsParser.parse(value, into: &out, mode: .json) } catch {
                    throw .values("failed parsing --set-json data \(value)")
                }
            }
        }
        for value in values {
            do { try StrvalsParser.parse(value, into: &out, mode: .typed) } catch {
                throw .values("failed parsing --set data: \(error.message)")
            }
        }
        for value in stringValues {
            do { try StrvalsParser.parse(value, into: &out, mode: .string) } catch {
                throw .values("failed parsing --set-string data: \(error.message)")
            }
        }
        for value in fileValues {
            let reader: (String) throws(ChartError) -> String = { path throws(ChartError) in
                String(decoding: try ValueOptions.readFile(path), as: UTF8.self)
            }
            do { try StrvalsParser.parse(value, into: &out, mode: .file(reader)) } catch {
                throw .values("failed parsing --set-file data: \(error.message)")
            }
        }
        return out
    }
}
