import Foundation

/// Capped exponential backoff, the one used for every retry in the system. Attempt n (from 0)
/// waits base·2ⁿ, never more than the cap; with jitter, a random time in [½, 1] of that, so
/// many clients retrying one peer do not arrive together.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var jitter: Bool

    public init(base: Duration, cap: Duration, jitter: Bool = true) {
        self.base = base
        self.cap = cap
        self.jitter = jitter
    }

    /// `random` in 0...1 picks the point in the jitter range (tests pass a fixed value).
    public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let exponential = base * Int(1 << min(max(attempt, 0), 20))
        let ceiling = min(exponential, cap)
        guard jitter else { return ceiling }
        return ceiling * (0.5 + 0.5 * min(max(random, 0), 1))
    }

    /// The same delay in seconds, for rules that work on `Date`s.
    public func seconds(attempt: Int, random: Double = Double.random(in: 0...1)) -> TimeInterval {
        delay(attempt: attempt, random: random).seconds
    }
}

extension Duration {
    /// This duration as a floating-point number of seconds.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    public init(seconds: TimeInterval) {
        self = .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
