import Foundation
import Logging
import Shared
import Synchronization
import Testing
import TestSupport
@testable import Notifier

/// `WebhookWorker` against fakes of Discord, the event log and the queue's state, on a clock the
/// tests move by hand: every wait is checked to the millisecond and none is slept out.
@Suite struct WebhookWorkerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let clock = TestClock()
    let log = FakeEventLog()
    let queueState = FakeQueueState(waiting: ["Day Bird"])
    let cursorPath: String

    init() throws {
        cursorPath = try temporaryDirectory("webhook-worker").appendingPathComponent("webhook-1.cursor").path
    }

    func makeWorker(_ discord: FakeDiscordClient, sending: Bool = true, announcer: Announcer = Announcer()) throws -> WebhookWorker {
        let target = try #require(try WebhookTarget.parse(["https://discord.com/api/webhooks/42/token"]).first)
        let clock = clock, t0 = t0
        return try WebhookWorker(
            target: target, events: log, queueState: queueState, discord: discord, announcer: announcer, policy: DeliveryPolicy(),
            cursorPath: cursorPath, sending: sending, clock: clock, now: { t0.addingTimeInterval(clock.now.offset.seconds) },
            logger: Logger(label: "webhook-worker-test")
        )
    }

    func event(_ seq: UInt64, _ type: QueueEventType, _ dj: String) -> QueueEvent {
        QueueEvent(seq: seq, time: t0, type: type, payload: QueueEventPayload(djName: dj, position: type == .djJoined ? 1 : nil, reason: type == .turnEnded ? .left : nil))
    }

    /// Runs the worker's follow loop for `body`, then cancels it.
    func following(_ worker: WebhookWorker, _ body: () async throws -> Void) async throws {
        let task = Task { await worker.follow() }
        do {
            try await body()
        } catch {
            task.cancel()
            await task.value
            throw error
        }
        task.cancel()
        await task.value
    }

    @Test func deliversInEventOrderAndMovesTheCursorPastEachEvent() async throws {
        let discord = FakeDiscordClient()
        let worker = try makeWorker(discord)
        log.append(event(1, .turnStarted, "Night Owl"), event(2, .djJoined, "Day Bird"), event(3, .turnEnded, "Night Owl"), event(4, .turnStarted, "Day Bird"))
        try await following(worker) {
            #expect(await eventually { log.isWaiting(after: 4) })
        }
        #expect(discord.posts.map(\.message.content) == ["Night Owl has now started streaming!", "Night Owl has stopped streaming.", "Day Bird has now started streaming!"])
        #expect(discord.posts.allSatisfy { $0.url == "https://discord.com/api/webhooks/42/token" })
        let status = await worker.status
        #expect(status.cursor == 4 && status.sent == 3 && status.failed == 0 && status.state == .ok)
        #expect(try CursorFile(path: cursorPath).read() == 4)
        #expect(clock.sleeperCount == 0, "nothing waited")
        #expect(try await makeWorker(FakeDiscordClient()).status.cursor == 4, "a restart resumes after the last handled event")
    }

    @Test func upNextIsReadOncePerPageFromTheQueuesState() async throws {
        let discord = FakeDiscordClient()
        var announcer = Announcer()
        announcer.embeds = true
        let worker = try makeWorker(discord, announcer: announcer)
        log.append(event(1, .turnEnded, "Night Owl"), event(2, .turnStarted, "Day Bird"))
        try await following(worker) {
            #expect(await eventually { log.isWaiting(after: 2) })
        }
        let fields = discord.posts.map { $0.message.embeds.first?.fields.last }
        #expect(fields.map { $0?.name } == ["Up next", "Up next"])
        #expect(fields.map { $0?.value } == ["Day Bird", "Day Bird"])
        #expect(queueState.reads == 1)
    }

    @Test func a429WaitsRetryAfterOnTheClockWithoutSpendingARetry() async throws {
        let discord = FakeDiscordClient(answers: [.rateLimited(retryAfter: 2.5), .failed(502, message: "502: Bad Gateway")])
        let worker = try makeWorker(discord)
        log.append(event(1, .turnStarted, "Night Owl"))
        try await following(worker) {
            #expect(await eventually { clock.sleeperCount == 1 })
            var status = await worker.status
            #expect(discord.posts.count == 1 && status.state == .rateLimited && status.failed == 0)
            #expect(status.until.map { abs($0.timeIntervalSince(t0) - 2.55) < 0.001 } == true, "retry_after plus discord.js's 50 ms")

            clock.advance(by: .milliseconds(2540))
            #expect(clock.sleeperCount == 1 && discord.posts.count == 1, "still waiting out retry_after")
            clock.advance(by: .milliseconds(20))
            #expect(await eventually { discord.posts.count == 2 && clock.sleeperCount == 1 })

            // The 502 that follows is the first failure: the 429 did not use up a retry.
            status = await worker.status
            #expect(status.state == .backingOff && status.failed == 1)
            #expect(status.until.map { abs($0.timeIntervalSince(t0) - 3.56) < 0.001 } == true, "1 s, the first retry's backoff")
            clock.advance(by: .milliseconds(1010))
            #expect(await eventually { await worker.status.sent == 1 })
        }
        #expect(await worker.status.cursor == 1)
        #expect(await worker.status.state == .ok)
    }

    @Test func serverAndNetworkErrorsRetryWithGrowingBackoff() async throws {
        let discord = FakeDiscordClient(answers: [.failed(502, message: "502: Bad Gateway"), .unreachable("connection reset by peer")])
        let worker = try makeWorker(discord)
        log.append(event(1, .turnStarted, "Night Owl"))
        try await following(worker) {
            #expect(await eventually { clock.sleeperCount == 1 })
            #expect(await worker.status.reason == "Discord answered 502")
            clock.advance(by: .milliseconds(990))
            #expect(clock.sleeperCount == 1 && discord.posts.count == 1)
            clock.advance(by: .milliseconds(20))
            #expect(await eventually { discord.posts.count == 2 && clock.sleeperCount == 1 })

            #expect(await worker.status.reason == "connection reset by peer")
            clock.advance(by: .milliseconds(1980))
            #expect(clock.sleeperCount == 1 && discord.posts.count == 2, "the second retry waits 2 s")
            clock.advance(by: .milliseconds(40))
            #expect(await eventually { log.isWaiting(after: 1) })
        }
        let status = await worker.status
        #expect(discord.posts.count == 3)
        #expect(status.sent == 1 && status.failed == 2 && status.cursor == 1 && status.state == .ok)
    }

    @Test func a404DisablesTheWebhookAndStopsFollowing() async throws {
        let discord = FakeDiscordClient(answers: [.unknownWebhook])
        let worker = try makeWorker(discord)
        log.append(event(1, .turnStarted, "Night Owl"), event(2, .turnEnded, "Night Owl"))
        let stopped = Flag()
        let task = Task {
            await worker.follow()
            stopped.raise()
        }
        defer { task.cancel() }
        #expect(await eventually { stopped.isRaised }, "follow returns once the webhook is disabled")
        let status = await worker.status
        #expect(status.state == .disabled && status.failed == 1)
        #expect(status.reason?.contains("404") == true)
        #expect(status.cursor == 1, "the event in flight is consumed, the rest are not")
        #expect(log.polls == 1)
        #expect(await worker.sendTest(by: "admin").state == .disabled)
        #expect(discord.posts.count == 1, "a disabled webhook is never used again")
    }

    @Test func withNotificationsOffEventsAreConsumedWithoutSending() async throws {
        let discord = FakeDiscordClient()
        let worker = try makeWorker(discord, sending: false)
        log.append(event(1, .turnStarted, "Night Owl"), event(2, .turnEnded, "Night Owl"))
        try await following(worker) {
            #expect(await eventually { log.isWaiting(after: 2) })
        }
        let status = await worker.status
        #expect(discord.posts.isEmpty && queueState.reads == 0)
        #expect(status.state == .muted && status.cursor == 2 && status.sent == 0)
    }

    @Test func anEmptyBucketWaitsForItsResetBeforeTheNextSend() async throws {
        let discord = FakeDiscordClient(answers: [.accepted(remaining: 0, resetAfter: 1.0)])
        let worker = try makeWorker(discord)
        log.append(event(1, .turnStarted, "Night Owl"), event(2, .turnEnded, "Night Owl"))
        try await following(worker) {
            #expect(await eventually { clock.sleeperCount == 1 })
            #expect(discord.posts.count == 1)
            clock.advance(by: .milliseconds(1040))
            #expect(clock.sleeperCount == 1 && discord.posts.count == 1, "reset-after plus 50 ms")
            clock.advance(by: .milliseconds(20))
            #expect(await eventually { log.isWaiting(after: 2) })
        }
        #expect(discord.posts.count == 2)
        #expect(await worker.status.sent == 2)
    }

    @Test func anUnreadableLogIsPolledAgainAfterABackoff() async throws {
        let discord = FakeDiscordClient()
        let worker = try makeWorker(discord)
        log.failPolls(2)
        log.append(event(1, .turnStarted, "Night Owl"))
        try await following(worker) {
            #expect(await eventually { clock.sleeperCount == 1 })
            clock.advance(by: .milliseconds(490))
            #expect(clock.sleeperCount == 1 && log.polls == 1)
            clock.advance(by: .milliseconds(20))
            #expect(await eventually { log.polls == 2 && clock.sleeperCount == 1 })
            clock.advance(by: .milliseconds(990))
            #expect(clock.sleeperCount == 1 && log.polls == 2, "the second wait is 1 s")
            clock.advance(by: .milliseconds(20))
            #expect(await eventually { log.isWaiting(after: 1) })
        }
        #expect(discord.posts.count == 1)
    }
}

/// Yields (never sleeps) until `condition` holds; false if it did not within 10 s of wall time.
func eventually(_ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(10)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        await Task.yield()
    }
    return await condition()
}

final class Flag: Sendable {
    private let value = Mutex(false)
    func raise() { value.withLock { $0 = true } }
    var isRaised: Bool { value.withLock { $0 } }
}
