import Foundation
import Shared
import Synchronization
@testable import Notifier

/// QueueService's `/internal/v1/state` with a fixed waiting line; counts how often it was read.
final class FakeQueueState: QueueStateReading {
    private let waiting: [String]
    private let count = Mutex(0)

    init(waiting: [String] = []) {
        self.waiting = waiting
    }

    var reads: Int { count.withLock { $0 } }

    func state(timeout: Duration?) async throws -> InternalQueueState {
        count.withLock { $0 += 1 }
        let line = waiting.map { LineupEntry(userId: UUID(), djName: $0, joinedAt: Date(), turnStartedAt: nil, turnEndsAt: nil, graceEndsAt: nil, sessions: []) }
        return InternalQueueState(seq: 0, lead: nil, waiting: line, swapIntervalSeconds: 3600, paused: false)
    }
}
