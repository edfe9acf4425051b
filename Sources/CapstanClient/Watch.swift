import CapstanModel

/// The `type` of a watch event.
public enum WatchEventType: String, Sendable, Hashable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    /// Carries only `kind`, `apiVersion` and `metadata.resourceVersion` (and annotations).
    case bookmark = "BOOKMARK"
    /// The object is a `Status` (410 Expired when the start version was compacted).
    case error = "ERROR"
}

/// One line of a watch stream: `{"type":"ADDED","object":{…}}`.
public struct WatchEvent: Sendable, Hashable {
    public var type: WatchEventType
    public var object: Value

    public init(type: WatchEventType, object: Value) {
        self.type = type
        self.object = object
    }

    /// Reads one decoded line; nil when it is not a watch event.
    public init?(value: Value) {
        guard let t = value["type"].stringValue, let type = WatchEventType(rawValue: t) else { return nil }
        self.type = type
        self.object = value["object"]
    }

    public var value: Value { ["type": .string(type.rawValue), "object": object] }

    /// The object's `metadata.resourceVersion` (a bookmark's is the stream's progress).
    public var resourceVersion: String? { object.resourceVersion }

    /// For `ERROR` events: the server's failure as an `APIError`.
    public var error: APIError? {
        guard type == .error else { return nil }
        let status = Status(value: object) ?? Status(code: 500, reason: "InternalError", message: object.jsonString())
        return APIError(origin: .server, status: status)
    }

    /// A bookmark that ends the initial events of a watch-list (`sendInitialEvents=true`).
    public var isInitialEventsEnd: Bool {
        type == .bookmark && object["metadata"]["annotations"]["k8s.io/initial-events-end"].stringValue == "true"
    }
}

/// The events of one watch, in order. The sequence ends when the server closes the stream
/// (`timeoutSeconds`, server shutdown); a broken connection ends it with a thrown `APIError`
/// (`origin == .transport`). Errors the server reports in-band arrive as `.error` events.
///
/// `stop()` (or cancelling the consuming task, or dropping the sequence) closes the underlying
/// connection. A value type over an `AsyncThrowingStream`, which is safe to share; iterate it once.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent

    let events: AsyncThrowingStream<WatchEvent, any Error>
    let onStop: @Sendable () -> Void

    /// A stream fed by `events`; `onStop` is called once when the consumer stops early.
    public init(events: AsyncThrowingStream<WatchEvent, any Error>, onStop: @escaping @Sendable () -> Void = {}) {
        self.events = events
        self.onStop = onStop
    }

    /// Builds a stream and the continuation that feeds it (for fakes and in-process servers).
    public static func makeStream(
        onStop: @escaping @Sendable () -> Void = {}
    ) -> (stream: WatchStream, continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation) {
        let (events, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream(bufferingPolicy: .unbounded)
        continuation.onTermination = { _ in onStop() }
        return (WatchStream(events: events), continuation)
    }

    /// Ends the watch: the iterator returns nil after buffered events.
    public func stop() { onStop() }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<WatchEvent, any Error>.AsyncIterator

        /// Throws `APIError` only (transport failures, undecodable lines).
        public mutating func next() async throws -> WatchEvent? {
            try await base.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: events.makeAsyncIterator())
    }
}

/// A byte stream (pod logs): chunks in arrival order; ends when the server closes it.
public struct ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]

    let chunks: AsyncThrowingStream<[UInt8], any Error>

    public init(chunks: AsyncThrowingStream<[UInt8], any Error>) { self.chunks = chunks }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
        public mutating func next() async throws -> [UInt8]? { try await base.next() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: chunks.makeAsyncIterator()) }

    /// Reads everything (use only for bounded logs).
    public func collect() async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await chunk in self { out += chunk }
        return out
    }
}
