/// Myers' O(ND) difference algorithm on lines, and unified hunks with context.
///
/// Common prefix and suffix are stripped first (most manifest diffs touch a few lines of a long
/// document); the middle is diffed with the greedy forward search, keeping one V array per edit
/// step for the backtrack. Memory is O(D²) — fine for objects; inputs are bounded by the caller.
public enum LineDiff {
    public enum Edit: Sendable, Equatable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The edit script turning `a` into `b` (shortest, removals before additions in each change).
    public static func edits(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix && suffix < b.count - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        let midA = Array(a[prefix..<(a.count - suffix)])
        let midB = Array(b[prefix..<(b.count - suffix)])
        var out = a[..<prefix].map { Edit.same($0) }
        out += myers(midA, midB)
        out += a[(a.count - suffix)...].map { Edit.same($0) }
        return out
    }

    private static func myers(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        if n == 0 { return b.map { .added($0) } }
        if m == 0 { return a.map { .removed($0) } }
        let max = n + m
        let offset = max + 1
        var v = [Int](repeating: 0, count: 2 * max + 3)
        var trace: [[Int]] = []
        search: for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1]) {
                    x = v[offset + k + 1]  // down: an insertion
                } else {
                    x = v[offset + k - 1] + 1  // right: a deletion
                }
                var y = x - k
                while x < n && y < m && a[x] == b[y] { x += 1; y += 1 }
                v[offset + k] = x
                if x >= n && y >= m { trace.append(v); break search }
            }
        }
        // Backtrack from (n, m) through the saved V arrays.
        var edits: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 2, through: 1, by: -1) {
            let v = trace[d]
            let k = x - y
            let prevK = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? k + 1 : k - 1
            let prevX = v[offset + prevK]
            let prevY = prevX - prevK
            while x > prevX && y > prevY { x -= 1; y -= 1; edits.append(.same(a[x])) }
            if x == prevX { y -= 1; edits.append(.added(b[y])) } else { x -= 1; edits.append(.removed(a[x])) }
        }
        while x > 0 && y > 0 { x -= 1; y -= 1; edits.append(.same(a[x])) }
        while x > 0 { x -= 1; edits.append(.removed(a[x])) }
        while y > 0 { y -= 1; edits.append(.added(b[y])) }
        return edits.reversed()
    }

    /// `diff -u` text for two line arrays (empty when they are equal).
    public static func unified(_ a: [String], _ b: [String], from: String, to: String, context: Int = 3) -> String {
        let script = edits(a, b)
        guard script.contains(where: { if case .same = $0 { return false } else { return true } }) else { return "" }
        var out = "--- \(from)\n+++ \(to)\n"
        // Indices into `script` of changes, grouped into hunks whose gaps are ≤ 2·context.
        let changes = script.indices.filter { if case .same = script[$0] { return false } else { return true } }
        var groups: [[Int]] = []
        for i in changes {
            if let last = groups.last?.last, i - last <= 2 * context { groups[groups.count - 1].append(i) } else { groups.append([i]) }
        }
        // Line numbers before each script index.
        var lineA = [Int](repeating: 0, count: script.count + 1), lineB = lineA
        for (i, e) in script.enumerated() {
            switch e {
            case .same: lineA[i + 1] = lineA[i] + 1; lineB[i + 1] = lineB[i] + 1
            case .removed: lineA[i + 1] = lineA[i] + 1; lineB[i + 1] = lineB[i]
            case .added: lineA[i + 1] = lineA[i]; lineB[i + 1] = lineB[i] + 1
            }
        }
        for group in groups {
            guard let first = group.first, let last = group.last else { continue }
            let start = Swift.max(0, first - context), end = Swift.min(script.count, last + context + 1)
            var countA = 0, countB = 0
            var body = ""
            for e in script[start..<end] {
                switch e {
                case .same(let t): body += " \(t)\n"; countA += 1; countB += 1
                case .removed(let t): body += "-\(t)\n"; countA += 1
                case .added(let t): body += "+\(t)\n"; countB += 1
                }
            }
            let startA = countA == 0 ? lineA[start] : lineA[start] + 1
            let startB = countB == 0 ? lineB[start] : lineB[start] + 1
            out += "@@ -\(range(startA, countA)) +\(range(startB, countB)) @@\n" + body
        }
        return out
    }

    private static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
}

extension LineDiff.Edit {
    var text: String {
        switch self {
        case .same(let t), .removed(let t), .added(let t): return t
        }
    }
}
