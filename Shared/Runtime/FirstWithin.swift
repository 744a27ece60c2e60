/// What `operation` gives, or nil when `limit` passes first — then the operation is cancelled,
/// so it must end promptly once it is (a wait on a signal, a stream or a continuation does).
/// The one race of a wait against its deadline: long polls, wakeups, a write waiting to be held.
public func firstWithin<Value: Sendable>(
    _ limit: Duration, clock: any Clock<Duration> = ContinuousClock(), _ operation: @escaping @Sendable () async -> Value?
) async -> Value? {
    await withTaskGroup(of: Value?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await clock.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
