import Foundation
import Logging
import Shared
import Synchronization
import Testing
import TestSupport

/// An event log that answers from a script: a page, or a failure.
private final class ScriptedLog: EventLogSource {
    enum Answer { case page(EventPage), failure }
    private let answers: Mutex<[Answer]>
    private let cursors = Mutex<[UInt64]>([])

    init(_ answers: [Answer]) {
        self.answers = Mutex(answers)
    }

    var askedAfter: [UInt64] { cursors.withLock { $0 } }

    func page(after cursor: UInt64, wait: Int) async throws -> EventPage {
        cursors.withLock { $0.append(cursor) }
        let next = answers.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case .page(let page): return page
        case .failure: throw CancellationError()
        case nil:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }
}

@Suite("EventLogFollower")
struct EventLogFollowerTests {
    private func event(_ seq: UInt64) -> QueueEvent {
        QueueEvent(seq: seq, time: Date(timeIntervalSince1970: 0), type: .queueCleared, payload: QueueEventPayload())
    }

    @Test func handsOnEachPageWithNewsAndContinuesWhereTheHandlerSays() async {
        let log = ScriptedLog([
            .page(EventPage(events: [], next: 0, truncated: false)),
            .page(EventPage(events: [event(1), event(2)], next: 2, truncated: false)),
            .page(EventPage(events: [event(3)], next: 3, truncated: false)),
        ])
        let seen = Mutex<[UInt64]>([])
        let follower = EventLogFollower(source: log, clock: TestClock(), logger: Logger(label: "test"))
        await follower.follow(after: 0) { page in
            seen.withLock { $0.append(contentsOf: page.events.map(\.seq)) }
            return page.next == 3 ? .stop : .continueAfter(page.next)
        }
        #expect(seen.withLock { $0 } == [1, 2, 3])
        #expect(log.askedAfter == [0, 0, 2])
    }

    @Test func aFailedReadIsRetriedAfterTheBackoffOnTheClock() async {
        let log = ScriptedLog([.failure, .failure, .page(EventPage(events: [event(1)], next: 1, truncated: false))])
        let clock = TestClock()
        let reachability = Mutex<[String?]>([])
        let follower = EventLogFollower(source: log, backoff: Backoff(base: .seconds(1), cap: .seconds(10), jitter: false), clock: clock, logger: Logger(label: "test"))
        async let done: Void = follower.follow(after: 0, reachable: { error in reachability.withLock { $0.append(error) } }) { _ in .stop }
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .milliseconds(999))
        #expect(log.askedAfter.count == 1, "retried before its backoff ran out")
        clock.advance(by: .milliseconds(1))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(2))
        await done
        #expect(log.askedAfter.count == 3)
        #expect(reachability.withLock { $0.map { $0 == nil } } == [false, false, true])
    }

    @Test func cancellationStopsItDuringABackoff() async {
        let log = ScriptedLog([.failure])
        let clock = TestClock()
        let follower = EventLogFollower(source: log, clock: clock, logger: Logger(label: "test"))
        let task = Task { await follower.follow(after: 0) { _ in .stop } }
        #expect(await clock.waitForSleepers(1))
        task.cancel()
        await task.value
        #expect(log.askedAfter.count == 1)
    }
}
