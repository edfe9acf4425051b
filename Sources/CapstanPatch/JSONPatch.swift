/// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901): add, remove, replace, move, copy,
/// test. Errors name the failing operation's index and its path.
import CapstanModel

public enum JSONPatch {
    /// Applies the operations in `patch` (a JSON array) to `document`, all or nothing.
    public static func apply(patch: Value, to document: Value) throws(PatchError) -> Value {
        guard case .array(let operations) = patch else {
            throw PatchError(.invalidPatch, path: "", "a JSON patch must be an array of operations, got \(patch.typeName)")
        }
        var doc = document
        for (index, operation) in operations.enumerated() {
            do {
                try apply(operation, to: &doc)
            } catch {
                var e = error
                e.operationIndex = index
                throw e
            }
        }
        return doc
    }

    private static func apply(_ operation: Value, to doc: inout Value) throws(PatchError) {
        guard case .object(let op) = operation else {
            throw PatchError(.invalidPatch, path: "", "an operation must be an object, got \(operation.typeName)")
        }
        guard case .string(let name)? = op["op"] else {
            throw PatchError(.invalidPatch, path: "", "the operation has no \"op\" string")
        }
        guard case .string(let pathText)? = op["path"] else {
            throw PatchError(.invalidPatch, path: "", "\(name): the operation has no \"path\" string")
        }
        let path = try Pointer(pathText)
        func value() throws(PatchError) -> Value {
            guard let v = op["value"] else { throw PatchError(.invalidPatch, path: pathText, "\(name): the operation has no \"value\"") }
            return v
        }
        func from() throws(PatchError) -> Pointer {
            guard case .string(let f)? = op["from"] else { throw PatchError(.invalidPatch, path: pathText, "\(name): the operation has no \"from\" string") }
            return try Pointer(f)
        }
        switch name {
        case "add":
            try add(try value(), at: path, in: &doc)
        case "remove":
            _ = try remove(at: path, in: &doc)
        case "replace":
            let v = try value()
            _ = try get(path, in: doc)
            if path.tokens.isEmpty { doc = v } else {
                _ = try remove(at: path, in: &doc)
                try add(v, at: path, in: &doc)
            }
        case "move":
            let source = try from()
            if source == path { _ = try get(source, in: doc); return }
            if path.tokens.count > source.tokens.count && Array(path.tokens.prefix(source.tokens.count)) == source.tokens {
                throw PatchError(.invalidPatch, path: pathText, "move: cannot move \(source.text) into one of its own children")
            }
            let v = try remove(at: source, in: &doc)
            try add(v, at: path, in: &doc)
        case "copy":
            let v = try get(try from(), in: doc)
            try add(v, at: path, in: &doc)
        case "test":
            let expected = try value()
            let actual = try get(path, in: doc)
            guard numericEqual(actual, expected) else {
                throw PatchError(.testFailed, path: pathText, "test: expected \(expected.jsonString()), found \(actual.jsonString())")
            }
        default:
            throw PatchError(.invalidPatch, path: pathText, "unknown operation \"\(name)\"")
        }
    }

    /// JSON equality as RFC 6902 `test` defines it: numbers compare by value.
    static func numericEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case let (.int(x), .double(y)), let (.double(y), .int(x)): return Double(x) == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { numericEqual($0, $1) }
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (k, v) in x {
                guard let w = y[k], numericEqual(v, w) else { return false }
            }
            return true
        default: return a == b
        }
    }

    static func get(_ pointer: Pointer, in doc: Value) throws(PatchError) -> Value {
        var current = doc
        for token in pointer.tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw PatchError(.pathNotFound, path: pointer.text, "no member \"\(token)\"") }
                current = next
            case .array(let a):
                let i = try pointer.index(token, count: a.count, allowEnd: false)
                current = a[i]
            default:
                throw PatchError(.pathNotFound, path: pointer.text, "cannot descend into a \(current.typeName)")
            }
        }
        return current
    }

    static func add(_ value: Value, at pointer: Pointer, in doc: inout Value) throws(PatchError) {
        guard !pointer.tokens.isEmpty else { doc = value; return }
        try pointer.withParent(&doc) { (parent: inout Value, last: String) throws(PatchError) in
            switch parent {
            case .object(var o):
                parent = .null
                o[last] = value
                parent = .object(o)
            case .array(var a):
                let i = try pointer.index(last, count: a.count, allowEnd: true)
                parent = .null
                a.insert(value, at: i)
                parent = .array(a)
            default:
                throw PatchError(.pathNotFound, path: pointer.text, "cannot add to a \(parent.typeName)")
            }
        }
    }

    static func remove(at pointer: Pointer, in doc: inout Value) throws(PatchError) -> Value {
        guard !pointer.tokens.isEmpty else {
            throw PatchError(.invalidPointer, path: pointer.text, "cannot remove the whole document")
        }
        var removed: Value = .null
        try pointer.withParent(&doc) { (parent: inout Value, last: String) throws(PatchError) in
            switch parent {
            case .object(var o):
                guard let v = o[last] else { throw PatchError(.pathNotFound, path: pointer.text, "no member \"\(last)\"") }
                parent = .null
                o.removeValue(forKey: last)
                parent = .object(o)
                removed = v
            case .array(var a):
                let i = try pointer.index(last, count: a.count, allowEnd: false)
                parent = .null
                removed = a.remove(at: i)
                parent = .array(a)
            default:
                throw PatchError(.pathNotFound, path: pointer.text, "cannot remove from a \(parent.typeName)")
            }
        }
        return removed
    }
}

/// A parsed JSON Pointer: `/a/b~1c/0` → ["a", "b/c", "0"].
struct Pointer: Equatable {
    let text: String
    let tokens: [String]

    init(_ text: String) throws(PatchError) {
        self.text = text
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else {
            throw PatchError(.invalidPointer, path: text, "a JSON pointer must be empty or start with \"/\"")
        }
        var out: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var chars = raw.makeIterator()
            while let c = chars.next() {
                if c == "~" {
                    switch chars.next() {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default: throw PatchError(.invalidPointer, path: text, "\"~\" must be followed by 0 or 1")
                    }
                } else {
                    token.append(c)
                }
            }
            out.append(token)
        }
        tokens = out
    }

    /// An array index token: decimal without leading zeros, or `-` (one past the end) where
    /// adding allows it.
    func index(_ token: String, count: Int, allowEnd: Bool) throws(PatchError) -> Int {
        if token == "-" {
            guard allowEnd else { throw PatchError(.invalidPointer, path: text, "\"-\" names no existing element") }
            return count
        }
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }), token == "0" || !token.hasPrefix("0"),
              let i = Int(token)
        else {
            throw PatchError(.invalidPointer, path: text, "\"\(token)\" is not an array index")
        }
        let limit = allowEnd ? count : count - 1
        guard i <= limit else { throw PatchError(.invalidPointer, path: text, "index \(i) is out of range (length \(count))") }
        return i
    }

    /// Runs `body` on the container that holds the last token, writing the result back.
    func withParent(_ doc: inout Value, _ body: (inout Value, String) throws(PatchError) -> Void) throws(PatchError) {
        try descend(&doc, tokens[...], body, depth: 0)
    }

    private func descend(_ node: inout Value, _ rest: ArraySlice<String>, _ body: (inout Value, String) throws(PatchError) -> Void, depth: Int) throws(PatchError) {
        guard depth < maxPatchDepth else { throw PatchError(.tooDeep, path: text, "pointer deeper than \(maxPatchDepth) levels") }
        guard let first = rest.first else { return }
        if rest.count == 1 { try body(&node, first); return }
        switch node {
        case .object(var o):
            guard var child = o[first] else { throw PatchError(.pathNotFound, path: text, "no member \"\(first)\"") }
            node = .null
            o[first] = .null
            try descend(&child, rest.dropFirst(), body, depth: depth + 1)
            o[first] = child
            node = .object(o)
        case .array(var a):
            let i = try index(first, count: a.count, allowEnd: false)
            var child = a[i]
            node = .null
            a[i] = .null
            try descend(&child, rest.dropFirst(), body, depth: depth + 1)
            a[i] = child
            node = .array(a)
        default:
            throw PatchError(.pathNotFound, path: text, "cannot descend into a \(node.typeName)")
        }
    }
}
