import Foundation

/// Where QueueService gets the time and waits for it. Injected so tests of timing rules run on
/// a clock they move by hand, without sleeping.
protocol QueueClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` (or throws when the waiting task is cancelled).
    func sleep(until deadline: Date) async throws
}

/// The wall clock, to the millisecond — the precision the journal keeps, so the state after a
/// restart is the state before it.
struct SystemQueueClock: QueueClock {
    func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    func sleep(until deadline: Date) async throws {
        while true {
            let remaining = deadline.timeIntervalSince(Date())
            guard remaining > 0 else { return }
            try await Task.sleep(for: .microseconds(Int64(remaining * 1_000_000)), tolerance: .zero)
        }
    }
}
