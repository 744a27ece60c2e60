import Foundation
import Logging
import ServiceLifecycle
import Shared
import Testing
import TestSupport
@testable import QueueService

/// The engine's timers and kicks, on clocks the test moves: `ManualClock` for the turn timers,
/// `TestClock` for the kick retries.
@Suite struct EngineTimerTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let logger = Logger(label: "engine-timer-test")

    func engine(
        _ directory: URL, clock: ManualClock, kicks: FakeKickSender, kickClock: TestClock = TestClock(), rules: QueueRules = QueueRules(),
        start: Bool = true
    ) async throws -> QueueEngine {
        let journal = FileJournal(directory: directory.path, sealer: StreamNameSealer(secret: Secret(TestSecrets.jwt)), logger: logger)
        let engine = try QueueEngine(
            journal: journal, clock: clock, rules: rules, swapInterval: 3600, forwardTargets: [],
            kicks: KickDispatcher(sender: kicks, clock: kickClock, logger: logger), logger: logger
        )
        if start { await engine.start() }
        return engine
    }

    func publish(_ name: String, _ client: String, user: UUID = UUID()) -> PublishRequest {
        PublishRequest(clientId: client, userId: user, djName: name, app: "live", stream: "KEY\(client)")
    }

    func kickSettled(_ engine: QueueEngine, _ clientId: String) async -> Bool {
        await engine.feed.page(after: 0, limit: 1000).events.contains { $0.type == .kickSettled && $0.payload.clientId == clientId }
    }

    @Test func theDeadlineHandsOverAndTheOldLeadIsKicked() async throws {
        let clock = ManualClock(t0)
        let kicks = FakeKickSender()
        let engine = try await engine(try temporaryDirectory("timers"), clock: clock, kicks: kicks)
        _ = try await engine.publish(publish("A", "a1"))
        _ = try await engine.publish(publish("B", "b1"))
        try await eventually("the deadline armed") { clock.deadlines == [t0 + 3600] }
        clock.advance(to: t0 + 3599.999)
        // Nothing was due, so nothing woke: the one timer still sleeps towards the deadline.
        #expect(clock.sleeperCount == 1)
        #expect(await engine.queueJSON().streamQueue == ["A", "B"])

        clock.advance(to: t0 + 3600)
        try await eventually("B on air") { await engine.queueJSON().streamQueue == ["B"] }
        let ended = await engine.feed.page(after: 0, limit: 100).events.first { $0.type == .turnEnded }
        #expect(ended?.time == t0 + 3600)
        #expect(ended?.payload.reason == .timeLimit)
        try await eventually("kick sent") { kicks.sent == ["a1"] }
        try await eventually("no kick owed") { await kickSettled(engine, "a1") }
    }

    @Test func aFailingKickIsRetriedWithoutHoldingUpTheQueue() async throws {
        let kickClock = TestClock()
        let kicks = FakeKickSender(failFirst: 2)
        let engine = try await engine(try temporaryDirectory("timers"), clock: ManualClock(t0), kicks: kicks, kickClock: kickClock)
        let admin = UUID()
        _ = try await engine.publish(publish("A", "a1"))
        _ = try await engine.publish(publish("B", "b1"))
        let afterSkip = try await engine.admin(.skip, by: admin)
        #expect(afterSkip.lead?.djName == "B")
        for backoff in [Duration.milliseconds(250), .milliseconds(500)] {
            #expect(await kickClock.waitForSleepers(1), "a retry waits out its backoff")
            kickClock.advance(by: backoff)
        }
        try await eventually("kick settled") { await kickSettled(engine, "a1") }
        #expect(kicks.sent == ["a1", "a1", "a1"])
    }

    @Test func aRestartContinuesTheSameTurnWithTheSameDeadline() async throws {
        let directory = try temporaryDirectory("timers")
        let clock = ManualClock(t0)
        let first = try await engine(directory, clock: clock, kicks: FakeKickSender())
        _ = try await first.publish(publish("A", "a1"))
        _ = try await first.publish(publish("B", "b1"))
        _ = try await first.admin(.extendTurn(seconds: 60), by: UUID())

        clock.advance(to: t0 + 1000)
        let restarted = try await engine(directory, clock: clock, kicks: FakeKickSender())
        #expect(await restarted.internalState(withStreams: true).lead?.turnEndsAt == t0 + 3660)
        #expect(await restarted.timeSettings().remainingTime == 2660)
        clock.advance(to: t0 + 3660)
        try await eventually("B on air after the restart") { await restarted.queueJSON().streamQueue == ["B"] }
    }

    @Test func aGraceThatExpiresHandsOverAndAResumeCancelsIt() async throws {
        let clock = ManualClock(t0)
        let engine = try await engine(try temporaryDirectory("timers"), clock: clock, kicks: FakeKickSender(), rules: QueueRules(leadGrace: 15))
        let alice = UUID()
        _ = try await engine.publish(publish("A", "a1", user: alice))
        _ = try await engine.publish(publish("B", "b1"))
        _ = try await engine.closeSession(SessionCloseRequest(clientId: "a1", action: "on_unpublish"))
        try await eventually("the grace armed") { clock.deadlines == [t0 + 15] }
        clock.advance(to: t0 + 10)
        _ = try await engine.publish(publish("A", "a2", user: alice))
        try await eventually("the grace disarmed, the deadline armed") { clock.deadlines == [t0 + 3600] }
        clock.advance(to: t0 + 20)
        #expect(clock.sleeperCount == 1, "only the deadline sleeps; no grace timer was left to fire")
        #expect(await engine.queueJSON().streamQueue == ["A", "B"])

        _ = try await engine.closeSession(SessionCloseRequest(clientId: "a2", action: "on_close"))
        try await eventually("the grace armed again") { clock.deadlines == [t0 + 35] }
        clock.advance(to: t0 + 35)
        try await eventually("B on air after the grace") { await engine.queueJSON().streamQueue == ["B"] }
    }

    /// In the application the engine is a service: its run arms the timers a restored journal
    /// asks for, and a graceful shutdown ends the run and disarms them.
    @Test func asAServiceTheEngineHoldsItsTimersUntilGracefulShutdown() async throws {
        let directory = try temporaryDirectory("timers")
        let before = try await engine(directory, clock: ManualClock(t0), kicks: FakeKickSender(), start: false)
        _ = try await before.publish(publish("A", "a1"))
        _ = try await before.publish(publish("B", "b1"))

        let clock = ManualClock(t0 + 10)
        let restored = try await engine(directory, clock: clock, kicks: FakeKickSender(), start: false)
        let group = ServiceGroup(configuration: .init(services: [restored], gracefulShutdownSignals: [], logger: logger))
        let running = Task { try await group.run() }
        try await eventually("the restored deadline armed") { clock.deadlines == [t0 + 3600] }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(clock.sleeperCount == 0)
    }
}
