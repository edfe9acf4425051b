import Foundation

/// Writes a line to standard error (diagnostics never go to stdout, which may be piped).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
