import Synchronization

/// Wakes waiting tasks, instead of a loop that polls a flag: `signal()` from anywhere,
/// `wait(upTo:clock:)` where a task sleeps. A signal wakes every task waiting then; one sent
/// while nobody waits is kept (one at most), so a change that arrives just before the wait is
/// never missed.
public final class Wakeup: Sendable {
    private struct State {
        var signalled = false
        var waiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var lastId: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Bool, Never>] in
            guard !state.waiters.isEmpty else {
                state.signalled = true
                return []
            }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.resume(returning: true) }
    }

    /// Returns true when signalled, false when the time ran out or the task was cancelled.
    @discardableResult
    public func wait(upTo limit: Duration, clock: any Clock<Duration> = ContinuousClock()) async -> Bool {
        let pending = state.withLock { state in
            defer { state.signalled = false }
            return state.signalled
        }
        if pending { return true }
        return await firstWithin(limit, clock: clock) { await self.signalled() } ?? false
    }

    /// Waits for a signal with no time limit; false if the task was cancelled first.
    @discardableResult
    public func wait() async -> Bool {
        await signalled()
    }

    private func signalled() async -> Bool {
        let id = state.withLock { state in
            state.lastId += 1
            return state.lastId
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Under the lock, so a cancellation is seen either here or by the handler below.
                let now: Bool? = state.withLock { state in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state in state.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: false)
        }
    }
}
