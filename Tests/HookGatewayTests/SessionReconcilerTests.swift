import Configuration
import Logging
import ServiceLifecycle
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The reconciliation of QueueService's open sessions with the ingest's clients, with both in
/// memory and time on a `TestClock`: a session is closed only when the ingest was read in full
/// and does not have its client, and never on a read that failed.
@Suite(.timeLimit(.minutes(1))) struct SessionReconcilerTests {
    let clock = TestClock()
    let queue = FakeQueuePeer()
    let ingest = FakeIngest()
    let interval: Duration = .seconds(10)

    func reconciler() -> SessionReconciler {
        let logger = Logger(label: "test")
        return SessionReconciler(
            sessions: queue, ingest: ingest, closes: SessionCloseRelay(queue: queue, clock: clock, logger: logger), interval: interval,
            clock: clock, logger: logger
        )
    }

    @Test func aMissingClientIsClosedAndAPresentOneKept() async throws {
        queue.open = ["lead1", "ghost1", "waiting1"]
        ingest.hold(["lead1", "waiting1", "player7"])
        #expect(await reconciler().reconcile() == .reconciled(open: 3, closed: ["ghost1"]))
        #expect(queue.closes.map(\.clientId) == ["ghost1"])
        #expect(queue.closes.first?.requestID?.hasPrefix("reconcile-") == true)
        #expect(queue.actions == [SessionReconciler.action])
        #expect(queue.open == ["lead1", "waiting1"])
    }

    @Test func aFailedIngestReadClosesNothing() async throws {
        queue.open = ["lead1", "ghost1"]
        ingest.answer([nil])
        guard case .abandoned = await reconciler().reconcile() else {
            Issue.record("a pass on a failed read must be abandoned")
            return
        }
        #expect(queue.closes.isEmpty)
    }

    @Test func aFailedConfirmingReadClosesNothing() async throws {
        queue.open = ["lead1", "ghost1"]
        ingest.answer([["lead1"], nil])
        guard case .abandoned = await reconciler().reconcile() else {
            Issue.record("a pass whose second read failed must be abandoned")
            return
        }
        #expect(ingest.reads == 2)
        #expect(queue.closes.isEmpty)
    }

    /// One read can miss a client that is there (a page boundary moved under it): only a client
    /// missing from two reads in a row is gone.
    @Test func aClientTheSecondReadFindsIsKept() async throws {
        queue.open = ["lead1", "waiting1", "ghost1"]
        ingest.answer([["lead1"], ["lead1", "waiting1"]])
        #expect(await reconciler().reconcile() == .reconciled(open: 3, closed: ["ghost1"]))
        #expect(queue.closes.map(\.clientId) == ["ghost1"])
    }

    @Test func whenQueueServiceCannotBeAskedTheIngestIsNotReadAndNothingClosed() async throws {
        queue.open = ["ghost1"]
        queue.failNextListings(1)
        guard case .abandoned = await reconciler().reconcile() else {
            Issue.record("a pass without QueueService's sessions must be abandoned")
            return
        }
        #expect(ingest.reads == 0)
        #expect(queue.closes.isEmpty)
    }

    @Test func withNoOpenSessionsTheIngestIsNotRead() async throws {
        #expect(await reconciler().reconcile() == .reconciled(open: 0, closed: []))
        #expect(ingest.reads == 0)
    }

    /// A DJ who publishes while the pass runs is not in the sessions it read first, so the pass
    /// leaves them alone even though the ingest read does not have them.
    @Test func aSessionOpenedDuringThePassIsNotTouched() async throws {
        queue.open = ["ghost1"]
        let queue = self.queue
        ingest.onRead { if !queue.open.contains("new1") { queue.open.append("new1") } }
        #expect(await reconciler().reconcile() == .reconciled(open: 1, closed: ["ghost1"]))
        #expect(queue.closes.map(\.clientId) == ["ghost1"])
        #expect(queue.open == ["new1"])
    }

    /// A close QueueService misses goes to the relay like SRS's own, which keeps it for a retry.
    @Test func aCloseQueueServiceMissesIsLeftToTheRelay() async throws {
        queue.open = ["ghost1"]
        queue.failNext(1)
        let logger = Logger(label: "test")
        let relay = SessionCloseRelay(queue: queue, clock: clock, logger: logger)
        let reconciler = SessionReconciler(sessions: queue, ingest: ingest, closes: relay, interval: interval, clock: clock, logger: logger)
        let retrying = Task { try await relay.run() }
        #expect(await reconciler.reconcile() == .reconciled(open: 1, closed: ["ghost1"]))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: SessionCloseRelay.backoff.delay(attempt: 0))
        for _ in 0..<100_000 where queue.closes.count < 2 { await Task.yield() }
        #expect(queue.closes.map(\.clientId) == ["ghost1", "ghost1"])
        #expect(queue.open.isEmpty)
        retrying.cancel()
        try await retrying.value
    }

    /// Yields (never sleeps) until the queue's sessions have been listed `count` times.
    func listed(_ count: Int) async -> Bool {
        for _ in 0..<100_000 where queue.listings < count {
            await Task.yield()
        }
        return queue.listings >= count
    }

    @Test func itRunsAtStartAndThenEveryInterval() async throws {
        queue.open = ["lead1"]
        ingest.hold(["lead1"])
        let running = Task { try await reconciler().run() }
        #expect(await listed(1))
        for pass in 2...4 {
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: interval - .milliseconds(1))
            #expect(clock.sleeperCount == 1, "pass \(pass) came before its interval")
            #expect(queue.listings == pass - 1)
            // A ghost appears between passes; the next pass closes it.
            if pass == 3 { ingest.hold([]) }
            clock.advance(by: .milliseconds(1))
            #expect(await listed(pass))
        }
        #expect(await clock.waitForSleepers(1))
        #expect(queue.closes.map(\.clientId) == ["lead1"])
        running.cancel()
        try await running.value
        #expect(clock.sleeperCount == 0)
    }

    @Test func theIntervalIsTenSecondsUnlessConfigured() throws {
        func config(_ value: String?) throws -> HookGatewayConfig {
            var environment = TestSecrets.environment
            environment["SESSION_RECONCILE_SECONDS"] = value
            return try HookGatewayConfig(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: environment)))
        }
        #expect(try config(nil).sessionReconcileInterval == .seconds(10))
        #expect(try config("2").sessionReconcileInterval == .seconds(2))
        for wrong in ["0", "0.5", "3601", "-1", "ten"] {
            #expect(throws: (any Error).self, "SESSION_RECONCILE_SECONDS=\(wrong)") { try config(wrong) }
        }
    }

    @Test func gracefulShutdownStopsItBetweenPasses() async throws {
        let logger = Logger(label: "test")
        let group = ServiceGroup(configuration: .init(services: [reconciler()], logger: logger))
        let running = Task { try await group.run() }
        #expect(await clock.waitForSleepers(1))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(clock.sleeperCount == 0)
    }
}
