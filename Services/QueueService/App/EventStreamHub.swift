import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Shared

/// Fans the event log out to every open event stream (Server-Sent Events). One loop follows the
/// feed and, for each new batch, renders its frames once — the batch's public events, then a
/// `queue` snapshot, the only call it makes into the engine — and hands the same bytes to every
/// stream. So a batch costs the engine one snapshot however many overlays are open. A stream
/// asks the engine only when it opens (its first snapshot must be fresh: pages set their clock
/// from its `server_time`).
///
/// Open streams are capped (`capacity`): a new one gets no slot past it.
actor EventStreamHub: Service {
    /// What the loop hands to every stream.
    enum Chunk: Sendable {
        /// A batch's frames, ending in a `queue` snapshot at `seq`.
        case batch(ByteBuffer, seq: UInt64)
        case keepAlive
    }

    /// A place among the open streams. Its response holds it for as long as it exists and gives
    /// it back when it goes — also when the response was never sent because the client left first.
    final class Slot: Sendable {
        private let release: @Sendable () -> Void

        fileprivate init(release: @escaping @Sendable () -> Void) {
            self.release = release
        }

        deinit { release() }
    }

    /// Chunks a stream may fall behind by before it is ended; its page reconnects with
    /// `Last-Event-ID` and is sent what it missed.
    static let backlog = 64
    static let retryFrame = ByteBuffer(string: "retry: 2000\n\n")
    static let keepAliveFrame = ByteBuffer(string: ": keep-alive\n\n")

    nonisolated let capacity: Int
    private let feed: EventFeed
    private let snapshot: @Sendable () async -> PublicQueue
    private let keepAlive: Duration
    private let logger: Logger
    private let openSlots = NIOLockedValueBox(0)
    private var streams: [UUID: AsyncStream<Chunk>.Continuation] = [:] {
        didSet { openGauge.record(streams.count) }
    }
    private let openGauge = Gauge(label: "queue_event_streams_open")
    private var closed = false

    /// - Parameters:
    ///   - snapshot: the public queue as it is now (the engine's `publicQueue`).
    ///   - keepAlive: how long the streams stay silent before a comment keeps proxies from closing them.
    init(feed: EventFeed, snapshot: @escaping @Sendable () async -> PublicQueue, capacity: Int, keepAlive: Duration = .seconds(15), logger: Logger) {
        self.feed = feed
        self.snapshot = snapshot
        self.capacity = capacity
        self.keepAlive = keepAlive
        self.logger = logger
    }

    // MARK: - Streams

    /// A slot for a new stream, or nil when `capacity` streams are open.
    nonisolated func reserve() -> Slot? {
        let granted = openSlots.withLockedValue { open in
            guard open < capacity else { return false }
            open += 1
            return true
        }
        guard granted else { return nil }
        return Slot { [openSlots] in openSlots.withLockedValue { $0 -= 1 } }
    }

    /// The streams being served now, each sent every batch.
    var streamCount: Int { streams.count }

    /// Serves one stream until the client leaves or the service shuts down. A fresh stream first
    /// gets a `queue` snapshot; a reconnection (`resumingAfter`, its `Last-Event-ID`) first gets
    /// the public events it missed and then a snapshot — or nothing, when it missed nothing.
    nonisolated func serve(resumingAfter resume: UInt64?, write: (ByteBuffer) async throws -> Void) async throws {
        let id = UUID()
        let live = await join(id)
        do {
            try await withGracefulShutdownHandler {
                try await write(Self.retryFrame)
                let covered = try await opening(resumingAfter: resume, write: write)
                for await chunk in live {
                    switch chunk {
                    case .keepAlive:
                        try await write(Self.keepAliveFrame)
                    case .batch(let bytes, let seq) where seq > covered:
                        try await write(bytes)
                    case .batch:
                        continue  // already in this stream's opening snapshot
                    }
                }
            } onGracefulShutdown: {
                Task { await self.close() }
            }
        } catch {
            await leave(id)
            throw error
        }
        await leave(id)
    }

    /// Writes a stream's opening; returns the seq it brought the stream up to.
    private nonisolated func opening(resumingAfter resume: UInt64?, write: (ByteBuffer) async throws -> Void) async throws -> UInt64 {
        guard let resume else {
            let queue = await snapshot()
            try await write(Self.frame(event: "queue", id: queue.seq, queue))
            return queue.seq
        }
        var page = await feed.page(after: resume, limit: 500)
        guard !page.events.isEmpty || page.truncated else { return resume }
        while true {
            for event in page.events.compactMap(\.publicView) {
                try await write(Self.frame(event: event.type.rawValue, id: event.seq, event))
            }
            guard !page.events.isEmpty, page.next < (await feed.lastSeq) else { break }
            page = await feed.page(after: page.next, limit: 500)
        }
        let queue = await snapshot()
        let seq = max(page.next, queue.seq)
        try await write(Self.frame(event: "queue", id: seq, queue))
        return seq
    }

    private func join(_ id: UUID) -> AsyncStream<Chunk> {
        let (stream, continuation) = AsyncStream.makeStream(of: Chunk.self, bufferingPolicy: .bufferingOldest(Self.backlog))
        if closed {
            continuation.finish()
        } else {
            streams[id] = continuation
        }
        return stream
    }

    private func leave(_ id: UUID) {
        streams.removeValue(forKey: id)?.finish()
    }

    /// Ends every stream, now and from now on: at shutdown the server waits for open responses.
    func close() {
        closed = true
        let ending = streams
        streams.removeAll()
        ending.values.forEach { $0.finish() }
    }

    // MARK: - The loop

    /// Follows the feed until shutdown. The loop also ends when the feed closes (the server's
    /// own shutdown, which comes first); the hub then waits for its turn to stop.
    func run() async throws {
        await cancelWhenGracefulShutdown { await self.follow() }
        close()
        try? await gracefulShutdown()
    }

    private func follow() async {
        var cursor = await feed.lastSeq
        while !Task.isCancelled, !closed {
            let page = await feed.page(after: cursor, wait: keepAlive, limit: 500)
            guard !Task.isCancelled, !closed, await !feed.isClosed else { return }
            if page.events.isEmpty && !page.truncated {
                broadcast(.keepAlive)
                continue
            }
            guard !streams.isEmpty else {
                // Nobody to render for (the usual case between shows): a stream that opens takes
                // its own fresh snapshot, so skipping the batch's frames loses it nothing.
                cursor = page.next
                continue
            }
            let queue = await snapshot()
            cursor = max(page.next, queue.seq)
            do {
                var bytes = ByteBuffer()
                for event in page.events.compactMap(\.publicView) {
                    bytes.writeImmutableBuffer(try Self.frame(event: event.type.rawValue, id: event.seq, event))
                }
                bytes.writeImmutableBuffer(try Self.frame(event: "queue", id: cursor, queue))
                broadcast(.batch(bytes, seq: cursor))
            } catch {
                logger.error("could not render an event batch for the event streams", metadata: ["seq": "\(cursor)", "error": "\(error)"])
            }
        }
    }

    private func broadcast(_ chunk: Chunk) {
        for (id, stream) in streams {
            if case .dropped = stream.yield(chunk) {
                logger.notice("ending an event stream that fell \(Self.backlog) batches behind; it reconnects and catches up")
                streams.removeValue(forKey: id)?.finish()
            }
        }
    }

    static func frame(event: String, id: UInt64, _ value: some Encodable) throws -> ByteBuffer {
        let json = String(decoding: try JSONCoding.encode(value), as: UTF8.self)
        return ByteBuffer(string: "id: \(id)\nevent: \(event)\ndata: \(json)\n\n")
    }
}
