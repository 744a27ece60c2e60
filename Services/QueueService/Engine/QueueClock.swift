import Foundation

/// Where QueueService gets the time. Injected so tests of timing rules need no sleeping.
protocol QueueClock: Sendable {
    func now() -> Date
}

struct SystemQueueClock: QueueClock {
    func now() -> Date { Date() }
}
