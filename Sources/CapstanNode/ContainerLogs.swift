import CapstanModel

/// One run of a container; times are seconds since the pod was admitted.
public struct ContainerRun: Sendable, Hashable {
    public var start: Double
    /// When the run ended; nil while it runs.
    public var end: Double?
    public var exitCode: Int64?

    public init(start: Double, end: Double? = nil, exitCode: Int64? = nil) {
        self.start = start
        self.end = end
        self.exitCode = exitCode
    }
}

/// One line a container wrote, at `time` seconds since the pod was admitted.
public struct LogLine: Sendable, Hashable {
    public var time: Double
    public var text: String

    public init(time: Double, text: String) {
        self.time = time
        self.text = text
    }
}

/// What a container has written so far: one list of lines per run, oldest run first (the
/// kubelet keeps the current and the previous run; `previous` asks for the one before last).
public struct ContainerLogs: Sendable, Hashable {
    public var runs: [[LogLine]]
    /// The latest run has ended: a followed log stops here.
    public var ended: Bool
    /// Why the container has not run yet (`ContainerCreating`, `PodInitializing`), when it has not.
    public var waitingReason: String?

    public init(runs: [[LogLine]], ended: Bool, waitingReason: String? = nil) {
        self.runs = runs
        self.ended = ended
        self.waitingReason = waitingReason
    }
}
