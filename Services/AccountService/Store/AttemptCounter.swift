import Foundation

/// Where the attempt limits are counted: in this process when accounts are in SQLite (one
/// instance), in PostgreSQL otherwise, so that every replica counts the attempts made on all of
/// them. Both count the same way (`AttemptWindow`); one suite tests both.
protocol AttemptCounter: Sendable {
    /// Counts an attempt and returns nil when it is allowed, or the seconds until one would be.
    /// A refused attempt is not counted.
    func attempt(_ key: String, rule: RateLimiter.Rule, now: Date) async throws -> TimeInterval?
}

/// The bounded in-memory `RateLimiter`, for one instance.
actor MemoryAttemptCounter: AttemptCounter {
    private var limiter: RateLimiter

    init(capacity: Int = RateLimiter.defaultCapacity) {
        limiter = RateLimiter(capacity: capacity)
    }

    func attempt(_ key: String, rule: RateLimiter.Rule, now: Date) -> TimeInterval? {
        limiter.attempt(key, rule: rule, now: now)
    }
}
