import Shared
import Testing
import TestSupport

@Suite("Wakeup")
struct WakeupTests {
    @Test func aSignalWakesTheWaiterBeforeItsTimeRunsOut() async {
        let wakeup = Wakeup()
        let clock = TestClock()
        async let woken = wakeup.wait(upTo: .seconds(60), clock: clock)
        #expect(await clock.waitForSleepers(1))
        wakeup.signal()
        #expect(await woken)
    }

    @Test func withoutASignalTheWaitEndsWhenTheTimeRunsOut() async {
        let wakeup = Wakeup()
        let clock = TestClock()
        async let woken = wakeup.wait(upTo: .seconds(60), clock: clock)
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(60))
        #expect(await woken == false)
    }

    @Test func aSignalSentWhileNobodyWaitsIsKeptForTheNextWait() async {
        let wakeup = Wakeup()
        wakeup.signal()
        wakeup.signal()
        #expect(await wakeup.wait(upTo: .seconds(60), clock: TestClock()))
        let clock = TestClock()
        async let second = wakeup.wait(upTo: .seconds(1), clock: clock)
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(1))
        #expect(await second == false, "two signals with nobody waiting are one wake-up, not two")
    }

    @Test func everyTaskWaitingAtTheTimeIsWoken() async {
        let wakeup = Wakeup()
        let clock = TestClock()
        async let first = wakeup.wait(upTo: .seconds(60), clock: clock)
        async let second = wakeup.wait(upTo: .seconds(60), clock: clock)
        #expect(await clock.waitForSleepers(2))
        wakeup.signal()
        #expect(await first)
        #expect(await second)
    }

    @Test func cancellingTheWaiterEndsItsWait() async {
        let wakeup = Wakeup()
        let waiting = Task { await wakeup.wait() }
        waiting.cancel()
        #expect(await waiting.value == false)
    }
}

@Suite("Backoff")
struct BackoffTests {
    @Test func doublesFromTheBaseUpToTheCap() {
        let backoff = Backoff(base: .milliseconds(250), cap: .seconds(30), jitter: false)
        #expect((0..<10).map { backoff.delay(attempt: $0) } == [
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30), .seconds(30), .seconds(30),
        ])
        #expect(backoff.delay(attempt: 10_000) == .seconds(30))
    }

    @Test func jitterStaysBetweenHalfAndTheWholeDelay() {
        let backoff = Backoff(base: .seconds(1), cap: .seconds(60))
        #expect(backoff.delay(attempt: 2, random: 0) == .seconds(2))
        #expect(backoff.delay(attempt: 2, random: 1) == .seconds(4))
        #expect(backoff.seconds(attempt: 2, random: 0.5) == 3)
    }
}
