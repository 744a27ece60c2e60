import Logging
import NIOConcurrencyHelpers
import Testing
import TestSupport
@testable import QueueService

/// The engine's side of the kicks, as the dispatcher asks it: which kicks are still owed, and
/// which SRS confirmed.
final class FakeKickLedger: @unchecked Sendable {
    private let box: NIOLockedValueBox<(owed: Set<String>, settled: [String], questions: Int)>

    init(owed: Set<String>) {
        box = NIOLockedValueBox((owed: owed, settled: [], questions: 0))
    }

    var settled: [String] { box.withLockedValue { $0.settled } }
    /// How often the dispatcher asked whether a kick is still owed.
    var questions: Int { box.withLockedValue { $0.questions } }

    /// The session closed by itself: nothing is owed any more.
    func forget(_ clientId: String) {
        box.withLockedValue { _ = $0.owed.remove(clientId) }
    }

    func connect(_ dispatcher: KickDispatcher) async {
        await dispatcher.connect(
            settled: { clientId in
                self.box.withLockedValue { box in
                    box.owed.remove(clientId)
                    box.settled.append(clientId)
                }
            },
            stillOwed: { clientId in
                self.box.withLockedValue { box in
                    box.questions += 1
                    return box.owed.contains(clientId)
                }
            }
        )
    }
}

/// Kick retries on a `TestClock`: the whole backoff schedule, up to its 30 s cap, in microseconds.
@Suite struct KickDispatcherTests {
    let logger = Logger(label: "kick-dispatcher-test")

    @Test func aFailingKickIsRetriedWithCappedBackoffUntilSRSConfirms() async throws {
        let clock = TestClock()
        let sender = FakeKickSender(failFirst: 9)
        let ledger = FakeKickLedger(owed: ["a1"])
        let dispatcher = KickDispatcher(sender: sender, clock: clock, logger: logger)
        await ledger.connect(dispatcher)
        await dispatcher.dispatch(["a1"])

        let waits: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30)]
        for (failed, wait) in waits.enumerated() {
            #expect(await clock.waitForSleepers(1), "retry \(failed + 1) waits")
            #expect(sender.sent.count == failed + 1)
            clock.advance(by: wait - .nanoseconds(1))
            // Short of the backoff nothing wakes, so no retry can have started.
            #expect(clock.sleeperCount == 1, "retry \(failed + 1) waits \(wait)")
            clock.advance(by: .nanoseconds(1))
        }
        try await eventually("the kick confirmed") { ledger.settled == ["a1"] }
        #expect(sender.sent == Array(repeating: "a1", count: 10))
    }

    @Test func aKickNoLongerOwedIsNotRetried() async throws {
        let clock = TestClock()
        let sender = FakeKickSender(failFirst: .max)
        let ledger = FakeKickLedger(owed: ["a1"])
        let dispatcher = KickDispatcher(sender: sender, clock: clock, logger: logger)
        await ledger.connect(dispatcher)
        await dispatcher.dispatch(["a1"])
        #expect(await clock.waitForSleepers(1))

        ledger.forget("a1")
        clock.advance(by: .milliseconds(250))
        // The second question was answered "no": after it the dispatcher only returns.
        try await eventually("the dispatcher asked again") { ledger.questions == 2 }
        #expect(sender.sent == ["a1"])
        #expect(ledger.settled.isEmpty)
    }
}
