import Foundation
import NIOConcurrencyHelpers
import Shared
import Testing
import TestSupport
@testable import HookGateway

/// The gateway's copy of the publisher directory: answered from while fresh, never once it is
/// not (AccountService is asked instead), and only for keys that could have been issued.
@Suite struct KeyDirectoryTests {
    let digest = StreamKeyDigest(secret: Secret(TestSecrets.jwt))
    let dj = VerifiedPublisher(userId: UUID(), djName: "Night Owl")

    func directory(holding key: String) -> StreamKeyDirectory {
        StreamKeyDirectory(version: "v1", publishers: [.init(digest: digest(key), publisher: dj)])
    }

    @Test func aFreshCopyAnswersKnownAndUnknownKeysAndAStaleOneAnswersNothing() {
        let copy = KeyDirectory(freshFor: .seconds(4))
        let start = ContinuousClock.now
        #expect(copy.answer(forDigest: digest("KEY123"), now: start) == .notFresh, "nothing held yet")
        copy.replace(with: directory(holding: "KEY123"), at: start)
        #expect(copy.version == "v1")
        #expect(copy.answer(forDigest: digest("KEY123"), now: start + .seconds(4)) == .publisher(dj))
        #expect(copy.answer(forDigest: digest("OTHER1"), now: start + .seconds(4)) == .unknown)
        #expect(copy.answer(forDigest: digest("KEY123"), now: start + .seconds(4) + .milliseconds(1)) == .notFresh)
        copy.confirm(at: start + .seconds(5))
        #expect(copy.answer(forDigest: digest("KEY123"), now: start + .seconds(8)) == .publisher(dj), "confirmed again")
        copy.lapse()
        #expect(copy.answer(forDigest: digest("KEY123"), now: start + .seconds(5)) == .notFresh, "a failed poll ends it at once")
        copy.confirm(at: start + .seconds(6))
        #expect(copy.answer(forDigest: digest("OTHER1"), now: start + .seconds(6)) == .unknown)
    }

    @Test func theOwnersAskAccountServiceOnlyWhenTheCopyIsNotFresh() async throws {
        let accounts = CountingOwners(answer: dj)
        let copy = KeyDirectory(freshFor: .seconds(60))
        let owners = DirectoryFirstOwners(directory: copy, digest: digest, accounts: accounts)
        #expect(try await owners.publisher(forStreamKey: "KEY123", requestID: "r1") == dj)
        #expect(accounts.calls == 1, "no copy yet: AccountService answered")

        copy.replace(with: directory(holding: "KEY123"))
        #expect(try await owners.publisher(forStreamKey: "KEY123", requestID: "r2") == dj)
        #expect(try await owners.publisher(forStreamKey: "nobodyskey", requestID: "r3") == nil)
        #expect(try await owners.publisher(forStreamKey: "not a key!", requestID: "r4") == nil)
        #expect(try await owners.publisher(forStreamKey: String(repeating: "k", count: 129), requestID: "r5") == nil)
        #expect(accounts.calls == 1, "the copy answered")

        // The digest is JWT_SECRET's: a gateway with another secret finds nobody.
        let stranger = DirectoryFirstOwners(directory: copy, digest: StreamKeyDigest(secret: Secret("another secret of thirty-two bytes!")), accounts: accounts)
        #expect(try await stranger.publisher(forStreamKey: "KEY123", requestID: "r6") == nil)
    }

    /// AccountService's vault and the gateway name a key alike. The vector is HKDF-SHA256 then
    /// HMAC-SHA256 computed by Python's hmac module; StreamKeyVaultTests pins the same one.
    @Test func theDigestIsTheOneAccountServiceStores() {
        #expect(digest("KEY123") == "620d270e9adff95221b779840e335b0db4148d324b8959d6682a803341df21a5")
        #expect(digest("KEY124") != digest("KEY123"))
    }
}

private final class CountingOwners: StreamKeyOwners {
    let answer: VerifiedPublisher
    private let count = NIOLockedValueBox(0)
    var calls: Int { count.withLockedValue { $0 } }

    init(answer: VerifiedPublisher) { self.answer = answer }

    func publisher(forStreamKey key: String, requestID: String) async throws -> VerifiedPublisher? {
        count.withLockedValue { $0 += 1 }
        return answer
    }
}
