/// Small helpers the patch algorithms share: JSON kinds as Kubernetes' decoder sees them, and
/// the text form Go's `%v` gives a value (strategic merge sorts list elements by it).
import CapstanModel

/// The JSON types the Go decoder distinguishes. Integers and floats are distinct (Kubernetes
/// decodes `3` as int64 and `3.0` as float64), exactly like `Value.int` and `Value.double`.
enum JSONKind: Equatable {
    case null, bool, int, double, string, array, object
}

extension Value {
    var kind: JSONKind {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .array: return .array
        case .object: return .object
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    /// What Go's `fmt.Sprintf("%v", v)` prints for the decoded value, as UTF-8 bytes. Lists are
    /// sorted by this text when strategic merge diffs them, so it has to be Go's text exactly.
    var goText: [UInt8] {
        switch self {
        case .string(let s): return Array(s.utf8)
        default:
            var out = ""
            appendGoText(into: &out, depth: 0)
            return Array(out.utf8)
        }
    }

    private func appendGoText(into out: inout String, depth: Int) {
        guard depth < 64 else { return }
        switch self {
        case .null: out += "<nil>"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += formatGoFloatG(d)  // Go's %v for a float64
        case .string(let s): out += s
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += " " }
                e.appendGoText(into: &out, depth: depth + 1)
            }
            out += "]"
        case .object(let o):
            out += "map["
            let keys = o.keys.sorted { $0.utf8Precedes($1) }
            for (i, k) in keys.enumerated() {
                if i > 0 { out += " " }
                out += k + ":"
                o[k]?.appendGoText(into: &out, depth: depth + 1)
            }
            out += "]"
        }
    }
}

/// Byte-wise "a sorts before b" like Go's string `<`.
@inline(__always)
func goLess(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.lexicographicallyPrecedes(b) }
