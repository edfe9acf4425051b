import CapstanModel

/// The schedulable resources the scheduler counts, in integer units: millicores, bytes,
/// pod slots. A plain value.
public struct Resources: Sendable, Hashable {
    public var milliCPU: Int64 = 0
    public var memory: Int64 = 0
    public var ephemeralStorage: Int64 = 0
    public var pods: Int64 = 0

    public init(milliCPU: Int64 = 0, memory: Int64 = 0, ephemeralStorage: Int64 = 0, pods: Int64 = 0) {
        self.milliCPU = milliCPU
        self.memory = memory
        self.ephemeralStorage = ephemeralStorage
        self.pods = pods
    }

    /// Reads a `{cpu, memory, ephemeral-storage, pods}` map (a node's allocatable, or a
    /// container's requests). Unparsable quantities count as zero: the API server validated them.
    public init(_ map: Value) {
        func quantity(_ key: String) -> Quantity? { try? Quantity(json: map[key]) }
        milliCPU = quantity("cpu")?.milliValue ?? 0
        memory = quantity("memory")?.value ?? 0
        ephemeralStorage = quantity("ephemeral-storage")?.value ?? 0
        pods = quantity("pods")?.value ?? 0
    }

    public static func + (a: Resources, b: Resources) -> Resources {
        Resources(milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory,
                  ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage, pods: a.pods + b.pods)
    }

    public static func - (a: Resources, b: Resources) -> Resources {
        Resources(milliCPU: a.milliCPU - b.milliCPU, memory: a.memory - b.memory,
                  ephemeralStorage: a.ephemeralStorage - b.ephemeralStorage, pods: a.pods - b.pods)
    }

    /// Component-wise maximum (how init containers combine with the app containers).
    public func max(_ o: Resources) -> Resources {
        Resources(milliCPU: Swift.max(milliCPU, o.milliCPU), memory: Swift.max(memory, o.memory),
                  ephemeralStorage: Swift.max(ephemeralStorage, o.ephemeralStorage), pods: Swift.max(pods, o.pods))
    }
}
