import Foundation

/// The attempt limits of every door that checks or sets a password, over the configured counters.
struct AttemptLimits: Sendable {
    let counter: any AttemptCounter

    /// Nil when allowed; otherwise the seconds to put in `Retry-After`. The door's checks run in
    /// order and stop at the first refusal, so an address that is refused does not also use up
    /// the attempts of the account it names.
    func check(_ door: AttemptDoor, now: Date = Date()) async throws -> TimeInterval? {
        for (key, rule) in door.checks {
            if let wait = try await counter.attempt(key, rule: rule, now: now) { return wait }
        }
        // A login guessed from many addresses: refusing the account outright would lock its owner
        // out, so only addresses that have not tried it in the window still get their one try.
        if let spread = door.spread {
            let firstHere = try await counter.attempt(spread.firstTry.key, rule: spread.firstTry.rule, now: now) == nil
            if let wait = try await counter.attempt(spread.everywhere.key, rule: spread.everywhere.rule, now: now), !firstHere { return wait }
        }
        return nil
    }

    /// Throws `AccountError.tooManyAttempts` when refused.
    func enforce(_ door: AttemptDoor, now: Date = Date()) async throws {
        if let wait = try await check(door, now: now) { throw AccountError.tooManyAttempts(retryAfter: Int(wait.rounded(.up))) }
    }
}
