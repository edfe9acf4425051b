import CapstanModel

/// The simulated runtime: every container's life is computed from the pod's spec and its
/// `sim.capstan.dev/*` annotations as a function of time — no processes, no hidden state —
/// so the same pod at the same elapsed time always looks the same (golden-testable), and a
/// node restart resumes where it was from `status.startTime`.
public struct SimulatedRuntime: ContainerRuntime {
    /// Back-off before the n-th restart (n ≥ 2): base·2^(n−2), capped. The first restart is at once.
    public var backoffBase: Double
    public var backoffCap: Double

    public init(backoffBase: Double = 10, backoffCap: Double = 300) {
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
    }

    public func snapshot(of pod: Value, elapsed t: Double) -> PodSnapshot {
        let spec = pod["spec"]
        let policy = spec["restartPolicy"].stringValue ?? "Always"
        let annotations = pod.annotations
        var problems: [String] = []

        // Init containers run one at a time; each starts when the previous one succeeded.
        var inits: [ContainerSnapshot] = []
        var clock = 0.0
        var initDone = true
        var failed = false
        for c in spec["initContainers"].arrayValue ?? [] {
            let name = c["name"].stringValue ?? ""
            guard initDone else {
                inits.append(ContainerSnapshot(name: name, state: .waiting(reason: "PodInitializing"), restartCount: 0, ready: false, started: false))
                continue
            }
            let b = SimBehaviour(annotations: annotations, container: name, isInit: true, problems: &problems)
            // Init containers are retried on failure unless the pod never restarts.
            let life = evaluate(b, container: c, restart: policy == "Never" ? .never : .onFailure, from: clock, at: t)
            // The kubelet reports an init container ready once it has completed successfully.
            var shown = life.snapshot
            if case .terminated(let code, _, _, _) = shown.state { shown.ready = code == 0 && !life.willRestart } else { shown.ready = false }
            inits.append(shown)
            if case .terminated(let code, _, _, let finished) = life.snapshot.state, code == 0, !life.willRestart {
                clock = finished
            } else {
                initDone = false
                if case .terminated = life.snapshot.state, !life.willRestart { failed = true }
            }
        }

        var containers: [ContainerSnapshot] = []
        for c in spec["containers"].arrayValue ?? [] {
            let name = c["name"].stringValue ?? ""
            if !initDone {
                containers.append(ContainerSnapshot(name: name, state: .waiting(reason: "PodInitializing"), restartCount: 0, ready: false, started: false))
                continue
            }
            let b = SimBehaviour(annotations: annotations, container: name, isInit: false, problems: &problems)
            let restart: Restart = policy == "Never" ? .never : (policy == "OnFailure" ? .onFailure : .always)
            containers.append(evaluate(b, container: c, restart: restart, from: clock, at: t).snapshot)
        }

        var snap = PodSnapshot(phase: "Pending", initialized: initDone, containersReady: false,
                               initContainers: inits, containers: containers, problems: problems)
        if failed {
            snap.phase = "Failed"
            snap.reason = "Init:Error"
            return snap
        }
        guard initDone else { return snap }
        snap.containersReady = !containers.isEmpty && containers.allSatisfy(\.ready)
        let terminal = containers.allSatisfy { c in
            if case .terminated = c.state { return true } else { return false }
        }
        if terminal && !containers.isEmpty {
            let ok = containers.allSatisfy { c in
                if case .terminated(let code, _, _, _) = c.state { return code == 0 } else { return false }
            }
            snap.phase = ok ? "Succeeded" : "Failed"
        } else if containers.contains(where: { c in
            if case .waiting(let r) = c.state { return r == "ContainerCreating" && c.restartCount == 0 && c.lastState == nil }
            return false
        }) {
            snap.phase = "Pending"
        } else {
            snap.phase = "Running"
        }
        return snap
    }

    /// Each run writes a lifecycle line when it starts, then the `log` annotation's lines, and
    /// a lifecycle line when it ends (all at those instants).
    public func logs(of pod: Value, container: String, elapsed t: Double) -> ContainerLogs? {
        var problems: [String] = []
        let isInit = (pod[path: ["spec", "initContainers"]].arrayValue ?? []).contains { $0["name"].stringValue == container }
        let b = SimBehaviour(annotations: pod.annotations, container: container, isInit: isInit, problems: &problems)
        let snap = snapshot(of: pod, elapsed: t)
        guard let c = (snap.initContainers + snap.containers).first(where: { $0.name == container }) else { return nil }
        let runs = c.runs.enumerated().map { index, run -> [LogLine] in
            var lines = [LogLine(time: run.start, text: "capstan-sim: container \(goQuote(container)) started (run \(index + 1))")]
            lines += b.log.map { LogLine(time: run.start, text: $0) }
            if let end = run.end, let code = run.exitCode {
                lines.append(LogLine(time: end, text: "capstan-sim: container \(goQuote(container)) exited with code \(code)"))
            }
            return lines
        }
        var waiting: String?
        if case .waiting(let reason) = c.state, runs.isEmpty { waiting = reason }
        return ContainerLogs(runs: runs, ended: c.runs.last?.end != nil, waitingReason: waiting)
    }

    // MARK: - One container

    enum Restart { case always, onFailure, never }

    struct Life {
        var snapshot: ContainerSnapshot
        /// The container is terminated now but will be started again.
        var willRestart: Bool
    }

    /// Walks the container's runs (create → run → exit → back-off → …) up to time `t`.
    func evaluate(_ b: SimBehaviour, container c: Value, restart: Restart, from origin: Double, at t: Double) -> Life {
        let name = c["name"].stringValue ?? ""
        let readinessTiming = ProbeTiming(c["readinessProbe"])
        let livenessTiming = ProbeTiming(c["livenessProbe"])
        let startupTiming = ProbeTiming(c["startupProbe"])
        var start = origin
        var restarts = 0
        var last: ContainerSnapshot.State? = nil
        var runs: [ContainerRun] = []
        func life(_ snapshot: ContainerSnapshot, willRestart: Bool) -> Life {
            var s = snapshot
            s.runs = runs
            return Life(snapshot: s, willRestart: willRestart)
        }
        for _ in 0..<100_000 {
            let runAt = start + b.startDelay
            if t < runAt {
                return life(ContainerSnapshot(name: name, state: .waiting(reason: "ContainerCreating"), lastState: last,
                                              restartCount: restarts, ready: false, started: false), willRestart: false)
            }
            // The run ends by exiting on its own or by failing its liveness probe.
            var end: Double? = b.exitAfter
            var code = b.exitCode
            if let lt = livenessTiming, let killed = Self.failureTime(b.liveness, lt, startedGate: nil) {
                if end == nil || killed < end! { end = killed; code = 137 }
            }
            let running = t - runAt
            if end == nil || running < end! {
                runs.append(ContainerRun(start: runAt))
                var started = true
                var ready = true
                if let st = startupTiming {
                    started = Self.passedOnce(b.startup, st, at: running) != nil
                }
                if let rt = readinessTiming {
                    let startedAt = startupTiming.flatMap { Self.passedOnce(b.startup, $0, at: running) } ?? 0
                    ready = started && Self.probeState(b.readiness, rt, at: running, notBefore: startedAt)
                } else {
                    ready = started
                }
                return life(ContainerSnapshot(name: name, state: .running(startedAt: runAt), lastState: last,
                                              restartCount: restarts, ready: ready, started: started), willRestart: false)
            }
            let finished = runAt + end!
            runs.append(ContainerRun(start: runAt, end: finished, exitCode: code))
            let terminated = ContainerSnapshot.State.terminated(exitCode: code, reason: code == 0 ? "Completed" : "Error",
                                                                 startedAt: runAt, finishedAt: finished)
            let again: Bool
            switch restart {
            case .always: again = true
            case .onFailure: again = code != 0
            case .never: again = false
            }
            let backoff = restarts == 0 ? 0 : min(backoffCap, backoffBase * pow2(restarts - 1))
            if !again || t < finished + backoff {
                let state: ContainerSnapshot.State = again ? .waiting(reason: "CrashLoopBackOff") : terminated
                return life(ContainerSnapshot(name: name, state: state, lastState: again ? terminated : last,
                                              restartCount: restarts, ready: false, started: false), willRestart: again)
            }
            last = terminated
            restarts += 1
            start = finished + backoff
            // A run that takes no time at all would loop forever without moving the clock.
            if backoff == 0 && end! == 0 && b.startDelay == 0 { start += 0.001 }
        }
        return life(ContainerSnapshot(name: name, state: .waiting(reason: "CrashLoopBackOff"), lastState: last,
                                      restartCount: restarts, ready: false, started: false), willRestart: true)
    }

    private func pow2(_ n: Int) -> Double { n >= 30 ? Double(1 << 30) : Double(1 << n) }

    /// Probe ticks happen at initialDelay + k·period after the container started running.
    /// Ready flips to true after `successThreshold` consecutive passes and back to false after
    /// `failureThreshold` consecutive failures.
    static func probeState(_ script: ProbeScript, _ p: ProbeTiming, at running: Double, notBefore: Double) -> Bool {
        var ready = false
        var passes = 0, fails = 0
        var tick = max(p.initialDelay, notBefore)
        var n = 0
        while tick <= running && n < 100_000 {
            if script.passes(at: tick) {
                passes += 1; fails = 0
                if passes >= p.successThreshold { ready = true }
            } else {
                fails += 1; passes = 0
                if fails >= p.failureThreshold { ready = false }
            }
            tick += p.period
            n += 1
        }
        return ready
    }

    /// The running time at which the probe has failed `failureThreshold` times in a row, if it ever does.
    static func failureTime(_ script: ProbeScript, _ p: ProbeTiming, startedGate: Double?) -> Double? {
        if script == .pass { return nil }
        var tick = p.initialDelay
        // Skip the passing stretch of fail-after in one step.
        if case .failAfter(let d) = script, tick < d { tick += ((d - tick) / p.period).rounded(.up) * p.period }
        var fails = 0
        for _ in 0..<100_000 {
            if script.passes(at: tick) {
                fails = 0
                // fail-until passes forever once it passes.
                if case .failUntil = script { return nil }
            } else {
                fails += 1
                if fails >= p.failureThreshold { return tick }
            }
            tick += p.period
        }
        return nil
    }

    /// The running time of the first passing startup probe tick at or before `running`.
    static func passedOnce(_ script: ProbeScript, _ p: ProbeTiming, at running: Double) -> Double? {
        var tick = p.initialDelay
        var n = 0
        while tick <= running && n < 100_000 {
            if script.passes(at: tick) { return tick }
            tick += p.period
            n += 1
        }
        return nil
    }
}
