import Foundation
import Testing
@testable import AccountService

/// Guessing a DJ's password must not lock the DJ out: tries are counted per account and address,
/// and an account guessed from many addresses still lets through an address that has not tried it.
@Suite struct LoginLockoutTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let victim = "dj@example.org"

    func limits() -> AttemptLimits {
        AttemptLimits(counter: MemoryAttemptCounter())
    }

    @Test func aGuesserFromOneAddressUsesUpOnlyTheirOwnTries() async throws {
        let limits = limits()
        for attempt in 0..<RateLimiter.Rule.loginPerAccount.limit {
            #expect(try await limits.check(.logIn(client: "203.0.113.9", email: victim), now: now.addingTimeInterval(Double(attempt))) == nil)
        }
        #expect(try await limits.check(.logIn(client: "203.0.113.9", email: victim), now: now.addingTimeInterval(10)) != nil, "the guesser is held back")
        #expect(try await limits.check(.logIn(client: "198.51.100.7", email: victim), now: now.addingTimeInterval(11)) == nil, "the DJ, from their own address, is not")
        #expect(try await limits.check(.logIn(client: "203.0.113.9", email: "other@example.org"), now: now.addingTimeInterval(12)) == nil)
    }

    @Test func anAccountGuessedFromManyAddressesStillLetsANewAddressTryOnce() async throws {
        let limits = limits()
        let everywhere = RateLimiter.Rule.loginPerAccountEverywhere.limit
        for index in 0..<everywhere {
            #expect(try await limits.check(.logIn(client: "10.0.\(index / 250).\(index % 250)", email: victim), now: now) == nil)
        }
        // Past the account's limit: an address that already tried is refused, a new one gets a try.
        #expect(try await limits.check(.logIn(client: "10.0.0.1", email: victim), now: now.addingTimeInterval(1)) != nil)
        #expect(try await limits.check(.logIn(client: "192.0.2.44", email: victim), now: now.addingTimeInterval(2)) == nil, "the owner's first try")
        #expect(try await limits.check(.logIn(client: "192.0.2.44", email: victim), now: now.addingTimeInterval(3)) != nil, "but not a stream of them")
        // The window passes and the account is free again.
        #expect(try await limits.check(.logIn(client: "10.0.0.1", email: victim), now: now.addingTimeInterval(2 * 15 * 60 + 1)) == nil)
    }
}
