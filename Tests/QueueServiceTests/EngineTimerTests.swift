import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import QueueService

/// A kick sender that records and can be told to fail a number of times first.
final class RecordingKicks: KickSender, @unchecked Sendable {
    private let box = NIOLockedValueBox((sent: [String](), failuresLeft: 0))

    init(failFirst: Int = 0) {
        box.withLockedValue { $0.failuresLeft = failFirst }
    }

    var sent: [String] { box.withLockedValue { $0.sent } }

    func kick(clientId: String) async throws {
        let fail = box.withLockedValue { box -> Bool in
            box.sent.append(clientId)
            guard box.failuresLeft > 0 else { return false }
            box.failuresLeft -= 1
            return true
        }
        if fail { throw SRSAPIError(message: "SRS is busy") }
    }
}

struct SRSAPIError: Error {
    var message: String
}

/// The engine's timers and kicks, on a clock the test moves.
@Suite struct EngineTimerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let logger = Logger(label: "engine-timer-test")

    func engine(_ directory: URL, clock: ManualClock, kicks: RecordingKicks, rules: QueueRules = QueueRules()) async throws -> QueueEngine {
        let journal = FileJournal(directory: directory.path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger)
        let engine = try QueueEngine(
            journal: journal, clock: clock, rules: rules, swapInterval: 3600, forwardTargets: [],
            kicks: KickDispatcher(sender: kicks, logger: logger), logger: logger
        )
        await engine.start()
        return engine
    }

    func publish(_ name: String, _ client: String, user: UUID = UUID()) -> PublishRequest {
        PublishRequest(clientId: client, userId: user, djName: name, app: "live", stream: "KEY\(client)")
    }

    /// Waits (in real time, briefly) for the engine's background work to reach a condition.
    func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<400 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("timed out waiting for: \(what)")
    }

    @Test func theDeadlineHandsOverAndTheOldLeadIsKicked() async throws {
        let clock = ManualClock(t0)
        let kicks = RecordingKicks()
        let engine = try await engine(try temporaryDirectory("timers"), clock: clock, kicks: kicks)
        _ = try await engine.publish(publish("A", "a1"))
        _ = try await engine.publish(publish("B", "b1"))
        try await eventually("a timer armed") { clock.sleeperCount == 1 }
        clock.advance(to: t0 + 3599.999)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await engine.queueJSON().streamQueue == ["A", "B"])

        clock.advance(to: t0 + 3600)
        try await eventually("B on air") { await engine.queueJSON().streamQueue == ["B"] }
        let ended = await engine.feed.page(after: 0, limit: 100).events.first { $0.type == .turnEnded }
        #expect(ended?.time == t0 + 3600)
        #expect(ended?.payload.reason == .timeLimit)
        try await eventually("kick sent") { kicks.sent == ["a1"] }
        try await eventually("no kick owed") { await engine.pendingKicks().isEmpty }
    }

    @Test func aFailingKickIsRetriedWithoutHoldingUpTheQueue() async throws {
        let clock = ManualClock(t0)
        let kicks = RecordingKicks(failFirst: 2)
        let engine = try await engine(try temporaryDirectory("timers"), clock: clock, kicks: kicks)
        let admin = UUID()
        _ = try await engine.publish(publish("A", "a1"))
        _ = try await engine.publish(publish("B", "b1"))
        let afterSkip = try await engine.admin(.skip, by: admin)
        #expect(afterSkip.lead?.djName == "B")
        try await eventually("three attempts") { kicks.sent.count >= 3 }
        #expect(kicks.sent == ["a1", "a1", "a1"])
        try await eventually("kick settled") { await engine.pendingKicks().isEmpty }
    }

    @Test func aRestartContinuesTheSameTurnWithTheSameDeadline() async throws {
        let directory = try temporaryDirectory("timers")
        let clock = ManualClock(t0)
        let first = try await engine(directory, clock: clock, kicks: RecordingKicks())
        _ = try await first.publish(publish("A", "a1"))
        _ = try await first.publish(publish("B", "b1"))
        _ = try await first.admin(.extendTurn(seconds: 60), by: UUID())

        clock.advance(to: t0 + 1000)
        let restarted = try await engine(directory, clock: clock, kicks: RecordingKicks())
        #expect(await restarted.internalState().lead?.turnEndsAt == t0 + 3660)
        #expect(await restarted.timeSettings().remainingTime == 2660)
        clock.advance(to: t0 + 3660)
        try await eventually("B on air after the restart") { await restarted.queueJSON().streamQueue == ["B"] }
    }

    @Test func aGraceThatExpiresHandsOverAndAResumeCancelsIt() async throws {
        let clock = ManualClock(t0)
        let engine = try await engine(try temporaryDirectory("timers"), clock: clock, kicks: RecordingKicks(), rules: QueueRules(leadGrace: 15))
        let alice = UUID()
        _ = try await engine.publish(publish("A", "a1", user: alice))
        _ = try await engine.publish(publish("B", "b1"))
        _ = try await engine.closeSession(SessionCloseRequest(clientId: "a1", action: "on_unpublish"))
        clock.advance(to: t0 + 10)
        _ = try await engine.publish(publish("A", "a2", user: alice))
        clock.advance(to: t0 + 20)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await engine.queueJSON().streamQueue == ["A", "B"])

        _ = try await engine.closeSession(SessionCloseRequest(clientId: "a2", action: "on_close"))
        clock.advance(to: t0 + 35)
        try await eventually("B on air after the grace") { await engine.queueJSON().streamQueue == ["B"] }
    }
}
