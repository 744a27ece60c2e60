import Foundation

/// Sliding-window limits on attempts by key (an IP address, an account). A value: the caller
/// keeps it in an actor and says what time it is.
struct RateLimiter: Sendable {
    struct Rule: Sendable {
        var limit: Int
        var window: TimeInterval
    }

    private var attempts: [String: [Date]] = [:]

    /// Records an attempt and returns nil if it is allowed, or how many seconds until one would be.
    mutating func attempt(_ key: String, rule: Rule, now: Date) -> TimeInterval? {
        var recent = (attempts[key] ?? []).filter { now.timeIntervalSince($0) < rule.window }
        if recent.count >= rule.limit {
            attempts[key] = recent
            return max(1, rule.window - now.timeIntervalSince(recent[0]))
        }
        recent.append(now)
        attempts[key] = recent
        if attempts.count > 10_000 { attempts = attempts.filter { !$0.value.isEmpty } }
        return nil
    }
}

/// The limits on the two doors worth hammering: logging in and asking for a reset link.
actor AttemptLimits {
    static let loginPerIP = RateLimiter.Rule(limit: 20, window: 15 * 60)
    static let loginPerAccount = RateLimiter.Rule(limit: 8, window: 15 * 60)
    static let resetPerIP = RateLimiter.Rule(limit: 5, window: 3600)
    static let resetPerAccount = RateLimiter.Rule(limit: 3, window: 3600)

    private var limiter = RateLimiter()

    /// Nil when allowed; otherwise the seconds to put in `Retry-After`.
    func check(_ checks: [(String, RateLimiter.Rule)], now: Date = Date()) -> TimeInterval? {
        checks.compactMap { limiter.attempt($0.0, rule: $0.1, now: now) }.max()
    }
}
