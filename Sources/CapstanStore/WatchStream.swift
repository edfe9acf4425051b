/// The events of one watch: replayed history first, then live events (see `Store.watch`).
///
/// Iterate it once, from one task. Ending the iteration early (break, task cancellation) or
/// dropping the stream removes the watcher from the store.
public struct WatchStream: AsyncSequence, Sendable {
    public typealias Element = WatchEvent
    public typealias Failure = StoreError

    let handle: WatchHandle

    init(handle: WatchHandle) {
        self.handle = handle
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(handle: handle)
    }

    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = WatchEvent
        public typealias Failure = StoreError

        private let handle: WatchHandle
        private var cursor: Int64
        private var page: [WatchEvent] = []
        private var pageIndex = 0
        private var replayDone: Bool
        private var done = false

        /// Events read from history per round trip.
        static let replayPageSize = 512

        init(handle: WatchHandle) {
            self.handle = handle
            self.cursor = handle.core.fromRevision
            self.replayDone = handle.core.fromRevision >= handle.replayUpTo
        }

        public mutating func next() async throws(StoreError) -> WatchEvent? {
            try await next(isolation: nil)
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(StoreError) -> WatchEvent? {
            if done { return nil }
            do {
                // Replay (cursor, replayUpTo] page by page, then switch to the live queue,
                // which holds exactly the events after replayUpTo.
                while true {
                    if pageIndex < page.count {
                        let event = page[pageIndex]
                        pageIndex += 1
                        cursor = event.revision
                        return event
                    }
                    if replayDone { break }
                    if Task.isCancelled {
                        done = true
                        handle.core.cancel()
                        return nil
                    }
                    page = try await handle.replay(handle.core.prefix, cursor, handle.replayUpTo, Self.replayPageSize)
                    pageIndex = 0
                    if page.count < Self.replayPageSize { replayDone = true }
                }
                let event = try await handle.core.next(isolation: actor)
                if event == nil { done = true }
                return event
            } catch {
                done = true
                handle.core.cancel()
                throw error
            }
        }
    }
}

/// Shared by a `WatchStream` and its iterator. When the last reference goes away the watcher
/// leaves the hub. Immutable apart from the `Sendable` watcher core.
final class WatchHandle: Sendable {
    let core: WatcherCore
    let replayUpTo: Int64
    let replay: ReplaySource

    init(core: WatcherCore, replayUpTo: Int64, replay: @escaping ReplaySource) {
        self.core = core
        self.replayUpTo = replayUpTo
        self.replay = replay
    }

    deinit {
        core.cancel()
    }
}
