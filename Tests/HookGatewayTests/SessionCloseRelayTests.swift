import Logging
import ServiceLifecycle
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The relay's retries on a `TestClock`: every backoff and the ten-minute age limit are crossed by
/// moving the clock, so nothing here sleeps on the wall clock.
@Suite(.timeLimit(.minutes(1))) struct SessionCloseRelayTests {
    let clock = TestClock()
    let queue = FakeQueuePeer()

    func close(_ clientId: String) -> SessionCloseRequest {
        SessionCloseRequest(clientId: clientId, action: "on_close")
    }

    /// Runs the relay as the application's service group would for `body`, then cancels it.
    func withRunningRelay(_ body: (SessionCloseRelay) async throws -> Void) async throws {
        let relay = SessionCloseRelay(queue: queue, clock: clock, logger: Logger(label: "test"))
        let running = Task { try await relay.run() }
        do {
            try await body(relay)
        } catch {
            running.cancel()
            throw error
        }
        running.cancel()
        try await running.value
    }

    /// Yields (never sleeps) until the fake has been sent `count` closes.
    func closesSent(_ count: Int) async -> Bool {
        for _ in 0..<100_000 where queue.closes.count < count {
            await Task.yield()
        }
        return queue.closes.count >= count
    }

    func sent(_ clientId: String) -> Int {
        queue.closes.filter { $0.clientId == clientId }.count
    }

    @Test func aFailedCloseIsRetriedWithBackoffUpToThirtySeconds() async throws {
        queue.failNext(.max)
        try await withRunningRelay { relay in
            await relay.deliver(close("a1"), requestID: "req-1")
            #expect(queue.closes == [.init(clientId: "a1", requestID: "req-1")])
            let delays: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30)]
            for (retry, delay) in delays.enumerated() {
                #expect(await clock.waitForSleepers(1))
                clock.advance(by: delay - .milliseconds(1))
                #expect(clock.sleeperCount == 1, "retry \(retry + 1) came before its \(delay) backoff")
                #expect(queue.closes.count == retry + 1)
                clock.advance(by: .milliseconds(1))
                #expect(await closesSent(retry + 2))
            }
            #expect(queue.closes.dropFirst().allSatisfy { $0 == .init(clientId: "a1", requestID: nil) })
        }
    }

    @Test func aCloseIsDeliveredLateOnceQueueServiceTakesIt() async throws {
        queue.failNext(2)
        try await withRunningRelay { relay in
            await relay.deliver(close("a1"), requestID: "req-1")
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .milliseconds(250))
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .milliseconds(500))
            #expect(await closesSent(3))

            // Delivered, so never sent again: the next missed close is the only one retried.
            queue.failNext(1)
            await relay.deliver(close("b1"), requestID: "req-2")
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .seconds(30))
            #expect(await closesSent(5))
            #expect(queue.closes.map(\.clientId) == ["a1", "a1", "a1", "b1", "b1"])
        }
    }

    @Test func aNewPublishOnTheSameClientSupersedesAWaitingClose() async throws {
        queue.failNext(.max)
        try await withRunningRelay { relay in
            await relay.deliver(close("a1"), requestID: "req-1")
            #expect(await clock.waitForSleepers(1))
            await relay.forget(clientId: "a1")
            clock.advance(by: .milliseconds(250))

            // Another missed close puts the relay back to sleep, so its pass over the backlog is over.
            await relay.deliver(close("b1"), requestID: "req-2")
            #expect(await clock.waitForSleepers(1))
            #expect(sent("a1") == 1)
            #expect(sent("b1") >= 1)
        }
    }

    @Test func aCloseQueueServiceNeverTakesIsGivenUpAfterTenMinutes() async throws {
        queue.failNext(.max)
        try await withRunningRelay { relay in
            await relay.deliver(close("a1"), requestID: "req-1")
            // Retried every 30 s of clock time, up to and including the ten-minute mark…
            for _ in 1...20 {
                #expect(await clock.waitForSleepers(1))
                clock.advance(by: .seconds(30))
            }
            #expect(await clock.waitForSleepers(1))
            #expect(sent("a1") == 21)
            // …and dropped past it.
            clock.advance(by: .seconds(30))

            await relay.deliver(close("b1"), requestID: "req-2")
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .milliseconds(250))
            #expect(await closesSent(23))
            #expect(sent("a1") == 21)
            #expect(queue.closes.suffix(2).map(\.clientId) == ["b1", "b1"])
        }
    }

    @Test func cancellationStopsItAtOnceInTheMiddleOfABackoff() async throws {
        queue.failNext(.max)
        let relay = SessionCloseRelay(queue: queue, clock: clock, logger: Logger(label: "test"))
        let running = Task { try await relay.run() }
        await relay.deliver(close("a1"), requestID: "req-1")
        #expect(await clock.waitForSleepers(1))
        running.cancel()
        try await running.value
        #expect(clock.sleeperCount == 0)
        #expect(queue.closes.count == 1)
    }

    @Test func gracefulShutdownStopsItAtOnceInTheMiddleOfABackoff() async throws {
        queue.failNext(.max)
        let logger = Logger(label: "test")
        let relay = SessionCloseRelay(queue: queue, clock: clock, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [relay], logger: logger))
        let running = Task { try await group.run() }
        await relay.deliver(close("a1"), requestID: "req-1")
        #expect(await clock.waitForSleepers(1))
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(clock.sleeperCount == 0)
        #expect(queue.closes.count == 1)
    }
}
