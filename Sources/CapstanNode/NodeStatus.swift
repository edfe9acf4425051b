import CapstanModel

/// Renders the Node's `status` and a pod's `status` from runtime snapshots. Pure functions.
enum StatusRender {
    static func nodeStatus(_ config: NodeConfig, kubeletPort: Int, now: Timestamp, previous: Value) -> Value {
        let stamp = Value.string(now.rfc3339)
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> Value {
            // Keep the transition time while the status holds.
            let old = (previous["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
            let since = old?["status"].stringValue == status ? (old?["lastTransitionTime"] ?? stamp) : stamp
            return ["type": .string(type), "status": .string(status), "lastHeartbeatTime": stamp,
                    "lastTransitionTime": since, "reason": .string(reason), "message": .string(message)]
        }
        return [
            "capacity": config.capacity, "allocatable": config.capacity,
            "conditions": [
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [["type": "InternalIP", "address": .string(config.internalIP)],
                          ["type": "Hostname", "address": .string(config.name)]],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(kubeletPort))]],
            "nodeInfo": ["machineID": .string(config.name), "systemUUID": .string(config.name), "bootID": "capstan",
                         "kernelVersion": "6.0.0-capstan", "osImage": "Capstan simulated node",
                         "containerRuntimeVersion": "sim://0.1.0", "kubeletVersion": "v1.37.0-capstan",
                         "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": .string(config.architecture)],
        ]
    }

    /// The pod status for a snapshot. `start` is when the node admitted the pod.
    static func podStatus(_ pod: Value, _ snap: PodSnapshot, start: Timestamp, now: Timestamp, hostIP: String, podIP: String) -> Value {
        let previous = pod["status"]
        let stamp = Value.string(now.rfc3339)
        func at(_ offset: Double) -> Value { .string(start.adding(seconds: Int64(offset.rounded(.down))).rfc3339) }
        func condition(_ type: String, _ ok: Bool, reason: String? = nil) -> Value {
            let status = ok ? "True" : "False"
            let old = (previous["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
            let since = old?["status"].stringValue == status ? (old?["lastTransitionTime"] ?? stamp) : stamp
            var c: Value = ["type": .string(type), "status": .string(status), "lastProbeTime": .null, "lastTransitionTime": since]
            if !ok, let reason { c["reason"] = .string(reason) }
            return c
        }
        func render(_ c: ContainerSnapshot, _ spec: Value) -> Value {
            func state(_ s: ContainerSnapshot.State) -> Value {
                switch s {
                case .waiting(let reason): return ["waiting": ["reason": .string(reason)]]
                case .running(let started): return ["running": ["startedAt": at(started)]]
                case .terminated(let code, let reason, let started, let finished):
                    return ["terminated": ["exitCode": .int(code), "reason": .string(reason), "startedAt": at(started),
                                           "finishedAt": at(finished), "containerID": .string(containerID(pod, c.name))]]
                }
            }
            let image = spec["image"].stringValue ?? ""
            var v: Value = ["name": .string(c.name), "image": .string(image), "imageID": .string("sim://" + image),
                            "ready": .bool(c.ready), "restartCount": .int(Int64(c.restartCount)), "started": .bool(c.started),
                            "state": state(c.state), "lastState": c.lastState.map(state) ?? .object([:])]
            if case .waiting = c.state {} else { v["containerID"] = .string(containerID(pod, c.name)) }
            return v
        }
        let specs = pod[path: ["spec", "containers"]].arrayValue ?? []
        let initSpecs = pod[path: ["spec", "initContainers"]].arrayValue ?? []
        var status: Value = [
            "phase": .string(snap.phase),
            "conditions": [
                condition("PodReadyToStartContainers", true),
                condition("Initialized", snap.initialized, reason: "ContainersNotInitialized"),
                condition("Ready", snap.containersReady && snap.initialized, reason: "ContainersNotReady"),
                condition("ContainersReady", snap.containersReady && snap.initialized, reason: "ContainersNotReady"),
                condition("PodScheduled", true),
            ],
            "hostIP": .string(hostIP), "hostIPs": [["ip": .string(hostIP)]],
            "podIP": .string(podIP), "podIPs": [["ip": .string(podIP)]],
            "startTime": .string(start.rfc3339),
            "qosClass": .string(qosClass(pod)),
        ]
        // A pod that finished keeps its IP out of Endpoints anyway; Kubernetes keeps it listed.
        if !initSpecs.isEmpty {
            status["initContainerStatuses"] = .array(zip(snap.initContainers, initSpecs).map { render($0, $1) })
        }
        status["containerStatuses"] = .array(zip(snap.containers, specs).map { render($0, $1) })
        if let reason = snap.reason { status["reason"] = .string(reason) }
        return status
    }

    static func containerID(_ pod: Value, _ name: String) -> String {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in ((pod.uid ?? "") + "/" + name).utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return "sim://" + String(h, radix: 16)
    }

    static func qosClass(_ pod: Value) -> String {
        var anyRequest = false
        var guaranteed = true
        for c in pod[path: ["spec", "containers"]].arrayValue ?? [] {
            let req = c[path: ["resources", "requests"]], lim = c[path: ["resources", "limits"]]
            if req.count > 0 || lim.count > 0 { anyRequest = true }
            for r in ["cpu", "memory"] {
                let l = lim[r]
                let q = req[r] == .null ? l : req[r]
                if l == .null || q != l { guaranteed = false }
            }
        }
        if !anyRequest { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
