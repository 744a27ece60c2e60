import Foundation
import NIOConcurrencyHelpers
import Shared
import TestSupport
@testable import QueueService

/// The queue's clock (dates, as the journal keeps them) on a `TestClock` that tests move by hand:
/// sleepers wake exactly when `advance` passes their deadline.
final class ManualClock: QueueClock, @unchecked Sendable {
    private let start: Date
    private let clock = TestClock()
    private let origin: TestClock.Instant
    private let state: NIOLockedValueBox<(now: Date, armed: [UInt64: Date], lastId: UInt64)>

    init(_ start: Date) {
        self.start = start
        origin = clock.now
        state = NIOLockedValueBox((start, [:], 0))
    }

    func now() -> Date { state.withLockedValue { $0.now } }

    /// How many tasks sleep now; a sleeper leaves this count the moment `advance` wakes it.
    var sleeperCount: Int { clock.sleeperCount }

    /// When the sleepers wake, earliest first: the timers the engine has armed.
    var deadlines: [Date] { state.withLockedValue { $0.armed.values.sorted() } }

    func sleep(until deadline: Date) async throws {
        let id = state.withLockedValue { state in
            state.lastId += 1
            state.armed[state.lastId] = deadline
            return state.lastId
        }
        defer { state.withLockedValue { _ = $0.armed.removeValue(forKey: id) } }
        try await clock.sleep(until: instant(deadline))
    }

    /// Moves time to `date`, waking every sleeper due by then.
    func advance(to date: Date) {
        state.withLockedValue { $0.now = date }
        clock.advance(by: clock.now.duration(to: instant(date)))
    }

    /// Dates map to instants one way only, so a sleeper wakes exactly when `now` reaches its deadline.
    private func instant(_ date: Date) -> TestClock.Instant {
        origin.advanced(by: Duration(seconds: date.timeIntervalSince(start)))
    }
}
