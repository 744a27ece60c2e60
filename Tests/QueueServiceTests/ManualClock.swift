import Foundation
import NIOConcurrencyHelpers
@testable import QueueService

/// A clock tests move by hand: sleepers wake exactly when `advance` passes their deadline.
final class ManualClock: QueueClock, @unchecked Sendable {
    private struct Sleeper {
        let id: UUID
        let deadline: Date
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let state: NIOLockedValueBox<(now: Date, sleepers: [Sleeper])>

    init(_ start: Date) {
        state = NIOLockedValueBox((start, []))
    }

    func now() -> Date { state.withLockedValue { $0.now } }

    var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    func sleep(until deadline: Date) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready = state.withLockedValue { state -> Bool in
                    if state.now >= deadline { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time to `date`, waking every sleeper due by then.
    func advance(to date: Date) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.now = date
            let due = state.sleepers.filter { $0.deadline <= date }
            state.sleepers.removeAll { $0.deadline <= date }
            return due
        }
        due.forEach { $0.continuation.resume() }
    }

    func advance(by seconds: Double) {
        advance(to: now().addingTimeInterval(seconds))
    }
}
