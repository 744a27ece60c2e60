import Crypto
import Foundation
import Shared

/// The arithmetic of every attempt limit, wherever its counters live: two fixed-window counters
/// per key (this window's attempts and the previous window's) read as a sliding window — the
/// previous window counts for the share of it that still lies within one window of now. Two
/// numbers per key instead of a list of times, and the same answer on every replica, since the
/// windows are cut from the wall clock (`floor(now / window)`).
struct AttemptWindow: Sendable, Equatable {
    let rule: RateLimiter.Rule
    /// Which window `now` falls in.
    let index: Int64
    /// How much the previous window still counts: 1 at the start of this window, 0 at its end.
    let previousWeight: Double

    init(now: Date, rule: RateLimiter.Rule) {
        self.rule = rule
        let position = now.timeIntervalSince1970 / rule.window
        let whole = position.rounded(.down)
        index = Int64(whole)
        previousWeight = 1 - (position - whole)
    }

    /// Whether one more attempt is allowed, given the attempts already counted (refused ones are not).
    func allows(current: Int, previous: Int) -> Bool {
        Double(previous) * previousWeight + Double(current) < Double(rule.limit)
    }

    /// Whole seconds until `allows` would say yes (it does just after the moment the weighted
    /// count falls to the limit), at least 1: for `Retry-After`.
    func retryAfter(current: Int, previous: Int) -> TimeInterval {
        guard !allows(current: current, previous: previous) else { return 1 }
        let window = rule.window
        let limit = Double(rule.limit)
        let elapsed = (1 - previousWeight) * window
        let wait: Double
        if Double(current) < limit {
            // Later in this window the previous one weighs less: previous · (w − t) / w + current < limit.
            wait = window - (limit - Double(current)) * window / Double(previous) - elapsed
        } else {
            // This window is full: in the next one it is the previous, and weighs less as that goes on.
            wait = (window - elapsed) + (window - limit * window / Double(current))
        }
        return max(1, wait.rounded(.down) + 1)
    }
}

/// A limiter key as it is kept: 16 bytes of its SHA-256, however long the key is (keys hold
/// what strangers type, such as the email on a login form).
struct AttemptDigest: Hashable, Sendable {
    let high: UInt64
    let low: UInt64

    init(_ key: String) {
        let hash = SHA256.hash(data: Array(key.utf8))
        (high, low) = hash.withUnsafeBytes { ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
    }

    /// The 32 hex digits PostgreSQL stores: the hash's first 16 bytes, as they came.
    var hex: String {
        withUnsafeBytes(of: (high, low)) { Array($0).hexString }
    }
}
