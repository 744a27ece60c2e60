import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import QueueService

/// A journal that counts appends and can be told to fail, around the real file journal.
final class InstrumentedJournal: QueueJournal, @unchecked Sendable {
    let inner: FileJournal
    private let counters = NIOLockedValueBox((appends: 0, failing: false))

    init(_ inner: FileJournal) {
        self.inner = inner
    }

    var appends: Int { counters.withLockedValue { $0.appends } }

    func fail(_ failing: Bool) {
        counters.withLockedValue { $0.failing = failing }
    }

    func load() throws -> JournalContents { try inner.load() }

    func append(_ record: JournalRecord) async throws {
        let failing = counters.withLockedValue { counters in
            counters.appends += 1
            return counters.failing
        }
        if failing { throw JournalError.io(path: inner.path, operation: "write", errno: ENOSPC) }
        try await inner.append(record)
    }
}

@Suite struct QueueEngineTests {
    let logger = Logger(label: "engine-test")

    func engine(_ directory: URL, targets: [String] = [], pollClock: TestClock = TestClock()) throws -> (QueueEngine, InstrumentedJournal) {
        let journal = InstrumentedJournal(FileJournal(directory: directory.path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger))
        let engine = try QueueEngine(
            journal: journal, clock: SystemQueueClock(), rules: QueueRules(leadGrace: 0, waitingGrace: 0), swapInterval: 3600,
            forwardTargets: targets, kicks: nil, logger: logger, pollClock: pollClock
        )
        return (engine, journal)
    }

    func publish(_ name: String, client: String, user: UUID = UUID()) -> PublishRequest {
        PublishRequest(clientId: client, userId: user, djName: name, app: "live", stream: "KEY\(client)")
    }

    @Test func fiftyConcurrentPublishersGiveOneLeadAndShareSyncs() async throws {
        let (engine, journal) = try engine(try temporaryDirectory("engine"))
        let replies = try await withThrowingTaskGroup(of: PublishReply.self) { group in
            for index in 0..<50 {
                group.addTask { try await engine.publish(publish("DJ\(index)", client: "c\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.decision == .lead }.count == 1)
        #expect(Set(replies.compactMap(\.position)) == Set(0..<50))
        let state = await engine.internalState(withStreams: true)
        #expect(state.waiting.count == 49)
        #expect(journal.appends < 50, "group commit should let publishes share a sync, made \(journal.appends) appends")
    }

    @Test func aFailedWriteRefusesTheCommandAndLeavesNoTrace() async throws {
        let directory = try temporaryDirectory("engine")
        let (engine, journal) = try engine(directory)
        _ = try await engine.publish(publish("A", client: "a1"))
        journal.fail(true)
        await #expect(throws: QueueUnavailable.self) { try await engine.publish(publish("B", client: "b1")) }
        #expect(await engine.queueJSON().streamQueue == ["A"])
        journal.fail(false)
        let reply = try await engine.publish(publish("C", client: "c1"))
        #expect(reply == PublishReply(decision: .queued, position: 1))
        #expect(await engine.queueJSON().streamQueue == ["A", "C"])

        let (restarted, _) = try self.engine(directory)
        #expect(await restarted.queueJSON().streamQueue == ["A", "C"])
        let seqs = await restarted.feed.page(after: 0, limit: 100).events.map(\.seq)
        #expect(seqs == Array(1...UInt64(seqs.count)))
    }

    @Test func aRestartContinuesWithTheSameQueue() async throws {
        let directory = try temporaryDirectory("engine")
        let (engine, _) = try engine(directory)
        let alice = UUID()
        _ = try await engine.publish(publish("A", client: "a1", user: alice))
        _ = try await engine.publish(publish("B", client: "b1"))
        let before = await engine.internalState(withStreams: true)
        let (restarted, _) = try self.engine(directory)
        // Equal to the millisecond the journal keeps.
        #expect(try JSONCoding.encode(await restarted.internalState(withStreams: true)) == JSONCoding.encode(before))
        #expect(before.lead?.sessions.first?.stream == "KEYa1")
    }

    @Test func forwardTargetsAreForTheLeadOnly() async throws {
        let (engine, _) = try engine(try temporaryDirectory("engine"), targets: ["rtmp://127.0.0.1/rec/x?relay_secret=s"])
        _ = try await engine.publish(publish("A", client: "a1"))
        _ = try await engine.publish(publish("B", client: "b1"))
        #expect(await engine.forwardTargets(clientId: "a1").urls == ["rtmp://127.0.0.1/rec/x?relay_secret=s"])
        #expect(await engine.forwardTargets(clientId: "b1").urls == [])
    }

    /// The poll's time limit sleeps on a clock the test never moves, so only the commit can answer it.
    @Test(.timeLimit(.minutes(1))) func aLongPollReturnsAsSoonAsAnEventIsCommitted() async throws {
        let pollClock = TestClock()
        let (engine, _) = try engine(try temporaryDirectory("engine"), pollClock: pollClock)
        async let page = engine.feed.page(after: 0, wait: .seconds(10), limit: 100)
        #expect(await pollClock.waitForSleepers(1), "the poll waits")
        _ = try await engine.publish(publish("A", client: "a1"))
        let events = await page.events
        #expect(events.map(\.type) == [.sessionOpened, .turnStarted])
    }

    @Test(.timeLimit(.minutes(1))) func aLongPollWithNothingNewTimesOutEmpty() async throws {
        let pollClock = TestClock()
        let (engine, _) = try engine(try temporaryDirectory("engine"), pollClock: pollClock)
        async let waited = engine.feed.page(after: 0, wait: .seconds(10), limit: 100)
        #expect(await pollClock.waitForSleepers(1), "the poll waits")
        pollClock.advance(by: .seconds(10))
        let page = await waited
        #expect(page.events.isEmpty)
        #expect(page.next == 0)
        #expect(!page.truncated)
    }
}
