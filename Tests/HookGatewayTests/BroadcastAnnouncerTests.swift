import Foundation
import Logging
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// QueueService refusing the first `failures` reports, then taking them.
final class FlakyBroadcasts: QueueBroadcasts {
    let state: NIOLockedValueBox<(failures: Int, attempts: [BroadcastChange], delivered: [BroadcastChange])>
    let arrived = Wakeup()

    init(failures: Int) {
        state = NIOLockedValueBox((failures, [], []))
    }

    func broadcast(_ change: BroadcastChange, requestID: String?) async throws {
        let fail = state.withLockedValue { state in
            state.attempts.append(change)
            guard state.failures == 0 else { state.failures -= 1; return true }
            state.delivered.append(change)
            return false
        }
        arrived.signal()
        if fail { throw PeerError.unreachable(peer: "QueueService", reason: "refused for the test") }
    }

    func waitForAttempts(_ count: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while state.withLockedValue({ $0.attempts.count }) < count {
            guard ContinuousClock.now < deadline, await arrived.wait(upTo: deadline - ContinuousClock.now) else { return false }
        }
        return true
    }
}

@Suite struct BroadcastAnnouncerTests {
    @Test func aChangeIsRetriedWithBackoffUntilQueueServiceTakesIt() async throws {
        let queue = FlakyBroadcasts(failures: 2)
        let clock = TestClock()
        let announcer = BroadcastAnnouncer(
            queue: queue, source: "lead", clock: clock, backoff: Backoff(base: .seconds(1), cap: .seconds(4), jitter: false), logger: Logger(label: "test")
        )
        await announcer.report(live: true)
        #expect(await announcer.isLive())
        #expect(await queue.waitForAttempts(1))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(1))
        #expect(await queue.waitForAttempts(2))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(2))
        #expect(await queue.waitForAttempts(3))
        #expect(queue.state.withLockedValue { $0.delivered } == [BroadcastChange(live: true, source: "lead")])

        await announcer.report(live: true)
        await announcer.report(live: false)
        #expect(await queue.waitForAttempts(4))
        #expect(queue.state.withLockedValue { $0.delivered } == [BroadcastChange(live: true, source: "lead"), BroadcastChange(live: false, source: "lead")], "a repeat is not sent")
    }

    /// A newer change replaces one still being retried: QueueService hears the state as it is.
    @Test func aNewerChangeReplacesOneStillRetried() async throws {
        let queue = FlakyBroadcasts(failures: 1)
        let clock = TestClock()
        let announcer = BroadcastAnnouncer(
            queue: queue, source: "programme", clock: clock, backoff: Backoff(base: .seconds(5), cap: .seconds(5), jitter: false), logger: Logger(label: "test")
        )
        await announcer.report(live: true)
        #expect(await queue.waitForAttempts(1))
        await announcer.report(live: false)
        #expect(await queue.waitForAttempts(2))
        #expect(queue.state.withLockedValue { $0.delivered } == [BroadcastChange(live: false, source: "programme")])
        clock.advance(by: .seconds(10))
        try await Task.sleep(for: .milliseconds(100))
        #expect(queue.state.withLockedValue { $0.attempts.count } == 2, "the replaced change was not sent again")
    }
}
