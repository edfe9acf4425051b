import CapstanModel

/// The container runtime seen by the node agent: given a pod and how long it has been on the
/// node, what its containers are doing. Implementations are pure functions of their inputs
/// (the simulated runtime) or observe real processes (a future process runtime).
public protocol ContainerRuntime: Sendable {
    /// The pod's containers `elapsed` seconds after the node admitted it.
    func snapshot(of pod: Value, elapsed: Double) -> PodSnapshot
    /// What the container has written so far, by run; nil when the pod has no such container.
    func logs(of pod: Value, container: String, elapsed: Double) -> ContainerLogs?
}

/// One container's state at a moment; times are seconds since the pod was admitted.
public struct ContainerSnapshot: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case waiting(reason: String)
        case running(startedAt: Double)
        case terminated(exitCode: Int64, reason: String, startedAt: Double, finishedAt: Double)
    }
    public var name: String
    public var state: State
    public var lastState: State?
    public var restartCount: Int
    public var ready: Bool
    public var started: Bool
    /// Every run so far, oldest first (what the container's logs are made of).
    public var runs: [ContainerRun] = []
}

/// A pod's phase and containers at a moment. A plain value.
public struct PodSnapshot: Sendable, Hashable {
    public var phase: String
    public var initialized: Bool
    public var containersReady: Bool
    public var initContainers: [ContainerSnapshot]
    public var containers: [ContainerSnapshot]
    /// Annotation problems, reported once as events.
    public var problems: [String] = []
    /// Pod-level reason (kubectl shows it in STATUS), e.g. "Init:Error".
    public var reason: String?
}
