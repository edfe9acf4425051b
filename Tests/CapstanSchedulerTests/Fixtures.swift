import CapstanModel
import CapstanScheduler

func node(_ name: String, cpu: String = "4", memory: String = "8Gi", pods: Int = 110, labels: [String: String] = [:],
          taints: [Value] = [], ready: Bool = true, unschedulable: Bool = false) -> Value
{
    var l: ValueObject = ["kubernetes.io/hostname": .string(name)]
    for (k, v) in labels.sorted(by: { $0.key < $1.key }) { l[k] = .string(v) }
    var spec: Value = .object([:])
    if !taints.isEmpty { spec["taints"] = .array(taints) }
    if unschedulable { spec["unschedulable"] = true }
    let alloc: Value = ["cpu": .string(cpu), "memory": .string(memory), "pods": .string(String(pods)), "ephemeral-storage": "100Gi"]
    return ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(l)], "spec": spec,
            "status": ["allocatable": alloc, "capacity": alloc,
                       "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]]]
}

func pod(_ name: String, cpu: String? = nil, memory: String? = nil, labels: [String: String] = [:],
         namespace: String = "default", nodeName: String? = nil, priority: Int64? = nil,
         created: String = "2026-01-01T00:00:00Z", extraSpec: Value = .object([:])) -> Value
{
    var requests: ValueObject = [:]
    if let cpu { requests["cpu"] = .string(cpu) }
    if let memory { requests["memory"] = .string(memory) }
    var l: ValueObject = [:]
    for (k, v) in labels.sorted(by: { $0.key < $1.key }) { l[k] = .string(v) }
    var spec: Value = ["containers": [["name": "c", "image": "nginx", "resources": ["requests": .object(requests)]]]]
    if let nodeName { spec["nodeName"] = .string(nodeName) }
    if let priority { spec["priority"] = .int(priority) }
    for (k, v) in extraSpec.objectValue ?? [:] { spec[k] = v }
    return ["apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(namespace)-\(name)"),
                         "labels": .object(l), "creationTimestamp": .string(created)],
            "spec": spec]
}

func info(_ n: Value) -> NodeInfo { NodeInfo(n) }

func decide(_ p: Value, nodes: [Value], placed: [Value] = []) -> SchedulerCache.Decision {
    var cache = SchedulerCache()
    for n in nodes { cache.upsertNode(n) }
    for q in placed { cache.upsertPod(PodInfo(q)) }
    return cache.decide(PodInfo(p))
}
