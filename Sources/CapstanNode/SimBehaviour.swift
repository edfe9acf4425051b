import CapstanModel

/// What the simulated runtime does with one container, read from pod annotations
/// (`docs/simulated-runtime.md`). A plain value.
///
/// Pod-wide keys (`sim.capstan.dev/exit-code`) apply to app containers; a key suffixed with a
/// container name (`sim.capstan.dev/exit-code.migrate`) applies to that container only and wins.
/// Init containers read only the suffixed keys plus `start-delay`, and by default finish at once
/// with exit code 0.
public struct SimBehaviour: Sendable, Hashable {
    public var startDelay: Double = 0
    /// Seconds the container runs before exiting; nil runs forever (init containers: 0).
    public var exitAfter: Double?
    public var exitCode: Int64 = 0
    public var readiness: ProbeScript = .pass
    public var liveness: ProbeScript = .pass
    public var startup: ProbeScript = .pass
    /// Seconds the container takes to stop after SIGTERM (after any preStop hook).
    public var terminationDelay: Double = 0
    /// Seconds a preStop hook runs, when the container declares one.
    public var preStopDuration: Double = 0
    public var log: [String] = []

    public static let prefix = "sim.capstan.dev/"

    public init() {}

    /// Reads the behaviour of container `name`; problems are collected, not thrown, so a
    /// typo in an annotation shows up as a pod event rather than a stuck pod.
    public init(annotations: [String: String], container name: String, isInit: Bool, problems: inout [String]) {
        func raw(_ key: String) -> String? {
            if let v = annotations[Self.prefix + key + "." + name] { return v }
            if isInit && key != "start-delay" { return nil }
            return annotations[Self.prefix + key]
        }
        func seconds(_ key: String) -> Double? {
            guard let text = raw(key) else { return nil }
            if let d = SimDuration.parse(text) { return d }
            problems.append("\(Self.prefix)\(key): \(goQuote(text)) is not a duration like 2s, 500ms or 1m")
            return nil
        }
        func script(_ key: String) -> ProbeScript {
            guard let text = raw(key) else { return .pass }
            if let s = ProbeScript(text) { return s }
            problems.append("\(Self.prefix)\(key): \(goQuote(text)) is not pass, fail, fail-until:D or fail-after:D")
            return .pass
        }
        startDelay = seconds("start-delay") ?? 0
        exitAfter = seconds("exit-after") ?? (isInit ? 0 : nil)
        if let text = raw("exit-code") {
            if let code = Int64(text), code >= 0, code <= 255 { exitCode = code } else {
                problems.append("\(Self.prefix)exit-code: \(goQuote(text)) is not an integer 0…255")
            }
            // An exit code alone means "exit right after starting".
            if exitAfter == nil { exitAfter = 0 }
        }
        readiness = script("readiness")
        liveness = script("liveness")
        startup = script("startup")
        terminationDelay = seconds("termination-delay") ?? 0
        preStopDuration = seconds("prestop-duration") ?? 0
        if let text = raw("log") { log = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }
}

/// A scripted probe outcome over the container's running time.
public enum ProbeScript: Sendable, Hashable {
    case pass, fail
    /// Fails while running time < d, then passes.
    case failUntil(Double)
    /// Passes while running time < d, then fails.
    case failAfter(Double)

    public init?(_ text: String) {
        let t = text.trimmingCharacters(in: " ")
        if t == "pass" { self = .pass; return }
        if t == "fail" { self = .fail; return }
        if t.hasPrefix("fail-until:"), let d = SimDuration.parse(String(t.dropFirst(11))) { self = .failUntil(d); return }
        if t.hasPrefix("fail-after:"), let d = SimDuration.parse(String(t.dropFirst(11))) { self = .failAfter(d); return }
        return nil
    }

    public func passes(at runningTime: Double) -> Bool {
        switch self {
        case .pass: return true
        case .fail: return false
        case .failUntil(let d): return runningTime >= d
        case .failAfter(let d): return runningTime < d
        }
    }
}

/// Durations like Go's `time.ParseDuration` for the units that matter here: ms, s, m, h, and
/// sequences of them ("1m30s"). A bare number means seconds.
public enum SimDuration {
    public static func parse(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: " ")
        if s.isEmpty { return nil }
        if let n = Double(s), n >= 0 { return n }
        var total = 0.0
        var number = ""
        var unit = ""
        var parts: [(String, String)] = []
        for ch in s {
            if ch.isNumber || ch == "." {
                if !unit.isEmpty { parts.append((number, unit)); number = ""; unit = "" }
                number.append(ch)
            } else {
                guard !number.isEmpty else { return nil }
                unit.append(ch)
            }
        }
        parts.append((number, unit))
        for (n, u) in parts {
            guard let v = Double(n) else { return nil }
            switch u {
            case "ms": total += v / 1000
            case "s": total += v
            case "m": total += v * 60
            case "h": total += v * 3600
            default: return nil
            }
        }
        return total
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set || s.first == "\t" { s.removeFirst() }
        while s.last == set || s.last == "\t" { s.removeLast() }
        return String(s)
    }
}

/// A container's probe timing (`readinessProbe` and friends), with Kubernetes' defaults.
public struct ProbeTiming: Sendable, Hashable {
    public var initialDelay: Double = 0
    public var period: Double = 10
    public var failureThreshold: Int = 3
    public var successThreshold: Int = 1

    public init(initialDelay: Double = 0, period: Double = 10, failureThreshold: Int = 3, successThreshold: Int = 1) {
        self.initialDelay = initialDelay
        self.period = period
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }

    public init?(_ probe: Value) {
        guard probe.isObject else { return nil }
        initialDelay = Double(probe["initialDelaySeconds"].intValue ?? 0)
        period = Double(max(1, probe["periodSeconds"].intValue ?? 10))
        failureThreshold = Int(max(1, probe["failureThreshold"].intValue ?? 3))
        successThreshold = Int(max(1, probe["successThreshold"].intValue ?? 1))
    }
}
