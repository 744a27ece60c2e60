import Foundation

/// Where QueueService gets the time. Injected so tests of timing rules need no sleeping.
protocol QueueClock: Sendable {
    func now() -> Date
}

/// The wall clock, to the millisecond — the precision the journal keeps, so the state after a
/// restart is the state before it.
struct SystemQueueClock: QueueClock {
    func now() -> Date {
        Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}
