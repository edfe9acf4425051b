import CapstanClient
import CapstanModel

/// The kubelet side of `kubectl logs`: container logs as the runtime reports them, selected
/// and shaped by the log query, served at `/containerLogs/NS/POD/CONTAINER`.
extension NodeAgent {
    /// A failed log request: the HTTP status and the message the API server passes on.
    public struct LogError: Error, Sendable, Equatable {
        public var code: Int
        public var message: String
    }

    /// The log of one container of a pod on this node. Without `follow` the stream ends after
    /// what was written so far; with it, new lines follow (checked every `logPollInterval`)
    /// until the container's run ends, the pod leaves the node or the consumer stops.
    public func containerLogs(namespace: String, pod name: String, container: String,
                              options: LogOptions) throws(LogError) -> AsyncStream<[UInt8]> {
        let (pod, start) = try admittedPod(namespace: namespace, name: name)
        let logs = try Self.logs(runtime, pod, container, start: start, previous: options.previous)
        var cursor = LogCursor(options: options, start: start)
        let first = cursor.take(logs.lines, now: Timestamp.now())
        let follow = options.follow && !options.previous && !logs.ended && !cursor.exhausted
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        if !first.isEmpty { continuation.yield(first) }
        guard follow else {
            continuation.finish()
            return stream
        }
        let run = logs.run
        let task = Task { [self, cursor] in
            var cursor = cursor
            while !Task.isCancelled {
                do { try await Task.sleep(for: config.logPollInterval) } catch { break }
                guard let (pod, start) = try? admittedPod(namespace: namespace, name: name),
                      let now = runtime.logs(of: pod, container: container, elapsed: Self.seconds(since: start)) else { break }
                let bytes = cursor.take(now.runs[safe: run] ?? [], now: Timestamp.now())
                if !bytes.isEmpty { continuation.yield(bytes) }
                // The followed run is over once it ended or a newer run began.
                if now.runs.count > run + 1 || now.ended || cursor.exhausted { break }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func admittedPod(namespace: String, name: String) throws(LogError) -> (Value, Timestamp) {
        guard let pod = informer?.cache.get(namespace: namespace, name: name) else {
            throw LogError(code: 404, message: "pod \(goQuote(name)) in namespace \(goQuote(namespace)) is not on node \(goQuote(config.name))")
        }
        guard let start = admissionTime(of: pod) else {
            let first = pod[path: ["spec", "containers"]][0]["name"].stringValue ?? ""
            throw LogError(code: 400, message: "container \(goQuote(first)) in pod \(goQuote(name)) is waiting to start: ContainerCreating")
        }
        return (pod, start)
    }

    static func seconds(since start: Timestamp) -> Double { Double(Timestamp.now().nanoseconds(since: start)) / 1e9 }

    /// The lines of the run asked for (the latest, or the one before it for `previous`).
    private static func logs(_ runtime: any ContainerRuntime, _ pod: Value, _ container: String, start: Timestamp,
                             previous: Bool) throws(LogError) -> (lines: [LogLine], run: Int, ended: Bool) {
        let name = pod.name ?? ""
        guard let logs = runtime.logs(of: pod, container: container, elapsed: seconds(since: start)) else {
            throw LogError(code: 400, message: "container \(goQuote(container)) is not valid for pod \(goQuote(name))")
        }
        if previous {
            guard logs.runs.count >= 2 else {
                throw LogError(code: 400, message: "previous terminated container \(goQuote(container)) in pod \(goQuote(name)) not found")
            }
            return (logs.runs[logs.runs.count - 2], logs.runs.count - 2, true)
        }
        guard let last = logs.runs.last else {
            throw LogError(code: 400, message: "container \(goQuote(container)) in pod \(goQuote(name)) is waiting to start: \(logs.waitingReason ?? "ContainerCreating")")
        }
        return (last, logs.runs.count - 1, logs.ended)
    }
}

/// Which lines of a run have been sent, and how they are shaped: `sinceSeconds` and
/// `tailLines` pick the first batch, `timestamps` prefixes each line, `limitBytes` caps the
/// total. A plain value owned by one request.
struct LogCursor {
    let options: LogOptions
    let start: Timestamp
    private var sent = 0
    private var bytes = 0
    private var first = true

    init(options: LogOptions, start: Timestamp) {
        self.options = options
        self.start = start
    }

    /// The byte limit was reached: nothing more will be sent.
    var exhausted: Bool { options.limitBytes.map { bytes >= $0 } ?? false }

    /// The bytes of the lines not sent yet (all of `lines`, in order, as the run grows).
    mutating func take(_ lines: [LogLine], now: Timestamp) -> [UInt8] {
        guard lines.count > sent, !exhausted else { return [] }
        var picked = lines[sent...]
        sent = lines.count
        if first {
            first = false
            if let since = options.sinceSeconds {
                let cutoff = Double(now.nanoseconds(since: start)) / 1e9 - Double(since)
                picked = picked.drop { $0.time < cutoff }
            }
            if let tail = options.tailLines { picked = picked.suffix(tail) }
        }
        var out: [UInt8] = []
        for line in picked {
            if options.timestamps {
                let nanos = Int64((line.time * 1e9).rounded())
                let at = Timestamp(seconds: start.seconds + (Int64(start.nanoseconds) + nanos) / 1_000_000_000,
                                   nanoseconds: Int32((Int64(start.nanoseconds) + nanos) % 1_000_000_000))
                out += Array(at.rfc3339Micro.utf8) + [UInt8(ascii: " ")]
            }
            out += Array(line.text.utf8) + [UInt8(ascii: "\n")]
        }
        if let limit = options.limitBytes {
            let room = max(0, limit - bytes)
            if out.count > room { out = Array(out.prefix(room)) }
        }
        bytes += out.count
        return out
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension LogOptions {
    /// Reads a kubelet log query (`follow`, `previous`, `timestamps`, `tailLines`,
    /// `sinceSeconds`, `limitBytes`); unknown parameters are ignored, bad numbers refused.
    init(kubeletQuery query: [(String, String)]) throws(NodeAgent.LogError) {
        self.init()
        func number(_ name: String, _ v: String, min: Int) throws(NodeAgent.LogError) -> Int {
            guard let n = Int(v), n >= min else {
                let bound = min == 0 ? "greater than or equal to 0" : "greater than 0"
                throw NodeAgent.LogError(code: 400, message: "\(name): Invalid value: \(goQuote(v)): must be \(bound)")
            }
            return n
        }
        for (k, v) in query {
            switch k {
            case "follow": follow = v == "true" || v == "1"
            case "previous": previous = v == "true" || v == "1"
            case "timestamps": timestamps = v == "true" || v == "1"
            case "tailLines": tailLines = try number(k, v, min: 0)
            case "sinceSeconds": sinceSeconds = try number(k, v, min: 1)
            case "limitBytes": limitBytes = try number(k, v, min: 1)
            default: continue
            }
        }
    }
}
