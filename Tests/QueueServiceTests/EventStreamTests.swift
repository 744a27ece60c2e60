import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Shared
import Testing
import TestSupport
@testable import QueueService

/// The hub between the event log and the open event streams, on a feed whose long poll waits on a
/// `TestClock`: only a commit (or the test moving the clock) wakes it.
@Suite struct EventStreamHubTests {
    let logger = Logger(label: "event-stream-test")

    /// Counts how often the hub asks for the queue (the engine's `publicQueue`, on its hot actor).
    final class SnapshotSource: Sendable {
        let calls = NIOLockedValueBox(0)
        let feed: EventFeed

        init(feed: EventFeed) {
            self.feed = feed
        }

        var count: Int { calls.withLockedValue { $0 } }

        func snapshot() async -> PublicQueue {
            calls.withLockedValue { $0 += 1 }
            return PublicQueue(
                seq: await feed.lastSeq, serverTime: Date(), lead: nil, waiting: [], swapInterval: 3600, paused: false,
                blocking: .init(enabled: false, lastDjName: nil)
            )
        }
    }

    /// What each stream was sent, by stream.
    final class Received: Sendable {
        private let box = NIOLockedValueBox<[Int: [String]]>([:])

        func append(_ stream: Int, _ bytes: ByteBuffer) {
            box.withLockedValue { $0[stream, default: []].append(String(buffer: bytes)) }
        }

        func frames(_ stream: Int) -> [String] { box.withLockedValue { $0[stream] ?? [] } }
        func count(_ stream: Int) -> Int { frames(stream).count }
    }

    func events(_ seqs: ClosedRange<UInt64>) -> [QueueEvent] {
        seqs.map { QueueEvent(seq: $0, time: Date(timeIntervalSince1970: 1_800_000_000), type: .djJoined, payload: QueueEventPayload(djName: "DJ \($0)", position: 1)) }
    }

    /// Before the fix every open stream asked the engine for a snapshot after every batch: 50
    /// streams, 50 calls into the actor that answers publishes. Now the batch is rendered once.
    @Test(.timeLimit(.minutes(1))) func aBatchIsRenderedOnceForEveryOpenStream() async throws {
        let clock = TestClock()
        let feed = EventFeed(events: [], lastSeq: 0, clock: clock)
        let source = SnapshotSource(feed: feed)
        let hub = EventStreamHub(feed: feed, snapshot: { await source.snapshot() }, capacity: 100, logger: logger)
        let running = Task { try await hub.run() }
        let received = Received()
        let streams = 50
        let serving = (0..<streams).map { stream in
            // Resuming at the log's head: nothing missed, so no snapshot of its own.
            Task { try await hub.serve(resumingAfter: 0) { received.append(stream, $0) } }
        }
        #expect(await clock.waitForSleepers(1), "the hub waits for the next batch")
        try await eventually("every stream joined") { await hub.streamCount == streams }
        #expect(source.count == 0)

        await feed.append(events(1...3))
        try await eventually("every stream got the batch") { (0..<streams).allSatisfy { received.count($0) == 2 } }
        #expect(source.count == 1)
        let batch = received.frames(0)[1]
        #expect(batch.hasPrefix("id: 1\nevent: dj.joined\n") && batch.contains("id: 3\nevent: queue\n"))
        #expect((0..<streams).allSatisfy { received.frames($0) == [String(buffer: EventStreamHub.retryFrame), batch] }, "the same bytes to every stream")

        await feed.append(events(4...4))
        try await eventually("every stream got the second batch") { (0..<streams).allSatisfy { received.count($0) == 3 } }
        #expect(source.count == 2)

        await hub.close()
        for stream in serving { try await stream.value }
        running.cancel()
    }

    @Test(.timeLimit(.minutes(1))) func aFreshStreamOpensWithItsOwnSnapshotAndAReconnectionWithWhatItMissed() async throws {
        let feed = EventFeed(events: [], lastSeq: 0, clock: TestClock())
        await feed.append(events(1...5))
        let source = SnapshotSource(feed: feed)
        let hub = EventStreamHub(feed: feed, snapshot: { await source.snapshot() }, capacity: 10, logger: logger)
        let received = Received()
        let fresh = Task { try await hub.serve(resumingAfter: nil) { received.append(0, $0) } }
        let missed = Task { try await hub.serve(resumingAfter: 3) { received.append(1, $0) } }
        // A cursor ahead of the log (a reset journal) and the largest one there is: a snapshot, no trap.
        let ahead = Task { try await hub.serve(resumingAfter: UInt64.max) { received.append(2, $0) } }
        try await eventually("every stream opened") { received.count(0) == 2 && received.count(1) == 4 && received.count(2) == 2 }
        #expect(received.frames(0)[1].hasPrefix("id: 5\nevent: queue\n"))
        let heads = received.frames(1).dropFirst().map { $0.split(separator: "\n").prefix(2).joined(separator: "\n") }
        #expect(heads == ["id: 4\nevent: dj.joined", "id: 5\nevent: dj.joined", "id: 5\nevent: queue"])
        #expect(received.frames(2)[1].hasPrefix("id: 5\nevent: queue\n"))
        await hub.close()
        for stream in [fresh, missed, ahead] { try await stream.value }
    }

    @Test func streamsAreCappedAndAGoneStreamGivesItsSlotBack() async throws {
        let feed = EventFeed(events: [], lastSeq: 0, clock: TestClock())
        let hub = EventStreamHub(feed: feed, snapshot: { await SnapshotSource(feed: feed).snapshot() }, capacity: 2, logger: logger)
        var first = hub.reserve()
        let second = hub.reserve()
        #expect(first != nil && second != nil)
        #expect(hub.reserve() == nil)
        first = nil
        #expect(hub.reserve() != nil)
        withExtendedLifetime(second) {}
    }
}

/// The cap through HTTP, against the application on a real port.
@Suite struct EventStreamRoutesTests {
    /// One open event stream: returns once its response began, holding the connection until cancelled.
    static func open(_ port: Int) async throws -> Task<Void, any Error> {
        let (status, stream) = try await tryOpen(port)
        #expect(status == 200)
        return stream
    }

    static func get(_ port: Int, _ path: String) async throws -> HTTPClientResponse {
        try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
    }

    @Test(.timeLimit(.minutes(1))) func pastTheCapANewStreamIsRefusedWith503AndRetryAfter() async throws {
        try await queueApp("event-stream-cap", ["SSE_MAX_STREAMS": "2"]).test(.live) { client in
            let port = try #require(client.port)
            let first = try await Self.open(port)
            let second = try await Self.open(port)
            let refused = try await Self.get(port, "/api/v1/events/stream")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers.first(name: "Retry-After") == "\(EventStreamRoutes.retryAfterSeconds)")
            #expect(String(buffer: try await refused.body.collect(upTo: 4096)).contains("too_many_streams"))
            #expect(try await Self.get(port, "/api/v1/queue").status == .ok, "everything else still answers")

            // A client that left frees its slot at the latest when the next write finds it gone.
            first.cancel()
            var index = 0
            var reopened: Task<Void, any Error>?
            while reopened == nil {
                index += 1
                try await client.execute(uri: "/internal/v1/publish", method: .post, headers: internalAuth, body: publishBody(client: "c\(index)", name: "DJ \(index)")) { _ in }
                let (status, stream) = try await Self.tryOpen(port)
                if status == 200 { reopened = stream } else { try await Task.sleep(for: .milliseconds(20)) }
            }
            second.cancel()
            reopened?.cancel()
        }
    }

    /// Opens a stream; returns its status, and the task holding it (already ended when refused).
    static func tryOpen(_ port: Int) async throws -> (Int, Task<Void, any Error>) {
        let (opened, signal) = AsyncStream.makeStream(of: Int.self)
        let stream = Task {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/events/stream"), timeout: .seconds(120))
            signal.yield(Int(response.status.code))
            for try await _ in response.body {}
        }
        var statuses = opened.makeAsyncIterator()
        let status = await statuses.next() ?? 0
        if status != 200 { stream.cancel() }
        return (status, stream)
    }
}
